#!/usr/bin/python3
"""Rate-quality of saliency-guided encoding: salmap encode at several
bitrates with the saliency model, without offsets (--roi-strength 0) and with
the centre prior (--model centre), or with the pre-filter (--variants),
scored by salmap encode-eval against each clip's own eye tracking,
summarised as BD-rate at equal EW-PSNR.

Each CLIP is a folder in the DHF1K layout: images/NNNN.jpg (the reference
frames) and maps/NNNN.png (human fixation density). ../shared/data has
dhf1k-0601, and hevc-gaze/make_maps.py writes its sequences in this layout.

Usage:
  /usr/bin/python3 tools/encode_bdrate.py [--salmap build/src/tools/salmap]
      [--frames N] [--bpp 0.02,0.04,0.07,0.12] [--codec libx264|libx265]
      [--preset medium] [--tune T] [--codec-params K=V:K=V] [--one-pass]
      [--variants saliency,plain,centre] [--prefilter S]
      [--plot rd.png] [--json out.json] CLIP...

Variants: saliency (the QP offsets), plain (--roi-strength 0), centre (the
centre prior's offsets), prefilter (--roi-strength 0 --prefilter S: the
pre-filter alone, as an encoder that reads nothing gets it) and
saliency+prefilter (both). Every one is compared with plain, which is
always run.

BD-rate: log-rate as a piecewise-cubic Hermite (PCHIP, Fritsch-Carlson)
function of EW-PSNR for each curve, the mean difference over the EW-PSNR
range both curves cover, as a percentage (Bjontegaard; negative: fewer bits
for the same quality where people look).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotting  # noqa: E402

FPS = 30
# The saliency element's default prefilter-strength.
DEFAULT_PREFILTER = 0.5


def variants(names, prefilter):
    """salmap encode's options of each variant, plain first."""
    pf = ["--prefilter", "%g" % prefilter]
    known = {"saliency": [], "plain": ["--roi-strength", "0"],
             "centre": ["--model", "centre"],
             "prefilter": ["--roi-strength", "0"] + pf,
             "saliency+prefilter": pf}
    names = ["plain"] + [n for n in names if n != "plain"]
    unknown = [n for n in names if n not in known]
    if unknown:
        sys.exit("unknown variant %s (known: %s)" % (
            ", ".join(unknown), ", ".join(known)))
    return [(n, known[n]) for n in names]


def pchip_slopes(x, y):
    """Fritsch-Carlson slopes of the monotone cubic through (x, y)."""
    h = np.diff(x)
    d = np.diff(y) / h
    m = np.zeros_like(y)
    for k in range(1, len(x) - 1):
        if d[k - 1] * d[k] > 0:
            w1, w2 = 2 * h[k] + h[k - 1], h[k] + 2 * h[k - 1]
            m[k] = (w1 + w2) / (w1 / d[k - 1] + w2 / d[k])
    # One-sided three-point ends, kept shape-preserving.
    for k, (hh, dd) in ((0, (h[0], d[0])), (-1, (h[-1], d[-1]))):
        if len(x) == 2:
            m[k] = dd
            continue
        if k == 0:
            e = ((2 * h[0] + h[1]) * d[0] - h[0] * d[1]) / (h[0] + h[1])
            ref, nxt = d[0], d[1]
        else:
            e = ((2 * h[-1] + h[-2]) * d[-1] - h[-1] * d[-2]) / (h[-1] + h[-2])
            ref, nxt = d[-1], d[-2]
        if np.sign(e) != np.sign(ref):
            e = 0.0
        elif np.sign(ref) != np.sign(nxt) and abs(e) > abs(3 * ref):
            e = 3 * ref
        m[k] = e
    return m


def pchip(x, y, xs):
    order = np.argsort(x)
    x, y = np.asarray(x, float)[order], np.asarray(y, float)[order]
    m = pchip_slopes(x, y)
    k = np.clip(np.searchsorted(x, xs) - 1, 0, len(x) - 2)
    h = x[k + 1] - x[k]
    t = (xs - x[k]) / h
    return ((2 * t ** 3 - 3 * t ** 2 + 1) * y[k] + (t ** 3 - 2 * t ** 2 + t) *
            h * m[k] + (-2 * t ** 3 + 3 * t ** 2) * y[k + 1] +
            (t ** 3 - t ** 2) * h * m[k + 1])


def bd_rate(ref_rates, ref_q, test_rates, test_q, samples=1000):
    """Percent bitrate change of test against ref at equal quality."""
    lo = max(min(ref_q), min(test_q))
    hi = min(max(ref_q), max(test_q))
    if hi <= lo:
        return float("nan")
    q = np.linspace(lo, hi, samples)
    a = pchip(ref_q, np.log(ref_rates), q)
    b = pchip(test_q, np.log(test_rates), q)
    return (np.exp(np.trapz(b - a, q) / (hi - lo)) - 1) * 100


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    if p.returncode != 0:
        sys.exit("%s failed:\n%s" % (" ".join(cmd), p.stderr))
    return p.stdout


def clip_frames(clip, n, tmp):
    """The first n frames with maps, linked into a folder of their own."""
    images = sorted(f for f in os.listdir(os.path.join(clip, "images"))
                    if f.endswith((".jpg", ".png")))
    if n:
        images = images[:n]
    d = os.path.join(tmp, os.path.basename(os.path.normpath(clip)))
    os.makedirs(d)
    for f in images:
        os.symlink(os.path.join(os.path.abspath(clip), "images", f),
                   os.path.join(d, f))
    return d, len(images)


def measure(args, clip, tmp):
    frames, n = clip_frames(clip, args.frames, tmp)
    first = os.path.join(frames, sorted(os.listdir(frames))[0])
    import cv2
    h, w = cv2.imread(first).shape[:2]
    rates = [round(b * w * h * FPS / 1000) for b in args.bpp]
    maps = os.path.join(clip, "maps")
    out = {"clip": os.path.basename(os.path.normpath(clip)), "frames": n,
           "size": [w, h], "target_kbps": rates}
    settings = ([] if args.one_pass else ["--two-pass"]) + (
        ["--tune", args.tune] if args.tune else []) + (
        ["--codec-params", args.codec_params] if args.codec_params else [])
    for name, extra in args.variants:
        rows = []
        for kbps in rates:
            mp4 = os.path.join(tmp, "%s-%d.mp4" % (name, kbps))
            run([args.salmap, "encode", "-q", "--codec", args.codec,
                 "--preset", args.preset, "--bitrate", str(kbps),
                 "--fps", str(FPS), "-o", mp4] + settings + extra + [frames])
            score = json.loads(run([args.salmap, "encode-eval", "--json",
                                    "--maps", maps, frames, mp4]))
            kbits = os.path.getsize(mp4) * 8 / 1000 / (n / FPS)
            rows.append({"kbps": kbits, "psnr": score["psnr"],
                         "ssim": score["ssim"], "ew_psnr": score["ew_psnr"]})
            os.remove(mp4)
        out[name] = rows
    return out


def summarise(r, names):
    """Each variant against plain (and saliency against centre): BD-rate
    at equal EW-PSNR and at equal PSNR, size ratios and EW-PSNR gains at
    each target rate."""
    def curve(name, key="ew_psnr"):
        return ([x["kbps"] for x in r[name]], [x[key] for x in r[name]])
    pairs = [(n, "plain") for n in names if n != "plain"]
    if "saliency" in names and "centre" in names:
        pairs.append(("saliency", "centre"))
    s = {}
    for test, ref in pairs:
        s["bd_%s_vs_%s" % (test, ref)] = bd_rate(*curve(ref), *curve(test))
        s["ew_gain_%s_vs_%s_db" % (test, ref)] = [
            a["ew_psnr"] - b["ew_psnr"] for a, b in zip(r[test], r[ref])]
        if ref == "plain":
            s["bd_psnr_%s_vs_plain" % test] = bd_rate(*curve(ref, "psnr"),
                                                      *curve(test, "psnr"))
            s["size_ratio_%s" % test] = [a["kbps"] / b["kbps"] for a, b in
                                         zip(r[test], r[ref])]
    return s


def plot(results, path):
    plt = plotting.pyplot()
    if plt is None:
        return
    n = len(results)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.6), squeeze=False)
    styles = {"plain": "k--o", "centre": "b-.s", "saliency": "r-^",
              "prefilter": "g:D", "saliency+prefilter": "m-v"}
    for ax, r in zip(axes[0], results):
        for name, style in styles.items():
            if name not in r:
                continue
            ax.plot([x["kbps"] for x in r[name]],
                    [x["ew_psnr"] for x in r[name]], style, label=name, ms=4)
        ax.set_title("%s (%dx%d, %d frames)" % (r["clip"], *r["size"],
                                                r["frames"]), fontsize=9)
        ax.set_xlabel("kbit/s (at %d fps)" % FPS)
        ax.set_ylabel("EW-PSNR (dB)")
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print("wrote", path, file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--salmap", default="build/src/tools/salmap")
    ap.add_argument("--frames", type=int, default=0,
                    help="first N frames of each clip (0: all)")
    ap.add_argument("--bpp", default="0.02,0.04,0.07,0.12",
                    help="bits per pixel of the target bitrates")
    ap.add_argument("--codec", default="libx264",
                    choices=("libx264", "libx265"))
    ap.add_argument("--preset", default="medium")
    ap.add_argument("--tune", help="encoder tune, e.g. zerolatency")
    ap.add_argument("--codec-params",
                    help="x264-params / x265-params, e.g. keyint=60")
    ap.add_argument("--one-pass", action="store_true",
                    help="one pass at each bitrate (as live encoders run) "
                    "instead of two")
    ap.add_argument("--variants", default="saliency,plain,centre",
                    help="comma-separated, of saliency, plain, centre, "
                    "prefilter, saliency+prefilter (plain is always run)")
    ap.add_argument("--prefilter", type=float, default=DEFAULT_PREFILTER,
                    help="strength of the prefilter variants (default: the "
                    "element's, %(default)s)")
    ap.add_argument("--plot")
    ap.add_argument("--json")
    ap.add_argument("clips", nargs="+")
    args = ap.parse_args()
    args.bpp = [float(b) for b in args.bpp.split(",")]
    if len(args.bpp) < 4:
        sys.exit("give four or more bitrates (--bpp)")
    args.variants = variants(args.variants.split(","), args.prefilter)
    names = [n for n, _ in args.variants]
    tests = [n for n in names if n != "plain"]
    results = []
    for clip in args.clips:
        tmp = tempfile.mkdtemp(prefix="encode-bdrate-")
        try:
            r = measure(args, clip, tmp)
        finally:
            shutil.rmtree(tmp)
        r["summary"] = summarise(r, names)
        results.append(r)
        s = r["summary"]
        print("%-16s BD-rate vs plain (EW-PSNR / PSNR): %s%s" % (
            r["clip"], ", ".join("%s %+.1f%% / %+.1f%%" % (
                n, s["bd_%s_vs_plain" % n], s["bd_psnr_%s_vs_plain" % n])
                for n in tests),
            "; saliency vs centre %+.1f%%" % s["bd_saliency_vs_centre"]
            if "bd_saliency_vs_centre" in s else ""), flush=True)
    print("\n| clip | kbit/s (plain) | EW-PSNR plain | %s |" % " | ".join(
        "%s: size / EW-PSNR gain" % n for n in tests))
    print("| --- | --- | --- | %s |" % " | ".join("---" for _ in tests))
    for r in results:
        s = r["summary"]
        for i in range(len(r["plain"])):
            print("| %s | %.0f | %.2f | %s |" % (
                r["clip"], r["plain"][i]["kbps"], r["plain"][i]["ew_psnr"],
                " | ".join("%.3f / %+.2f dB" % (
                    s["size_ratio_%s" % n][i],
                    s["ew_gain_%s_vs_plain_db" % n][i]) for n in tests)))
    if len(results) > 1:
        keys = [k for k in results[0]["summary"] if k.startswith("bd_")]
        mean = {k: np.mean([r["summary"][k] for r in results]) for k in keys}
        print("\nmean BD-rate over %d clips: %s" % (len(results), ", ".join(
            "%s %+.1f%%" % (k[3:], v) for k, v in mean.items())))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    if args.plot:
        plot(results, args.plot)


if __name__ == "__main__":
    main()
