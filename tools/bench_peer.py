#!/usr/bin/python3
"""Engine vs PyTorch on the same UNISAL weights, in the same run, as a ratio.

  /usr/bin/python3 tools/bench_peer.py MODEL.safetensors [--salmap PATH]
      [--net-size HxW] [--frames N] [--threads T] [--json]

Runs `salmap bench --json` (synthetic frames at the network size, one at a
time, state carried: pre-processing + network + post-processing) and then
tools/unisal_reference.py's forward pass in PyTorch on frames of the same
size, streaming with the same ring, and prints both medians and
speed-up = torch ms / engine ms. The two run back to back because these
machines are noisy: compare ratios, not absolute figures across runs.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import unisal_reference as ref  # noqa: E402


def torch_bench(weights, net_hw, frames, threads, warmup=3):
    torch.set_num_threads(threads)
    sd, meta = ref.load_weights(weights)
    net = ref.Unisal(sd, "DHF1K", float(meta.get("bn_eps", ref.BN_EPS)))
    stream = ref.Stream(net, int(meta.get("modulo_DHF1K", 5)))
    g = torch.Generator().manual_seed(0)
    xs = [torch.randn((1, 3) + net_hw, generator=g) for _ in range(4)]
    times = []
    with torch.no_grad():
        for i in range(frames + warmup):
            t0 = time.perf_counter()
            stream.push(xs[i % len(xs)], False, net_hw)
            if i >= warmup:
                times.append(1000 * (time.perf_counter() - t0))
    return float(np.median(times))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model")
    ap.add_argument("--salmap", default=os.path.join(
        HERE, "..", "build", "src", "tools", "salmap"))
    ap.add_argument("--net-size", default="224x384")
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    net_hw = tuple(int(v) for v in a.net_size.lower().split("x"))
    p = subprocess.run([a.salmap, "bench", "--model", a.model, "--net-size",
                        a.net_size, "--frames", str(a.frames), "--json"],
                       stdout=subprocess.PIPE, check=True, text=True)
    engine = json.loads(p.stdout)
    torch_ms = torch_bench(a.model, net_hw, a.frames, a.threads)
    result = {
        "net_size": a.net_size, "frames": a.frames,
        "engine_ms_per_frame": engine["ms_per_frame"],
        "engine_device": engine["device"],
        "torch_ms_per_frame": torch_ms, "torch_threads": a.threads,
        "torch_version": torch.__version__,
        "speedup": torch_ms / engine["ms_per_frame"],
    }
    if a.json:
        print(json.dumps(result))
    else:
        print("UNISAL %s, %d frames, streaming, median ms/frame"
              % (a.net_size, a.frames))
        print("  engine  %8.2f  (%s)" % (engine["ms_per_frame"],
                                        engine["device"]))
        print("  torch   %8.2f  (PyTorch %s, %d threads)"
              % (torch_ms, torch.__version__, a.threads))
        print("  speed-up (torch / engine): %.2fx" % result["speedup"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
