#!/usr/bin/python3
"""Metric check on eye-tracking data: a model, run through the real salmap,
must beat the centre prior (the engine's `centre` model) on CC.

Usage: beats_centre.py SALMAP MODEL {mit1003,dhf1k}

MIT1003 subset: stills (`--still`), CC/SIM/KLD against the density maps.
DHF1K 0601: video; the frames were stored at 320x256 and are resized back
to 640x360 first; CC/SIM/KLD/NSS/AUC-Judd. Prints the table; exits 77 when
../shared is absent.
"""

import os
import subprocess
import sys
import tempfile

SKIP = 77
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import numpy as np
    from PIL import Image
    import metrics
except ImportError as e:
    print("skipping:", e)
    sys.exit(SKIP)


def load_gray(path):
    return np.asarray(Image.open(path).convert("L"), dtype=np.float64)


def run_salmap(salmap, model, inputs, still, out):
    cmd = [salmap, "run", "--quiet", "--model", model, "--npy", out]
    cmd += ["--still"] if still else []
    subprocess.run(cmd + inputs, check=True)
    return np.load(out)


def mit1003(salmap, model, shared, tmp):
    root = os.path.join(shared, "data", "mit1003-subset")
    names = sorted(os.listdir(os.path.join(root, "stimuli")))
    # salmap's --npy wants one shape: group the stills by size.
    groups = {}
    for n in names:
        with Image.open(os.path.join(root, "stimuli", n)) as im:
            groups.setdefault(im.size, []).append(n)
    scores = {model: [], "centre": []}
    for size, group in sorted(groups.items()):
        inputs = [os.path.join(root, "stimuli", n) for n in group]
        for m in scores:
            maps = run_salmap(salmap, m, inputs, True,
                              os.path.join(tmp, "mit.npy"))
            for s, n in zip(maps, group):
                g = load_gray(os.path.join(root, "maps", n))
                scores[m].append((metrics.cc(s, g), metrics.sim(s, g),
                                  metrics.kld(s, g)))
    return ("CC", "SIM", "KLD"), scores


def dhf1k(salmap, model, shared, tmp):
    root = os.path.join(shared, "data", "dhf1k-0601")
    frames = sorted(os.listdir(os.path.join(root, "images")))
    inputs = []
    for n in frames:
        out = os.path.join(tmp, os.path.splitext(n)[0] + ".png")
        Image.open(os.path.join(root, "images", n)).convert("RGB").resize(
            (640, 360), Image.BILINEAR).save(out)
        inputs.append(out)
    scores = {model: [], "centre": []}
    for m in scores:
        maps = run_salmap(salmap, m, inputs, False,
                          os.path.join(tmp, "dhf.npy"))
        assert maps.shape == (len(frames), 360, 640), maps.shape
        for s, n in zip(maps, frames):
            stem = os.path.splitext(n)[0] + ".png"
            g = load_gray(os.path.join(root, "maps", stem))
            f = load_gray(os.path.join(root, "fixation", stem)) > 0
            scores[m].append((metrics.cc(s, g), metrics.sim(s, g),
                              metrics.kld(s, g), metrics.nss(s, f),
                              metrics.auc_judd(s, f,
                                               rng=np.random.default_rng(0))))
    return ("CC", "SIM", "KLD", "NSS", "AUC-J"), scores


def main():
    salmap, model, dataset = sys.argv[1:4]
    shared = os.environ.get("SALIENCY_SHARED_DIR", "")
    if not os.path.isdir(os.path.join(shared, "data")):
        print("skipping: ../shared is absent")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        names, scores = {"mit1003": mit1003, "dhf1k": dhf1k}[dataset](
            salmap, model, shared, tmp)
    print(f"{dataset}: {len(scores[model])} maps")
    print(f"{'model':10s}" + "".join(f"{n:>8s}" for n in names))
    mean = {m: np.nanmean(np.array(v), axis=0) for m, v in scores.items()}
    for m in ("centre", model):
        print(f"{m:10s}" + "".join(f"{x:8.3f}" for x in mean[m]))
    if not mean[model][0] > mean["centre"][0]:
        print(f"FAIL: {model} CC {mean[model][0]:.3f} does not beat the "
              f"centre prior's {mean['centre'][0]:.3f}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
