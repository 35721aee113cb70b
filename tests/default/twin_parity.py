#!/usr/bin/python3
"""Parity of the engine's "default" model with its PyTorch twin.

  twin_parity.py SALMAP {trained,random,random-v4,random-v2}

trained: models/default.safetensors (skips when it is absent);
random:  a v3 model with random non-zero weights everywhere (delta,
         prior_mix, the spectral residual cue, out_mix, the output's
         share of classic, and the still gate included), written here
         by tools/default_model.py --random, so that the learned
         correction, the priors, the cue and the GRU all count;
random-v4: the same with classic's motion as a sixth input (v4 files);
random-v2: the same without the spectral residual cue (v2 files).
For each of three synthetic clips (a textured background with a moving
bright blob) -- 150x97 (net 128x83: odd, shrinking), 100x60 (net 128x77:
enlarging) and a portrait 90x160 (net 72x128) -- and, for the
trained and random models, a fourth, 200x150 and 24 frames, where a drawn
face moves (the face cue: in video, frame 0
searched and used at once, frame 15 searched and used from frame 22; in
still mode every frame, of which the first 3 are run) -- runs
`salmap run --model M --npy` in video and in --still mode and
tools/default_model.py on the same PNG frames, and asserts per frame
max |d log p| <= MAX_DLOGP and CC >= MIN_CC. Controls check that the
comparison would catch a missing correction (the random model must differ
from classic), a missing temporal state (video must differ from still)
a missing output mixture or still gate (random and random-v4 must
differ from the same model without out_mix, in still mode without
still_gate) and a missing face cue (on the face clip,
the same model without face_mix must differ).
Exit 77 (skip) without torch/PIL in this python.
"""

import os
import subprocess
import sys
import tempfile

SKIP = 77
MAX_DLOGP = 1e-3
MIN_CC = 0.9999
N_FRAMES = 8
SIZES = ((150, 97), (100, 60), (90, 160))  # (width, height)
FACE_CLIP = (200, 150, 24)                  # width, height, frames
STILL_FACE_FRAMES = 3   # still mode searches every frame: the twin's is slow

SOURCE_ROOT = os.environ.get(
    "SALIENCY_SOURCE_ROOT",
    os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
TWIN = os.path.join(SOURCE_ROOT, "tools", "default_model.py")
CLASSIC = os.path.join(SOURCE_ROOT, "tools", "classic_reference.py")
TRAINED = os.path.join(SOURCE_ROOT, "models", "default.safetensors")

sys.path.insert(0, os.path.join(SOURCE_ROOT, "tools"))

try:
    import numpy as np
    from PIL import Image
    import torch  # noqa: F401
    import face_cascade
except ImportError as e:
    print("SKIP: %s in %s (Debian: apt install python3-torch python3-pil)"
          % (e, sys.executable))
    sys.exit(SKIP)


def run(cmd):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        raise SystemExit("FAIL: %s exited with %d" % (cmd[0], p.returncode))


def make_clip(d, w, h, seed):
    """N_FRAMES PNGs: fixed coloured texture, a blob moving across it."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    tex = np.stack([0.5 + 0.25 * np.sin(xx / (3 + c) + yy / (5 - c) + c)
                    for c in range(3)], -1)
    tex += 0.08 * rng.standard_normal((h, w, 3))
    paths = []
    for t in range(N_FRAMES):
        cx = w * (0.2 + 0.6 * t / (N_FRAMES - 1))
        cy = h * (0.35 + 0.3 * np.sin(t))
        r = 0.08 * min(w, h) + 2
        blob = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
        img = tex * (1 - blob[..., None]) + blob[..., None] * \
            np.array([1.0, 0.9, 0.2])
        p = os.path.join(d, "f%02d.png" % t)
        Image.fromarray(np.clip(img * 255 + 0.5, 0, 255).astype(np.uint8)
                        ).save(p)
        paths.append(p)
    return paths


def make_face_clip(d, w, h, n):
    """n PNGs: a textured grey-brown background and a drawn face of 70
    pixels moving 3 pixels a frame."""
    rng = np.random.default_rng(11)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    bg = 120 + 30 * np.sin(xx / 7.0) * np.cos(yy / 11.0) + \
        10 * rng.standard_normal((h, w))
    paths = []
    for t in range(n):
        img = bg.copy()
        x0, y0 = 20 + 3 * t, 30 + t
        img[y0:y0 + 70, x0:x0 + 70] = face_cascade.cartoon_face(70)
        rgb = np.stack([img * 1.05, img, img * 0.9], -1)
        p = os.path.join(d, "f%02d.png" % t)
        Image.fromarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8)).save(p)
        paths.append(p)
    return paths


def logp(path):
    p = np.load(path).astype(np.float64)
    return np.log(np.maximum(p, 1e-45))


def cc(a, b):
    a = a - a.mean()
    b = b - b.mean()
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def compare(label, eng, ref):
    fails = []
    if eng.shape != ref.shape:
        return ["%s: engine shape %s, twin %s" % (label, eng.shape,
                                                 ref.shape)]
    worst_d, worst_cc = 0.0, 1.0
    for t, (a, b) in enumerate(zip(eng, ref)):
        d = float(np.abs(a - b).max())
        c = cc(np.exp(a), np.exp(b))
        worst_d, worst_cc = max(worst_d, d), min(worst_cc, c)
        if not d <= MAX_DLOGP or not c >= MIN_CC:
            fails.append("%s frame %d: max |d log p| %.3g, CC %.7f"
                         % (label, t, d, c))
    print("%-34s max |d log p| %.3g, min CC %.8f"
          % (label, worst_d, worst_cc), flush=True)
    return fails


def mode_frames(frames, mode, face):
    """The frames run in this mode: the face clip's first few in still
    mode."""
    return frames[:STILL_FACE_FRAMES] if face and mode == "still" \
        else frames


def face_control(model, d, frames, out, tmp):
    """The face clip's maps must change without the file's face_mix."""
    import default_model
    net, meta = default_model.load_model(model)
    if not bool((net.face_mix > 0).any()):
        print("  control: %s has no face cue" % os.path.basename(model))
        return []
    net.face_mix.zero_()
    nf = os.path.join(tmp, "nofaces.safetensors")
    default_model.save_model(net, nf, meta.get("training", ""))
    fails = []
    for mode, extra in (("video", []), ("still", ["--still"])):
        r = os.path.join(d, "nofaces-%s.npy" % mode)
        run([sys.executable, TWIN, "--weights", nf, "--npy", r] + extra +
            mode_frames(frames, mode, True))
        df = np.abs(logp(r) - out[mode][1]).max(axis=(1, 2))
        print("  control: twin %s without face_mix, max |d log p| %.3g "
              "(frames 0-2: %s)" % (mode, df.max(), np.round(df[:3], 3)))
        if not df.min() > 10 * MAX_DLOGP:
            fails.append("face clip %s: face_mix changes nothing on some "
                         "frame (%.3g)" % (mode, df.min()))
    return fails


def mix_controls(flags, d, frames, out, tmp, label):
    """The maps must change without out_mix (video and still) and without
    still_gate (still)."""
    fails = []
    for name, flag, modes in (("out_mix", "--no-mix", ("video", "still")),
                              ("still_gate", "--no-gate", ("still",))):
        nm = os.path.join(tmp, "no-%s.safetensors" % name)
        if not os.path.exists(nm):
            run([sys.executable, TWIN, "--random", nm, "--seed", "7", flag] +
                flags)
        for mode in modes:
            extra = ["--still"] if mode == "still" else []
            r = os.path.join(d, "no-%s-%s.npy" % (name, mode))
            run([sys.executable, TWIN, "--weights", nm, "--npy", r] + extra +
                mode_frames(frames, mode, False))
            dm = np.abs(logp(r) - out[mode][1]).max()
            print("  control: twin %s without %s, max |d log p| %.3g"
                  % (mode, name, dm))
            if not dm > 10 * MAX_DLOGP:
                fails.append("%s %s: %s changes nothing (%.3g)"
                             % (label, mode, name, dm))
    return fails


def main():
    flags = {"random": [], "random-v4": ["--motion"],
             "random-v2": ["--no-sr"]}
    if len(sys.argv) != 3 or sys.argv[2] not in ["trained"] + list(flags):
        raise SystemExit("usage: twin_parity.py SALMAP "
                         "{trained,random,random-v4,random-v2}")
    salmap, which = sys.argv[1], sys.argv[2]
    fails = []
    with tempfile.TemporaryDirectory(prefix="default-parity-") as tmp:
        if which == "trained":
            model = TRAINED
            if not os.path.isfile(model):
                print("SKIP: no %s" % model)
                return SKIP
        else:
            model = os.path.join(tmp, "random.safetensors")
            run([sys.executable, TWIN, "--random", model, "--seed", "7"] +
                flags[which])
        # The face clip where the file has a face cue: the trained model and
        # the random v3 one (v4's face path is the same code).
        face_sizes = (FACE_CLIP[:2],) if which in ("trained", "random") \
            else ()
        for i, (w, h) in enumerate(SIZES + face_sizes):
            d = os.path.join(tmp, "%dx%d" % (w, h))
            os.makedirs(d)
            face = i == len(SIZES)
            frames = (make_face_clip(d, *FACE_CLIP) if face
                      else make_clip(d, w, h, seed=i))
            out = {}
            for mode, extra in (("video", []), ("still", ["--still"])):
                e = os.path.join(d, "engine-%s.npy" % mode)
                r = os.path.join(d, "twin-%s.npy" % mode)
                run([salmap, "run", "--quiet", "--model", model, "--npy", e]
                    + extra + mode_frames(frames, mode, face))
                run([sys.executable, TWIN, "--weights", model, "--npy", r]
                    + extra + mode_frames(frames, mode, face))
                out[mode] = (logp(e), logp(r))
                fails += compare("%dx%d %s" % (w, h, mode), *out[mode])
            # Controls: the comparison sees the temporal path ...
            n = len(out["still"][1])
            dv = np.abs(out["video"][1][1:n] - out["still"][1][1:n]).max()
            print("  control: twin video vs still, max |d log p| %.3g" % dv)
            if not dv > 10 * MAX_DLOGP:
                fails.append("%dx%d: video equals still (%.3g)" % (w, h, dv))
            # ... and, for the random model, the learned correction.
            if which != "trained":
                c = os.path.join(d, "classic.npy")
                run([sys.executable, CLASSIC, "--npy", c] + frames)
                dc = np.abs(logp(c) - out["video"][1]).max()
                print("  control: twin vs classic, max |d log p| %.3g" % dc)
                if not dc > 0.1:
                    fails.append("%dx%d: random model equals classic (%.3g)"
                                 % (w, h, dc))
            # ... and, where the file has them, the output mixture and
            # the still gate.
            if which in ("random", "random-v4") and not face:
                fails += mix_controls(flags[which], d, frames, out, tmp,
                                      "%dx%d" % (w, h))
            # ... and, on the face clip, the face cue.
            if face and which != "random-v2":
                fails += face_control(model, d, frames, out, tmp)
    for f in fails:
        print("FAIL: " + f)
    print("PASS" if not fails else "%d failures" % len(fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
