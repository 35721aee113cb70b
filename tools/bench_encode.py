#!/usr/bin/python3
"""What saliency-guided encoding costs, against the same encoder without it,
in the same run, as a ratio.

  /usr/bin/python3 tools/bench_encode.py CLIP.mp4 [--bitrate KBPS]
      [--repeat N] [--salmap PATH] [--plugin-path DIR] [--json]

Times whole runs over CLIP (wall clock, one after another, the variants
alternated --repeat times, the median kept):

  decode          filesrc ! decodebin ! videoconvert ! fakesink: the floor
  x264enc         ... ! x264enc (GStreamer's own, speed-preset medium)
  plain           ... ! saliencyenc roi-strength=0 (libx264 medium, no map)
  saliency        ... ! saliency mode=none ! saliencyenc (the default model)
  salmap plain    salmap encode --roi-strength 0
  salmap saliency salmap encode (the default model)

and prints frames per second and each saliency variant's time over its
plain peer's. These machines are noisy: compare ratios within a run, not
absolute figures across runs.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

DECODE = ("filesrc location={clip} ! decodebin ! videoconvert ! "
          "video/x-raw,format=I420")


def variants(clip, kbps, out, salmap):
    """(name, command, output file or None) per variant."""
    dec = DECODE.format(clip=clip)
    gst = ["gst-launch-1.0", "-q"]
    mux = " ! h264parse ! matroskamux ! filesink location=" + out
    return [
        ("decode", gst + (dec + " ! fakesink").split(), None),
        ("x264enc", gst + (dec + " ! x264enc bitrate=%d speed-preset=medium"
                           % kbps + mux).split(), out),
        ("plain", gst + (dec + " ! saliencyenc roi-strength=0 bitrate=%d"
                         % kbps + mux).split(), out),
        ("saliency", gst + (dec + " ! saliency mode=none ! saliencyenc "
                            "bitrate=%d" % kbps + mux).split(), out),
        ("salmap plain", [salmap, "encode", "-q", "--roi-strength", "0",
                          "--bitrate", str(kbps), "-o", out, clip], out),
        ("salmap saliency", [salmap, "encode", "-q", "--bitrate", str(kbps),
                             "-o", out, clip], out),
    ]


def count_frames(salmap, clip):
    """Frames of CLIP, as salmap decodes them (centre model: cheap)."""
    with tempfile.TemporaryDirectory() as tmp:
        npy = os.path.join(tmp, "m.npy")
        p = subprocess.run([salmap, "run", "-q", "--model", "centre",
                            "--npy", npy, clip], stderr=subprocess.DEVNULL)
        if p.returncode != 0:
            return 0
        with open(npy, "rb") as f:
            header = f.read(128).decode("latin1")
        return int(header.split("'shape': (")[1].split(",")[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("clip")
    ap.add_argument("--bitrate", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--salmap",
                    default=os.path.join(ROOT, "build/src/tools/salmap"))
    ap.add_argument("--plugin-path",
                    default=os.path.join(ROOT, "build/plugins/element"))
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()

    os.environ["GST_PLUGIN_PATH"] = a.plugin_path
    frames = count_frames(a.salmap, a.clip)
    with tempfile.TemporaryDirectory() as tmp:
        runs = variants(os.path.abspath(a.clip), a.bitrate,
                        os.path.join(tmp, "out.mkv"), a.salmap)
        times = {name: [] for name, _, _ in runs}
        for r in range(a.repeat):
            # Alternate the order so that drift hits every variant alike.
            for name, cmd, out in (runs if r % 2 == 0 else runs[::-1]):
                t0 = time.perf_counter()
                p = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
                dt = time.perf_counter() - t0
                if p.returncode != 0:
                    sys.exit("%s failed:\n%s" % (name, p.stderr))
                # A pipeline that drops the stream can still exit 0.
                if out and count_frames(a.salmap, out) != frames:
                    sys.exit("%s: %d frames out of %d in" % (
                        name, count_frames(a.salmap, out), frames))
                times[name].append(dt)
                print("run %d %-16s %7.2f s" % (r + 1, name, dt),
                      file=sys.stderr)

    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = {"saliency / plain": med["saliency"] / med["plain"],
             "salmap saliency / salmap plain":
             med["salmap saliency"] / med["salmap plain"]}
    if a.json:
        json.dump({"clip": a.clip, "frames": frames, "bitrate": a.bitrate,
                   "seconds": times, "median": med, "ratio": ratio},
                  sys.stdout, indent=1)
        print()
        return 0
    print("%s: %d frames, %d kbit/s, median of %d runs"
          % (a.clip, frames, a.bitrate, a.repeat))
    print("| variant | seconds | frames/s |")
    print("| --- | --- | --- |")
    for name, _, _ in runs:
        print("| %s | %.2f | %.1f |" % (name, med[name], frames / med[name]))
    for k, v in ratio.items():
        print("%s: %.2f" % (k, v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
