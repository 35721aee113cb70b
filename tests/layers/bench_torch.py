#!/usr/bin/env python3
"""torch.nn.functional.conv2d on the SPECs of layers-bench, for comparison:

  /usr/bin/python3 tests/layers/bench_torch.py [--threads N] [SPEC ...]

Same SPEC syntax ("unisal" included), same figure (the best of the runs
within a second, at least 5), same ReLU6 applied in place after the
convolution (our kernels fuse it). Default: 2 threads, layers-bench's
default SPECs.
"""

import re
import sys
import time

import torch
import torch.nn.functional as F

DEFAULT = ["pw:96,576,14,24", "pw:384,768,28,48", "pw:32,192,56,96",
           "pw:576,96,14,24", "pw:1296,256,7,12", "pw:16,96,112,192",
           "dw:96,112,192,1", "dw:96,112,192,2", "dw:576,14,24,1",
           "dense:3,32,224,384,3,2", "smooth:224,384"]


UNISAL = """dense:3,32,224,384,3,2 dw:32,112,192,1 pw:32,16,112,192
pw:16,96,112,192 dw:96,112,192,2 pw:96,24,56,96 pw:24,144,56,96*2
dw:144,56,96,1 pw:144,24,56,96 dw:144,56,96,2 pw:144,32,28,48
pw:32,192,28,48*3 dw:192,28,48,1*3 pw:192,32,28,48*2 pw:192,64,28,48
pw:64,384,14,24*4 dw:384,14,24,1*4 pw:384,64,14,24*3 pw:384,96,14,24
pw:96,576,14,24*3 dw:576,14,24,1*3 pw:576,96,14,24*2 pw:576,160,14,24
pw:160,960,7,12*3 dw:960,7,12,1*3 pw:960,160,7,12*2 pw:960,320,7,12
pw:320,1280,7,12 dw:1296,7,12,1 pw:1296,256,7,12 dw:256,7,12,1*6
pw:256,256,7,12*7 pw:160,320,14,24 pw:320,128,14,24 pw:384,768,14,24
dw:768,14,24,1 pw:768,128,14,24 pw:64,128,28,48 pw:128,64,28,48
pw:192,384,28,48 dw:384,28,48,1 pw:384,64,28,48 pw:64,1,28,48
smooth:224,384""".split()


def parse(spec):
    spec = spec.partition("*")[0]
    kind, _, nums = spec.partition(":")
    n = [int(v) for v in re.split(",", nums)]
    if kind == "pw":
        cin, cout, h, w = n
        return cin, cout, h, w, 1, 1, 1, "zeros"
    if kind == "dw":
        c, h, w, s = n
        return c, c, h, w, 3, s, c, "zeros"
    if kind == "dense":
        cin, cout, h, w, k, s = n
        return cin, cout, h, w, k, s, 1, "zeros"
    if kind == "smooth":
        h, w = n
        return 1, 1, h, w, 41, 1, 1, "replicate"
    raise SystemExit(f"bad spec {spec}")


def main():
    args = sys.argv[1:]
    threads = 2
    if args[:1] == ["--threads"]:
        threads = int(args[1])
        args = args[2:]
    torch.set_num_threads(threads)
    print(f"torch {torch.__version__}, {threads} threads")
    specs = []
    for a in args or DEFAULT:
        specs += UNISAL if a == "unisal" else [a]
    totals = {"pw": 0.0, "dw": 0.0, "dense": 0.0, "smooth": 0.0}
    flop = 0.0
    for spec in specs:
        count = int(spec.partition("*")[2] or 1)
        cin, cout, h, w, k, s, g, mode = parse(spec)
        conv = torch.nn.Conv2d(cin, cout, k, s, k // 2, groups=g,
                               bias=False, padding_mode=mode)
        x = torch.randn(1, cin, h, w)
        with torch.no_grad():
            for _ in range(3):
                F.relu6(conv(x), inplace=True)
            best, n, t0 = float("inf"), 0, time.perf_counter()
            while True:
                start = time.perf_counter()
                y = F.relu6(conv(x), inplace=True)
                t = time.perf_counter()
                best = min(best, t - start)
                n += 1
                if t - t0 >= 1.0 and n >= 5:
                    break
        macs = cout * y.shape[2] * y.shape[3] * (cin // g) * k * k
        print(f"{spec:24s} {best * 1e3:9.3f} ms "
              f"{2 * macs / best / 1e9:8.1f} GFLOP/s")
        totals[spec.partition(":")[0]] += best * count
        flop += 2 * macs * count
    total = sum(totals.values())
    print(f"total {total * 1e3:.3f} ms ({flop / total / 1e9:.1f} GFLOP/s): "
          + ", ".join(f"{k} {v * 1e3:.3f}" for k, v in totals.items())
          + " ms")


if __name__ == "__main__":
    main()
