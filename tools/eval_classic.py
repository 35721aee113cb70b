#!/usr/bin/env python3
"""Evaluates the classic model (tools/classic_reference.py) against eye
tracking data in ../shared/data, beside the centre prior alone.

  /usr/bin/python3 tools/eval_classic.py [--shared DIR]

MIT1003 subset: stills (CC, SIM, KLD vs the density maps).
DHF1K 0601: 20 frames, resized back to 640x360, run as a video
(CC, SIM, KLD vs the continuous maps; NSS, AUC-Judd vs the fixations).
Baselines: a centred Gaussian with the model's prior width, and the best
width per set (an oracle, the strongest centre prior there is).
Exits 77 (skip) when the data is absent.
"""

import argparse
import glob
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "metrics"))
sys.path.insert(0, HERE)

import classic_reference as ref  # noqa: E402
import metrics  # noqa: E402

ORACLE_SIGMAS = (0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3)


def load_rgb(path, size=None):
    from PIL import Image
    im = Image.open(path).convert("RGB")
    if size is not None:
        im = im.resize(size, Image.BILINEAR)
    return np.asarray(im)


def load_gray(path):
    from PIL import Image
    return np.asarray(Image.open(path).convert("L"), dtype=np.float64)


def mean_scores(maps, gts, fixs=None, per_map=None):
    """{metric: mean over the maps}; with a dict `per_map`, also fills it
    with {metric: [score of each map]}."""
    out = {"CC": [], "SIM": [], "KLD": []}
    if fixs is not None:
        out.update({"NSS": [], "AUC-J": []})
    for i, (s, g) in enumerate(zip(maps, gts)):
        out["CC"].append(metrics.cc(s, g))
        out["SIM"].append(metrics.sim(s, g))
        out["KLD"].append(metrics.kld(s, g))
        if fixs is not None:
            out["NSS"].append(metrics.nss(s, fixs[i]))
            out["AUC-J"].append(metrics.auc_judd(
                s, fixs[i], rng=np.random.default_rng(i)))
    if per_map is not None:
        per_map.update(out)
    return {k: float(np.mean(v)) for k, v in out.items()}


def centre_maps(gts, sigma):
    return [metrics.centre_prior(g.shape[0], g.shape[1], sigma) for g in gts]


def best_centre(gts, fixs=None):
    best = None
    for s in ORACLE_SIGMAS:
        r = mean_scores(centre_maps(gts, s), gts, fixs)
        if best is None or r["CC"] > best[1]["CC"]:
            best = (s, r)
    return best


def eval_mit(root):
    stims = sorted(glob.glob(os.path.join(root, "stimuli", "*")))
    gts, maps = [], []
    for p in stims:
        g = load_gray(os.path.join(root, "maps", os.path.basename(p)))
        img = load_rgb(p)
        maps.append(next(ref.run_frames([img], still=True)))
        gts.append(g)
    return gts, None, {"still": maps}


def eval_dhf(root):
    n = len(glob.glob(os.path.join(root, "images", "*.jpg")))
    frames, gts, fixs = [], [], []
    for i in range(1, n + 1):
        frames.append(load_rgb(os.path.join(root, "images", "%04d.jpg" % i),
                               (640, 360)))
        gts.append(load_gray(os.path.join(root, "maps", "%04d.png" % i)))
        fixs.append(load_gray(os.path.join(root, "fixation", "%04d.png" % i))
                    > 0)
    return gts, fixs, {"video": list(ref.run_frames(frames)),
                       "still": list(ref.run_frames(frames, still=True))}


def row(name, r, keys):
    return "| %-28s | " % name + " | ".join("%6.3f" % r[k] for k in keys) \
        + " |"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get(
        "SALIENCY_SHARED_DIR", os.path.join(HERE, "..", "..", "shared")))
    args = ap.parse_args()
    data = os.path.join(args.shared, "data")
    if not os.path.isdir(os.path.join(data, "mit1003-subset")):
        print("skip: no %s" % data)
        return 77

    results = {}
    for name, fn, sub in (("MIT1003 subset (stills)", eval_mit,
                           "mit1003-subset"),
                          ("DHF1K 0601 (video)", eval_dhf, "dhf1k-0601")):
        gts, fixs, runs = fn(os.path.join(data, sub))
        keys = ["CC", "SIM", "KLD"] + (["NSS", "AUC-J"] if fixs else [])
        print("\n%s, %d maps" % (name, len(gts)))
        print("| %-28s | " % "model" + " | ".join("%6s" % k for k in keys)
              + " |")
        print("|" + "-" * 30 + "|" + "|".join("-" * 8 for _ in keys) + "|")
        base = mean_scores(centre_maps(gts, ref.PRIOR_SIGMA), gts, fixs)
        print(row("centre prior s=%.2f" % ref.PRIOR_SIGMA, base, keys))
        s, best = best_centre(gts, fixs)
        print(row("centre prior s=%.2f (best)" % s, best, keys))
        for mode, maps in runs.items():
            r = mean_scores(maps, gts, fixs)
            print(row("classic (%s)" % mode, r, keys))
            results[(sub, mode)] = (r, base, best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
