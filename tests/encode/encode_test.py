#!/usr/bin/python3
"""salmap encode and encode-eval (issue 10), on the built binary.

Usage: encode_test.py SALMAP CASE   (meson runs one CASE per test)

QP_DRIVER in the environment is tests/encode/qp-driver (salmap's offset
rule on maps from a file). Inputs are made here with numpy and GStreamer's
gst-launch-1.0 (helpers of tests/cli/salmap_test.py); the data cases read
../shared and skip (77) without it.
"""

import json
import re
import math
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "cli"))
import salmap_test as st  # noqa: E402  (helpers: PNG writer, gst-launch)
from salmap_test import np, Skip  # noqa: E402

SALMAP = None


def run(cmd, expect=0):
    p = subprocess.run([SALMAP] + [str(c) for c in cmd],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    assert p.returncode >= 0, "%s crashed (%d):\n%s" % (cmd, p.returncode,
                                                       p.stderr)
    if expect is not None:
        assert p.returncode == expect, "%s exited %d, expected %d:\n%s" % (
            cmd, p.returncode, expect, p.stderr)
    return p


def count_frames(path):
    """Frames of a video, decoded by salmap run (centre model: cheap)."""
    out = path + ".npy"
    run(["run", "-q", "--model", "centre", "--npy", out, path])
    n = np.load(out).shape[0]
    os.remove(out)
    return n


def leftovers(folder):
    return [n for n in os.listdir(folder) if n.endswith(".partial")]


# ------------------------------------------------- the QP rule, in NumPy

def box_weights(n, length, block, blocks):
    """[blocks, n]: frame pixels of map cell m inside block k."""
    a = np.arange(n)[None, :] * length / n
    b = np.arange(1, n + 1)[None, :] * length / n
    lo = np.arange(blocks)[:, None] * block
    hi = np.minimum(lo + block, length)
    return np.clip(np.minimum(b, hi) - np.maximum(a, lo), 0, None)


def qp_rule(maps, width, height, block, strength, resets):
    """docs/compression.md's rule, from the text: block densities relative
    to an even spread, an EMA over frames (0.3 for the new one), -2 QP per
    doubling times strength, clamped to +-8 strength, minus the area mean."""
    bx, by = -(-width // block), -(-height // block)
    bw = np.minimum(block, width - np.arange(bx) * block)
    bh = np.minimum(block, height - np.arange(by) * block)
    area = np.outer(bh, bw).astype(np.float64)
    ema, out = None, []
    for m, reset in zip(maps, resets):
        mh, mw = m.shape
        wx = box_weights(mw, width, block, bx) / (width / mw)
        wy = box_weights(mh, height, block, by) / (height / mh)
        mass = wy @ m.astype(np.float64) @ wx.T
        d = mass / area * width * height
        ema = d if (ema is None or reset) else 0.7 * ema + 0.3 * d
        o = -strength * 2.0 * np.log2(np.maximum(ema, 1 / 32))
        o = np.clip(o, -8 * strength, 8 * strength)
        out.append(o - (o * area).sum() / area.sum())
    return out


def case_qp_rule(tmp):
    rng = np.random.default_rng(1)
    driver = os.environ["QP_DRIVER"]
    for (w, h, mw, mh, s) in [(320, 180, 128, 72, 1.0), (333, 177, 50, 31, 0.5),
                              (64, 48, 64, 48, 2.0), (1920, 1080, 128, 72, 1.0),
                              (40, 90, 7, 13, 1.0)]:
        frames, resets = [], []
        for t in range(6):
            m = rng.random((mh, mw)) ** 4
            m[rng.integers(mh), rng.integers(mw)] += 50  # a peak
            frames.append((m / m.sum()).astype(np.float32))
            resets.append(t == 3)
        stack = np.stack(frames)
        stack_in = stack.copy()
        stack_in[3, 0, 0] = -stack_in[3, 0, 0]  # the driver's reset mark
        src, dst = os.path.join(tmp, "maps.f32"), os.path.join(tmp, "o.f32")
        stack_in.tofile(src)
        subprocess.run([driver] + [str(x) for x in (w, h, 16, s, mw, mh, 6,
                                                    src, dst)], check=True)
        want = qp_rule(list(stack), w, h, 16, s, resets)
        got = np.fromfile(dst, np.float32).reshape(len(want), *want[0].shape)
        err = np.abs(got - np.stack(want)).max()
        assert err < 1e-3, "%dx%d map %dx%d: offsets differ by %g" % (
            w, h, mw, mh, err)
        # Rate-neutral and pointing the right way: the peak gets the lowest.
        bw = np.minimum(16, w - np.arange(got.shape[2]) * 16)
        bh = np.minimum(16, h - np.arange(got.shape[1]) * 16)
        assert abs((got[0] * np.outer(bh, bw)).sum()) / (w * h) < 1e-4
        assert got[0].min() < -0.5 and got[0].max() > 0.5


# ---------------------------------------------- the pre-filter, in NumPy

def prefilter_planes(fmt, w, h):
    """(samples per row, rows, bytes per sample, channels filtered,
    subsampling) of each plane."""
    cw, ch = (w + 1) // 2, (h + 1) // 2
    return {"I420": [(w, h, 1, 1, 0), (cw, ch, 1, 1, 1), (cw, ch, 1, 1, 1)],
            "NV12": [(w, h, 1, 1, 0), (cw, ch, 2, 2, 1)],
            "GRAY8": [(w, h, 1, 1, 0)], "RGB": [(w, h, 3, 3, 0)],
            "BGR": [(w, h, 3, 3, 0)], "RGBA": [(w, h, 4, 3, 0)],
            "BGRx": [(w, h, 4, 3, 0)]}[fmt]


def lround(x):
    return np.floor(np.asarray(x) + 0.5).astype(np.int64)


def centre_weights(n, sub, block, blocks):
    """Per sample: the block centre before it and the 1/256 weight of the
    next one (centres at (k + 0.5) block, clamped at the edges)."""
    u = np.clip((np.arange(n) + 0.5) * 2 ** sub / block - 0.5, 0, blocks - 1)
    k = np.floor(u).astype(np.int64)
    f = lround((u - k) * 256)
    k, f = np.where(f == 256, k + 1, k), np.where(f == 256, 0, f)
    return k, np.minimum(k + 1, blocks - 1), f


def prefilter_rule(planes, field, strength, fmt, w, h, block=16):
    """docs/compression.md's pre-filter, from the text: block weights
    round(256 clamp(S o / 4, 0, 1)), bilinear between block centres in
    1/256 rounded once, the [1 2 3 4 5 4 3 2 1] kernel along rows then
    columns with replicated edges, (sum + 312) // 625, and
    (in (256 - a) + B a + 128) >> 8; the fourth byte of a pixel kept."""
    by, bx = field.shape
    q = lround(256 * np.clip(strength * field.astype(np.float64) / 4, 0, 1))
    kern = np.array([1, 2, 3, 4, 5, 4, 3, 2, 1])
    out = []
    for arr, (n, rows, ps, chans, sub) in zip(planes,
                                               prefilter_planes(fmt, w, h)):
        kx, kx1, wx = centre_weights(n, sub, block, bx)
        ky, ky1, wy = centre_weights(rows, sub, block, by)
        rq = q[ky] * (256 - wy)[:, None] + q[ky1] * wy[:, None]
        a = (rq[:, kx] * (256 - wx) + rq[:, kx1] * wx + 32768) >> 16
        p = np.pad(arr.astype(np.int64), ((4, 4), (4, 4), (0, 0)),
                   mode="edge")
        hs = sum(kern[d] * p[:, d:d + n] for d in range(9))
        vs = sum(kern[d] * hs[d:d + rows] for d in range(9))
        b = (vs + 312) // 625
        res = arr.astype(np.int64).copy()
        res[..., :chans] = ((arr[..., :chans] * (256 - a[..., None]) +
                             b[..., :chans] * a[..., None] + 128) >> 8)
        out.append(res.astype(np.uint8))
    return out


def run_prefilter(tmp, fmt, w, h, strength, maps, planes_per_frame):
    """prefilter-driver on the frames: the filtered planes, per frame."""
    src, frames = os.path.join(tmp, "maps.f32"), os.path.join(tmp, "in.raw")
    dst = os.path.join(tmp, "out.raw")
    maps.astype(np.float32).tofile(src)
    with open(frames, "wb") as f:
        for planes in planes_per_frame:
            for a in planes:
                f.write(a.tobytes())
    mh, mw = maps.shape[1:]
    subprocess.run([os.environ["PREFILTER_DRIVER"]] + [str(x) for x in (
        w, h, fmt, strength, mw, mh, len(maps), src, frames, dst)],
        check=True)
    data, got, pos = open(dst, "rb").read(), [], 0
    for _ in planes_per_frame:
        planes = []
        for (n, rows, ps, _, _) in prefilter_planes(fmt, w, h):
            size = n * rows * ps
            planes.append(np.frombuffer(data[pos:pos + size], np.uint8)
                          .reshape(rows, n, ps))
            pos += size
        got.append(planes)
    assert pos == len(data), "the driver wrote %d bytes, not %d" % (
        len(data), pos)
    return got


def random_maps(rng, frames, mw, mh):
    out = []
    for _ in range(frames):
        m = rng.random((mh, mw)) ** 4
        m[rng.integers(mh), rng.integers(mw)] += 50  # a peak
        out.append(m / m.sum())
    return np.stack(out)


def case_prefilter_rule(tmp):
    """src/encode/sal-prefilter.c against prefilter_rule, with the field of
    the QP rule at strength 1 (reset at frame 2), in every format the
    element takes, odd sizes and chroma included."""
    rng = np.random.default_rng(4)
    for (fmt, w, h, mw, mh, s) in [("I420", 333, 177, 50, 31, 1.0),
                                   ("NV12", 161, 97, 64, 36, 2.0),
                                   ("RGBA", 100, 60, 40, 24, 1.5),
                                   ("BGR", 64, 48, 64, 48, 0.7),
                                   ("GRAY8", 40, 90, 7, 13, 4.0)]:
        maps = random_maps(rng, 3, mw, mh)
        resets = [False, False, True]
        maps_in = maps.copy()
        maps_in[2, 0, 0] = -maps_in[2, 0, 0]  # the driver's reset mark
        frames = [[rng.integers(0, 256, (rows, n, ps), dtype=np.uint8)
                   for (n, rows, ps, _, _) in prefilter_planes(fmt, w, h)]
                  for _ in range(3)]
        got = run_prefilter(tmp, fmt, w, h, s, maps_in, frames)
        fields = qp_rule(list(maps.astype(np.float32)), w, h, 16, 1.0, resets)
        changed = 0
        for t in range(3):
            want = prefilter_rule(frames[t], fields[t].astype(np.float32), s,
                                  fmt, w, h)
            for i, (g, r) in enumerate(zip(got[t], want)):
                diff = np.abs(g.astype(int) - r)
                # The fields agree to 1e-3 QP: a block weight on a rounding
                # edge may differ by 1/256, a sample by one level.
                assert diff.max() <= 1 and (diff > 0).mean() < 1e-3, (
                    "%s %dx%d frame %d plane %d: %d samples differ, by up "
                    "to %d" % (fmt, w, h, t, i, (diff > 0).sum(), diff.max()))
                changed += (g != frames[t][i]).sum()
        assert changed > 0, "%s: the pre-filter changed nothing" % fmt
        if fmt == "RGBA":
            assert all((g[0][..., 3] == f[0][..., 3]).all()
                       for g, f in zip(got, frames)), "alpha was filtered"


def case_prefilter_identity(tmp):
    """Strength 0 leaves every format bit-exact."""
    rng = np.random.default_rng(5)
    for fmt in ("I420", "NV12", "RGBA", "BGRx", "RGB", "GRAY8"):
        w, h = 67, 41
        maps = random_maps(rng, 2, 32, 18)
        frames = [[rng.integers(0, 256, (rows, n, ps), dtype=np.uint8)
                   for (n, rows, ps, _, _) in prefilter_planes(fmt, w, h)]
                  for _ in range(2)]
        got = run_prefilter(tmp, fmt, w, h, 0, maps, frames)
        for g, f in zip(got, frames):
            assert all((a == b).all() for a, b in zip(g, f)), fmt


# ------------------------------------------------------------- encoding

def make_av_clip(path, frames=60, width=160, height=96):
    st.gst_launch(
        "videotestsrc num-buffers=%d pattern=ball ! "
        "video/x-raw,format=I420,width=%d,height=%d,framerate=30/1 ! "
        "x264enc ! mp4mux name=mux ! filesink location=%s "
        "audiotestsrc num-buffers=%d samplesperbuffer=1600 ! "
        "audio/x-raw,rate=48000 ! avenc_aac ! mux."
        % (frames, width, height, path, frames))


def case_encode_video(tmp):
    src = os.path.join(tmp, "in.mp4")
    make_av_clip(src)
    out = os.path.join(tmp, "out.mp4")
    p = run(["encode", "--crf", "30", "-o", out, src])
    assert "wrote %s: 60 frames" % out in p.stderr, p.stderr
    assert count_frames(out) == 60
    data = open(out, "rb").read()
    assert b"soun" in data, "the input's audio was not copied"
    assert not leftovers(tmp), leftovers(tmp)
    # Options echoed in the summary; a strength-0 encode attaches nothing
    # and still encodes every frame.
    plain = os.path.join(tmp, "plain.mp4")
    run(["encode", "--crf", "30", "--roi-strength", "0", "-o", plain, src])
    assert count_frames(plain) == 60


def case_encode_prefilter(tmp):
    """--prefilter, alone and with the offsets, in one and two passes:
    every frame in a playable file; at one CRF, blurring where nobody looks
    makes a noisy clip smaller (the centre prior: a map known to be
    uneven)."""
    src = os.path.join(tmp, "frames")
    write_frames(src, 20, 160, 96, np.random.default_rng(6))
    sizes = {}
    for name, extra in (("plain", ["--roi-strength", "0"]),
                        ("pf", ["--roi-strength", "0", "--prefilter", "1"]),
                        ("both", ["--prefilter", "2"])):
        out = os.path.join(tmp, name + ".mp4")
        p = run(["encode", "--model", "centre", "--crf", "20", "-o", out] +
                extra + [src])
        assert "prefilter %s" % (extra[-1] if name != "plain" else "0") in \
            p.stderr, p.stderr
        assert count_frames(out) == 20, name
        sizes[name] = os.path.getsize(out)
    print(sizes)
    assert sizes["pf"] < 0.97 * sizes["plain"], sizes
    out = os.path.join(tmp, "two.mp4")
    run(["encode", "--bitrate", "200", "--two-pass", "--roi-strength", "0",
         "--prefilter", "1", "-o", out, src])
    assert count_frames(out) == 20
    p = run(["encode", "--crf", "30", "--prefilter", "-1", "-o", out, src],
            expect=2)
    assert "negative" in p.stderr, p.stderr
    assert not leftovers(tmp)


def write_frames(folder, n, w, h, rng):
    """A textured scene with a bright square moving across it."""
    os.makedirs(folder, exist_ok=True)
    base = (rng.random((h, w, 3)) * 120).astype(np.uint8)
    for t in range(n):
        img = base.copy()
        x = 8 + t * (w - 40) // max(n - 1, 1)
        img[h // 3:h // 3 + 24, x:x + 24] = (250, 240, 40)
        st.write_png(os.path.join(folder, "%04d.png" % (t + 1)), img)


def case_encode_images_two_pass(tmp):
    rng = np.random.default_rng(2)
    frames = os.path.join(tmp, "frames")
    write_frames(frames, 40, 161, 97, rng)  # odd: encoded at 160x96
    sizes = {}
    for name, extra in (("sal", []), ("plain", ["--roi-strength", "0"])):
        out = os.path.join(tmp, name + ".mp4")
        p = run(["encode", "--bitrate", "300", "--two-pass", "--fps", "25",
                 "-o", out] + extra + [frames])
        assert "two-pass" in p.stderr, p.stderr
        assert count_frames(out) == 40
        sizes[name] = os.path.getsize(out)
    assert abs(sizes["sal"] / sizes["plain"] - 1) < 0.25, sizes
    assert not leftovers(tmp)


def case_encode_x265(tmp):
    src = os.path.join(tmp, "in.mp4")
    make_av_clip(src, frames=20)
    out = os.path.join(tmp, "out.mp4")
    p = run(["encode", "--codec", "libx265", "--preset", "fast", "--bitrate",
             "200", "--two-pass", "-o", out, src], expect=None)
    if p.returncode != 0 and "no libx265 encoder" in p.stderr:
        raise Skip("this FFmpeg has no libx265")
    assert p.returncode == 0, p.stderr
    assert count_frames(out) == 20


def case_encode_errors(tmp):
    src = os.path.join(tmp, "in.mp4")
    make_av_clip(src, frames=10)
    corrupt = os.path.join(tmp, "corrupt.mp4")
    with open(corrupt, "wb") as f:
        f.write(open(src, "rb").read()[:2000])
    notdir = os.path.join(tmp, "file.txt")
    open(notdir, "w").close()
    out = os.path.join(tmp, "out.mp4")
    cases = [
        (["--codec", "libvpx", "--crf", "30", "-o", out, src], 1,
         "unknown codec"),
        (["--preset", "ultrafast", "--crf", "30", "-o", out, src], 1,
         "ultrafast"),
        (["--preset", "nonsense", "--crf", "30", "-o", out, src], 1,
         "preset"),
        (["--crf", "30", "-o", out, corrupt], 1, "corrupt.mp4"),
        (["--crf", "30", "-o", os.path.join(notdir, "o.mp4"), src], 1,
         "cannot write"),
        (["--crf", "30", "-o", os.path.join(tmp, "o.xyz"), src], 1,
         "container"),
        (["--crf", "30", "--bitrate", "100", "-o", out, src], 2, "either"),
        (["--crf", "30", src], 2, "-o"),
        (["--crf", "30", "--two-pass", "-o", out, src], 2, "--bitrate"),
        # Settings that turn AQ off, as libx264/libx265 resolve them.
        (["--tune", "psnr", "--crf", "30", "-o", out, src], 1,
         "adaptive quantisation off (aq-mode 0"),
        (["--codec-params", "aq-mode=0", "--crf", "30", "-o", out, src], 1,
         "adaptive quantisation off"),
        (["--codec-params", "aq-strength=0:mbtree=0", "--crf", "30", "-o",
          out, src], 1, "mb-tree off"),
        (["--codec", "libx265", "--preset", "ultrafast", "--crf", "30", "-o",
          out, src], 1, "libx265's adaptive quantisation off"),
        (["--tune", "nonsense", "--crf", "30", "-o", out, src], 1,
         'tune "nonsense"'),
        # x264's own tune, unknown to x265: the library's list in the error.
        (["--codec", "libx265", "--tune", "stillimage", "--crf", "30", "-o",
          out, src], 1, "tunes: psnr, ssim, grain"),
        (["--codec-params", "nonsense=1", "--crf", "30", "-o", out, src], 1,
         'no parameter "nonsense"'),
        (["--codec-params", "bframes=x", "--crf", "30", "-o", out, src], 1,
         '"bframes=x"'),
        (["--codec-params", "keyint", "--crf", "30", "-o", out, src], 1,
         "no value"),
    ]
    for args, status, words in cases:
        p = run(["encode"] + args, expect=status)
        assert words in p.stderr, (args, p.stderr)
        assert not os.path.exists(out), args
        assert not leftovers(tmp), (args, leftovers(tmp))
    # ultrafast is fine for a plain encode, which has no offsets to lose.
    run(["encode", "--preset", "ultrafast", "--roi-strength", "0", "--crf",
         "30", "-o", out, src])


def case_encode_settings(tmp):
    """--tune and --codec-params reach the encoder (x264 and x265 write
    their settings into the stream), and the offsets still change the
    encode where the settings keep AQ on: zerolatency (no mb-tree), aq-
    strength 0 with mb-tree (x264 keeps AQ for it), ultrafast with AQ
    turned back on, x265 with 8x8 blocks."""
    src = os.path.join(tmp, "in.mp4")
    make_av_clip(src, frames=20)

    def encode(name, *args):
        out = os.path.join(tmp, name + ".mp4")
        run(["encode", "-q", "--crf", "30"] + list(args) + ["-o", out, src])
        assert count_frames(out) == 20, name
        return open(out, "rb").read()

    for codec, args, words in (
            ("libx264", ["--tune", "zerolatency", "--codec-params",
                         "keyint=7"], [b"keyint=7", b"mbtree=0",
                                       b"bframes=0 "]),
            ("libx264", ["--codec-params", "aq-strength=0"],
             [b"aq=1:0.00", b"mbtree=1"]),
            # ultrafast with AQ turned back on, as the refusal suggests.
            ("libx264", ["--preset", "ultrafast", "--codec-params",
                         "aq-mode=1:aq-strength=1"], [b"aq=1:1.00"]),
            ("libx265", ["--preset", "fast", "--codec-params",
                         "qg-size=8:keyint=9"], [b"qg-size=8", b"keyint=9"])):
        sal = encode("sal", "--codec", codec, *args)
        plain = encode("plain", "--codec", codec, "--roi-strength", "0",
                       *args)
        for w in words:
            assert w in sal, (args, w)
        assert sal != plain, ("the offsets were dropped", args)
    # 8x8 offsets at a width that is not a multiple of 16: libavcodec 5.1
    # would give libx265 fewer than it reads, so it is refused, and nothing
    # is written.
    odd = os.path.join(tmp, "odd.mp4")
    make_av_clip(odd, frames=3, width=168, height=96)
    out = os.path.join(tmp, "q8.mp4")
    p = run(["encode", "--crf", "30", "--codec", "libx265", "--codec-params",
             "qg-size=8", "-o", out, odd], expect=1)
    assert "multiples of 16, not 168x96" in p.stderr, p.stderr
    assert not os.path.exists(out) and not leftovers(tmp)


# ------------------------------------------------------------ evaluation

def gauss_valid(a):
    g = np.exp(-np.arange(-5, 6) ** 2 / (2 * 1.5 ** 2))
    g /= g.sum()
    v = np.lib.stride_tricks.sliding_window_view
    a = (v(a, 11, axis=1) * g).sum(-1)
    return (v(a, 11, axis=0) * g).sum(-1)


def ssim(a, b):
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    ma, mb = gauss_valid(a), gauss_valid(b)
    va, vb = gauss_valid(a * a) - ma ** 2, gauss_valid(b * b) - mb ** 2
    cov = gauss_valid(a * b) - ma * mb
    return (((2 * ma * mb + c1) * (2 * cov + c2)) /
            ((ma ** 2 + mb ** 2 + c1) * (va + vb + c2))).mean()


def luma(img):
    return img.astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def case_eval_numpy(tmp):
    rng = np.random.default_rng(3)
    ref, dec, maps = (os.path.join(tmp, d) for d in ("ref", "dec", "maps"))
    for d in (ref, dec, maps):
        os.makedirs(d)
    want = {"psnr": [], "ssim": [], "ew_psnr": []}
    for t in range(4):
        a = (rng.random((50, 70, 3)) * 255).astype(np.uint8)
        noise = rng.integers(-20, 21, a.shape) * (rng.random(a.shape[:2]) <
                                                   0.3)[..., None]
        b = np.clip(a.astype(int) + noise, 0, 255).astype(np.uint8)
        m = np.zeros((50, 70), np.uint8)
        m[10:30, 20 + 5 * t:40 + 5 * t] = 255
        m[40:45, 5:10] = 90
        name = "f%02d.png" % t
        st.write_png(os.path.join(ref, name), a)
        st.write_png(os.path.join(dec, name), b)
        st.write_png(os.path.join(maps, name), m)
        la, lb = luma(a), luma(b)
        mse = ((la - lb) ** 2).mean()
        w = m.astype(np.float64) / m.sum()
        want["psnr"].append(10 * math.log10(255 ** 2 / mse))
        want["ssim"].append(ssim(la, lb))
        want["ew_psnr"].append(10 * math.log10(
            255 ** 2 / (w * (la - lb) ** 2).sum()))
    p = run(["encode-eval", "--json", "--maps", maps, ref, dec])
    got = json.loads(p.stdout)
    assert got["frames"] == 4, got
    for key, values in want.items():
        err = np.abs(np.array(got["per_frame"][key]) - values).max()
        assert err < 1e-4, (key, got["per_frame"][key], values)
        assert abs(got[key] - np.mean(values)) < 1e-4, key
    # The table, and the errors: a missing map, different frame counts.
    p = run(["encode-eval", "--maps", maps, ref, dec])
    assert "EW-PSNR" in p.stdout, p.stdout
    os.remove(os.path.join(dec, "f03.png"))
    p = run(["encode-eval", "--maps", maps, ref, dec], expect=1)
    assert "numbers of frames" in p.stderr, p.stderr
    os.remove(os.path.join(maps, "f00.png"))
    p = run(["encode-eval", "--maps", maps, ref, ref], expect=1)
    assert "f00" in p.stderr, p.stderr
    run(["encode-eval", ref, dec], expect=2)


def case_data_dhf1k(tmp):
    """The clip's own eye tracking says the saliency encode looks better
    where people look, at the plain encode's bitrate."""
    images = st.shared("data", "dhf1k-0601", "images")
    maps = st.shared("data", "dhf1k-0601", "maps")
    scores, sizes = {}, {}
    for name, extra in (("sal", []), ("plain", ["--roi-strength", "0"]),
                        ("centre", ["--model", "centre"])):
        out = os.path.join(tmp, name + ".mp4")
        run(["encode", "--bitrate", "150", "--two-pass", "--fps", "30",
             "-o", out] + extra + [images])
        sizes[name] = os.path.getsize(out)
        p = run(["encode-eval", "--json", "--maps", maps, images, out])
        scores[name] = json.loads(p.stdout)
    print({k: (sizes[k], round(v["psnr"], 3), round(v["ew_psnr"], 3))
           for k, v in scores.items()})
    assert abs(sizes["sal"] / sizes["plain"] - 1) < 0.15, sizes
    gain = scores["sal"]["ew_psnr"] - scores["plain"]["ew_psnr"]
    assert gain > 0.3, "EW-PSNR gain %.3f dB" % gain


def gst(pipeline, expect=0):
    p = subprocess.run(["gst-launch-1.0", "-q"] + pipeline.split(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    assert p.returncode >= 0, "gst-launch-1.0 crashed: %s" % p.stderr
    if expect is not None:
        assert p.returncode == expect, (pipeline, p.returncode, p.stderr)
    return p


def require_saliencyenc():
    p = subprocess.run(["gst-inspect-1.0", "saliencyenc"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise Skip("no saliencyenc element (built without libavcodec?)")


def case_gst_pipeline(tmp):
    """The issue's pipeline: every frame comes out, playable."""
    require_saliencyenc()
    src, out = os.path.join(tmp, "in.mp4"), os.path.join(tmp, "out.mp4")
    make_av_clip(src, frames=45)
    gst("filesrc location=%s ! decodebin ! videoconvert ! saliency mode=none"
        " ! saliencyenc bitrate=500 ! h264parse ! mp4mux ! filesink "
        "location=%s" % (src, out))
    assert count_frames(out) == 45
    # H.265 too, and a plain encode that needs no meta.
    out2 = os.path.join(tmp, "out2.mp4")
    gst("videotestsrc num-buffers=12 ! video/x-raw,width=96,height=64 ! "
        "saliencyenc codec=libx265 preset=fast roi-strength=0 ! h265parse ! "
        "mp4mux ! filesink location=%s" % out2)
    assert count_frames(out2) == 12
    # tune and option-string reach the encoder (x264 writes its settings
    # into the stream).
    out3 = os.path.join(tmp, "out3.mp4")
    gst("videotestsrc num-buffers=12 ! video/x-raw,width=96,height=64 ! "
        "saliency mode=none ! saliencyenc tune=zerolatency "
        "option-string=keyint=5 ! h264parse ! mp4mux ! filesink "
        "location=%s" % out3)
    assert count_frames(out3) == 12
    data = open(out3, "rb").read()
    assert b"keyint=5" in data and b"bframes=0 " in data
    # A new frame size mid-stream: the encoder is drained and reopened, and
    # every frame of both sizes comes out.
    out4 = os.path.join(tmp, "out4.h264")
    gst("concat name=c ! saliency mode=none ! saliencyenc ! h264parse ! "
        "filesink location=%s videotestsrc num-buffers=10 ! video/x-raw,"
        "width=96,height=64 ! c. videotestsrc num-buffers=7 ! video/x-raw,"
        "width=160,height=96 ! c." % out4)
    maps = os.path.join(tmp, "maps")
    run(["run", "-q", "--model", "centre", "--out-dir", maps, out4])
    assert len(os.listdir(maps)) == 17, sorted(os.listdir(maps))
    # Errors: an unknown codec, ultrafast with offsets; no meta: a warning.
    for props, words in (("codec=libvpx", "unknown codec"),
                         ("preset=ultrafast", "ultrafast"),
                         ("tune=psnr", "tune psnr"),
                         ("option-string=aq-mode=0", "aq-mode=0"),
                         ("option-string=nonsense=1", "no parameter")):
        p = gst("videotestsrc num-buffers=3 ! saliency mode=none ! "
                "saliencyenc %s ! fakesink" % props, expect=1)
        assert words in p.stderr, p.stderr
    p = subprocess.run(["gst-launch-1.0", "videotestsrc", "num-buffers=3", "!",
                        "saliencyenc", "!", "fakesink"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert "without saliency maps" in p.stdout + p.stderr, p.stdout
    # Nothing outlives the pipeline (GStreamer's leaks tracer).
    env = dict(os.environ, GST_TRACERS="leaks", GST_DEBUG="GST_TRACER:7")
    p = subprocess.run(["gst-launch-1.0", "-q", "videotestsrc",
                        "num-buffers=10", "!", "video/x-raw,width=96,height=64",
                        "!", "saliency", "mode=none", "!", "saliencyenc", "!",
                        "h264parse", "!", "fakesink"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=120)
    assert p.returncode == 0, p.stdout
    alive = [line for line in p.stdout.splitlines()
             if re.search(r"object-alive, type-name=\(string\)[A-Za-z]", line)]
    assert not alive, alive


def case_gst_matches_salmap(tmp):
    """saliencyenc allocates as salmap encode does: the EW-PSNR gain of
    each over its own plain encode agrees within 0.3 dB. The weights are
    a blob on the ball's path; any map serves, both see the same one."""
    require_saliencyenc()
    src = os.path.join(tmp, "in.mp4")
    # A moving zone plate: texture that costs bits everywhere.
    st.gst_launch("videotestsrc num-buffers=120 pattern=zone-plate kx2=20 "
                  "ky2=20 kt=1 ! video/x-raw,format=I420,width=320,height=240,"
                  "framerate=30/1 ! x264enc qp-max=4 ! mp4mux ! "
                  "filesink location=%s" % src)
    maps = os.path.join(tmp, "maps")
    os.makedirs(maps)
    yy, xx = np.mgrid[0:240, 0:320]
    blob = np.exp(-((xx - 160) ** 2 + (yy - 120) ** 2) / (2 * 60.0 ** 2))
    for t in range(120):
        st.write_png(os.path.join(maps, "%04d.png" % (t + 1)),
                     (blob * 255).astype(np.uint8))
    ew = {}
    for s in ("1", "0"):
        g, m = (os.path.join(tmp, "%s%s.mp4" % (k, s)) for k in "gm")
        gst("filesrc location=%s ! decodebin ! videoconvert ! saliency "
            "mode=none ! saliencyenc bitrate=120 roi-strength=%s ! h264parse "
            "! mp4mux ! filesink location=%s" % (src, s, g))
        run(["encode", "-q", "--bitrate", "120", "--roi-strength", s, "-o", m,
             src])
        for k, f in (("gst", g), ("salmap", m)):
            r = json.loads(run(["encode-eval", "--json", "--maps", maps, src,
                                f]).stdout)
            ew[k + s] = r["ew_psnr"]
    gains = {k: ew[k + "1"] - ew[k + "0"] for k in ("gst", "salmap")}
    print(ew, gains)
    assert abs(gains["gst"] - gains["salmap"]) <= 0.3, gains


def case_bdrate_math(tmp):
    """tools/encode_bdrate.py's BD-rate: a curve against itself is 0 %, a
    curve needing 20 % fewer bits everywhere is -20 %, and PCHIP goes
    through its points without overshooting them."""
    sys.path.insert(0, os.path.join(os.environ["SALIENCY_SOURCE_ROOT"],
                                    "tools"))
    import encode_bdrate as bd
    rates = np.array([100.0, 200, 400, 800])
    q = np.array([30.0, 33, 35.5, 37])
    assert abs(bd.bd_rate(rates, q, rates, q)) < 1e-9
    assert abs(bd.bd_rate(rates, q, 0.8 * rates, q) + 20) < 1e-6
    assert abs(bd.bd_rate(rates, q, 1.5 * rates, q) - 50) < 1e-6
    xs = np.linspace(30, 37, 200)
    ys = bd.pchip(q, np.log(rates), xs)
    assert np.all(np.diff(ys) >= 0), "PCHIP of increasing data decreases"
    assert np.allclose(bd.pchip(q, np.log(rates), q), np.log(rates))
    # Curves that do not overlap in quality have no BD-rate.
    assert math.isnan(bd.bd_rate(rates, q, rates, q + 10))


CASES = {name[5:]: fn for name, fn in globals().items()
         if name.startswith("case_")}


def main():
    global SALMAP
    if len(sys.argv) > 1:
        SALMAP = os.path.abspath(sys.argv[1])
    return st.run_case(CASES, "salmap-encode-")


if __name__ == "__main__":
    sys.exit(main())
