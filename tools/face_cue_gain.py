#!/usr/bin/python3
"""What the face cue would add to a model, measured on the select stills.

For every select still of each set (tools/default_data.py's split: the
test side is not read), the model's map p comes from the engine (`salmap
run --still --npy`), the faces from libsaliency's detector (the
faces-driver test program) on the picture's grey resized to a long side
of --side pixels (enlarged or reduced: the cascade's smallest face is 24
pixels), and the face map F from tools/face_cascade.py. It
prints CC / KLD of p and of p exp(a F) / sum for each weight a: the
evidence for feeding F to the default model (docs/models.md, "Face cue").

  /usr/bin/python3 tools/face_cue_gain.py [--model default] [--side 512] \
      [--salmap build/src/tools/salmap] \
      [--driver build/tests/faces/faces-driver]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "metrics"))

import default_data as dd  # noqa: E402
import face_cascade as fc  # noqa: E402
import metrics  # noqa: E402
import validate_default as vd  # noqa: E402

WEIGHTS = (0.5, 1.0, 1.5, 2.0)


def faces_of(driver, g, tmp):
    pgm = os.path.join(tmp, "g.pgm")
    with open(pgm, "wb") as fh:
        fh.write(b"P5 %d %d 255\n" % (g.shape[1], g.shape[0]) + g.tobytes())
    out = subprocess.run([driver, "builtin", pgm], check=True,
                         capture_output=True, text=True).stdout
    return [tuple(int(v) for v in ln.split()) for ln in out.splitlines()]


def working_grey(rgb, side):
    g = fc.grey(rgb)
    sc = side / max(g.shape)
    if sc != 1:
        g = fc.resize_bilinear(g, int(round(g.shape[1] * sc)),
                               int(round(g.shape[0] * sc)), 1 / sc)
    return np.ascontiguousarray(g)


def main(argv=None):
    root = os.path.join(HERE, "..")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--side", type=int, default=512)
    ap.add_argument("--videos", choices=("select", "train"),
                    help="score hevc-gaze videos of this side (every 10th "
                    "frame, faces on every scored frame) instead of the "
                    "select stills")
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared"))
    ap.add_argument("--salmap", default=os.path.join(
        root, "build", "src", "tools", "salmap"))
    ap.add_argument("--driver", default=os.path.join(
        root, "build", "tests", "faces", "faces-driver"))
    a = ap.parse_args(argv)
    sp = dd.split(a.shared)
    print("%s, %s, faces at a long side of %d px; CC / KLD"
          % ("hevc-gaze %s videos" % a.videos if a.videos
             else "select stills", a.model, a.side))
    print("| set (images, with faces) | model | " +
          " | ".join("x exp(%.1f F)" % w for w in WEIGHTS) + " |")
    print("| --- " * (len(WEIGHTS) + 2) + "|")
    with tempfile.TemporaryDirectory() as tmp:
        if a.videos:
            groups = [(seq, vd.hevc_jobs(a.shared, [seq], 10))
                      for seq in sp["hevc"][a.videos]]
        else:
            groups = [(which, vd.still_jobs(a.shared, which,
                                            sp[which]["select"], tmp))
                      for which in dd.STILL_SETS]
        for which, jobs in groups:
            acc = {w: [] for w in (0.0,) + WEIGHTS}
            n_face = 0
            t_det = 0.0
            for inputs, still, frames, picks, gts, fixs in jobs:
                maps = vd.engine(a.salmap, a.model, inputs, still, tmp)
                for i, gt in zip(picks, gts):
                    p = np.asarray(maps[i], np.float64)
                    g = working_grey(frames[i], a.side)
                    t0 = time.time()
                    faces = faces_of(a.driver, g, tmp)
                    t_det += time.time() - t0
                    n_face += bool(faces)
                    f = fc.face_map(faces, g.shape[1], g.shape[0],
                                    p.shape[1], p.shape[0])
                    for w in acc:
                        q = p * np.exp(w * f)
                        q /= q.sum()
                        acc[w].append((metrics.cc(q, gt),
                                       metrics.kld(q, gt)))
            n = len(acc[0.0])
            print("| %s (%d, %d) | " % (which, n, n_face) + " | ".join(
                "%.3f / %.3f" % tuple(np.mean(acc[w], 0))
                for w in (0.0,) + WEIGHTS) + " |", flush=True)


if __name__ == "__main__":
    main()
