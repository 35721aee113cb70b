"""GLib's GRand in NumPy, and the draws of sal_metrics_draw_jitter and
sal_metrics_draw_splits (src/engine/sal-metrics.h), so that a test can feed
metrics.py the very random numbers the C metrics and `salmap eval` use.

g_rand_new_with_seed (seed) is MT19937 seeded with init_genrand (seed),
which is also what NumPy's legacy RandomState (seed) does; randint over
[0, 2^32) with dtype uint64 hands out its raw 32-bit outputs one by one.
g_rand_double takes two: (a * 2^-32 + b) * 2^-32, drawing again in the
(2^-32 rare) case that this rounds to 1.0.
"""

import numpy as np

T = 2.0 ** -32


class GRand:
    def __init__(self, seed):
        self._rs = np.random.RandomState(seed & 0xFFFFFFFF)

    def ints(self, n):
        return self._rs.randint(0, 2 ** 32, size=n, dtype=np.uint64)

    def double(self):
        while True:
            a, b = self.ints(2)
            u = (float(a) * T + float(b)) * T
            if u < 1.0:
                return u

    def doubles(self, n):
        state = self._rs.get_state()
        raw = self.ints(2 * n).astype(np.float64)
        u = (raw[0::2] * T + raw[1::2]) * T
        if (u >= 1.0).any():
            # A redraw shifts the rest of the stream: replay one by one.
            self._rs.set_state(state)
            u = np.array([self.double() for _ in range(n)])
        return u


def jitter(rand, shape):
    """sal_metrics_draw_jitter: g_rand_double / 1e7 for each pixel."""
    n = int(np.prod(shape))
    return (rand.doubles(n) / 1e7).reshape(shape)


def splits(rand, f, other, n_splits=100):
    """sal_metrics_draw_splits: [n_splits, n] flat indices, or None."""
    n_fix = int((np.asarray(f) > 0).sum())
    cand = np.flatnonzero(np.asarray(other).ravel() > 0)
    m = cand.size
    if n_fix == 0 or m == 0:
        return None
    n = min(n_fix, m)
    out = np.empty((n_splits, n), np.int64)
    for sp in range(n_splits):
        c = cand.copy()
        u = rand.doubles(n)   # each split draws n doubles in a row
        for i in range(n):
            j = min(i + int(np.floor(u[i] * (m - i))), m - 1)
            c[i], c[j] = c[j], c[i]
        out[sp] = c[:n]
    return out
