#!/usr/bin/python3
"""The classic model (tools/classic_reference.py, the specification) in
batched PyTorch, for training the default model on augmented data: the
classic map S must be recomputed on every crop, flip and colour change,
and the NumPy reference takes about a second per map.

  s = classic_still(x)              # x [N, 3, H, W] in [0, 1] -> [N, H, W]
  s = classic_clip(xs)              # xs [N, T, 3, H, W] -> [N, T, H, W]
                                    # video mode from a reset at t = 0

Same arithmetic as the reference (separable Gaussians with clamped
borders, here as matrix products), in the tensor's dtype; the self-test
(`/usr/bin/python3 tools/classic_torch.py`) checks it against the
reference to float32 noise.
"""

import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import classic_reference as ref  # noqa: E402

_TAPS = {}


def _taps(sigma, dtype):
    key = (sigma, dtype)
    if key not in _TAPS:
        _TAPS[key] = torch.from_numpy(ref.gaussian_taps(sigma)).to(dtype)
    return _TAPS[key]


def blur_matrix(n, sigma, dtype):
    """[n, n]: the 1D Gaussian of the reference with clamped borders, as a
    matrix (the clamped taps fold onto the edge pixels)."""
    key = (n, sigma, dtype)
    if key not in _TAPS:
        k = ref.gaussian_taps(sigma)
        r = (k.size - 1) // 2
        m = np.zeros((n, n))
        for i in range(n):
            np.add.at(m[i], np.clip(np.arange(i - r, i + r + 1), 0, n - 1),
                      k)
        _TAPS[key] = torch.from_numpy(m).to(dtype)
    return _TAPS[key]


def blur(x, sigma):
    """Separable Gaussian over the last two axes of x [..., H, W], borders
    clamped: two matrix products, much faster than 97-tap convolutions."""
    h, w = x.shape[-2:]
    return (blur_matrix(h, sigma, x.dtype) @ x
            @ blur_matrix(w, sigma, x.dtype).T)


def _prior(h, w, dtype):
    return torch.from_numpy(ref.centre_prior(h, w)).to(dtype)


def _features(x):
    """x [N, 3, H, W] -> (contrast [N, H, W], motion input Lm [N, H, W])."""
    r, g, b = x[:, 0], x[:, 1], x[:, 2]
    c = torch.stack([(r + g + b) / 3, r - g, b - (r + g) / 2], 1)
    bl = [blur(c, 2.0 ** k) for k in range(ref.N_SCALES)]
    wch = torch.tensor([1.0, ref.COLOUR_WEIGHT, ref.COLOUR_WEIGHT],
                       dtype=x.dtype).view(1, 3, 1, 1)
    dog = sum((torch.abs(bl[k] - bl[k + 1]) * wch).sum(1)
              for k in range(ref.N_SCALES - 1))
    return blur(dog, ref.POST_SIGMA), bl[ref.MOTION_SIGMA_INDEX][:, 0]


def _combine(con, mo):
    h, w = con.shape[-2:]
    mean = con.mean((-2, -1), keepdim=True)
    return _prior(h, w, con.dtype) * (ref.FLOOR + con / (mean + ref.MEAN_EPS)
                                      + ref.MOTION_WEIGHT * mo) ** ref.GAMMA


@torch.no_grad()
def classic_still(x):
    con, _ = _features(x)
    return _combine(con, torch.zeros_like(con))


@torch.no_grad()
def classic_clip(xs, with_motion=False):
    """xs [N, T, 3, H, W]: video mode from a reset at frame 0. With
    with_motion, also the blurred motion A [N, T, H, W] before its squash
    (zeros at frame 0), the default model's v4 cue."""
    n, t = xs.shape[:2]
    con, lm = _features(xs.reshape(n * t, *xs.shape[2:]))
    con = con.reshape(n, t, *con.shape[-2:])
    lm = lm.reshape(n, t, *lm.shape[-2:])
    out, mot, prev = [], [], None
    for i in range(t):
        if i == 0:
            a = torch.zeros_like(con[:, 0])
            s = _combine(con[:, 0], a)
        else:
            d = min(i, ref.RING)
            a = blur(torch.abs(lm[:, i] - lm[:, i - d]), ref.POST_SIGMA)
            s = _combine(con[:, i], a / (a + ref.MOTION_TAU))
            s = ref.EMA_ALPHA * s + (1 - ref.EMA_ALPHA) * prev
        out.append(s)
        mot.append(a)
        prev = s
    if with_motion:
        return torch.stack(out, 1), torch.stack(mot, 1)
    return torch.stack(out, 1)


def _self_test():
    rng = np.random.default_rng(3)
    frames = [rng.random((3, 41, 67)) for _ in range(7)]
    for i in range(1, 7):  # correlated frames, so that motion is partial
        frames[i] = 0.8 * frames[i - 1] + 0.2 * frames[i]
    m = ref.ClassicModel()
    want = np.stack([m.forward(f) for f in frames])
    got = classic_clip(torch.from_numpy(np.stack(frames))[None])[0].numpy()
    err_v = np.abs(got - want).max() / want.max()
    want_s = ref.ClassicModel().forward(frames[2], still=True)
    got_s = classic_still(torch.from_numpy(frames[2])[None])[0].numpy()
    err_s = np.abs(got_s - want_s).max() / want_s.max()
    print("classic_torch vs classic_reference: video %.2e, still %.2e"
          % (err_v, err_s))
    return 0 if max(err_v, err_s) < 1e-9 else 1


if __name__ == "__main__":
    sys.exit(_self_test())
