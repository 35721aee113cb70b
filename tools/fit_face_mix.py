#!/usr/bin/python3
"""Fits the default model's face cue weights (face_mix, spec step 10).

For every select still of each set (tools/default_data.py's split: the
test side is not read), and every 10th frame of the hevc-gaze videos of
--videos, the model's map p comes from the engine (`salmap run --npy`,
with --still for the stills), the faces from libsaliency's detector (the
faces-driver test program) in the picture the engine searches
(face_cascade.frame_grey at --sides, by default 512 pixels for both;
video here searches every scored frame) and the face map F from
tools/face_cascade.py. It prints CC / KLD of p and of p exp(a F) / sum for
each weight a of the grid, and per mode the weight with the best mean
(CC - KLD), each set or video counting once. With --out it writes the
model with those weights and sides (face_mix, face_side).

Why the videos come from the train side: the two select videos show no
faces. The network has seen those videos, and its maps there leave less
for the cue to add, so the fitted video weight errs low: the shipped one
(v8) is cross-fitted instead, by tools/crossfit_mix.py --faces.

  /usr/bin/python3 tools/fit_face_mix.py [--model models/default.safetensors]
      [--videos train] [--sides 512,512] [--out F] [--name v8] \
      [--salmap build/src/tools/salmap] \
      [--driver build/tests/faces/faces-driver]
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "metrics"))

import default_data as dd  # noqa: E402
import default_model as dm  # noqa: E402
import face_cascade as fc  # noqa: E402
import metrics  # noqa: E402
import validate_default as vd  # noqa: E402

WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
# The searched pictures' long sides, still and video: v8's. v7 searched
# video at 384; a larger picture finds smaller faces (docs/models.md, v8).
SIDES = (512, 512)


def faces_of(driver, g, tmp):
    pgm = os.path.join(tmp, "g.pgm")
    with open(pgm, "wb") as fh:
        fh.write(b"P5 %d %d 255\n" % (g.shape[1], g.shape[0]) + g.tobytes())
    out = subprocess.run([driver, "builtin", pgm], check=True,
                         capture_output=True, text=True).stdout
    return [tuple(int(v) for v in ln.split()) for ln in out.splitlines()]


def score(a, groups, side, tmp):
    """{group: {weight: [(CC, KLD)]}} and the number of pictures with
    faces per group."""
    out, with_faces = {}, {}
    for which, jobs in groups:
        acc = {w: [] for w in WEIGHTS}
        n_face = 0
        for inputs, still, frames, picks, gts, fixs in jobs:
            maps = vd.engine(a.salmap, a.model, inputs, still, tmp)
            for i, gt in zip(picks, gts):
                p = np.asarray(maps[i], np.float64)
                g = np.ascontiguousarray(fc.frame_grey(frames[i], side))
                faces = faces_of(a.driver, g, tmp)
                n_face += bool(faces)
                f = fc.face_map(faces, g.shape[1], g.shape[0], p.shape[1],
                                p.shape[0])
                for w in acc:
                    q = p * np.exp(w * f)
                    q /= q.sum()
                    acc[w].append((metrics.cc(q, gt), metrics.kld(q, gt)))
        out[which], with_faces[which] = acc, n_face
    return out, with_faces


def report(title, res, with_faces):
    """Prints the table; returns the weight with the best mean (CC - KLD)
    over the groups."""
    print("\n%s; CC / KLD\n" % title)
    print("| set (pictures, with faces) | " +
          " | ".join("a = %.1f" % w for w in WEIGHTS) + " |")
    print("| --- " * (len(WEIGHTS) + 1) + "|")
    for which, acc in res.items():
        print("| %s (%d, %d) | " % (which, len(acc[0.0]), with_faces[which])
              + " | ".join("%.3f / %.3f" % tuple(np.mean(acc[w], 0))
                           for w in WEIGHTS) + " |")
    mean = {w: np.mean([np.mean([c - k for c, k in acc[w]])
                        for acc in res.values()]) for w in WEIGHTS}
    print("| mean CC - KLD | " + " | ".join("%.4f" % mean[w]
                                           for w in WEIGHTS) + " |")
    best = max(WEIGHTS, key=lambda w: mean[w])
    print("best: a = %.1f" % best, flush=True)
    return best


def main(argv=None):
    root = os.path.join(HERE, "..")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(
        root, "models", "default.safetensors"))
    ap.add_argument("--videos", choices=("select", "train"), default="train")
    ap.add_argument("--out", help="write the model with the fitted weights")
    ap.add_argument("--sides", default="%d,%d" % SIDES,
                    help="long sides of the searched pictures, STILL,VIDEO "
                    "(written into the model as face_side)")
    ap.add_argument("--name", default="v8",
                    help="the written model's name in its training note")
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared"))
    ap.add_argument("--salmap", default=os.path.join(
        root, "build", "src", "tools", "salmap"))
    ap.add_argument("--driver", default=os.path.join(
        root, "build", "tests", "faces", "faces-driver"))
    a = ap.parse_args(argv)
    a.sides = tuple(int(v) for v in a.sides.split(","))
    net, meta = dm.load_model(a.model)
    if bool((net.face_mix != 0).any()):
        sys.exit("%s already has a face cue: fit on a model without it"
                 % a.model)
    sp = dd.split(a.shared)
    with tempfile.TemporaryDirectory() as tmp:
        stills = [(which, vd.still_jobs(a.shared, which, sp[which]["select"],
                                        tmp)) for which in dd.STILL_SETS]
        res, nf = score(a, stills, a.sides[0], tmp)
        a_still = report("select stills, faces at %d px" % a.sides[0], res,
                         nf)
        videos = [(seq, vd.hevc_jobs(a.shared, [seq], 10))
                  for seq in sp["hevc"][a.videos]]
        res, nf = score(a, videos, a.sides[1], tmp)
        a_video = report("hevc-gaze %s videos, every 10th frame, faces at "
                         "%d px" % (a.videos, a.sides[1]), res, nf)
    if a.out:
        net.face_mix = torch.tensor([a_still, a_video], dtype=torch.float64)
        net.face_side = torch.tensor(a.sides, dtype=torch.float64)
        dm.save_model(net, a.out, "default %s: the network below with the "
                      "face cue, face_mix %.2f still, %.2f video, searched "
                      "at %d and %d px (select "
                      "stills; hevc-gaze %s videos; tools/fit_face_mix.py). "
                      "Network: %s" % (a.name, a_still, a_video, *a.sides,
                                       a.videos, meta.get("training", "")))
        print("wrote %s: face_mix %.2f still, %.2f video, sides %d, %d"
              % (a.out, a_still, a_video, *a.sides))


if __name__ == "__main__":
    main()
