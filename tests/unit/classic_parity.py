#!/usr/bin/env python3
"""The OpenCL classic model (via `salmap run --model classic --npy`) against
its NumPy specification, tools/classic_reference.py, on synthetic frames
made here: a textured background, a coloured disc and a moving square.

  /usr/bin/python3 tests/unit/classic_parity.py [SALMAP]

SALMAP defaults to $SALMAP, else $SALIENCY_BUILD_ROOT/src/tools/salmap.
Exits 77 (skip) when salmap or PIL is missing.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))

import classic_reference as ref  # noqa: E402

# float32 on the device against float64 here, relative to the map's max.
MAX_REL_ERR = 1e-5


def make_frames(w, h, n, seed):
    """n uint8 RGB frames: smooth colour texture, a fixed disc off-centre,
    a bright square moving right by 3 px a frame."""
    rng = np.random.default_rng(seed)
    noise = rng.random((3, h // 8 + 2, w // 8 + 2))
    # Smooth texture: nearest-upscaled noise, blurred.
    tex = noise[:, (np.arange(h) // 8)][:, :, (np.arange(w) // 8)]
    tex = ref.blur(tex, 3.0)
    yy, xx = np.mgrid[:h, :w]
    frames = []
    for t in range(n):
        img = 0.3 + 0.3 * tex
        disc = (xx - 0.3 * w) ** 2 + (yy - 0.6 * h) ** 2 < (0.12 * h) ** 2
        img[:, disc] = np.array([0.9, 0.1, 0.1])[:, None]
        x0 = int(0.5 * w) + 3 * t
        img[:, h // 4:h // 4 + h // 8, x0:x0 + h // 8] = 1.0
        frames.append((np.clip(img, 0, 1) * 255 + 0.5).astype(np.uint8)
                      .transpose(1, 2, 0).copy())
    return frames


def run_salmap(salmap, paths, still, out):
    cmd = [salmap, "run", "--quiet", "--model", "classic", "--npy", out]
    if still:
        cmd.append("--still")
    subprocess.run(cmd + paths, check=True)
    return np.load(out)


def check(salmap, tmp, name, w, h, n, still):
    from PIL import Image

    frames = make_frames(w, h, n, seed=w * 1000 + h)
    paths = []
    for i, f in enumerate(frames):
        p = os.path.join(tmp, "%s-%02d.png" % (name, i))
        Image.fromarray(f).save(p)
        paths.append(p)
    got = run_salmap(salmap, paths, still, os.path.join(tmp, name + ".npy"))
    want = np.stack(list(ref.run_frames(frames, still=still)))
    assert got.shape == want.shape, (got.shape, want.shape)
    sums = got.reshape(n, -1).sum(1)
    assert np.allclose(sums, 1.0, atol=1e-4), sums
    err = [float(np.abs(g - r).max() / r.max()) for g, r in zip(got, want)]
    print("%-6s %dx%d %s, net %dx%d: max rel err per frame %s" %
          (name, w, h, "still" if still else "video",
           *ref.choose_size(w, h), " ".join("%.1e" % e for e in err)))
    assert max(err) < MAX_REL_ERR, "%s: error %g" % (name, max(err))
    return got


def main():
    try:
        import PIL  # noqa: F401
    except ImportError:
        print("skip: no PIL")
        return 77
    salmap = (sys.argv[1] if len(sys.argv) > 1 else os.environ.get("SALMAP")
              or os.path.join(os.environ.get("SALIENCY_BUILD_ROOT", ""),
                              "src", "tools", "salmap"))
    if not os.access(salmap, os.X_OK):
        print("skip: no salmap at %r" % salmap)
        return 77

    with tempfile.TemporaryDirectory() as tmp:
        # Shrinking (area filter) in video mode: motion, ring wrap, EMA.
        video = check(salmap, tmp, "video", 160, 96, 7, still=False)
        # Enlarging (bilinear), portrait, independent frames.
        check(salmap, tmp, "still", 90, 120, 2, still=True)
        # Still mode must differ from video once there is history.
        still = check(salmap, tmp, "video", 160, 96, 7, still=True)
        assert np.allclose(video[0], still[0], rtol=1e-5, atol=1e-9)
        assert np.abs(video[-1] - still[-1]).max() > 1e-3 * video[-1].max()
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
