#!/usr/bin/python3
"""Fits the default model's video average (video_ema, spec step 12).

Each training and select video of tools/default_data.py's split (the
hevc-gaze sequences and DHF1K 0601 frames 1-15; the test side is not read)
is run whole, from its first frame, through the PyTorch twin as the engine
runs it (the model as it is, any average left out), keeping the net-size
logits of every frame. For each weight lam of LAMS the maps are averaged,
q_t = (1 - lam) p_t + lam q_t-1 (the twin's ema_output), and scored at net
size against the truth area-reduced to it, with CC and KLD, on every
--every-th usable frame. It prints each video's CC / KLD per lam and the
mean over the videos, each counting once, and picks the lam with the best
mean (CC - KLD). With --out it writes the model with that weight; with
--plot, a picture of each video's gain against lam.

Why: the truth of a video frame is where viewers' fixations rest at that
instant; a fixation lasts a few hundred milliseconds, so the truth moves
slowly, while the network's map of each frame carries frame-to-frame
noise (docs/models.md, "v10").

  nice -n 10 /usr/bin/python3 tools/fit_video_ema.py
      [--model models/default.safetensors] [--out F] [--name v10]
      [--plot F.png] [--every 5] [--cache DIR] [--shared ../shared]

The twin's maps are cached per model file in --cache (default
/work/cache/video-ema, outside the repository): the first run takes
about 40 minutes on the 2-core machine, a run with a warm cache seconds.
"""

import argparse
import hashlib
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import default_data as dd  # noqa: E402
import default_model as dm  # noqa: E402
import train_default as td  # noqa: E402

LAMS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
DHF = "DHF1K-0601"


def videos(shared, every):
    """(name, frames (indexable RGB uint8), {frame: (truth, fixations or
    None)} of the scored frames) of each train and select video."""
    sp = dd.split(shared)
    for seq in sp["hevc"]["train"] + sp["hevc"]["select"]:
        def load(seq=seq):
            frames, fps = dd.hevc_video(shared, seq)
            n, h, w = frames.shape[:3]
            picks = [i for i in range(n) if dd.hevc_usable(seq, i, n)]
            truths = {i: dd.hevc_truth(shared, seq, i, fps, w, h)
                      for i in picks[::every]}
            return frames, {i: t for i, t in truths.items()
                            if t[0].max() > 0}
        yield seq, load

    def load_dhf():
        fr, gt, _ = dd.load_dhf(shared)
        train = [i - 1 for i in sp["dhf"]["train"]]
        return fr[:len(train)], {i: (gt[i], None) for i in train}
    yield DHF, load_dhf


def model_key(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:16]


def video_maps(net, name, load, cache):
    """(net-size logits [T, H, W] of every frame, {frame: truth at net
    size}) of one video, from the cache or the twin."""
    path = os.path.join(cache, name + ".npz")
    if os.path.exists(path):
        z = np.load(path)
        return z["logits"], dict(zip(z["picks"].tolist(), z["truths"]))
    frames, truths = load()
    stream = dm.DefaultStream(net, torch.float32)
    logits = np.stack([stream.push_logits(np.asarray(f)) for f in frames])
    h, w = logits.shape[1:]
    picks = sorted(truths)
    gts = np.stack([td.truth(truths[i][0], None, h, w)["g"].double().numpy()
                    for i in picks])
    os.makedirs(cache, exist_ok=True)
    np.savez(path + ".tmp.npz", logits=logits, picks=np.array(picks),
             truths=gts)
    os.replace(path + ".tmp.npz", path)
    return logits, dict(zip(picks, gts))


def curve(logits, truths):
    """[(CC, KLD)] per LAMS of one video's averaged maps, means over its
    scored frames."""
    out = []
    for lam in LAMS:
        prev, acc = None, []
        for t, lg in enumerate(logits):
            lq, prev = dm.ema_output(lg.astype(np.float64), prev, lam)
            if t in truths:
                k, c, _ = td.frame_losses(torch.from_numpy(lq)[None],
                                          torch.from_numpy(truths[t])[None])
                acc.append((float(c), float(k)))
        out.append(np.mean(acc, 0))
    return np.array(out)


def report(curves):
    print("\n| video | " + " | ".join("%.2f" % lam for lam in LAMS) + " |")
    print("| --- " * (len(LAMS) + 1) + "|")
    for name, c in curves.items():
        print("| %s | " % name + " | ".join("%.3f / %.3f" % tuple(x)
                                           for x in c) + " |")
    mean = np.mean(list(curves.values()), 0)
    print("| mean | " + " | ".join("%.3f / %.3f" % tuple(x)
                                   for x in mean) + " |")
    score = mean[:, 0] - mean[:, 1]
    print("| mean CC - KLD | " + " | ".join("%.4f" % s for s in score) +
          " |")
    best = int(np.argmax(score))
    print("\nbest lam %.2f: mean CC / KLD %.3f / %.3f (lam 0: %.3f / %.3f); "
          "CC - KLD %+.4f" % (LAMS[best], *mean[best], *mean[0],
                              score[best] - score[0]))
    return LAMS[best]


def plot(curves, best, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    for name, c in curves.items():
        s = c[:, 0] - c[:, 1]
        ax.plot(LAMS, s - s[0], color="grey", lw=0.7)
    mean = np.mean(list(curves.values()), 0)
    s = mean[:, 0] - mean[:, 1]
    ax.plot(LAMS, s - s[0], "k-", lw=2, label="mean over the videos")
    ax.axvline(best, color="tab:red", lw=1, label="fitted %.2f" % best)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("weight of the past, lam")
    ax.set_ylabel("(CC - KLD) gain over no average")
    ax.set_title("Video average: each training and select video (grey)")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    print("wrote %s" % path)


def main(argv=None):
    root = os.path.join(HERE, "..")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(
        root, "models", "default.safetensors"))
    ap.add_argument("--out", help="write the model with the fitted weight")
    ap.add_argument("--name", default="v10",
                    help="the written model's name in its training note")
    ap.add_argument("--plot", help="write the picture of the fit (PNG)")
    ap.add_argument("--every", type=int, default=5)
    ap.add_argument("--cache", default="/work/cache/video-ema")
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared"))
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    net, meta = dm.load_model(a.model)
    if net.video_ema > 0:
        sys.exit("%s already averages video maps: fit on a model without "
                 "video_ema" % a.model)
    cache = os.path.join(a.cache, "%s-every%d" % (model_key(a.model),
                                                 a.every))
    curves = {}
    for name, load in videos(a.shared, a.every):
        t0 = time.time()
        curves[name] = curve(*video_maps(net, name, load, cache))
        sys.stderr.write("%s: %.0f s\n" % (name, time.time() - t0))
    best = report(curves)
    if a.plot:
        plot(curves, best, a.plot)
    if a.out:
        net.video_ema = best
        dm.save_model(net, a.out, "default %s: the model below with video "
                      "maps averaged, weight %.2f on the past (train and "
                      "select videos; tools/fit_video_ema.py). Model: %s"
                      % (a.name, best, meta.get("training", "")))
        print("wrote %s: video_ema %.2f" % (a.out, best))


if __name__ == "__main__":
    main()
