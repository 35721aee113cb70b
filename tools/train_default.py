#!/usr/bin/python3
"""Trains the "default" model (docs/default-model-spec.md,
tools/default_model.py) on ../shared/data and exports
models/default.safetensors. CPU, deterministic, about 5-15 minutes on two
cores.

  /usr/bin/python3 tools/train_default.py [--shared DIR] [--out F]
      [--epochs N] [--cache FILE] [--table FILE]
  /usr/bin/python3 tools/train_default.py --eval-only --weights F

Data (nothing of it is committed):
  - MIT1003 subset, 70 stills: the classic map S in still mode. A seeded
    shuffle (numpy default_rng(0)) holds out 14 for validation; the other
    56 and their horizontal flips (S recomputed on the flipped image) train.
  - DHF1K 0601, 20 frames resized back to 640x360, one video: S in video
    mode, sequential. Frames 1-15 (and the flipped sequence) train as one
    sequence through the GRU (truncated BPTT over the whole 15); frames
    16-20 validate, with the state carried over from frames 1-15.
Loss, per map, at the net size (the GT density area-downsampled to the net
size, fixations as area-weighted counts; for speed, and the net-size
softmax instead of the engine's softmax at frame size):
  KLD(GT || softmax(logits)) + (1 - CC) + 0.1 * (-NSS) (NSS: DHF1K only).
The model starts at classic exactly (delta and prior_mix zero); AdamW with
weight decay. Stills are trained (and validated) also as 3-frame static
videos through the GRU, so that its state does not learn the one training
video. The weights with the best validation score (at the net size:
0.4 (CC - KLD) on the MIT stills + 0.4 on them as static videos + 0.2 on
DHF1K frames 16-20) are kept; training stops when it has not improved for
--patience epochs.

The final table is computed as the engine works (logits resized bilinearly
to the GT size, softmax) with tests/metrics/metrics.py at GT resolution.
"""

import argparse
import glob
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "metrics"))

import classic_reference as classic  # noqa: E402
import default_model as dm  # noqa: E402
# The loaders, scoring and centre-prior sigmas of the classic evaluation.
from eval_classic import (ORACLE_SIGMAS, load_gray, load_rgb,  # noqa: E402
                          mean_scores)
import metrics  # noqa: E402

SEED = 0
N_VAL_MIT = 14
N_TRAIN_DHF = 15
DHF_SIZE = (640, 360)
NSS_WEIGHT = 0.1
MIT_SCORE_WEIGHT = 0.8  # share of the MIT1003 stills in the selection score
STATIC_LEN = 3          # stills are trained and validated as static videos
EPS = 1e-12


def area_down(img, h, w):
    """Area (or bilinear when enlarging) resize of a 2D map, as the
    engine's pre-processing resizes frames."""
    ay = classic.resize_matrix(img.shape[0], h)
    ax = classic.resize_matrix(img.shape[1], w)
    return ay @ img @ ax.T


# ---------------------------------------------------------------- data

def sample(rgb8, s, gt, fix=None):
    """One training/validation map at net size."""
    net_w, net_h = classic.choose_size(rgb8.shape[1], rgb8.shape[0])
    x = classic.preprocess(rgb8, net_w, net_h)
    g = area_down(gt, net_h, net_w)
    d = {"x": x.astype(np.float32), "s": np.asarray(s, np.float32),
         "g": (g / g.sum()).astype(np.float32)}
    if fix is not None:
        d["f"] = (area_down(fix.astype(np.float64), net_h, net_w) *
                  (fix.shape[0] * fix.shape[1]) / (net_h * net_w)
                  ).astype(np.float32)
    return d


def classic_still(rgb8):
    net_w, net_h = classic.choose_size(rgb8.shape[1], rgb8.shape[0])
    return classic.ClassicModel().forward(
        classic.preprocess(rgb8, net_w, net_h), still=True)


def classic_video(frames):
    m = classic.ClassicModel()
    out = []
    for f in frames:
        net_w, net_h = classic.choose_size(f.shape[1], f.shape[0])
        out.append(m.forward(classic.preprocess(f, net_w, net_h)))
    return out


def build_data(shared):
    t0 = time.time()
    root = os.path.join(shared, "data", "mit1003-subset")
    names = sorted(os.path.basename(p) for p in
                   glob.glob(os.path.join(root, "stimuli", "*")))
    order = np.random.default_rng(SEED).permutation(len(names))
    val_names = set(names[i] for i in order[:N_VAL_MIT])
    mit_train, mit_val = [], []
    for n in names:
        rgb = load_rgb(os.path.join(root, "stimuli", n))
        gt = load_gray(os.path.join(root, "maps", n))
        if n in val_names:
            mit_val.append(dict(sample(rgb, classic_still(rgb), gt), name=n))
        else:
            for flip in (False, True):
                r, g = (rgb[:, ::-1], gt[:, ::-1]) if flip else (rgb, gt)
                r = np.ascontiguousarray(r)
                mit_train.append(sample(r, classic_still(r), g))
    droot = os.path.join(shared, "data", "dhf1k-0601")
    n = len(glob.glob(os.path.join(droot, "images", "*.jpg")))
    frames = [load_rgb(os.path.join(droot, "images", "%04d.jpg" % i),
                       DHF_SIZE) for i in range(1, n + 1)]
    gts = [load_gray(os.path.join(droot, "maps", "%04d.png" % i))
           for i in range(1, n + 1)]
    fixs = [load_gray(os.path.join(droot, "fixation", "%04d.png" % i)) > 0
            for i in range(1, n + 1)]
    dhf_seq = []
    for flip in (False, True):
        fr = [np.ascontiguousarray(f[:, ::-1]) if flip else f
              for f in frames]
        gg = [g[:, ::-1] if flip else g for g in gts]
        ff = [f[:, ::-1] if flip else f for f in fixs]
        ss = classic_video(fr)
        dhf_seq.append([sample(*a) for a in zip(fr, ss, gg, ff)])
    print("data: %d MIT train maps (with flips), %d MIT val, DHF1K %d frames "
          "(train 1-%d, val %d-%d); classic S in %.0f s"
          % (len(mit_train), len(mit_val), n, N_TRAIN_DHF, N_TRAIN_DHF + 1,
             n, time.time() - t0), flush=True)
    return {"mit_train": mit_train, "mit_val": mit_val, "dhf": dhf_seq}


def load_or_build(shared, cache):
    if cache and os.path.exists(cache):
        return torch.load(cache)
    data = build_data(shared)
    if cache:
        torch.save(data, cache)
    return data


# ---------------------------------------------------------------- loss

def tens(d):
    return (torch.from_numpy(d["x"])[None], torch.from_numpy(d["s"])[None,
                                                                     None])


def map_losses(logits, d):
    """(KLD, CC, NSS or None) of softmax(logits) vs the sample's GT."""
    lp = torch.log_softmax(logits.flatten(), 0)
    p = lp.exp()
    g = torch.from_numpy(d["g"]).flatten()
    kld = (g * torch.log(EPS + g / (p + EPS))).sum()
    pc, gc = p - p.mean(), g - g.mean()
    cc = (pc * gc).sum() / torch.sqrt((pc * pc).sum() * (gc * gc).sum())
    nss = None
    if "f" in d:
        f = torch.from_numpy(d["f"]).flatten()
        z = (p - p.mean()) / p.std()
        nss = (z * f).sum() / f.sum()
    return kld, cc, nss


def loss_of(logits, d):
    kld, cc, nss = map_losses(logits, d)
    loss = kld + (1 - cc)
    if nss is not None:
        loss = loss - NSS_WEIGHT * nss
    return loss


def static_loss(net, d):
    """A still as a static video of STATIC_LEN frames (the classic S of a
    repeated frame equals its still-mode S: no motion, the EMA of equal
    maps): the loss averaged over the frames, frame 0 being still mode.
    Teaches the GRU not to drift on unseen content."""
    x, s = tens(d)
    h, loss = None, 0.0
    for _ in range(STATIC_LEN):
        lg, h = net(x, s, h)
        loss = loss + loss_of(lg, d)
    return loss / STATIC_LEN


def run_seq(net, seq):
    h, out = None, []
    for d in seq:
        x, s = tens(d)
        lg, h = net(x, s, h)
        out.append(lg)
    return out


def quick_val(net, data):
    """Validation at net size: {set: (CC, KLD)} and the selection score."""
    net.eval()
    res = {}
    with torch.no_grad():
        v = [map_losses(net(*tens(d))[0], d) for d in data["mit_val"]]
        res["mit"] = (np.mean([float(c) for _, c, _ in v]),
                      np.mean([float(k) for k, _, _ in v]))
        v = []
        for d in data["mit_val"]:
            x, s = tens(d)
            h = None
            for _ in range(STATIC_LEN):
                lg, h = net(x, s, h)
            v.append(map_losses(lg, d))
        res["mit-static-video"] = (np.mean([float(c) for _, c, _ in v]),
                                   np.mean([float(k) for k, _, _ in v]))
        lg = run_seq(net, data["dhf"][0])
        v = [map_losses(lg[i], data["dhf"][0][i])
             for i in range(N_TRAIN_DHF, len(lg))]
        res["dhf"] = (np.mean([float(c) for _, c, _ in v]),
                      np.mean([float(k) for k, _, _ in v]))
    w = MIT_SCORE_WEIGHT
    score = (w / 2 * (res["mit"][0] - res["mit"][1]) +
             w / 2 * (res["mit-static-video"][0] -
                      res["mit-static-video"][1]) +
             (1 - w) * (res["dhf"][0] - res["dhf"][1]))
    return res, score


def train(data, args):
    torch.manual_seed(SEED)
    net = dm.DefaultNet().zero_correction()
    decay, no_decay = [], []
    for name, p in net.named_parameters():
        (no_decay if name == "priors" or name.endswith(".bias")
         else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.wd},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr)
    rng = np.random.default_rng(SEED)
    res, best = quick_val(net, data)
    print("epoch 0 (classic): val %s score %.4f" % (fmt(res), best),
          flush=True)
    best_state = {k: v.clone() for k, v in net.state_dict().items()}
    best_epoch, t0 = 0, time.time()
    for epoch in range(1, args.epochs + 1):
        net.train()
        order = rng.permutation(len(data["mit_train"]))
        # Units of work: still batches, and the two DHF1K training
        # sequences, interleaved in a seeded order.
        units = [("mit", order[i:i + args.batch])
                 for i in range(0, len(order), args.batch)]
        units += [("dhf", k) for k in range(len(data["dhf"]))]
        uorder = rng.permutation(len(units))
        tot = 0.0
        for ui in uorder:
            kind, what = units[ui]
            opt.zero_grad()
            if kind == "mit":
                loss = sum(static_loss(net, data["mit_train"][i])
                           for i in what) / len(what)
            else:
                seq = data["dhf"][what][:N_TRAIN_DHF]
                lg = run_seq(net, seq)
                loss = sum(loss_of(a, d) for a, d in zip(lg, seq)) / len(seq)
                loss = loss * args.video_weight
            loss.backward()
            opt.step()
            tot += float(loss)
        res, score = quick_val(net, data)
        mark = ""
        if score > best:
            best, best_epoch, mark = score, epoch, " *"
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        print("epoch %d: train loss %.4f, val %s score %.4f%s (%.0f s)"
              % (epoch, tot / len(units), fmt(res), score, mark,
                 time.time() - t0), flush=True)
        if epoch - best_epoch >= args.patience:
            break
    net.load_state_dict(best_state)
    net.eval()
    return net, best_epoch, epoch


def fmt(res):
    return ", ".join("%s CC %.4f KLD %.4f" % (k, c, kl)
                     for k, (c, kl) in res.items())


# ---------------------------------------------------------------- baselines

def spectral_residual(rgb8, sigma=3.0, width=64):
    """Hou & Zhang 2007 on a `width`-px-wide grayscale (area resize):
    log amplitude minus its 3x3 mean (wrapped), back-transform with the
    phase, square, Gaussian blur (sigma px of that grid, clamped borders)."""
    h = max(1, int(round(width * rgb8.shape[0] / rgb8.shape[1])))
    gray = np.asarray(rgb8, np.float64).mean(2) / 255.0
    g = area_down(gray, h, width)
    spec = np.fft.fft2(g)
    amp = np.log(np.abs(spec) + 1e-12)
    phase = np.angle(spec)
    mean = sum(np.roll(np.roll(amp, dy, 0), dx, 1)
               for dy in (-1, 0, 1) for dx in (-1, 0, 1)) / 9.0
    sal = np.abs(np.fft.ifft2(np.exp(amp - mean + 1j * phase))) ** 2
    return classic.blur(sal, sigma)


def sr_centre(rgb8, out_h, out_w, sr_sigma=3.0, c_sigma=0.25):
    sr = metrics.resize_bilinear(spectral_residual(rgb8, sr_sigma),
                                 out_h, out_w)
    return sr * metrics.centre_prior(out_h, out_w, c_sigma)


def engine_map(logits, out_h, out_w):
    lg = classic.resize_bilinear(np.asarray(logits, np.float64)[0, 0]
                                 if np.ndim(logits) == 4 else logits,
                                 out_h, out_w)
    return dm.softmax_map(lg)


def table(net, shared):
    """Rows of the validation table, at GT resolution, engine-style."""
    lines = []
    root = os.path.join(shared, "data", "mit1003-subset")
    names = sorted(os.path.basename(p) for p in
                   glob.glob(os.path.join(root, "stimuli", "*")))
    order = np.random.default_rng(SEED).permutation(len(names))
    val = [names[i] for i in sorted(order[:N_VAL_MIT])]
    rgbs = [load_rgb(os.path.join(root, "stimuli", n)) for n in val]
    gts = [load_gray(os.path.join(root, "maps", n)) for n in val]
    droot = os.path.join(shared, "data", "dhf1k-0601")
    n = len(glob.glob(os.path.join(droot, "images", "*.jpg")))
    frames = [load_rgb(os.path.join(droot, "images", "%04d.jpg" % i),
                       DHF_SIZE) for i in range(1, n + 1)]
    dgts = [load_gray(os.path.join(droot, "maps", "%04d.png" % i))
            for i in range(1, n + 1)]
    dfix = [load_gray(os.path.join(droot, "fixation", "%04d.png" % i)) > 0
            for i in range(1, n + 1)]
    net64 = dm.DefaultNet()
    net64.load_state_dict(net.state_dict())

    sets = []
    # MIT1003 validation stills
    st = dm.DefaultStream(net64)
    mit = {"default (still)": [st.push(r, still=True) for r in rgbs],
           "classic (still)": [next(classic.run_frames([r], still=True))
                               for r in rgbs]}
    sets.append(("MIT1003 validation stills (%d)" % len(val), rgbs, gts,
                 None, mit))
    # DHF1K: the whole 20-frame video, scored on the last frames
    st = dm.DefaultStream(net64)
    dv = [st.push(f) for f in frames]
    st = dm.DefaultStream(net64)
    ds = [st.push(f, still=True) for f in frames]
    cv = list(classic.run_frames(frames))
    k = N_TRAIN_DHF
    dhf = {"default (video)": dv[k:], "default (still)": ds[k:],
           "classic (video)": cv[k:]}
    sets.append(("DHF1K 0601 validation frames %d-%d (video from frame 1)"
                 % (k + 1, n), frames[k:], dgts[k:], dfix[k:], dhf))

    results = {}
    for title, imgs, g, f, models in sets:
        keys = ["CC", "SIM", "KLD"] + (["NSS", "AUC-J"] if f else [])
        lines.append("")
        lines.append("%s" % title)
        lines.append("| %-34s | " % "model" +
                     " | ".join("%6s" % x for x in keys) + " |")
        lines.append("|" + "-" * 36 + "|" +
                     "|".join("-" * 8 for _ in keys) + "|")
        rows = []
        rows.append(("centre prior s=0.25", mean_scores(
            [metrics.centre_prior(*x.shape, 0.25) for x in g], g, f)))
        best = None
        for s in ORACLE_SIGMAS:
            r = mean_scores([metrics.centre_prior(*x.shape, s) for x in g],
                            g, f)
            if best is None or r["CC"] > best[1]["CC"]:
                best = (s, r)
        rows.append(("centre prior s=%.2f (best CC)" % best[0], best[1]))
        rows.append(("SR x centre (SR s=3, c=0.25)", mean_scores(
            [sr_centre(im, *x.shape) for im, x in zip(imgs, g)], g, f)))
        best = None
        for srs in (1.5, 3.0, 5.0, 8.0):
            for cs in (0.15, 0.2, 0.25, 0.3):
                r = mean_scores([sr_centre(im, *x.shape, srs, cs)
                                 for im, x in zip(imgs, g)], g, f)
                if best is None or r["CC"] > best[2]["CC"]:
                    best = (srs, cs, r)
        rows.append(("SR x centre (best: s=%g, c=%g)" % best[:2], best[2]))
        for name, maps in models.items():
            rows.append((name, mean_scores(maps, g, f)))
        for name, r in rows:
            lines.append("| %-34s | " % name +
                         " | ".join("%6.3f" % r[x] for x in keys) + " |")
        results[title] = dict(rows)
    return lines, results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get(
        "SALIENCY_SHARED_DIR", os.path.join(HERE, "..", "..", "shared")))
    ap.add_argument("--out", default=os.path.join(HERE, "..", "models",
                                                  "default.safetensors"))
    ap.add_argument("--cache", default=None,
                    help="torch.save the pre-computed data here (reused)")
    ap.add_argument("--table", default=None,
                    help="also write the validation table to this file")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--patience", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--wd", type=float, default=0.05)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--video-weight", type=float, default=0.5)
    ap.add_argument("--mit-score-weight", type=float,
                    default=MIT_SCORE_WEIGHT,
                    help="weight of MIT1003 (vs DHF1K) in the selection score")
    ap.add_argument("--eval-only", action="store_true")
    ap.add_argument("--weights", default=None)
    args = ap.parse_args()

    globals()["MIT_SCORE_WEIGHT"] = args.mit_score_weight
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    if not os.path.isdir(os.path.join(args.shared, "data",
                                      "mit1003-subset")):
        print("skip: no data under %s" % args.shared)
        return 77
    t0 = time.time()
    if args.eval_only:
        net, meta = dm.load_model(args.weights or args.out)
        print("training metadata: %s" % meta.get("training"))
    else:
        data = load_or_build(args.shared, args.cache)
        net, best_epoch, last = train(data, args)
        note = ("MIT1003 subset (56 stills + flips; 14 held out, "
                "default_rng(%d)) + DHF1K 0601 frames 1-%d (+ flip); seed "
                "%d; AdamW lr %g wd %g batch %d video weight %g; selection "
                "%g MIT + %g DHF1K (CC - KLD); best epoch %d of %d; "
                "tools/train_default.py"
                % (SEED, N_TRAIN_DHF, SEED, args.lr, args.wd, args.batch,
                   args.video_weight, args.mit_score_weight,
                   1 - args.mit_score_weight, best_epoch, last))
        dm.save_model(net, args.out, note)
        print("wrote %s (%d bytes): %s" % (args.out,
                                           os.path.getsize(args.out), note))
        print("training took %.0f s" % (time.time() - t0), flush=True)
    lines, _ = table(net, args.shared)
    print("\n".join(lines))
    if args.table:
        with open(args.table, "w") as fh:
            fh.write("\n".join(lines) + "\n")
    print("total %.0f s" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
