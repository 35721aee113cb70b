#!/usr/bin/python3
"""End-to-end tests of `salmap run`, on the built binary.

Usage: salmap_test.py SALMAP CASE   (meson runs one CASE per test)

SALMAP is the salmap binary. SALIENCY_SHARED_DIR in the environment names
the ../shared folder with data/ (the data cases skip without it).

The inputs are made here: PNGs by a small writer below (zlib + numpy, no
image library), videos by GStreamer's gst-launch-1.0 (independent of the
libav code under test). Exit status 77 tells meson a case was skipped.
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

SKIP = 77

try:
    import numpy as np
except ImportError:  # the pyenv python3 on some PATHs lacks it
    print("numpy is not available to", sys.executable)
    sys.exit(SKIP)


class Skip(Exception):
    pass


SALMAP = None   # set by main()
SHARED = os.environ.get("SALIENCY_SHARED_DIR", "")


# ---------------------------------------------------------------- helpers

def salmap(*args, expect=0):
    """Runs salmap run ARGS; returns (returncode, stderr)."""
    cmd = [SALMAP, "run"] + [str(a) for a in args]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    # A signal (negative status) is a crash whatever was expected.
    assert p.returncode >= 0, "%s crashed (%d):\n%s" % (
        cmd, p.returncode, p.stderr)
    if expect is not None:
        assert p.returncode == expect, "%s exited %d, expected %d:\n%s" % (
            cmd, p.returncode, expect, p.stderr)
    return p.returncode, p.stderr


def write_png(path, pixels, palette=None):
    """PNG from a uint8/uint16 array: (H,W) gray, (H,W,2) gray+alpha,
    (H,W,3) RGB, (H,W,4) RGBA; with palette (N,3), pixels are indices."""
    a = np.asarray(pixels)
    if a.ndim == 2:
        a = a[:, :, None]
    h, w, c = a.shape
    depth = 16 if a.dtype == np.uint16 else 8
    ctype = 3 if palette is not None else {1: 0, 2: 4, 3: 2, 4: 6}[c]
    rows = a.astype(">u2" if depth == 16 else "u1").reshape(h, -1)
    raw = b"".join(b"\0" + r.tobytes() for r in rows)

    def chunk(kind, data):
        body = kind + data
        return (struct.pack(">I", len(data)) + body
                + struct.pack(">I", zlib.crc32(body) & 0xffffffff))

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0))
    if palette is not None:
        png += chunk(b"PLTE", np.asarray(palette, np.uint8).tobytes())
    png += chunk(b"IDAT", zlib.compress(raw))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def read_png_gray8(path):
    """The pixels of an 8-bit grayscale PNG (what --out-dir writes)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = ihdr
    assert (depth, ctype, interlace) == (8, 0, 0), (path, ihdr)
    raw = zlib.decompress(idat)
    out = np.zeros((h, w), np.uint8)
    prev = np.zeros(w, np.int32)
    for y in range(h):
        ftype = raw[y * (w + 1)]
        line = np.frombuffer(raw, np.uint8, w, y * (w + 1) + 1).astype(np.int32)
        cur = np.zeros(w, np.int32)
        for x in range(w):
            left = cur[x - 1] if x else 0
            up = prev[x]
            ul = prev[x - 1] if x else 0
            if ftype == 0:
                pred = 0
            elif ftype == 1:
                pred = left
            elif ftype == 2:
                pred = up
            elif ftype == 3:
                pred = (left + up) // 2
            else:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else ul
            cur[x] = (line[x] + pred) & 0xff
        out[y] = cur
        prev = cur
    return out


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    return struct.unpack(">II", head[16:24])   # (width, height)


def check_maps(path, frames, height, width):
    """The .npy is float32 LE [frames, height, width] of probability maps."""
    with open(path, "rb") as f:
        assert f.read(6) == b"\x93NUMPY", "%s: not an .npy file" % path
    a = np.load(path)
    assert a.dtype == np.dtype("<f4"), a.dtype
    assert a.shape == (frames, height, width), \
        "shape %s, expected %s" % (a.shape, (frames, height, width))
    assert np.isfinite(a).all(), "non-finite values"
    assert a.min() >= 0, "negative value %g" % a.min()
    sums = a.astype(np.float64).sum(axis=(1, 2))
    worst = np.abs(sums - 1).max()
    assert worst <= 1e-4, "a map sums to %.6f" % sums[np.abs(sums - 1).argmax()]
    return a


def gst_launch(pipeline):
    if shutil.which("gst-launch-1.0") is None:
        raise Skip("gst-launch-1.0 is not installed")
    p = subprocess.run(["gst-launch-1.0", "-q"] + pipeline.split(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120)
    if p.returncode != 0:
        raise Skip("gst-launch-1.0 %s failed (element missing?): %s"
                   % (pipeline, p.stderr.strip()))


def make_video(path, frames=30, width=64, height=48, enc="x264enc",
               mux="mp4mux", fmt="I420"):
    gst_launch("videotestsrc num-buffers=%d pattern=ball ! "
               "video/x-raw,format=%s,width=%d,height=%d,framerate=30/1 ! "
               "%s ! %s ! filesink location=%s"
               % (frames, fmt, width, height, enc, mux, path))


def random_image(rng, h, w, c=3):
    shape = (h, w) if c == 1 else (h, w, c)
    return rng.integers(0, 256, shape, dtype=np.uint8)


def content_model(tmp):
    """Options choosing a model whose maps depend on the picture (the
    default may be a content-free prior): cases that tell frames apart
    by their maps need one."""
    rng = np.random.default_rng(0)
    probe = os.path.join(tmp, "probe.png")
    write_png(probe, random_image(rng, 8, 8))
    rc, err = salmap("-q", "--model", "classic", probe, expect=None)
    if rc != 0:
        raise Skip("no classic model in this build: %s" % err.strip())
    return ["--model", "classic"]


def shared(*parts):
    path = os.path.join(SHARED, *parts)
    if not SHARED or not os.path.exists(path):
        raise Skip("%s is absent (no ../shared)" % path)
    return path


# ------------------------------------------------------------------ cases

def case_usage(tmp):
    for args in (["--help"], ["help", "run"], ["run", "--help"],
                 ["help", "eval"], ["eval", "--help"]):
        p = subprocess.run([SALMAP] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        assert p.returncode == 0, (args, p.stderr)
        assert "Usage" in p.stdout, (args, p.stdout)
    p = subprocess.run([SALMAP, "run", "--help"], stdout=subprocess.PIPE,
                       text=True)
    for option in ("--npy", "--out-dir", "--still", "--model", "--device",
                   "--quiet"):
        assert option in p.stdout, option
    for args in ([], ["nonsense"], ["run"], ["run", "--no-such-option", "x"]):
        p = subprocess.run([SALMAP] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert p.stderr.strip(), args


def case_video_npy(tmp):
    video = os.path.join(tmp, "ball.mp4")
    make_video(video, frames=30)
    npy = os.path.join(tmp, "maps.npy")
    _, err = salmap("--npy", npy, video)
    check_maps(npy, 30, 48, 64)
    assert "30 frames" in err and "fps" in err, err
    assert not os.path.exists(npy + ".part")
    # --quiet: nothing at all on stderr.
    _, err = salmap("--quiet", "--npy", npy, video)
    assert err == "", err


def case_video_out_dir(tmp):
    video = os.path.join(tmp, "ball.mp4")
    make_video(video, frames=30)
    out, npy = os.path.join(tmp, "maps"), os.path.join(tmp, "maps.npy")
    salmap("-q", "--out-dir", out, "--npy", npy, video)
    maps = check_maps(npy, 30, 48, 64)
    names = sorted(os.listdir(out))
    assert names == ["%06d.png" % i for i in range(30)], names
    for i in (0, 29):
        png = read_png_gray8(os.path.join(out, names[i]))
        assert png.shape == (48, 64)
        assert png.max() == 255, png.max()
        want = maps[i] / maps[i].max() * 255
        assert np.abs(png - want).max() <= 1, "PNG != map/max*255"


def case_odd_video(tmp):
    # x264 cannot code odd sizes in 4:2:0; FFV1 can, and yuv420p 33x17
    # goes to the engine as I420 with rounded-up chroma planes.
    video = os.path.join(tmp, "odd.mkv")
    make_video(video, frames=10, width=33, height=17, enc="avenc_ffv1",
               mux="matroskamux")
    npy, out = os.path.join(tmp, "odd.npy"), os.path.join(tmp, "out")
    salmap("-q", "--npy", npy, "--out-dir", out, video)
    check_maps(npy, 10, 17, 33)
    assert len(os.listdir(out)) == 10
    assert png_size(os.path.join(out, "000009.png")) == (33, 17)


def case_video_formats(tmp):
    # Decoder outputs the engine reads as they are (gray, rgb24, bgr0) and
    # ones converted to RGB first (4:4:4, 10 bit). Raw RGB rows are not
    # padded in Matroska but are in GStreamer: width*3 must be a multiple
    # of 4 for the picture to survive, hence 36.
    for fmt, enc in (("GRAY8", "avenc_ffv1"), ("RGB", "identity"),
                     ("BGRx", "avenc_ffv1"), ("Y444", "avenc_ffv1"),
                     ("I420_10LE", "avenc_ffv1")):
        video = os.path.join(tmp, fmt + ".mkv")
        make_video(video, frames=5, width=36, height=21, enc=enc,
                   mux="matroskamux", fmt=fmt)
        npy = os.path.join(tmp, fmt + ".npy")
        salmap("-q", "--npy", npy, video)
        check_maps(npy, 5, 21, 36)


def case_image_list(tmp):
    rng = np.random.default_rng(1)
    h, w = 17, 33
    images = {
        "c_rgb.png": random_image(rng, h, w, 3),
        "a_gray.png": random_image(rng, h, w, 1),
        "b_gray_alpha.png": random_image(rng, h, w, 2),
        "d_rgba.png": random_image(rng, h, w, 4),
        "e_rgb16.png": rng.integers(0, 65536, (h, w, 3), dtype=np.uint16),
    }
    paths = []
    for name, pixels in images.items():
        paths.append(os.path.join(tmp, name))
        write_png(paths[-1], pixels)
    paths.append(os.path.join(tmp, "f_palette.png"))
    write_png(paths[-1], rng.integers(0, 4, (h, w), dtype=np.uint8),
              palette=[[255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]])
    npy, out = os.path.join(tmp, "maps.npy"), os.path.join(tmp, "out")
    salmap("-q", "--npy", npy, "--out-dir", out, *paths)
    check_maps(npy, len(paths), h, w)
    want = sorted(os.path.splitext(os.path.basename(p))[0] + ".png"
                  for p in paths)
    assert sorted(os.listdir(out)) == want, os.listdir(out)
    for name in want:
        assert png_size(os.path.join(out, name)) == (w, h), name


def case_jpeg_list(tmp):
    # JPEG decodes to full-range yuvj420p/yuvj444p: the RGB conversion path.
    paths = []
    for i, (w, h) in enumerate([(33, 17)] * 3):
        paths.append(os.path.join(tmp, "%d.jpg" % i))
        gst_launch("videotestsrc num-buffers=1 pattern=%d ! "
                   "video/x-raw,width=%d,height=%d ! jpegenc ! "
                   "filesink location=%s" % (i, w, h, paths[-1]))
    npy = os.path.join(tmp, "maps.npy")
    salmap("-q", "--npy", npy, *paths)
    check_maps(npy, 3, 17, 33)


def case_tiny_images(tmp):
    one = os.path.join(tmp, "one.png")
    write_png(one, np.array([[[200, 10, 30]]], np.uint8))
    gray = os.path.join(tmp, "gray.png")
    write_png(gray, np.array([[7]], np.uint8))
    npy, out = os.path.join(tmp, "maps.npy"), os.path.join(tmp, "out")
    salmap("-q", "--npy", npy, "--out-dir", out, one, gray)
    maps = check_maps(npy, 2, 1, 1)
    assert np.allclose(maps, 1.0), maps
    assert png_size(os.path.join(out, "one.png")) == (1, 1)
    # A one-pixel row and column.
    for shape in ((1, 40), (40, 1)):
        path = os.path.join(tmp, "line.png")
        write_png(path, np.full(shape + (3,), 128, np.uint8))
        salmap("-q", "--npy", npy, path)
        check_maps(npy, 1, *shape)


def case_mixed_sizes(tmp):
    rng = np.random.default_rng(2)
    sizes = [(17, 33), (40, 30), (17, 33)]
    paths = []
    for i, (h, w) in enumerate(sizes):
        paths.append(os.path.join(tmp, "im%d.png" % i))
        write_png(paths[-1], random_image(rng, h, w))
    npy = os.path.join(tmp, "maps.npy")
    _, err = salmap("--npy", npy, *paths, expect=1)
    assert err.startswith("salmap: ") and "size" in err, err
    assert "33x17" in err and "30x40" in err, err
    assert not os.path.exists(npy), "a failed run left an .npy"
    assert not os.path.exists(npy + ".part"), "a failed run left a .part"
    out = os.path.join(tmp, "out")
    salmap("-q", "--out-dir", out, *paths)
    for i, (h, w) in enumerate(sizes):
        assert png_size(os.path.join(out, "im%d.png" % i)) == (w, h)


def make_folder(tmp):
    """A folder whose names sort differently by bytes and by number."""
    rng = np.random.default_rng(3)
    folder = os.path.join(tmp, "frames")
    os.mkdir(folder)
    names = ["frame1.png", "frame2.png", "frame10.png"]   # natural order
    for name in names:
        write_png(os.path.join(folder, name), random_image(rng, 24, 32))
    with open(os.path.join(folder, "notes.txt"), "w") as f:
        f.write("not an image\n")
    return folder, [os.path.join(folder, n) for n in names]


def case_folder(tmp):
    folder, paths = make_folder(tmp)
    npy, out = os.path.join(tmp, "maps.npy"), os.path.join(tmp, "out")
    salmap("-q", "--npy", npy, "--out-dir", out, folder)
    check_maps(npy, 3, 24, 32)          # notes.txt is not a frame
    assert sorted(os.listdir(out)) == sorted(
        os.path.basename(p) for p in paths), os.listdir(out)

    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    _, err = salmap(empty, expect=1)
    assert ("salmap: " + empty) in err and "no image files" in err, err


def case_order(tmp):
    # In still mode a map depends on its frame only, so the order of the
    # maps shows the order the frames were read in.
    folder, paths = make_folder(tmp)
    model = content_model(tmp)
    by_folder = os.path.join(tmp, "folder.npy")
    salmap("-q", "--still", "--npy", by_folder, *model, folder)
    a = check_maps(by_folder, 3, 24, 32)
    by_list = os.path.join(tmp, "list.npy")
    salmap("-q", "--still", "--npy", by_list, *model, *paths)
    b = check_maps(by_list, 3, 24, 32)
    assert not np.allclose(b[0], b[1]), "different frames, same map"
    assert np.allclose(a, b, atol=1e-7), "folder order != name order"
    reverse = os.path.join(tmp, "reverse.npy")
    salmap("-q", "--still", "--npy", reverse, *model, *paths[::-1])
    c = check_maps(reverse, 3, 24, 32)
    assert np.allclose(c, b[::-1], atol=1e-7), "list order not kept"


def case_still(tmp):
    rng = np.random.default_rng(4)
    first, second = os.path.join(tmp, "a.png"), os.path.join(tmp, "b.png")
    write_png(first, random_image(rng, 36, 48))
    write_png(second, random_image(rng, 36, 48))
    pair, alone = os.path.join(tmp, "pair.npy"), os.path.join(tmp, "alone.npy")
    salmap("-q", "--still", "--npy", pair, first, second)
    salmap("-q", "--still", "--npy", alone, second)
    p = check_maps(pair, 2, 36, 48)
    s = check_maps(alone, 1, 36, 48)
    assert np.allclose(p[1], s[0], atol=1e-7), \
        "--still: a map depends on the frame before"


def case_corrupt(tmp):
    garbage = os.path.join(tmp, "garbage.mp4")
    with open(garbage, "wb") as f:
        f.write(np.random.default_rng(5).integers(0, 256, 20000, np.uint8)
                .tobytes())
    _, err = salmap("--npy", os.path.join(tmp, "g.npy"), garbage, expect=1)
    assert ("salmap: " + garbage) in err, err
    assert "Invalid data found when processing input" in err, err

    # Cut in the middle: mp4mux writes the index (moov) at the end, so it
    # is lost; with faststart it comes first and the samples are cut.
    for name, mux in (("cut.mp4", "mp4mux"),
                      ("cut-faststart.mp4", "mp4mux faststart=true")):
        video = os.path.join(tmp, "whole-" + name)
        make_video(video, frames=30, mux=mux)
        with open(video, "rb") as f:
            data = f.read()
        cut = os.path.join(tmp, name)
        with open(cut, "wb") as f:
            f.write(data[:len(data) * 2 // 3])
        npy = os.path.join(tmp, name + ".npy")
        _, err = salmap("--npy", npy, cut, expect=1)
        assert ("salmap: " + cut) in err, err
        assert not os.path.exists(npy), "a failed run left an .npy"

    png = os.path.join(tmp, "broken.png")
    write_png(png, np.zeros((8, 8, 3), np.uint8))
    with open(png, "r+b") as f:
        f.truncate(40)
    _, err = salmap("--npy", os.path.join(tmp, "p.npy"), png, expect=1)
    assert png in err, err


def case_missing(tmp):
    missing = os.path.join(tmp, "no-such-clip.mp4")
    _, err = salmap("--npy", os.path.join(tmp, "m.npy"), missing, expect=1)
    assert err.startswith("salmap: ") and missing in err, err
    assert "No such file or directory" in err, err
    # A missing name later in a list fails before any work.
    good = os.path.join(tmp, "good.png")
    write_png(good, np.zeros((4, 4, 3), np.uint8))
    out = os.path.join(tmp, "out")
    _, err = salmap("--out-dir", out, good, missing, expect=1)
    assert missing in err, err
    assert not os.path.exists(os.path.join(out, "good.png"))
    # An output that cannot be written.
    _, err = salmap("--npy", os.path.join(tmp, "no", "dir", "m.npy"), good,
                    expect=1)
    assert err.startswith("salmap: "), err


def case_engine_errors(tmp):
    image = os.path.join(tmp, "x.png")
    write_png(image, np.zeros((8, 8, 3), np.uint8))
    for args in (["--model", os.path.join(tmp, "no-such-model.safetensors")],
                 ["--model", "no-such-architecture"],
                 ["--device", "4242"]):
        _, err = salmap(*args, image, expect=1)
        assert err.startswith("salmap: ") and len(err.splitlines()) >= 1, err


def case_bench(tmp):
    """salmap bench: JSON with the figures, a table, usage errors."""
    import json
    p = subprocess.run([SALMAP, "bench", "--model", "classic", "--frames",
                        "6", "--frame-size", "90x160", "--json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, check=True)
    r = json.loads(p.stdout)
    assert r["frames"] == 6 and r["architecture"] == "classic", r
    assert (r["frame_width"], r["frame_height"]) == (160, 90), r
    assert r["ms_per_frame"] > 0 and abs(r["fps"] * r["ms_per_frame"]
                                         - 1000) < 1, r
    assert abs(r["mean_fps"] * r["mean_ms_per_frame"] - 1000) < 1, r
    assert r["slowest_ms"] >= max(r["ms_per_frame"],
                                  r["mean_ms_per_frame"]), r
    # The median total covers its stages (each a median, so roughly).
    stages = r["preprocess_ms"] + r["network_ms"] + r["postprocess_ms"]
    assert stages <= r["ms_per_frame"] * 1.5 + 0.5, r
    # By default maps come at the engine's map size (the frame's aspect at
    # the network's long side, 128 for classic), frames in RGBx.
    assert r["format"] == "RGBx", r
    assert (r["map_width"], r["map_height"]) == (128, 72), r
    for extra, fmt, size in ((["--map-size", "frame", "--format", "I420"],
                              "I420", (160, 90)),
                             (["--map-size", "30x40", "--format", "NV12"],
                              "NV12", (40, 30)),
                             (["--map-size", "auto", "--format", "BGR"],
                              "BGR", (128, 72))):
        p = subprocess.run([SALMAP, "bench", "--model", "classic",
                            "--frames", "2", "--frame-size", "90x160",
                            "--json"] + extra, stdout=subprocess.PIPE,
                           text=True, check=True)
        r = json.loads(p.stdout)
        assert r["format"] == fmt, (extra, r)
        assert (r["map_width"], r["map_height"]) == size, (extra, r)
    p = subprocess.run([SALMAP, "bench", "--model", "centre", "--frames",
                        "3"], stdout=subprocess.PIPE, text=True, check=True)
    for word in ("pre-process", "network", "post-process", "fps", "map "):
        assert word in p.stdout, p.stdout
    for args in (["--frames", "0"], ["stray"], ["--net-size", "2x"],
                 ["--format", "YUY2"], ["--map-size", "big"],
                 ["--map-size", "0x4"]):
        p = subprocess.run([SALMAP, "bench", "--model", "classic"] + args,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
        assert p.returncode != 0 and "salmap:" in p.stderr, (args, p.stderr)


def case_data_park(tmp):
    # H.264 with an audio and a subtitle stream: only the video is read.
    clip = shared("data", "clips", "park-320x180-60fps.mp4")
    npy = os.path.join(tmp, "park.npy")
    salmap("-q", "--npy", npy, clip)
    # 341: what GStreamer's qtdemux ! avdec_h264 decodes from it too.
    check_maps(npy, 341, 180, 320)


def case_data_explosion(tmp):
    # Composition-time offsets and an edit list: every one of the 517
    # frames must come out (a decoder not drained at the end, or frames
    # dropped by timestamp, lose some). PNGs rather than a 1.9 GB .npy.
    clip = shared("data", "clips", "explosion-720x1280.mp4")
    out = os.path.join(tmp, "out")
    salmap("-q", "--out-dir", out, clip)
    names = sorted(os.listdir(out))
    assert names == ["%06d.png" % i for i in range(517)], \
        "%d maps: %s ... %s" % (len(names), names[:2], names[-2:])
    assert png_size(os.path.join(out, names[-1])) == (720, 1280)


def case_data_dhf1k(tmp):
    folder = shared("data", "dhf1k-0601", "images")
    n = len([f for f in os.listdir(folder) if f.endswith(".jpg")])
    npy, out = os.path.join(tmp, "dhf1k.npy"), os.path.join(tmp, "out")
    salmap("-q", "--npy", npy, "--out-dir", out, folder)
    check_maps(npy, n, 256, 320)
    assert sorted(os.listdir(out)) == sorted(
        os.path.splitext(f)[0] + ".png" for f in os.listdir(folder)
        if f.endswith(".jpg"))


# ------------------------------------------- the "sr" model (baseline)

def sr_spec():
    """tools/spectral_residual.py, the specification of --model sr."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(
        __file__)), "..", "..", "tools"))
    import spectral_residual
    return spectral_residual


def sr_maps(tmp, images, still=True):
    """--model sr's maps of same-size RGB uint8 images, as float64."""
    paths = []
    for i, img in enumerate(images):
        paths.append(os.path.join(tmp, "sr%03d.png" % i))
        write_png(paths[-1], img)
    npy = os.path.join(tmp, "sr.npy")
    salmap("-q", "--model", "sr", "--npy", npy, *(["--still"] if still
                                                   else []), *paths)
    maps = np.load(npy).astype(np.float64)
    for p in paths:
        os.remove(p)
    return maps


def check_sr(tmp, images, what):
    """--model sr against the NumPy specification (float32 noise) and,
    where python3-opencv is installed, OpenCV's own spectral residual
    (its uint8 rounding: CC over 0.999)."""
    sr = sr_spec()
    try:
        import cv2
        cv2.saliency
    except (ImportError, AttributeError):
        cv2 = None
    got = sr_maps(tmp, images)
    for img, m in zip(images, got):
        want = sr.sr_centre_map(img)
        err = np.abs(m - want).max() / want.max()
        assert err < 1e-5, "%s %s: --model sr differs from " \
            "spectral_residual.py by %.3g of the peak" % (what, img.shape, err)
        if cv2 is not None and min(img.shape[:2]) >= 8:
            ocv = sr.with_centre(sr.sr_map_opencv(img))
            cc = np.corrcoef(m.ravel(), ocv.ravel())[0, 1]
            assert cc > 0.999, "%s %s: CC %.5f with OpenCV's" % (
                what, img.shape, cc)
    return got


def blob_image(rng, h, w, cy, cx, radius):
    """A bright disc on a dim, slightly noisy background."""
    y, x = np.mgrid[0:h, 0:w]
    img = rng.integers(40, 56, (h, w, 3)).astype(np.float64)
    disc = (y - cy) ** 2 + (x - cx) ** 2 <= radius ** 2
    img[disc] = (230, 200, 60)
    return img.astype(np.uint8)


def case_sr(tmp):
    """--model sr is spectral residual x centre prior as specified, and
    finds a salient object away from the centre."""
    rng = np.random.default_rng(21)
    # A lone disc, off centre, at several sizes and shapes (larger and
    # smaller than SR's 64 x 64, portrait, odd): the map peaks on it.
    for h, w, cy, cx in ((120, 200, 40, 60), (300, 160, 210, 110),
                         (45, 61, 30, 20), (64, 64, 20, 44)):
        r = max(2, min(h, w) // 14)
        img = blob_image(rng, h, w, cy, cx, r)
        m = check_sr(tmp, [img], "disc")[0]
        assert abs(m.sum() - 1) < 1e-4, m.sum()
        py, px = np.unravel_index(np.argmax(m), m.shape)
        dist = np.hypot((py - cy) / h, (px - cx) / w)
        assert dist < 0.08, "disc at (%d, %d) of %dx%d, peak at (%d, %d)" % (
            cy, cx, h, w, py, px)
    # Noise, flat pictures (exact zeros in the spectrum) and tiny ones:
    # as specified, finite.
    check_sr(tmp, [random_image(rng, 50, 70) for _ in range(3)], "noise")
    flat = [np.full((40, 52, 3), v, np.uint8) for v in (0, 128, 255)]
    for m in check_sr(tmp, flat, "flat"):
        assert np.all(np.isfinite(m)), m
    check_sr(tmp, [random_image(rng, 3, 5)], "tiny")
    # No temporal state: a video gives the maps of its frames alone.
    frames = [random_image(rng, 36, 48) for _ in range(3)]
    assert np.allclose(sr_maps(tmp, frames, still=False),
                       sr_maps(tmp, frames), atol=1e-9)


def case_data_sr(tmp):
    """--model sr against the specification (and OpenCV's, if installed)
    on real pictures: DHF1K frames, MIT1003 and OSIE stills."""
    try:
        from PIL import Image
    except ImportError:
        raise Skip("PIL is not available to %s" % sys.executable)
    root = shared("data")
    picked = []
    folder = os.path.join(root, "dhf1k-0601", "images")
    for n in sorted(os.listdir(folder))[:3]:
        picked.append(Image.open(os.path.join(folder, n)).convert(
            "RGB").resize((640, 360), Image.BILINEAR))
    for name in ("mit1003-subset/stimuli", "osie/stimuli"):
        folder = os.path.join(root, name)
        if os.path.isdir(folder):
            for n in sorted(os.listdir(folder))[:2]:
                picked.append(Image.open(os.path.join(folder, n)).convert(
                    "RGB"))
    for im in picked:
        check_sr(tmp, [np.asarray(im)], "real")
    print("%d pictures agree" % len(picked))


# ------------------------------------------------------------ salmap eval

def metrics_modules():
    """metrics.py (the NumPy reference) and grand.py (GRand's draws) from
    tests/metrics."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(
        __file__)), "..", "metrics"))
    import grand
    import metrics
    return metrics, grand


def salmap_eval(*args, expect=0):
    """Runs salmap eval ARGS; returns (returncode, stdout, stderr)."""
    cmd = [SALMAP, "eval"] + [str(a) for a in args]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    assert p.returncode >= 0, "%s crashed (%d):\n%s" % (
        cmd, p.returncode, p.stderr)
    if expect is not None:
        assert p.returncode == expect, "%s exited %d, expected %d:\n%s" % (
            cmd, p.returncode, expect, p.stderr)
    return p.returncode, p.stdout, p.stderr


def write_ppm(path, rgb):
    """Binary PPM (P6) from an (H,W,3) uint8 array."""
    h, w, _ = rgb.shape
    with open(path, "wb") as f:
        f.write(b"P6\n%d %d\n255\n" % (w, h) + rgb.astype(np.uint8).tobytes())


def pil_luma(rgb):
    """What salmap (and PIL's convert("L")) reads from an RGB map."""
    r, g, b = (rgb[..., c].astype(np.int64) for c in range(3))
    return ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(
        np.float64)


def eval_others(fixs, i):
    """Shuffled AUC's negatives for frame i: the other frames' fixations,
    a fixation (x, y) of a w x h map at ((x+.5) W/w, (y+.5) H/h) in frame
    i's W x H (salmap-fixations.h)."""
    hh, ww = fixs[i].shape
    out = np.zeros((hh, ww), bool)
    for j, f in enumerate(fixs):
        if j == i:
            continue
        ys, xs = np.nonzero(f)
        h, w = f.shape
        if (h, w) != (hh, ww):
            xs = np.minimum(((xs + 0.5) * ww / w).astype(int), ww - 1)
            ys = np.minimum(((ys + 0.5) * hh / h).astype(int), hh - 1)
        out[ys, xs] = True
    return out


def eval_reference(maps, gts, fixs=None, seed=0):
    """What salmap eval must print: metrics.py's per-frame scores of maps
    (from salmap run) against gts and fixs, with frame i's randomness from
    g_rand_new_with_seed (seed + i): the jitter, then the splits."""
    metrics, grand = metrics_modules()
    scores = {"CC": [], "SIM": [], "KLD": []}
    if fixs is not None:
        scores.update({"NSS": [], "AUC-Judd": [], "sAUC": []})
    for i, (s, g) in enumerate(zip(maps, gts)):
        scores["CC"].append(metrics.cc(s, g))
        scores["SIM"].append(metrics.sim(s, g))
        scores["KLD"].append(metrics.kld(s, g))
        if fixs is None:
            continue
        f = fixs[i] > 0
        rand = grand.GRand(seed + i)
        jitter = grand.jitter(rand, f.shape)
        other = eval_others(fixs, i)
        splits = grand.splits(rand, f, other)
        scores["NSS"].append(metrics.nss(s, f))
        scores["AUC-Judd"].append(metrics.auc_judd(s, f, jitter=jitter))
        scores["sAUC"].append(metrics.shuffled_auc(s, f, other, splits=splits)
                              if splits is not None else float("nan"))
    return {k: float(np.nanmean(v)) for k, v in scores.items()}


def check_eval_json(result, model_ref, centre_ref, frames, tol=1e-5,
                    baselines=None):
    """baselines: the reference of each baseline row but the centre's,
    by name (None: not checked)."""
    assert result["frames"] == frames, result
    assert result["baseline"]["name"] == "centre", result
    pairs = [(result["metrics"], model_ref),
             (result["baseline"]["metrics"], centre_ref),
             (result["baselines"]["centre"], centre_ref)]
    if baselines is not None:
        assert list(result["baselines"]) == ["centre"] + list(baselines), \
            result
        pairs += [(result["baselines"][k], v) for k, v in baselines.items()]
    for got, want in pairs:
        assert sorted(got) == sorted(want), (got, want)
        for k in want:
            assert abs(got[k] - want[k]) <= tol, \
                "%s: salmap eval %.9f, metrics.py %.9f" % (k, got[k], want[k])


def run_maps(inputs, *options):
    """The maps `salmap run --npy` makes of inputs, as float64."""
    npy = os.path.join(os.path.dirname(inputs[0]), "..", "run.npy")
    salmap("-q", "--npy", npy, *options, *inputs)
    return np.load(npy).astype(np.float64)


def make_eval_set(tmp, rng):
    """Five frames (one a PPM) in frames/, density maps in maps/ (mostly
    at another size than the frames, as gray PNG, RGB PNG, PPM, and a .jpg
    name), fixations in fix/ (two sizes). Returns (frame paths, gts,
    fixs), gts and fixs as read."""
    dirs = [os.path.join(tmp, d) for d in ("frames", "maps", "fix")]
    for d in dirs:
        os.makedirs(d)
    frames, gts, fixs = [], [], []
    y, x = np.mgrid[0:48, 0:64]
    for i in range(5):
        # A bright blob on noise: something for a model to find.
        cx, cy = 12 + 9 * i, 14 + 4 * i
        blob = 180 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 40.0)
        img = np.clip(rng.integers(0, 70, (48, 64, 3)) + blob[..., None],
                      0, 255).astype(np.uint8)
        if i == 3:
            frames.append(os.path.join(dirs[0], "f3.ppm"))
            write_ppm(frames[-1], img)
        else:
            frames.append(os.path.join(dirs[0], "f%d.png" % i))
            write_png(frames[-1], img)

        gh, gw = (48, 64) if i == 2 else (36, 52)
        gy, gx = np.mgrid[0:gh, 0:gw]
        g = 255 * np.exp(-((gx - cx * gw / 64) ** 2
                           + (gy - cy * gh / 48) ** 2) / 30.0)
        g = np.clip(g + rng.integers(0, 20, (gh, gw)), 0, 255).astype(
            np.uint8)
        if i == 1:      # found by the .jpg rule (PNG content: lossless)
            write_png(os.path.join(dirs[1], "f1.jpg"), g)
            gts.append(g.astype(np.float64))
        elif i == 3:    # the input's own name, f3.ppm; gray as RGB
            write_ppm(os.path.join(dirs[1], "f3.ppm"), np.stack([g] * 3, -1))
            gts.append(g.astype(np.float64))
        elif i == 4:    # colour: read as PIL's luma
            rgb = np.stack([g, g[::-1], np.roll(g, 5, 1)], -1)
            write_png(os.path.join(dirs[1], "f4.png"), rgb)
            gts.append(pil_luma(rgb))
        else:
            write_png(os.path.join(dirs[1], "f%d.png" % i), g)
            gts.append(g.astype(np.float64))

        fh, fw = (48, 64) if i % 2 else (40, 56)
        f = rng.random((fh, fw)) < 0.03
        f[fh // 2, fw // 3] = True
        write_png(os.path.join(dirs[2], "f%d.png" % i),
                  f.astype(np.uint8) * 255)
        fixs.append(f)
    return frames, gts, fixs


def case_eval(tmp):
    """salmap eval against metrics.py on the maps of salmap run."""
    import json
    rng = np.random.default_rng(7)
    frames, gts, fixs = make_eval_set(tmp, rng)
    model = content_model(tmp)
    maps_dir, fix_dir = os.path.join(tmp, "maps"), os.path.join(tmp, "fix")
    maps = run_maps(frames, *model)
    centre = run_maps(frames, "--model", "centre")
    # The baselines' rows are the maps of their models, as salmap run
    # makes them (the SR maps' own check: case_sr).
    sr = run_maps(frames, "--model", "sr")
    classic = run_maps(frames, "--model", "classic")
    assert not np.allclose(sr, classic, rtol=0.05), "sr == classic"

    _, out, _ = salmap_eval("--json", *model, "--maps", maps_dir,
                            "--fixations", fix_dir,
                            os.path.join(tmp, "frames"))
    r = json.loads(out)
    assert r["model"] == "classic", r
    check_eval_json(r, eval_reference(maps, gts, fixs),
                    eval_reference(centre, gts, fixs), 5,
                    baselines={"classic": eval_reference(classic, gts, fixs),
                               "sr": eval_reference(sr, gts, fixs)})
    # Another seed: other draws, still reproduced.
    _, out, _ = salmap_eval("--json", "--seed", "41", *model, "--maps",
                            maps_dir, "--fixations", fix_dir, *frames)
    check_eval_json(json.loads(out), eval_reference(maps, gts, fixs, 41),
                    eval_reference(centre, gts, fixs, 41), 5)
    # Density maps only: CC, SIM, KLD; --still as run --still, for the
    # classic baseline too; --baselines picks rows, centre always.
    still = run_maps(frames, *model, "--still")
    _, out, _ = salmap_eval("--json", "-q", "--still", *model, "--maps",
                            maps_dir, *frames)
    check_eval_json(json.loads(out), eval_reference(still, gts),
                    eval_reference(centre, gts), 5,
                    baselines={"classic": eval_reference(still, gts),
                               "sr": eval_reference(sr, gts)})
    _, out, _ = salmap_eval("--json", "-q", "--baselines", "sr", "--maps",
                            maps_dir, *frames)
    check_eval_json(json.loads(out), eval_reference(
        run_maps(frames), gts), eval_reference(centre, gts), 5,
        baselines={"sr": eval_reference(sr, gts)})

    # The table: a header, the model's row, the baselines' rows.
    _, out, _ = salmap_eval(*model, "--maps", maps_dir, "--fixations",
                            fix_dir, *frames)
    lines = out.splitlines()
    assert len(lines) == 5, out
    for word in ("CC", "SIM", "KLD", "NSS", "AUC-J", "sAUC", "frames"):
        assert word in lines[0].split(), out
    assert [ln.split()[:2] for ln in lines[1:]] == [
        ["classic", "5"], ["centre", "5"], ["classic", "5"], ["sr", "5"]], out
    for line, ref_maps in ((lines[2], centre), (lines[4], sr)):
        ref = eval_reference(ref_maps, gts, fixs)
        assert abs(float(line.split()[2]) - ref["CC"]) < 1e-4, out
    _, out, _ = salmap_eval("-q", "--baselines", " centre, ", "--maps",
                            maps_dir, *frames)
    assert [ln.split()[0] for ln in out.splitlines()[1:]] == [
        "default", "centre"], out


def case_eval_errors(tmp):
    rng = np.random.default_rng(8)
    frames, _, _ = make_eval_set(tmp, rng)
    maps_dir, fix_dir = os.path.join(tmp, "maps"), os.path.join(tmp, "fix")
    # Usage: no --maps, no input, a bad option value.
    for args in ([frames[0]], ["--maps", maps_dir], ["--maps", maps_dir,
                                                     "--seed", "x", *frames]):
        _, _, err = salmap_eval(*args, expect=2)
        assert err.startswith("salmap: "), err
    # A baseline that is not one.
    _, _, err = salmap_eval("--baselines", "centre,itti", "--maps", maps_dir,
                            *frames, expect=2)
    assert "itti" in err and "classic" in err, err
    # Folders that are not there.
    for args in (["--maps", os.path.join(tmp, "nope")],
                 ["--maps", maps_dir, "--fixations", frames[0]]):
        _, _, err = salmap_eval(*args, *frames, expect=1)
        assert err.startswith("salmap: ") and args[-1] in err, err
    # A missing density map or fixation map, named with what was tried;
    # with fixations it fails before the model runs (no progress).
    os.rename(os.path.join(fix_dir, "f2.png"), os.path.join(tmp, "f2.png"))
    _, _, err = salmap_eval("--maps", maps_dir, "--fixations", fix_dir,
                            *frames, expect=1)
    assert fix_dir in err and "f2.png" in err and frames[2] in err, err
    assert "looked for f2.png, f2.jpg" in err, err
    os.rename(os.path.join(tmp, "f2.png"), os.path.join(fix_dir, "f2.png"))
    os.remove(os.path.join(maps_dir, "f3.ppm"))
    _, _, err = salmap_eval("--maps", maps_dir, *frames, expect=1)
    assert "no ground truth for %s" % frames[3] in err, err
    assert "f3.png, f3.jpg, f3.ppm" in err, err
    # A ground truth that is not an image.
    with open(os.path.join(maps_dir, "f3.png"), "wb") as f:
        f.write(b"not a picture")
    _, _, err = salmap_eval("-q", "--maps", maps_dir, *frames, expect=1)
    assert "f3.png" in err, err


def case_eval_video(tmp):
    """A video: ground truth numbered 0001.png ...; counts must match."""
    import json
    video = os.path.join(tmp, "ball.mp4")
    make_video(video, frames=6)
    rng = np.random.default_rng(9)
    maps_dir, fix_dir = os.path.join(tmp, "maps"), os.path.join(tmp, "fix")
    os.makedirs(maps_dir)
    os.makedirs(fix_dir)
    gts, fixs = [], []
    for n in range(1, 7):
        g = rng.integers(0, 256, (36, 64), dtype=np.uint8)
        f = rng.random((36, 64)) < 0.05
        write_png(os.path.join(maps_dir, "%04d.png" % n), g)
        write_png(os.path.join(fix_dir, "%04d.png" % n), f.astype(np.uint8))
        gts.append(g.astype(np.float64))
        fixs.append(f)
    npy = os.path.join(tmp, "run.npy")
    salmap("-q", "--npy", npy, video)
    maps = np.load(npy).astype(np.float64)
    refs = {}
    for name in ("centre", "classic", "sr"):
        salmap("-q", "--npy", npy, "--model", name, video)
        refs[name] = eval_reference(np.load(npy).astype(np.float64), gts,
                                    fixs)
    _, out, _ = salmap_eval("--json", "-q", "--maps", maps_dir,
                            "--fixations", fix_dir, video)
    check_eval_json(json.loads(out), eval_reference(maps, gts, fixs),
                    refs.pop("centre"), 6, baselines=refs)

    # Ground truth for a 7th frame: the video and the maps do not line up.
    write_png(os.path.join(maps_dir, "0007.png"), gts[0].astype(np.uint8))
    _, _, err = salmap_eval("-q", "--maps", maps_dir, video, expect=1)
    assert "mismatched counts" in err and "0007.png" in err, err
    os.remove(os.path.join(maps_dir, "0007.png"))
    # A frame without: named.
    os.remove(os.path.join(fix_dir, "0006.png"))
    _, _, err = salmap_eval("-q", "--maps", maps_dir, "--fixations", fix_dir,
                            video, expect=1)
    assert "frame 6 of %s" % video in err and "0006.png" in err, err
    # Two videos would read the same numbered files.
    _, _, err = salmap_eval("-q", "--maps", maps_dir, video, video, expect=1)
    assert "one video at a time" in err, err


def case_data_eval(tmp):
    """DHF1K 0601 (fixations too) and MIT1003 stills: salmap eval agrees
    with metrics.py on real data, and classic beats the centre prior on
    CC."""
    import json
    try:
        from PIL import Image
    except ImportError:
        raise Skip("PIL is not available to %s" % sys.executable)
    root = shared("data", "dhf1k-0601")
    frames_dir = os.path.join(tmp, "frames")
    os.makedirs(frames_dir)
    names = sorted(n for n in os.listdir(os.path.join(root, "images"))
                   if n.endswith(".jpg"))
    frames = []
    for n in names:
        # Stored at 320x256; the maps are at the original 640x360.
        frames.append(os.path.join(frames_dir, n[:-4] + ".png"))
        Image.open(os.path.join(root, "images", n)).convert("RGB").resize(
            (640, 360), Image.BILINEAR).save(frames[-1])

    def gray(path):
        return np.asarray(Image.open(path).convert("L"), dtype=np.float64)

    gts = [gray(os.path.join(root, "maps", n[:-4] + ".png")) for n in names]
    fixs = [gray(os.path.join(root, "fixation", n[:-4] + ".png")) > 0
            for n in names]
    _, out, _ = salmap_eval("--json", "-q", "--model", "classic", "--maps",
                            os.path.join(root, "maps"), "--fixations",
                            os.path.join(root, "fixation"), frames_dir)
    r = json.loads(out)
    print("DHF1K 0601:", json.dumps(r))
    maps = run_maps(frames, "--model", "classic")
    centre = run_maps(frames, "--model", "centre")
    sr = run_maps(frames, "--model", "sr")
    check_eval_json(r, eval_reference(maps, gts, fixs),
                    eval_reference(centre, gts, fixs), len(names),
                    baselines={"classic": eval_reference(maps, gts, fixs),
                               "sr": eval_reference(sr, gts, fixs)})
    assert r["metrics"]["CC"] > r["baseline"]["metrics"]["CC"], r

    # MIT1003: stills of several sizes, JPEG density maps of the same name.
    root = shared("data", "mit1003-subset")
    stills = sorted(os.listdir(os.path.join(root, "stimuli")))[:12]
    _, out, _ = salmap_eval("--json", "-q", "--still", "--model", "classic",
                            "--maps", os.path.join(root, "maps"),
                            *[os.path.join(root, "stimuli", n)
                              for n in stills])
    r = json.loads(out)
    print("MIT1003 (%d stills):" % len(stills), json.dumps(r))
    assert r["frames"] == len(stills), r
    assert r["metrics"]["CC"] > r["baseline"]["metrics"]["CC"], r
    assert set(r["metrics"]) == {"CC", "SIM", "KLD"}, r


CASES = {name[5:]: fn for name, fn in globals().items()
         if name.startswith("case_")}


def run_case(cases, prefix):
    """Runs the CASE named on the command line (argv: SALMAP CASE) in a
    scratch folder; returns the exit status (77: skipped). Shared with
    tests/encode/encode_test.py."""
    global SALMAP
    if len(sys.argv) != 3 or sys.argv[2] not in cases:
        print("usage: %s SALMAP CASE\ncases: %s"
              % (sys.argv[0], " ".join(cases)))
        return 2
    SALMAP = os.path.abspath(sys.argv[1])
    if not os.access(SALMAP, os.X_OK):
        print("%s is not an executable" % SALMAP)
        return 2
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            cases[sys.argv[2]](tmp)
        except Skip as e:
            print("SKIP:", e)
            return SKIP
    print("ok")
    return 0


def main():
    return run_case(CASES, "salmap-test-")


if __name__ == "__main__":
    sys.exit(main())
