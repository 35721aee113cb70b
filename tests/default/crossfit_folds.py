#!/usr/bin/python3
"""tools/crossfit_mix.py's folds and held-out scoring, on synthetic clips
(no ../shared needed):
  - the folds partition the videos, a split group (BasketballDrill and
    BasketballDrillText) stays in one fold, and the deal is the same on
    every call;
  - without() drops a fold's clips from both training sides and returns
    exactly them;
  - scores() at share b equals a mixture computed here from the spec
    (docs/default-model-spec.md step 9), and share 0 leaves the network's
    map alone;
  - with the face cue (--faces), a F is added after the mixture, F each
    frame's clip's face map (steps 9, then 10);
  - ensemble() (--orders) gives each frame the mean of the models' maps,
    and the frames of one model unchanged.
Skips (77) without torch."""

import os
import sys

try:
    import torch
except ImportError:
    print("skip: no torch")
    sys.exit(77)
import numpy as np

ROOT = os.environ.get("SALIENCY_SOURCE_ROOT",
                      os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import crossfit_mix as cm  # noqa: E402
import default_model as dm  # noqa: E402

NAMES = ["BQMall", "BasketballDrill", "BasketballDrillText", "Cactus",
         "Johnny", "Kimono", "Traffic", "dhf1k-0601", "Yan"]


def clip(seq, gen, n=3, h=9, w=16):
    x = torch.rand(n, 3, h, w, generator=gen)
    s = torch.rand(n, h, w, generator=gen) + 0.05
    g = torch.rand(n, h, w, generator=gen)
    g = g / g.sum((1, 2), keepdim=True)     # a density, as the trainer's
    return {"x": x, "s": s, "r": torch.rand(n, h, w, generator=gen),
            "m": torch.rand(n, h, w, generator=gen), "g": g, "seq": seq,
            "set": "hevc", "faces": torch.rand(h, w, generator=gen)}


def main():
    gen = torch.Generator().manual_seed(3)
    clips = [clip(s, gen) for s in NAMES for _ in range(2)]
    data = {"train_clips": clips[:-4], "select_clips": clips[-4:],
            "train_stills": [], "select_stills": []}
    fails = []

    folds = cm.folds_of(clips, 4)
    flat = [s for f in folds for s in f]
    if sorted(flat) != sorted(NAMES) or len(flat) != len(set(flat)):
        fails.append("folds do not partition the videos: %s" % folds)
    for f in folds:
        if ("BasketballDrill" in f) != ("BasketballDrillText" in f):
            fails.append("BasketballDrill twins split: %s" % folds)
    if cm.folds_of(clips, 4) != folds:
        fails.append("the deal changed between calls")
    if min(len(f) for f in folds) < 1:
        fails.append("an empty fold: %s" % folds)

    names = set(folds[0])
    kept, held = cm.without(data, names)
    if any(d["seq"] in names for d in kept["train_clips"] +
           kept["select_clips"]):
        fails.append("without() kept a clip of the fold")
    if sorted(id(d) for d in held) != sorted(
            id(d) for d in clips if d["seq"] in names):
        fails.append("without() did not return exactly the fold's clips")

    net = dm.random_model(seed=2, widths=dict(dm.WIDTHS, motion=1))
    frames = cm.clip_outputs(net, held)
    b, a = 0.35, 1.5
    got = cm.scores(net, frames, b)
    net0 = cm.scores(net, frames, 0.0)
    got_f = cm.scores(net, cm.with_faces(frames, held, a), b)
    faces = [d["faces"] for d in held for _ in range(d["x"].shape[0])]
    acc, acc0, acc_f = {}, {}, {}
    for (seq, lg, s, g), f in zip(frames, faces):
        p = torch.softmax(lg.reshape(-1).double(), 0)
        q = s.reshape(-1).double() / s.sum()
        # The cue after the mixture (spec steps 9 and 10).
        pf = torch.softmax(torch.log((1 - b) * p + b * q) +
                           a * f.reshape(-1).double(), 0)
        for mix, out in (((1 - b) * p + b * q, acc), (p, acc0),
                         (pf, acc_f)):
            m = mix.numpy()
            t = g.reshape(-1).double().numpy()
            t = t / t.sum()
            cc = np.corrcoef(m, t)[0, 1]
            kld = float(np.sum(t * np.log(1e-12 + t / (m + 1e-12))))
            out.setdefault(seq, []).append((cc, kld))
    for want, have, what in ((acc, got, "share %.2f" % b),
                             (acc0, net0, "share 0"),
                             (acc_f, got_f, "share %.2f, face weight %.1f"
                              % (b, a))):
        for seq, v in want.items():
            cc, kld = np.mean(v, 0)
            if abs(cc - have[seq][0]) > 1e-4 or abs(kld - have[seq][1]) > 1e-3:
                fails.append("%s, %s: CC/KLD %.5f/%.5f, reference %.5f/%.5f"
                             % (what, seq, *have[seq], cc, kld))
    if abs(cm.mean_gain(got) - cm.mean_gain(net0)) < 1e-6:
        fails.append("the share changed nothing")
    if abs(cm.mean_gain(got_f) - cm.mean_gain(got)) < 1e-6:
        fails.append("the face weight changed nothing")

    # The ensemble of two models: the mean of their distributions.
    other = dm.random_model(seed=5, widths=dict(dm.WIDTHS, motion=1))
    frames2 = cm.clip_outputs(other, held)
    for (seq, lg, s, g), a, o in zip(cm.ensemble([frames, frames2]), frames,
                                     frames2):
        want = 0.5 * (torch.softmax(a[1].reshape(-1).double(), 0) +
                      torch.softmax(o[1].reshape(-1).double(), 0))
        have = torch.softmax(lg.reshape(-1).double(), 0)
        if seq != a[0] or s is not a[2] or g is not a[3] or \
                (have - want).abs().max() > 1e-6:
            fails.append("ensemble(): not the mean of the two maps (%s, "
                         "max difference %.2e)" % (seq, float(
                             (have - want).abs().max())))
            break
    for (_, lg, _, _), a in zip(cm.ensemble([frames]), frames):
        if (torch.softmax(lg.reshape(-1), 0) -
                torch.softmax(a[1].reshape(-1), 0)).abs().max() > 1e-6:
            fails.append("ensemble() of one model changed its map")
            break

    print("folds: %s" % folds)
    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
