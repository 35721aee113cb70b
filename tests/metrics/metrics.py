"""Saliency metrics in NumPy, as the MIT/Tuebingen benchmark defines them.

The definitions follow the benchmark's MATLAB code (cvzoya/saliency,
code_forMetrics/*.m); see /work/shared/design/metrics.md. The C version in
`salmap eval` must agree with these to 1e-6 on random maps, so every step
that could be done two ways is pinned down here:

- Arithmetic is float64 throughout.
- S is the prediction, G the continuous fixation density, F the binary
  fixation map (F > 0 is a fixation).  S is resized to the ground truth's
  size with `resize_bilinear` when the sizes differ (callers may also
  resize themselves).
- A constant map cannot be z-scored or min-max normalised. Conventions:
  CC and NSS return 0 (what a uniform prediction deserves); SIM treats a
  constant map as uniform; AUC-Judd / shuffled AUC return 0.5 for a constant
  S. A map with no fixations gives NaN for NSS and the AUCs.
- Randomness (AUC-Judd's jitter, shuffled AUC's splits) is injected, so
  that another implementation can be fed the same numbers.

Usage: import metrics; metrics.cc(S, G) ...
"""

import numpy as np

EPS = 2.2204e-16  # the benchmark's epsilon (MATLAB eps)


def resize_bilinear(img, out_h, out_w):
    """Bilinear resize with half-pixel centres and edge clamping (like
    OpenCV INTER_LINEAR / torch align_corners=False, no antialiasing)."""
    img = np.asarray(img, dtype=np.float64)
    in_h, in_w = img.shape
    if (in_h, in_w) == (out_h, out_w):
        return img.copy()

    def axis(n_in, n_out):
        x = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        x = np.clip(x, 0.0, n_in - 1)
        x0 = np.floor(x).astype(np.int64)
        x1 = np.minimum(x0 + 1, n_in - 1)
        return x0, x1, x - x0

    y0, y1, fy = axis(in_h, out_h)
    x0, x1, fx = axis(in_w, out_w)
    top = img[y0][:, x0] * (1 - fx) + img[y0][:, x1] * fx
    bot = img[y1][:, x0] * (1 - fx) + img[y1][:, x1] * fx
    return top * (1 - fy)[:, None] + bot * fy[:, None]


def _as_map(s, shape):
    s = np.asarray(s, dtype=np.float64)
    if s.shape != tuple(shape):
        s = resize_bilinear(s, shape[0], shape[1])
    return s


def _minmax(x):
    lo, hi = x.min(), x.max()
    if hi - lo <= 0:
        return None
    return (x - lo) / (hi - lo)


def cc(s, g):
    """Pearson correlation of the z-scored maps."""
    g = np.asarray(g, dtype=np.float64)
    s = _as_map(s, g.shape)
    s = s - s.mean()
    g = g - g.mean()
    ss, gg = np.sqrt((s * s).sum()), np.sqrt((g * g).sum())
    if ss == 0 or gg == 0:
        return 0.0
    return float((s * g).sum() / (ss * gg))


def sim(s, g):
    """Histogram intersection of the min-max normalised, sum-1 maps."""
    g = np.asarray(g, dtype=np.float64)
    s = _as_map(s, g.shape)
    out = []
    for m in (s, g):
        n = _minmax(m)
        if n is None:
            n = np.ones_like(m)
        out.append(n / n.sum())
    return float(np.minimum(out[0], out[1]).sum())


def kld(s, g):
    """KL divergence of G from S, each divided by its sum."""
    g = np.asarray(g, dtype=np.float64)
    s = _as_map(s, g.shape)
    s = s / s.sum()
    g = g / g.sum()
    return float((g * np.log(EPS + g / (s + EPS))).sum())


def nss(s, f):
    """Mean of the z-scored S (std with N-1) over fixated pixels."""
    f = np.asarray(f) > 0
    s = _as_map(s, f.shape)
    if not f.any():
        return float("nan")
    # Test constancy directly: the float mean of a constant map can differ
    # from its value, leaving a tiny non-zero std.
    if s.max() == s.min():
        return 0.0
    sd = s.std(ddof=1)
    return float(((s - s.mean()) / sd)[f].mean())


def auc_judd(s, f, jitter=True, rng=None):
    """AUC-Judd. jitter: True (1e-7 * uniform noise from rng, default a
    fixed seed), False, or an array of the noise to add (shape of F)."""
    f = np.asarray(f) > 0
    s = _as_map(s, f.shape)
    if not f.any():
        return float("nan")
    if jitter is True:
        rng = rng if rng is not None else np.random.default_rng(0)
        s = s + rng.random(s.shape) / 1e7
    elif jitter is not False and jitter is not None:
        s = s + np.asarray(jitter, dtype=np.float64)
    s = _minmax(s)
    if s is None:
        return 0.5
    s = s.ravel()
    f = f.ravel()
    sth = np.sort(s[f])[::-1]
    n_fix, n_pix = sth.size, s.size
    # #{S >= thr_i} for each threshold, by binary search in sorted S
    s_sorted = np.sort(s)
    above = n_pix - np.searchsorted(s_sorted, sth, side="left")
    i = np.arange(1, n_fix + 1)
    tp = np.concatenate(([0.0], i / n_fix, [1.0]))
    fp = np.concatenate(([0.0], (above - i) / (n_pix - n_fix), [1.0]))
    return float(np.trapz(tp, fp))


def shuffled_auc(s, f, other, n_splits=100, step=0.1, rng=None, splits=None):
    """Shuffled AUC (AUC-Borji with negatives from other images' fixations).

    other: binary map, the union of fixations of other frames/images.
    splits: optional [n_splits, n] int array of flat indices into S to use
    as negatives (n = min(N, #other)); else drawn from rng (seed 0)."""
    f = np.asarray(f) > 0
    other = np.asarray(other) > 0
    s = _as_map(s, f.shape)
    if not f.any():
        return float("nan")
    s = _minmax(s)
    if s is None:
        return 0.5
    s = s.ravel()
    sth = s[f.ravel()]
    n_fix = sth.size
    ind = np.flatnonzero(other.ravel())
    n_oth = min(n_fix, ind.size)
    if n_oth == 0:
        return float("nan")
    if splits is None:
        rng = rng if rng is not None else np.random.default_rng(0)
        splits = np.stack([rng.permutation(ind)[:n_oth]
                           for _ in range(n_splits)])
    aucs = []
    for neg_idx in splits:
        curfix = s[neg_idx]
        top = max(sth.max(), curfix.max())
        # 0:step:top, descending (MATLAB colon, endpoint within tolerance)
        k = int(np.floor(top / step + 1e-10))
        thr = (np.arange(k + 1) * step)[::-1]
        tp = (sth[None, :] >= thr[:, None]).sum(1) / n_fix
        fp = (curfix[None, :] >= thr[:, None]).sum(1) / n_oth
        tp = np.concatenate(([0.0], tp, [1.0]))
        fp = np.concatenate(([0.0], fp, [1.0]))
        aucs.append(np.trapz(tp, fp))
    return float(np.mean(aucs))


def centre_prior(h, w, sigma_frac=0.25):
    """A centred Gaussian, sigma = sigma_frac * each side (the baseline)."""
    y = (np.arange(h) + 0.5) / h - 0.5
    x = (np.arange(w) + 0.5) / w - 0.5
    gy = np.exp(-0.5 * (y / sigma_frac) ** 2)
    gx = np.exp(-0.5 * (x / sigma_frac) ** 2)
    return np.outer(gy, gx)


def _self_test():
    rng = np.random.default_rng(1)
    g = rng.random((40, 50)) ** 4
    f = rng.random((40, 50)) > 0.97
    assert abs(cc(g, g) - 1) < 1e-12
    assert abs(sim(g, g) - 1) < 1e-12
    assert abs(kld(g, g)) < 1e-9
    r0 = rng.random((40, 50))
    u = np.ones((40, 50))
    assert cc(u, g) == 0.0
    assert auc_judd(u, f, jitter=False) == 0.5
    assert abs(auc_judd(u, f) - 0.5) < 0.15
    # fixations strictly above every other pixel: perfect AUC
    assert abs(auc_judd(f + 0.5 * r0, f, jitter=False) - 1) < 1e-12
    # a random map: AUC near 0.5
    r = rng.random((40, 50))
    assert abs(auc_judd(r, f) - 0.5) < 0.15
    print("metrics self-test ok")


if __name__ == "__main__":
    _self_test()
