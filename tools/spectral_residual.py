#!/usr/bin/env python3
"""Spectral residual saliency (Hou & Zhang, CVPR 2007) times a centre
prior: a weight-free baseline for `salmap eval` and tools/ evaluations.

This file is the specification of the engine's built-in model "sr"
(`salmap run --model sr`; src/models/sr/sal-spectral-residual.c, src/models/sr/sal-arch-sr.c),
and tests/cli/salmap_test.py's sr cases compare the two. It follows OpenCV's
cv2.saliency.StaticSaliencySpectralResidual (opencv_contrib 4.6), in
float64 throughout where OpenCV rounds to uint8 twice (grey, resize):

  grey    Y = 0.299 R + 0.587 G + 0.114 B                (0..255)
  resize  y = bilinear(Y) to 64 x 64 (OpenCV INTER_LINEAR, as
          tests/metrics/metrics.py's resize_bilinear: pixel centres
          at (i + 0.5) * in / out - 0.5, clamped to the edge; no
          anti-aliasing, as OpenCV's 64 x 64, aspect not kept)
  FFT     F = DFT2(y);  L = log max(|F|, 1e-6);  P = arg F (0 where F = 0)
          (the floor: flat synthetic images have exact zeros, whose log
          would be -inf; real images' spectra lie far above it)
  residual R = L - box3x3(L)   (borders reflected without repeating the
          edge, OpenCV's BORDER_DEFAULT)
  back    m = |IDFT2(exp(R + iP))|
  smooth  s = (G * m)^2, G the 5 x 5 Gaussian of sigma 8 (same borders);
          s /= max(s)  (s = 1 where max(s) is not positive and finite)
  resize  S = bilinear(s) to the image's H x W (INTER_LINEAR as above)
  prior   C(y, x) = exp(-u^2 / 2) exp(-v^2 / 2), u = ((x + .5) / W - .5) /
          0.25, v likewise with H: the engine's `centre` model
          (kernels/centre.cl, sigma 0.25 of each side), fixed for every set
  map     S * C / sum(S * C)

`sr_map_opencv` runs OpenCV's own (when python3-opencv is installed), to
check that the above is what OpenCV computes up to its uint8 rounding.

Usage as a tool:
  /usr/bin/python3 tools/spectral_residual.py [--opencv] [--no-centre]
      --npy out.npy IMAGE...      (one image: H x W; more: N x H x W, all
                                   of one size)
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "metrics"))
# OpenCV's INTER_LINEAR, and the centre prior of the `centre` model.
from metrics import centre_prior, resize_bilinear  # noqa: E402

SR_SIZE = 64          # OpenCV's resImWidth = resImHeight
BLUR_SIZE = 5         # OpenCV's GaussianBlur (Size (5, 5), 8)
BLUR_SIGMA = 8.0
CENTRE_SIGMA = 0.25   # src/models/centre/sal-arch-centre.c CENTRE_SIGMA
LOG_FLOOR = 1e-6      # |F| below this counts as this (log of 0)


def grey(rgb):
    rgb = np.asarray(rgb, dtype=np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def _reflect101(a, r):
    return np.pad(a, r, mode="reflect")   # NumPy's reflect = OpenCV's 101


def _filter_sep(a, k):
    """Separable filter of a 2-D array with the 1-D kernel k (odd)."""
    r = len(k) // 2
    p = _reflect101(a, r)
    rows = sum(k[i] * p[i:i + a.shape[0], :] for i in range(len(k)))
    return sum(k[i] * rows[:, i:i + a.shape[1]] for i in range(len(k)))


def gaussian_kernel(size, sigma):
    x = np.arange(size) - (size - 1) / 2
    k = np.exp(-x ** 2 / (2 * sigma ** 2))
    return k / k.sum()


def sr_small(rgb):
    """The spectral residual map at 64 x 64, its maximum 1."""
    y = resize_bilinear(grey(rgb), SR_SIZE, SR_SIZE)
    f = np.fft.fft2(y)
    log_amp = np.log(np.maximum(np.abs(f), LOG_FLOOR))
    residual = log_amp - _filter_sep(log_amp, np.full(3, 1.0 / 3))
    m = np.abs(np.fft.ifft2(np.exp(residual + 1j * np.angle(f))))
    s = _filter_sep(m, gaussian_kernel(BLUR_SIZE, BLUR_SIGMA)) ** 2
    top = s.max()
    return s / top if np.isfinite(top) and top > 0 else np.ones_like(s)


def sr_map(rgb):
    """Spectral residual at the image's size, its maximum about 1."""
    h, w = np.asarray(rgb).shape[:2]
    return resize_bilinear(sr_small(rgb), h, w)


def sr_map_opencv(rgb):
    """OpenCV's spectral residual (needs python3-opencv), for checks."""
    import cv2
    bgr = np.ascontiguousarray(np.asarray(rgb, dtype=np.uint8)[..., ::-1])
    ok, s = cv2.saliency.StaticSaliencySpectralResidual_create() \
        .computeSaliency(bgr)
    if not ok:
        raise RuntimeError("cv2 spectral residual failed")
    return s.astype(np.float64)


def with_centre(s):
    m = s * centre_prior(*s.shape, CENTRE_SIGMA)
    return m / m.sum()


def sr_centre_map(rgb):
    """Spectral residual x centre prior, H x W float64 summing to 1."""
    return with_centre(sr_map(rgb))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--npy", required=True, help="output .npy")
    ap.add_argument("--opencv", action="store_true",
                    help="OpenCV's spectral residual instead of NumPy's")
    ap.add_argument("--no-centre", action="store_true",
                    help="spectral residual alone (max 1, no prior)")
    ap.add_argument("images", nargs="+")
    args = ap.parse_args(argv)

    from PIL import Image
    maps = []
    for p in args.images:
        rgb = np.asarray(Image.open(p).convert("RGB"))
        s = sr_map_opencv(rgb) if args.opencv else sr_map(rgb)
        maps.append(s if args.no_centre else with_centre(s))
    out = maps[0] if len(maps) == 1 else np.stack(maps)
    np.save(args.npy, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
