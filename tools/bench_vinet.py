#!/usr/bin/python3
"""Engine vs PyTorch on the same ViNet-S checkpoint, in the same run, as a
ratio (the ViNet-S sibling of tools/bench_peer.py).

  /usr/bin/python3 tools/bench_vinet.py CHECKPOINT.pth [--salmap PATH]
      [--frames N] [--rounds R] [--threads T] [--json]

Converts CHECKPOINT with tools/convert_vinet.py, then R times in turn:
`salmap bench --json` (synthetic 384x224 frames one at a time, the ring
carried: a new frame's conv_s plus the clip's pass, with pre- and
post-processing) and tools/vinet_reference.py (upstream's operations in
PyTorch, one 32-frame clip per frame as upstream's test mode) on N clips.
Prints the medians and speed-up = torch ms / engine ms per frame. The runs
alternate because this machine is shared: compare ratios, not absolute
figures across runs.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vinet_reference as ref  # noqa: E402


def torch_ms(model, clips, warmup):
    times = []
    with torch.no_grad():
        for i, x in enumerate(clips):
            t0 = time.perf_counter()
            model(x)
            if i >= warmup:
                times.append(1000 * (time.perf_counter() - t0))
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("checkpoint")
    ap.add_argument("--salmap", default=os.path.join(
        HERE, "..", "build", "src", "tools", "salmap"))
    ap.add_argument("--frames", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    model = ref.ViNetS(ref.load_weights(a.checkpoint))
    g = torch.Generator().manual_seed(0)
    clips = [torch.randn(1, 3, ref.CLIP, ref.H, ref.W, generator=g)
             for _ in range(2)]
    engine, peer = [], []
    with tempfile.TemporaryDirectory(prefix="bench-vinet-") as tmp:
        st = os.path.join(tmp, "vinet.safetensors")
        subprocess.run([sys.executable, os.path.join(HERE,
                                                     "convert_vinet.py"),
                        a.checkpoint, st], check=True,
                       stdout=subprocess.DEVNULL)
        for r in range(a.rounds):
            p = subprocess.run([a.salmap, "bench", "--model", st,
                                "--frames", str(a.frames), "--json"],
                               stdout=subprocess.PIPE, check=True,
                               text=True)
            e = json.loads(p.stdout)
            engine.append(e["ms_per_frame"])
            peer += torch_ms(model, [clips[i % 2] for i in
                                     range(a.frames + (r == 0))],
                             1 if r == 0 else 0)
            print("round %d: engine %.0f ms/frame, torch %.0f ms/clip"
                  % (r, engine[-1], np.median(peer[-a.frames:])),
                  file=sys.stderr, flush=True)
    em, tm = float(np.median(engine)), float(np.median(peer))
    result = {
        "frames": a.frames, "rounds": a.rounds,
        "engine_ms_per_frame": em, "engine_device": e["device"],
        "torch_ms_per_frame": tm, "torch_threads": a.threads,
        "torch_version": torch.__version__, "speedup": tm / em,
    }
    if a.json:
        print(json.dumps(result))
    else:
        print("ViNet-S 32x224x384, stride-1 clips, median ms/frame over %d "
              "rounds of %d" % (a.rounds, a.frames))
        print("  engine  %9.1f  (%s)" % (em, e["device"]))
        print("  torch   %9.1f  (PyTorch %s, %d threads)"
              % (tm, torch.__version__, a.threads))
        print("  speed-up (torch / engine): %.2fx" % result["speedup"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
