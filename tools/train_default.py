#!/usr/bin/python3
"""Trains the "default" model (docs/default-model-spec.md,
tools/default_model.py) on every eye-tracking set in ../shared/data and
exports models/default.safetensors (v6: v3's inputs and classic's motion,
stills in still mode, the output mixed with classic, the video share
cross-fitted). CPU, 2 threads, deterministic (fixed seeds); on an idle
2-core machine about 3 minutes to build the data cache once, then about
2.5 minutes a training, five trainings in all (the model and the four
folds of the cross-fit).

  nice -n 10 /usr/bin/python3 tools/train_default.py \
      [--shared DIR] [--out F] [--cache DIR] [--epochs N] \
      [--clip-repeat N] [--balance] [--no-motion] [--delta-l2 W] \
      [--average N] [--soup N] [--data-order K] [--static-len N] \
      [--train-mix B] [--no-mix] [--crossfit K] [--last-epoch]
  /usr/bin/python3 tools/train_default.py --refit-mix WEIGHTS --out F

Options tried and not used for the shipped file (docs/models.md, "After
v3"): --no-motion (v5: no motion input), --delta-l2 (a penalty on the
correction), --average (the mean of the last N epochs' weights), --soup
(the mean of N runs in different data orders), --static-len 2 (v3's:
stills also as 2-frame static videos), --no-mix (no output mixture, as
v3), --crossfit 0 (v5: the video share fitted on the two select
videos), --data-order and --last-epoch ("After v9": other data orders,
the last epoch kept instead of the select side's best).
tools/loso_default.py compares recipes on sets left out of training,
tools/crossfit_mix.py on videos left out of training.

Data: the train side of tools/default_data.py's split (the test side is
never read here; the select side only picks the epoch kept):
  - stills (MIT1003, OSIE, EyeCrowd, taskfix-free): each at the engine's
    net size (long side 128) twice: the whole image, and one seeded crop
    of 70-90 % of each side; each epoch uses one of the two at random.
    The classic map S is computed for each (the engine's still mode), and
    the spectral residual R of the net-size RGB (v3's fifth input);
    classic's motion A (the sixth) is zero in still mode.
    Trained in still mode (h = 0), as `salmap run --still` runs them, so
    that the recurrent state is learnt from video alone (v3 also showed
    them as 2-frame static videos: --static-len 2).
  - videos (hevc-gaze train sequences, DHF1K 0601 frames 1-15): clips of
    CLIP_LEN consecutive frames (every frame: the engine sees every frame),
    classic in video mode from a reset at the clip's first frame (its S
    and its blurred motion A), the GRU likewise; DHF1K's 15 frames as one
    clip.
Augmentation on every step: horizontal flips (classic is exactly
flip-equivariant, so S flips with the image), and colour jitter of the RGB
input (brightness, contrast, saturation +-20 %; S is left as computed on
the original: the net must not over-trust colour).
Loss per frame at net size, against the density map area-resized to the
net size: KLD + 2 (1 - CC) - 0.1 NSS (NSS where fixations exist).
AdamW (lr 1e-3, cosine decay, weight decay 1e-2 on the weights), batch
16 stills or 4 clips, 6 epochs, each showing every video clip 3 times
(--clip-repeat: the video sets are small beside the stills); the model
starts at classic exactly (delta, prior_mix and sr_mix zero). Kept: the
epoch with the best mean (CC - KLD) over the select sets. These settings
were chosen among runs by that same select score, the motion input and
the training share by the cross-fit's (docs/models.md).
Video frames are scored through the output mixture with classic's map
(out_mix, docs/default-model-spec.md step 9) at classic's share
--train-mix (0.5). After training, the still share is refitted on the
select stills (fit_out_mix; --refit-mix does only that step, for both
modes), and the video share is cross-fitted (tools/crossfit_mix.py): the
recipe is trained again without each quarter of the training and select
videos, and the share that scores best on the videos each model did not
see is kept.

The preprocessed data (net-size RGB, S, maps) is cached in --cache
(default /work/cache/default-train, outside the repository).
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import classic_reference as classic  # noqa: E402
import classic_torch  # noqa: E402
import default_data as dd  # noqa: E402
import default_model as dm  # noqa: E402
import face_cascade  # noqa: E402

SEED = 0
CLIP_LEN = 6
CLIPS_PER_SEQ = 14
STATIC_LEN = 1          # stills in still mode only (v3: 2)
CROP_RANGE = (0.7, 0.9)
NSS_WEIGHT = 0.1
CC_WEIGHT = 2.0         # CC is the headline metric; KLD alone flattens maps
STILL_BATCH, CLIP_BATCH = 16, 4
EPS = 1e-12
CACHE_VERSION = 5      # 2: with the spectral residual cue R; 3: motion A;
                       # 4: each clip's video ("seq", for crossfit_mix.py)
                       # 5: each clip's face map ("faces", ditto)
# The picture a clip's faces are searched in (crossfit_mix.py --faces):
# v8's video side (tools/fit_face_mix.py).
CLIP_FACE_SIDE = 512
MIX_GRID = [round(0.05 * i, 2) for i in range(19)]    # classic's share
TRAIN_MIX = 0.5         # classic's share of the video output in training
CROSSFIT_FOLDS = 4      # the video share is cross-fitted in this many folds


_SPARSE = {}


def _sparse(n_src, n_dst):
    """classic.resize_matrix as (indices, weights) [n_dst, K]: the same
    weights, applied as a gather (the dense products are slow here)."""
    key = (n_src, n_dst)
    if key not in _SPARSE:
        a = classic.resize_matrix(n_src, n_dst)
        k = int((a > 0).sum(1).max())
        idx = np.zeros((n_dst, k), np.int64)
        wts = np.zeros((n_dst, k))
        for i in range(n_dst):
            nz = np.nonzero(a[i])[0]
            idx[i, :nz.size], wts[i, :nz.size] = nz, a[i, nz]
        _SPARSE[key] = idx, wts
    return _SPARSE[key]


def resize(img, h, w):
    """The engine's pre-processing resize (area when shrinking, else
    bilinear) over the first two axes of img [H, W, ...], float64."""
    img = np.asarray(img, np.float64)
    iy, wy = _sparse(img.shape[0], h)
    ix, wx = _sparse(img.shape[1], w)
    ext = (Ellipsis,) + (None,) * (img.ndim - 2)
    t = (img[iy] * wy[:, :, None][ext]).sum(1)
    return (t[:, ix] * wx[None, :, :][ext]).sum(2)


def area_down(img, h, w):
    return resize(img, h, w)


def preprocess(rgb8, net_w, net_h):
    """classic.preprocess, faster: [3, net_h, net_w] in [0, 1]."""
    return resize(rgb8, net_h, net_w).transpose(2, 0, 1) / 255.0


def truth(g, f, net_h, net_w):
    """Density normalised to sum 1, fixations as area-weighted counts."""
    gd = area_down(g, net_h, net_w)
    out = {"g": torch.from_numpy(gd / gd.sum()).float()}
    if f is not None:
        out["f"] = torch.from_numpy(
            area_down(f.astype(np.float64), net_h, net_w) *
            (f.shape[0] * f.shape[1]) / (net_h * net_w)).float()
    return out


def crop(a, y0, x0, ch, cw):
    return np.ascontiguousarray(a[y0:y0 + ch, x0:x0 + cw])


def still_items(shared, which, names, rng, with_crop):
    """Net-size samples of the stills `names` (x, g, f; S added later):
    one list of views per image."""
    out = []
    for n in names:
        rgb, g, f = dd.load_still(shared, which, n)
        views = [(rgb, g, f)]
        if with_crop:
            h, w = g.shape
            sc = rng.uniform(*CROP_RANGE)
            ch, cw = int(round(h * sc)), int(round(w * sc))
            y0, x0 = rng.integers(0, h - ch + 1), rng.integers(0, w - cw + 1)
            views.append((crop(rgb, y0, x0, ch, cw), crop(g, y0, x0, ch, cw),
                          None if f is None else crop(f, y0, x0, ch, cw)))
        group = []
        for r, gg, ff in views:
            if gg.max() <= 0:
                continue
            net_w, net_h = classic.choose_size(r.shape[1], r.shape[0])
            d = truth(gg, ff, net_h, net_w)
            d["x"] = torch.from_numpy(preprocess(r, net_w, net_h)
                                      ).float()
            d["set"] = which
            group.append(d)
        if group:
            out.append(group)
    return out


def add_still_s(groups):
    """S in still mode, in batches of one net size."""
    by = {}
    for d in (d for g in groups for d in g):
        by.setdefault(tuple(d["x"].shape), []).append(d)
    for group in by.values():
        for i in range(0, len(group), 64):
            part = group[i:i + 64]
            s = classic_torch.classic_still(
                torch.stack([d["x"] for d in part]).double()).float()
            for d, si in zip(part, s):
                d["s"] = si


def clip_item(frames, truths, which, seq):
    """frames: uint8 RGB list; truths: (g, f) list -> one clip sample of
    the video `seq`."""
    assert len(frames) <= face_cascade.FACE_EVERY   # see clip_faces
    net_w, net_h = classic.choose_size(frames[0].shape[1],
                                       frames[0].shape[0])
    x = torch.stack([torch.from_numpy(preprocess(r, net_w, net_h))
                     for r in frames])
    s = classic_torch.classic_clip(x[None])[0].float()
    ts = [truth(g, f, net_h, net_w) for g, f in truths]
    d = {"x": x.float(), "s": s, "set": which, "seq": seq,
         "g": torch.stack([t["g"] for t in ts]),
         "faces": clip_faces(frames[0], net_w, net_h)}
    if all("f" in t for t in ts):
        d["f"] = torch.stack([t["f"] for t in ts])
    return d


_CASCADE = []


def clip_faces(rgb8, net_w, net_h):
    """F [net_h, net_w] of the face cue on a clip run from a reset: its
    first frame's faces serve every frame of it, as the next search (frame
    face_cascade.FACE_EVERY = 15) is past the clips' ends."""
    if not _CASCADE:
        _CASCADE.append(face_cascade.Cascade())
    g = face_cascade.frame_grey(rgb8, CLIP_FACE_SIDE)
    f = face_cascade.face_map(face_cascade.detect(_CASCADE[0], g),
                              g.shape[1], g.shape[0], net_w, net_h)
    return torch.from_numpy(f).float()


def hevc_clips(shared, seq, rng):
    frames, fps = dd.hevc_video(shared, seq)
    n, h, w = frames.shape[:3]
    starts = [i for i in range(n - CLIP_LEN + 1)
              if all(dd.hevc_usable(seq, j, n)
                     for j in range(i, i + CLIP_LEN))
              and not any(i < c - 1 < i + CLIP_LEN
                          for c in [dd.HEVC_CUTS.get(seq, 0)])]
    pick = sorted(rng.choice(starts, min(CLIPS_PER_SEQ, len(starts)),
                             replace=False))
    out = []
    for i in pick:
        tr = [dd.hevc_truth(shared, seq, j, fps, w, h)
              for j in range(i, i + CLIP_LEN)]
        if any(g.max() <= 0 for g, _ in tr):
            continue
        out.append(clip_item(list(frames[i:i + CLIP_LEN]), tr, "hevc", seq))
    return out


def build_data(shared):
    t0 = time.time()
    sp = dd.split(shared)
    rng = np.random.default_rng(SEED)
    data = {"train_stills": [], "select_stills": [], "train_clips": [],
            "select_clips": []}
    for which in dd.STILL_SETS:
        data["train_stills"] += still_items(shared, which,
                                            sp[which]["train"], rng, True)
        data["select_stills"] += still_items(shared, which,
                                             sp[which]["select"], rng, False)
        print("  %s stills loaded (%.0f s)" % (which, time.time() - t0),
              flush=True)
    add_still_s(data["train_stills"])
    add_still_s(data["select_stills"])
    print("  classic S of the stills (%.0f s)" % (time.time() - t0),
          flush=True)
    for side in ("train", "select"):
        for seq in sp["hevc"][side]:
            data[side + "_clips"] += hevc_clips(shared, seq, rng)
        print("  hevc-gaze %s clips (%.0f s)" % (side, time.time() - t0),
              flush=True)
    fr, gt, fx = dd.load_dhf(shared)
    k = sp["dhf"]["train"]
    data["train_clips"].append(clip_item([fr[i - 1] for i in k],
                                         [(gt[i - 1], fx[i - 1]) for i in k],
                                         "dhf", "dhf1k-0601"))
    print("data: %d train stills (with crops), %d select stills, %d train "
          "clips, %d select clips; %.0f s"
          % (len(data["train_stills"]), len(data["select_stills"]),
             len(data["train_clips"]), len(data["select_clips"]),
             time.time() - t0), flush=True)
    return data


def add_sr(data):
    """R, the spectral residual cue (dm.sr_cue), of every frame."""
    for d in (d for g in data["train_stills"] + data["select_stills"]
              for d in g):
        d["r"] = torch.from_numpy(dm.sr_cue(d["x"].double().numpy())).float()
    for d in data["train_clips"] + data["select_clips"]:
        d["r"] = torch.stack([torch.from_numpy(dm.sr_cue(x.double().numpy()))
                              for x in d["x"]]).float()
    return data


def add_motion(data):
    """A, classic's blurred motion before its squash (v4's sixth input):
    zeros for stills (still mode has none), classic_clip's for clips."""
    for d in (d for g in data["train_stills"] + data["select_stills"]
              for d in g):
        d["m"] = torch.zeros_like(d["s"])
    for d in data["train_clips"] + data["select_clips"]:
        d["m"] = classic_torch.classic_clip(
            d["x"][None].double(), with_motion=True)[1][0].float()
    return data


def load_or_build(shared, cache):
    """The cache, or a build (older caches lack the clips' "seq" tags and
    are rebuilt: the build is deterministic, so only the tags change)."""
    path = os.path.join(cache, "data-v%d-seed%d.pt" % (CACHE_VERSION, SEED))
    if os.path.exists(path):
        return torch.load(path)
    data = add_motion(add_sr(build_data(shared)))
    os.makedirs(cache, exist_ok=True)
    torch.save(data, path)
    return data


# ---------------------------------------------------------------- loss

def frame_losses(logits, g, f=None):
    """Per-sample (KLD, CC, NSS or None) of softmax(logits) [N, H, W]."""
    n = logits.shape[0]
    p = torch.softmax(logits.reshape(n, -1), 1)
    g = g.reshape(n, -1)
    kld = (g * torch.log(EPS + g / (p + EPS))).sum(1)
    pc, gc = p - p.mean(1, keepdim=True), g - g.mean(1, keepdim=True)
    cc = (pc * gc).sum(1) / torch.sqrt((pc * pc).sum(1) * (gc * gc).sum(1))
    nss = None
    if f is not None:
        f = f.reshape(n, -1)
        z = (p - p.mean(1, keepdim=True)) / p.std(1, keepdim=True)
        nss = (z * f).sum(1) / f.sum(1).clamp_min(EPS)
    return kld, cc, nss


def loss_of(logits, g, f):
    kld, cc, nss = frame_losses(logits, g, f)
    loss = kld + CC_WEIGHT * (1 - cc)
    if nss is not None:
        loss = loss - NSS_WEIGHT * nss
    return loss.mean()


def jitter(x, gen):
    """Brightness, contrast, saturation +-20 % per sample; x [N, ..., 3,
    H, W] in [0, 1]."""
    n = x.shape[0]
    shape = (n,) + (1,) * (x.dim() - 1)

    def u():
        return 0.8 + 0.4 * torch.rand(shape, generator=gen)
    grey = x.mean(-3, keepdim=True)
    x = grey + (x - grey) * u()
    m = x.mean((-3, -2, -1), keepdim=True)
    x = m + (x - m) * u()
    return (x * u()).clamp(0, 1)


def run_frames(net, frames, delta_l2=0.0, still=False):
    """frames: (x, s, r, m, g, f) per step, the GRU state carried through.
    With delta_l2, the mean square of the learned correction (delta and
    the prior) is added: the model moves off classic only where the data
    insist."""
    h, loss = None, 0.0
    for t, (x, s, r, m, g, f) in enumerate(frames):
        lg, h, parts = net(x, s[:, None], h, r[:, None], m[:, None],
                           return_parts=True)
        # Scored as the engine outputs it: with the mode's mixture, if any
        # (--train-mix); the first frame of a run is still mode's h = 0.
        out = net.mix_output(lg, s[:, None], still=(t == 0 and still))
        loss = loss + loss_of(out[:, 0], g, f)
        if delta_l2:
            corr = lg - parts["L"]
            corr = corr - corr.mean((-2, -1), keepdim=True)
            loss = loss + delta_l2 * (corr * corr).mean()
    return loss / len(frames)


def run_static(net, x, s, r, m, g, f, delta_l2=0.0, n=STATIC_LEN):
    return run_frames(net, [(x, s, r, m, g, f)] * n, delta_l2, still=True)


def run_clip(net, x, s, r, m, g, f, delta_l2=0.0):
    return run_frames(net, [(x[:, t], s[:, t], r[:, t], m[:, t], g[:, t],
                             None if f is None else f[:, t])
                            for t in range(x.shape[1])], delta_l2)


def batches(items, size, rng):
    """Seeded batches of items with equal tensor shapes."""
    by = {}
    for i in rng.permutation(len(items)):
        by.setdefault(tuple(items[i]["x"].shape), []).append(items[i])
    out = []
    for group in by.values():
        out += [group[i:i + size] for i in range(0, len(group), size)]
    return out


def stack(part, key):
    if not all(key in d for d in part):
        return None
    return torch.stack([d[key] for d in part])


def flip(t):
    return None if t is None else torch.flip(t, [-1])


def select_frames(net, data):
    """(set, still, logits, S, truth) for every select frame: stills in
    still mode, clips as videos."""
    for d in (d for g in data["select_stills"] for d in g):
        lg, _ = net(d["x"][None], d["s"][None, None], None,
                    d["r"][None, None], d["m"][None, None])
        yield d["set"], True, lg, d["s"][None, None], d["g"][None]
    for d in data["select_clips"]:
        for lg, s, g in clip_frames(net, d):
            yield d["set"], False, lg, s, g


def clip_frames(net, d):
    """(logits, S, truth) of each frame of the clip `d`, run as a video
    from a reset."""
    h = None
    for t in range(d["x"].shape[0]):
        lg, h = net(d["x"][t][None], d["s"][t][None, None], h,
                    d["r"][t][None, None], d["m"][t][None, None])
        yield lg, d["s"][t][None, None], d["g"][t][None]


def mean_score(acc):
    res = {k: tuple(np.mean(v, 0)) for k, v in acc.items()}
    return res, float(np.mean([c - k for c, k in res.values()]))


@torch.no_grad()
def select_score(net, data):
    """{set: (CC, KLD)} on the select side and the mean (CC - KLD), with
    the file's output mixture (out_mix)."""
    net.eval()
    acc = {}
    for name, still, lg, s, g in select_frames(net, data):
        k, c, _ = frame_losses(net.mix_output(lg, s, still)[:, 0], g)
        acc.setdefault(name, []).append((float(c), float(k)))
    return mean_score(acc)


@torch.no_grad()
def fit_out_mix(net, data, log):
    """Classic's share of the output, per mode, fitted on the select side
    after training: on video the network's map alone loses to classic on
    frames it was not trained on, a mixture with it does not (docs/
    models.md, v5). Each mode's share is the grid value that maximises the
    mean (CC - KLD) over that mode's sets; the stills and the clips are
    disjoint sets, so this maximises the select score."""
    net.eval()
    frames = list(select_frames(net, data))
    mix = []
    for still in (True, False):
        if not any(st == still for _, st, _, _, _ in frames):
            # No select frames of this mode (loso_default.py leaving out
            # the videos): the share trained with stays.
            mix.append(float(net.out_mix[int(not still)]))
            continue
        best = None
        for b in MIX_GRID:
            net.out_mix[int(not still)] = b
            acc = {}
            for name, st, lg, s, g in frames:
                if st == still:
                    k, c, _ = frame_losses(
                        net.mix_output(lg, s, still)[:, 0], g)
                    acc.setdefault(name, []).append((float(c), float(k)))
            res, score = mean_score(acc)
            log("out_mix %s %.2f: select CC/KLD %s; score %.4f"
                % ("still" if still else "video", b, fmt(res), score),
                flush=True)
            if best is None or score > best[0] + 1e-9:
                best = (score, b)
        net.out_mix[int(not still)] = best[1]
        mix.append(best[1])
    res, score = select_score(net, data)
    log("out_mix (still, video) = (%.2f, %.2f): select CC/KLD %s; score "
        "%.4f" % (mix[0], mix[1], fmt(res), score), flush=True)
    return mix


def fmt(res):
    return ", ".join("%s %.3f/%.3f" % (k, c, kl)
                     for k, (c, kl) in sorted(res.items()))


def logger(quiet):
    return (lambda *a, **k: None) if quiet else print


def train(data, args, quiet=False, order=0):
    """One run from the fixed initial weights; `order` seeds the order of
    the data and the augmentation. Returns (net, best epoch)."""
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED + order)
    rng = np.random.default_rng(SEED + order)
    net = dm.DefaultNet(dict(dm.WIDTHS, motion=int(args.motion))
                        ).zero_correction()
    net.out_mix[1] = args.train_mix
    decay, no_decay = [], []
    for name, p in net.named_parameters():
        (no_decay if name == "priors" or name.endswith(".bias")
         else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.wd},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr)
    res, best = select_score(net, data)
    log = logger(quiet)
    log("epoch 0 (classic): select CC/KLD %s; score %.4f"
        % (fmt(res), best), flush=True)
    best_state = {k: v.clone() for k, v in net.state_dict().items()}
    best_epoch, t0 = 0, time.time()
    n_steps = None
    step = 0
    recent = []
    for epoch in range(1, args.epochs + 1):
        net.train()
        # One view (whole or crop) of each still per epoch; with --balance,
        # as many views of every still set (drawn with replacement), so
        # that the large sets do not drown the small ones.
        groups = data["train_stills"]
        if args.balance:
            by = {}
            for g in groups:
                by.setdefault(g[0]["set"], []).append(g)
            per = len(groups) // len(by)
            groups = [sets[i] for sets in by.values()
                      for i in rng.integers(len(sets), size=per)]
        views = [g[rng.integers(len(g))] for g in groups]
        units = [("still", b) for b in batches(views, STILL_BATCH, rng)]
        for _ in range(args.clip_repeat):
            units += [("clip", b) for b in batches(data["train_clips"],
                                                    CLIP_BATCH, rng)]
        if n_steps is None:
            n_steps = args.epochs * len(units)
        tot = 0.0
        for ui in rng.permutation(len(units)):
            kind, part = units[ui]
            frac = min(step, n_steps) / n_steps
            lr = args.lr * 0.5 * (1 + np.cos(np.pi * frac))
            for grp in opt.param_groups:
                grp["lr"] = lr
            x, s, r, m, g, f = (stack(part, k)
                                for k in ("x", "s", "r", "m", "g", "f"))
            if torch.rand(1, generator=gen).item() < 0.5:
                x, s, r, m, g, f = (flip(t) for t in (x, s, r, m, g, f))
            x = jitter(x, gen)
            opt.zero_grad()
            if kind == "still":
                loss = run_static(net, x, s, r, m, g, f, args.delta_l2,
                                  args.static_len)
            else:
                loss = run_clip(net, x, s, r, m, g, f, args.delta_l2)
            loss.backward()
            opt.step()
            tot += float(loss)
            step += 1
        res, score = select_score(net, data)
        mark = ""
        keep = epoch == args.epochs if args.last_epoch else score > best
        if keep:
            best, best_epoch, mark = score, epoch, " *"
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        log("epoch %d: train loss %.4f; select CC/KLD %s; score %.4f%s "
              "(%.0f s)" % (epoch, tot / len(units), fmt(res), score, mark,
                            time.time() - t0), flush=True)
        recent = (recent + [{k: v.clone() for k, v in
                             net.state_dict().items()}])[-args.average:]
    if args.average > 1 and len(recent) == args.average:
        # The mean of the last epochs' weights (no normalisation layers
        # to re-estimate), kept only if the select side prefers it.
        net.load_state_dict({k: torch.stack([r[k] for r in recent]).mean(0)
                             for k in recent[0]})
        res, score = select_score(net, data)
        mark = ""
        if score > best:
            best, best_epoch, mark = score, "mean of %d-%d" % (
                args.epochs - args.average + 1, args.epochs), " *"
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        log("mean of the last %d epochs: select CC/KLD %s; score %.4f%s"
              % (args.average, fmt(res), score, mark), flush=True)
    net.load_state_dict(best_state)
    net.eval()
    return net, best_epoch


def train_soup(data, args, quiet=False):
    """--soup K: K runs that differ only in data order, each at its best
    select epoch, and the mean of their weights (they start from the same
    weights, so they stay in one basin). The mean is kept when the select
    side prefers it to the best single run."""
    log = logger(quiet)
    runs = []
    for k in range(args.data_order, args.data_order + args.soup):
        net, epoch = train(data, args, quiet, order=k)
        res, score = select_score(net, data)
        log("run %d: epoch %s, select score %.4f" % (k, epoch, score),
            flush=True)
        runs.append((score, net, epoch))
    best_score, best, best_epoch = max(runs, key=lambda r: r[0])
    if args.soup == 1:
        return best, best_epoch
    states = [r[1].state_dict() for r in runs]
    soup = dm.DefaultNet(best.widths)
    soup.out_mix = best.out_mix.clone()    # scored as the runs were
    soup.load_state_dict({k: torch.stack([st[k] for st in states]).mean(0)
                          for k in states[0]})
    res, score = select_score(soup, data)
    log("mean of %d runs: select CC/KLD %s; score %.4f%s"
        % (args.soup, fmt(res), score, " *" if score > best_score else ""),
        flush=True)
    if score > best_score:
        return soup.eval(), "mean of %d runs (epochs %s)" % (
            args.soup, ", ".join(str(r[2]) for r in runs))
    return best, best_epoch


def file_version(net, mix):
    """docs/models.md's names: v2 (RGB, L), v3 (+ Lr), v4 (+ Lm); v5 and
    v6: v3's and v4's inputs with an output mixture."""
    if net.motion:
        return 6 if any(mix) else 4
    if net.sr:
        return 5 if any(mix) else 3
    return 2


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get(
        "SALIENCY_SHARED_DIR", os.path.join(HERE, "..", "..", "shared")))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "models",
                                                  "default.safetensors"))
    ap.add_argument("--cache", default="/work/cache/default-train",
                    help="preprocessed data is cached here (reused)")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--wd", type=float, default=1e-2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--balance", action="store_true",
                    help="as many still views of every set each epoch")
    ap.add_argument("--clip-repeat", type=int, default=3,
                    help="video clips are seen this many times an epoch")
    ap.add_argument("--motion", action=argparse.BooleanOptionalAction,
                    default=True, help="classic's motion as a sixth input "
                    "(v4 and v6 files; --no-motion: v3's five)")
    ap.add_argument("--static-len", type=int, default=STATIC_LEN,
                    help="frames a still is shown for (1: still mode only)")
    ap.add_argument("--delta-l2", type=float, default=0.0,
                    help="weight of the mean square of the correction")
    ap.add_argument("--data-order", type=int, default=0,
                    help="the data order (seed offset) of the run, or of "
                    "the first run of --soup")
    ap.add_argument("--last-epoch", action="store_true",
                    help="keep the last epoch, not the select side's best")
    ap.add_argument("--soup", type=int, default=1,
                    help="average the weights of N runs in different data "
                    "orders")
    ap.add_argument("--average", type=int, default=1,
                    help="also try the mean of the last N epochs' weights")
    ap.add_argument("--train-mix", type=float, default=TRAIN_MIX,
                    help="train with this share of classic in the video "
                    "output (refitted after training)")
    ap.add_argument("--no-mix", action="store_true",
                    help="no output mixture with classic, in training or "
                    "in the file (implies --train-mix 0)")
    ap.add_argument("--crossfit", type=int, default=CROSSFIT_FOLDS,
                    metavar="K", help="the video share cross-fitted on "
                    "every training video in K folds (K more trainings; "
                    "tools/crossfit_mix.py); 0: fitted on the select "
                    "videos")
    ap.add_argument("--refit-mix", metavar="WEIGHTS",
                    help="no training: fit out_mix for these weights and "
                    "write them to --out")
    args = ap.parse_args(argv)
    if args.no_mix:
        args.train_mix = 0.0
    return args


def setup_torch(args):
    torch.set_num_threads(args.threads)
    # Subnormal floats (decaying weights, saturated gates) made one epoch
    # take ten times as long as the others.
    torch.set_flush_denormal(True)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(SEED)


def main():
    args = parse_args()
    setup_torch(args)
    if not os.path.isdir(os.path.join(args.shared, "data", "osie")):
        print("skip: no data under %s" % args.shared)
        return 77
    t0 = time.time()
    data = load_or_build(args.shared, args.cache)
    if args.refit_mix:
        net, meta = dm.load_model(args.refit_mix)
        mix = fit_out_mix(net, data, print)
        note = "%s; out_mix refitted (%.2f, %.2f)" % (
            meta.get("training", ""), *mix)
        dm.save_model(net, args.out, note)
        print("wrote %s: %s" % (args.out, note))
        return 0
    net, best_epoch = train_soup(data, args)
    mix = [0.0, 0.0] if args.no_mix else fit_out_mix(net, data, print)
    if not args.no_mix and args.crossfit > 0:
        import crossfit_mix  # it imports this file
        cf = crossfit_mix.crossfit(data, args, args.crossfit, print)
        mix[1] = cf["share"]
        net.out_mix[1] = mix[1]
        # The recipe's own figure, to rank it against others (models.md).
        print("video share cross-fitted on every training video: %.2f "
              "(mean over %d videos: CC - KLD %.4f, CC %.4f; classic alone "
              "%.4f, %.4f)" % (mix[1], len(cf["classic"]),
                               *crossfit_mix.summary(cf["per_share"][mix[1]]),
                               *crossfit_mix.summary(cf["classic"])))
    w = net.widths
    note = ("default v%d (%s): train side of tools/default_data.py's split "
            "(MIT1003, OSIE, EyeCrowd, taskfix-free stills + crops, "
            "hevc-gaze %d-frame clips, DHF1K 0601 frames 1-%d); seed %d; "
            "AdamW lr %g wd %g cosine, %d epochs, best (select) epoch %s; "
            "out_mix (still, video) %.2f, %.2f (video: %s); "
            "tools/train_default.py"
            % (file_version(net, mix),
               " ".join("%s=%d" % kv for kv in sorted(w.items())), CLIP_LEN,
               dd.DHF_TRAIN, SEED, args.lr, args.wd, args.epochs,
               best_epoch, *mix,
               "cross-fitted in %d folds" % args.crossfit
               if args.crossfit > 0 else "select side"))
    # Options off their defaults, so that the file says how to remake it.
    ref = parse_args([])
    changed = [("--%s" if v is True else "--no-%s" if v is False
                else "--%s " + str(v))
               % k.replace("_", "-") for k, v in sorted(vars(args).items())
               if k not in ("shared", "out", "cache", "threads", "epochs",
                            "lr", "wd", "refit_mix") and v != getattr(ref, k)]
    if changed:
        note += "; options " + " ".join(changed)
    dm.save_model(net, args.out, note)
    print("wrote %s (%d bytes): %s" % (args.out, os.path.getsize(args.out),
                                       note))
    print("total %.0f s" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
