#!/usr/bin/python3
"""Cross-fitted video share of the default model's output mixture: classic's
share of the video output (out_mix, docs/default-model-spec.md step 9)
chosen on every training video, each scored by a model that never saw it.

tools/train_default.py fits the shares on its select side, and for video
that is two sequences (Cactus, Traffic): too few to rank shares by, and
the two disagree with the held-out videos (docs/models.md). Here the
videos of the train and select sides (whole videos; BasketballDrill and
BasketballDrillText together; DHF1K 0601's training frames as one more
video) are dealt into --folds folds. For each fold the recipe
(train_default.py's options, with its own select side minus the fold) is
trained without the fold's videos, and the fold's frames are scored with
that model at every share of the grid. The share with the best mean
(CC - KLD) over the videos, each video counting once, is printed, and
with --apply written into a model file (the video share only; the still
share stays). The test side of tools/default_data.py's split is never
read.

  nice -n 10 /usr/bin/python3 tools/crossfit_mix.py [--folds K] \
      [--apply WEIGHTS --out F] [--faces] [--centre] [--orders N]
      [train_default options]

--faces also cross-fits the face cue's video weight (face_mix, step 10)
at the cross-fitted share: each held-out frame scored with + a F for a on
FACE_GRID, F from the clip's first frame (train_default.clip_faces, at
v8's video side). Why: tools/fit_face_mix.py fits it on videos the
network has seen, whose maps already favour the faces there; on a video
it has not seen, the network leaves more to the cue. With --apply, the
weight is written too.

--orders N trains every fold in N data orders and prints the cross-fit of
each order alone (how far one cross-fit moves with the order alone) and of
the mean of the N models' maps (an ensemble), then stops.

About 3 minutes a fold on an idle 2-core machine once the data cache
exists.
"""

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import classic_reference as cr  # noqa: E402
import default_data as dd  # noqa: E402
import default_model as dm  # noqa: E402
import train_default as td  # noqa: E402


CENTRE_SIGMA = 0.25
CENTRE_GRID = (0.1, 0.2, 0.3)
FACE_GRID = (0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0)


def video_groups(clips):
    """Sorted groups of video names; a split group stays in one fold."""
    names = sorted(set(d["seq"] for d in clips))
    groups = [sorted(g) for g in dd.HEVC_GROUPS
              if any(s in names for s in g)]
    inside = set(s for g in groups for s in g)
    return sorted(groups + [[s] for s in names if s not in inside])


def folds_of(clips, k):
    """k lists of video names, dealt in a seeded order."""
    groups = video_groups(clips)
    order = np.random.default_rng(td.SEED + 5).permutation(len(groups))
    return [sorted(s for i in order[f::k] for s in groups[i])
            for f in range(k)]


def without(data, names):
    """(the training data without the videos `names`, their clips)."""
    kept = dict(data)
    kept["train_clips"] = [d for d in data["train_clips"]
                           if d["seq"] not in names]
    kept["select_clips"] = [d for d in data["select_clips"]
                            if d["seq"] not in names]
    held = [d for d in data["train_clips"] + data["select_clips"]
            if d["seq"] in names]
    return kept, held


@torch.no_grad()
def clip_outputs(net, clips):
    """(video, logits, S, truth) of every frame, each clip from a reset."""
    net.eval()
    return [(d["seq"], *f) for d in clips for f in td.clip_frames(net, d)]


def with_faces(frames, clips, a):
    """clip_outputs' frames, each with its cue a F (F its clip's face
    map), which scores() adds after the mixture, as the spec does (step 9,
    then 10)."""
    per_frame = [d["faces"] for d in clips for _ in range(d["x"].shape[0])]
    return [(seq, lg, s, g, a * f) for (seq, lg, s, g), f
            in zip(frames, per_frame, strict=True)]


@torch.no_grad()
def scores(net, frames, share):
    """{video: (CC, KLD)} of the frames at classic's video share `share`
    (which stays set in `net`)."""
    net.out_mix[1] = share
    acc = {}
    for seq, lg, s, g, *face in frames:
        out = net.mix_output(lg, s, False)[:, 0]
        if face:
            out = out + face[0]
        k, c, _ = td.frame_losses(out, g)
        acc.setdefault(seq, []).append((float(c), float(k)))
    return {k: tuple(np.mean(v, 0)) for k, v in acc.items()}


@torch.no_grad()
def scores_centre(net, frames, share, centre):
    """scores() with a third component, the centre prior (sigma 0.25 of
    each side, as the `centre` model) at share `centre`: a diagnostic."""
    acc = {}
    for seq, lg, s, g in frames:
        n, _, h, w = s.shape
        p = torch.softmax(lg.reshape(1, -1), 1)
        q = s.reshape(1, -1) / s.sum()
        c = torch.from_numpy(cr.centre_prior(h, w, CENTRE_SIGMA)).reshape(
            1, -1).to(p.dtype)
        mix = (1 - share - centre) * p + share * q + centre * c / c.sum()
        k, cc, _ = td.frame_losses(torch.log(mix + 1e-30).reshape(1, h, w),
                                   g)
        acc.setdefault(seq, []).append((float(cc), float(k)))
    return {k: tuple(np.mean(v, 0)) for k, v in acc.items()}


def mean_gain(res):
    return float(np.mean([c - k for c, k in res.values()]))


def summary(res):
    """(mean CC - KLD, mean CC), each video counting once."""
    return mean_gain(res), float(np.mean([c for c, _ in res.values()]))


def parse_args(argv):
    ap = argparse.ArgumentParser(add_help=False)
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--apply", metavar="WEIGHTS")
    ap.add_argument("--centre", action="store_true",
                    help="also score a centre prior as a third component")
    ap.add_argument("--faces", action="store_true",
                    help="also cross-fit the face cue's video weight")
    ap.add_argument("--orders", type=int, default=1,
                    help="train each fold in N data orders: each order's "
                    "cross-fit and their ensemble's")
    ap.add_argument("--help", "-h", action="store_true")
    own, rest = ap.parse_known_args(argv)
    if own.help:
        print(__doc__)
        sys.exit(0)
    return own, td.parse_args(rest)


def crossfit(data, args, folds, log, centre=False, faces=False):
    """Cross-fits the video share: {"share": the best share, "per_share":
    {share: {video: (CC, KLD)}}, "classic": classic's {video: (CC, KLD)},
    "centre": (classic share, centre share, per video) or None, "face":
    (the best face weight at that share, {weight: {video: (CC, KLD)}}) or
    None}."""
    clips = data["train_clips"] + data["select_clips"]
    per_share = {b: {} for b in td.MIX_GRID}
    held_out = []                   # (net, frames, clips) of each fold
    pairs = [(b, c) for c in CENTRE_GRID for b in td.MIX_GRID[::2]
             if b + c < 0.95]
    per_pair = {bc: {} for bc in pairs}
    for f, names in enumerate(folds_of(clips, folds)):
        kept, held = without(data, set(names))
        net, epoch = td.train_soup(kept, args, quiet=True)
        frames = clip_outputs(net, held)
        for b in td.MIX_GRID:
            per_share[b].update(scores(net, frames, b))
        if faces:
            held_out.append((net, frames, held))
        if centre:
            for bc in pairs:
                per_pair[bc].update(scores_centre(net, frames, *bc))
        log("cross-fit fold %d of %d (%s): epoch %s, %d frames; mean "
            "(CC - KLD) at video share 0 %.4f, 0.5 %.4f" % (
                f + 1, folds, " ".join(names), epoch, len(frames),
                mean_gain(scores(net, frames, 0.0)),
                mean_gain(scores(net, frames, 0.5))), flush=True)
    classic = dm.DefaultNet().zero_correction()
    best = max(td.MIX_GRID, key=lambda b: mean_gain(per_share[b]) - 1e-9 * b)
    out = {"share": best, "per_share": per_share, "centre": None,
           "face": None,
           "classic": scores(classic, clip_outputs(classic, clips), 0.0)}
    if centre:
        bc = max(pairs, key=lambda bc: mean_gain(per_pair[bc]))
        out["centre"] = (*bc, per_pair[bc])
    if faces:
        per_face = {a: {} for a in FACE_GRID}
        for net, frames, held in held_out:
            for a in FACE_GRID:
                per_face[a].update(scores(net, with_faces(frames, held, a),
                                          best))
        a = max(FACE_GRID, key=lambda a: mean_gain(per_face[a]) - 1e-9 * a)
        out["face"] = (a, per_face)
    return out


def ensemble(outputs):
    """The frames of several models' clip_outputs with the mean of their
    maps (as logits: softmax(log p) = p)."""
    out = []
    for frames in zip(*outputs):
        seq, _, s, g = frames[0]
        p = torch.stack([torch.softmax(lg.reshape(lg.shape[0], -1), 1)
                         for _, lg, _, _ in frames]).mean(0)
        out.append((seq, torch.log(p + 1e-30).reshape(frames[0][1].shape),
                    s, g))
    return out


def crossfit_orders(data, args, folds, orders, log):
    """Every fold trained in `orders` data orders: {"order k" or
    "ensemble": {share: {video: (CC, KLD)}}}."""
    clips = data["train_clips"] + data["select_clips"]
    rows = ["order %d" % k for k in range(orders)] + ["ensemble"]
    res = {r: {b: {} for b in td.MIX_GRID} for r in rows}
    for f, names in enumerate(folds_of(clips, folds)):
        kept, held = without(data, set(names))
        nets = [td.train(kept, args, quiet=True, order=k)[0]
                for k in range(orders)]
        outs = [clip_outputs(n, held) for n in nets]
        for r, frames in zip(rows, outs + [ensemble(outs)]):
            for b in td.MIX_GRID:
                res[r][b].update(scores(nets[0], frames, b))
        log("cross-fit fold %d of %d (%s) done" % (f + 1, folds,
                                                   " ".join(names)),
            flush=True)
    return res


def main_orders(data, args, own):
    res = crossfit_orders(data, args, own.folds, own.orders, print)
    for r, per_share in res.items():
        best = max(td.MIX_GRID, key=lambda b: mean_gain(per_share[b]))
        print("%-9s best video share %.2f: mean (CC - KLD) %.4f, mean CC "
              "%.4f" % (r, best, *summary(per_share[best])))
    return 0


def main():
    own, args = parse_args(sys.argv[1:])
    td.setup_torch(args)
    if not os.path.isdir(os.path.join(args.shared, "data", "osie")):
        print("skip: no data under %s" % args.shared)
        return 77
    data = td.load_or_build(args.shared, args.cache)
    if own.orders > 1:
        return main_orders(data, args, own)
    res = crossfit(data, args, own.folds, print, own.centre, own.faces)
    c_res, per_share, best = res["classic"], res["per_share"], res["share"]
    print("classic alone: mean (CC - KLD) %.4f, mean CC %.4f over %d videos"
          % (*summary(c_res), len(c_res)))
    for b in td.MIX_GRID:
        print("video share %.2f: mean (CC - KLD) %.4f, mean CC %.4f"
              % (b, *summary(per_share[b])))
    if res["centre"]:
        b, c, per = res["centre"]
        print("with the centre prior as a third component: best classic "
              "%.2f, centre %.2f: mean (CC - KLD) %.4f, mean CC %.4f"
              % (b, c, mean_gain(per), np.mean([v[0] for v in per.values()])))
    print("per video, classic / cross-fitted model at share %.2f (CC/KLD):"
          % best)
    for seq in sorted(c_res):
        print("  %-20s %.3f/%.3f  %.3f/%.3f" % (seq, *c_res[seq],
                                                 *per_share[best][seq]))
    print("cross-fitted video share: %.2f" % best)
    if res["face"]:
        a, per_face = res["face"]
        for w in FACE_GRID:
            print("face weight %.1f at share %.2f: mean (CC - KLD) %.4f, "
                  "mean CC %.4f" % (w, best, *summary(per_face[w])))
        print("per video, without the face cue / at weight %.1f (CC/KLD):"
              % a)
        for seq in sorted(per_face[a]):
            print("  %-20s %.3f/%.3f  %.3f/%.3f" % (
                seq, *per_face[0.0][seq], *per_face[a][seq]))
        print("cross-fitted face weight (video): %.1f" % a)
    if own.apply:
        net, meta = dm.load_model(own.apply)
        net.out_mix[1] = best
        note = "%s; video share cross-fitted (%d folds): %.2f" % (
            meta.get("training", ""), own.folds, best)
        if res["face"]:
            net.face_mix[1] = res["face"][0]
            note += "; face weight (video) cross-fitted: %.1f" % (
                res["face"][0])
        dm.save_model(net, args.out, note)
        print("wrote %s: %s" % (args.out, note))
    return 0


if __name__ == "__main__":
    torch.set_flush_denormal(True)
    sys.exit(main())
