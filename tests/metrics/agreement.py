#!/usr/bin/python3
"""The C metrics (src/engine/sal-metrics.c, through metrics-driver) against the
NumPy reference (metrics.py) on random maps: sizes from 1 row to 360p,
predictions at another size than the ground truth, constant maps, ties,
sparse and missing fixations, few or no shuffled-AUC negatives. They must
agree to 1e-6, with the same randomness: given (jitter, splits from
NumPy) and drawn by the C side from a seeded GRand (reproduced by
grand.py, as `salmap eval`'s tests rely on).

Usage: agreement.py METRICS-DRIVER      (prints the largest differences)
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import grand  # noqa: E402
import metrics  # noqa: E402

TOL = 1e-6


def make_cases(rng):
    """(name, S, G, F, other) tuples."""
    cases = []

    def fix(shape, p):
        return rng.random(shape) < p

    sizes = [((40, 50), (40, 50)), ((48, 64), (36, 52)), ((36, 52), (48, 64)),
             ((30, 30), (61, 17)), ((1, 9), (1, 9)), ((7, 1), (14, 3)),
             ((90, 160), (360, 640)), ((256, 320), (360, 640)),
             ((13, 11), (13, 11))]
    for k, (ss, gs) in enumerate(sizes):
        s = rng.random(ss) ** 3
        g = rng.random(gs) ** 4
        p = 0.5 if gs[0] * gs[1] < 40 else 0.02
        cases.append(("random %dx%d->%dx%d" % (ss + gs), s, g, fix(gs, p),
                      fix(gs, 3 * p)))
    # An engine-like map: float32, sums to 1, smooth.
    y, x = np.mgrid[0:45, 0:80]
    s = np.exp(-((x - 30) ** 2 + (y - 20) ** 2) / 200.0).astype(np.float32)
    s /= s.sum()
    g = np.exp(-((x - 35) ** 2 + (y - 25) ** 2) / 150.0)
    cases.append(("smooth float32", s, g, fix((45, 80), 0.01),
                  fix((45, 80), 0.05)))
    # Constant maps, each side.
    g = rng.random((20, 30))
    f = fix((20, 30), 0.05)
    o = fix((20, 30), 0.1)
    for c in (1.0, 0.25, 0.3, 1 / 600.0):
        cases.append(("constant S %g" % c, np.full((20, 30), c), g, f, o))
        cases.append(("constant G %g" % c, g, np.full((20, 30), c), f, o))
    cases.append(("constant S resized", np.full((5, 7), 0.3),
                  rng.random((20, 30)), f, o))
    # Ties: a quantised prediction (AUC's tie handling, jitter or not).
    cases.append(("ties", np.round(rng.random((24, 32)) * 3),
                  rng.random((24, 32)), fix((24, 32), 0.1),
                  fix((24, 32), 0.2)))
    cases.append(("zeros in S", np.maximum(rng.random((24, 32)) - 0.7, 0),
                  rng.random((24, 32)), fix((24, 32), 0.05),
                  fix((24, 32), 0.2)))
    # Fixations: none, one, more than the negatives, no negatives.
    s, g = rng.random((16, 16)), rng.random((16, 16))
    none = np.zeros((16, 16), bool)
    one = none.copy()
    one[3, 4] = True
    cases.append(("no fixations", s, g, none, fix((16, 16), 0.2)))
    cases.append(("one fixation", s, g, one, fix((16, 16), 0.2)))
    few = none.copy()
    few[0, 0] = few[15, 15] = True
    cases.append(("few negatives", s, g, fix((16, 16), 0.3), few))
    cases.append(("no negatives", s, g, fix((16, 16), 0.3), none))
    # Fixations as a density would give them: values, not booleans.
    f = (rng.random((16, 16)) < 0.1) * rng.integers(1, 255, (16, 16))
    cases.append(("valued fixations", s, g, f.astype(np.uint8),
                  fix((16, 16), 0.2)))
    return cases


def write(tmp, name, a):
    path = os.path.join(tmp, name + ".npy")
    np.save(path, a)
    return path


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if np.isnan(a) or np.isnan(b):
        return bool(np.isnan(a) and np.isnan(b))
    return abs(a - b) <= TOL


def main():
    driver = sys.argv[1]
    rng = np.random.default_rng(20240601)
    worst = {}
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed, (name, s, g, f, other) in enumerate(make_cases(rng)):
            f = np.asarray(f)
            jit = rng.random(f.shape) / 1e7
            fb = f > 0
            ind = np.flatnonzero(np.asarray(other).ravel() > 0)
            n_oth = min(int(fb.sum()), ind.size)
            spl = None
            if n_oth > 0:
                spl = np.stack([rng.permutation(ind)[:n_oth]
                                for _ in range(20)])
            args = [driver, write(tmp, "s", s), write(tmp, "g", g),
                    write(tmp, "f", f), write(tmp, "o", other),
                    write(tmp, "j", jit),
                    write(tmp, "sp", spl) if spl is not None else "-",
                    str(seed)]
            out = subprocess.run(args, stdout=subprocess.PIPE, check=True,
                                 text=True).stdout
            c = json.loads(out)

            rand = grand.GRand(seed)
            seeded_jitter = grand.jitter(rand, f.shape)
            seeded_splits = grand.splits(rand, f, other)
            with np.errstate(all="ignore"):
                ref = {
                    "CC": metrics.cc(s, g),
                    "SIM": metrics.sim(s, g),
                    "KLD": metrics.kld(s, g),
                    "NSS": metrics.nss(s, f),
                    "AUC-Judd": metrics.auc_judd(s, f, jitter=jit),
                    "AUC-Judd-nojitter": metrics.auc_judd(s, f,
                                                          jitter=False),
                    "sAUC": (metrics.shuffled_auc(s, f, other, splits=spl)
                             if spl is not None else None),
                    "AUC-Judd-seeded": metrics.auc_judd(
                        s, f, jitter=seeded_jitter),
                    "sAUC-seeded": (metrics.shuffled_auc(
                        s, f, other, splits=seeded_splits)
                        if seeded_splits is not None else float("nan")),
                }
            for k, r in ref.items():
                v = c.get(k)
                if not same(v, r):
                    failures.append("%s: %s C %r NumPy %r" % (name, k, v, r))
                elif v is not None and not np.isnan(v):
                    worst[k] = max(worst.get(k, 0.0), abs(v - r))
    for k, w in sorted(worst.items()):
        print("%-18s max |C - NumPy| = %.3g" % (k, w))
    for line in failures:
        print("MISMATCH", line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
