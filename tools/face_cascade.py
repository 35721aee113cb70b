#!/usr/bin/python3
"""Face cue: a Viola-Jones (Haar) face detector, the specification.

src/models/faces/sal-faces.c implements the same algorithm on the host;
tests/faces checks that the two give identical detections, and that both
find the faces OpenCV's own detector finds on real pictures.

Why a face detector: viewers look at faces, and the default model's network
works at 128 px, where most faces are a few pixels. Measured on the select
stills (docs/models.md, "Face cue"), multiplying v6's map by exp(F), with F
the face map below, gains 0.02-0.05 CC on OSIE, EyeCrowd and taskfix-free.

The cascade is OpenCV's haarcascade_frontalface_default.xml (Rainer
Lienhart; Intel License Agreement, reproduced in models/README.md),
converted once into our model file format:

  /usr/bin/python3 tools/face_cascade.py convert \
      /usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml \
      models/faces.safetensors          # apt install opencv-data

File (safetensors, F32; architecture "haar-cascade", metadata window_w,
window_h):
  rects   [F, 3, 5]  per feature up to 3 rectangles (x, y, w, h, weight);
                     an unused third rectangle is all zeros
  weak    [K, 4]     per stump (feature index, threshold, left, right)
  stages  [S, 2]     per stage (number of stumps, threshold); stumps are
                     listed stage after stage

Detection (`detect`), on a grey uint8 image G [H, W]:
  1. Scales s = 1.2^k, k = 0, 1, ... while round(W/s) > window_w + 1 and
     round(H/s) > window_h + 1.
  2. At each scale, G is resized to (w_s, h_s) = (round(W/s), round(H/s)) by
     fixed-point bilinear (`resize_bilinear`: source coordinate
     (x + 0.5) s - 0.5 clamped to the image, weights in 1/2048ths), and its
     integral images of values and squares are taken (int64).
  3. Windows of window_w x window_h at (x, y), x + window_w < w_s and
     y + window_h < h_s, step 2 when s <= 2, else 1.
  4. A window's normaliser: the sum S and sum of squares Q over the window
     inset by 1 pixel (area A); nf = sqrt(A Q - S^2); windows with
     nf <= 0 or A / nf >= 0.1 (contrast std <= 10 grey levels) are
     rejected, as OpenCV does.
  5. Stump value v = sum_i weight_i * rectsum_i (in order, float64); the
     stump adds `left` when v < threshold * nf, else `right` (float64).
     A stage passes when the sum of its stumps' leaves (in order) is
     >= its threshold; a window is a hit when every stage passes.
  6. A hit at (x, y) is the rectangle (round(x s), round(y s),
     round(window_w s), round(window_h s)) in G (round half to even,
     as np.round and C's nearbyint do).
  7. Grouping (`group`, OpenCV's groupRectangles with eps 0.2): hits are
     partitioned by the transitive closure of "similar" (each of the four
     sides within delta = 0.2 (min(w1, w2) + min(h1, h2)) / 2);
     a cluster of more than MIN_NEIGHBOURS hits becomes its mean rectangle
     (coordinates averaged, then rounded); a cluster inside another one
     (by 0.2 of the other's size) that has more than max(3, n) hits is
     dropped.

Face map (`face_map`), on an H x W map for a picture whose detections were
found on G of size Hg x Wg: every face (x, y, w, h, n) becomes
c(n) exp(-d^2 / (2 r^2)), d the distance to its centre and r = w / 2,
both in map pixels (scaled by W / Wg, H / Hg), and c(n) =
1 - exp(-(n - MIN_NEIGHBOURS) / CONFIDENCE_HITS) its confidence: a face
of 4 hits counts 0.18, one of 15 hits 0.91. F is the maximum over faces
(zero without faces). Why c: false faces (a colour chart, a pattern)
gather few hits; on the fit side they cost more than weak true faces
gain (docs/models.md, "v7").

Picture (`frame_grey`): the frame's grey, `grey` (BT.601 luma in
integers; the engine takes the Y plane of I420 and NV12 frames, stretched
from video range, clamp(((Y - 16) 298 + 128) >> 8)), resized by
`resize_bilinear` with s = L / side to round(W side / L) x
round(H side / L), L the frame's longer side (enlarged or reduced: the
cascade's smallest face is 24 pixels): side the model file's face_side
for still pictures and for video frames (without one, FACE_SIDE_STILL and
FACE_SIDE_VIDEO, v7's), video frames being searched every
FACE_EVERY frames, their faces used FACE_LAG frames later (the first after
a reset at once; docs/default-model-spec.md, step 10).

Usage:
  face_cascade.py convert XML OUT.safetensors
  face_cascade.py detect [--cascade F] IMAGE...   # one line per face
"""

import argparse
import os
import sys
import xml.etree.ElementTree as ET

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import safetensors_io  # noqa: E402

SCALE_STEP = 1.2
MIN_NEIGHBOURS = 3
CONFIDENCE_HITS = 5.0
GROUP_EPS = 0.2
BILINEAR_BITS = 11
DEFAULT_CASCADE = os.path.join(HERE, "..", "models", "faces.safetensors")
# The long sides of the searched pictures (still, video) of a model file
# without a face_side tensor (v7's); a file's own come from its face_side.
FACE_SIDES = (512.0, 384.0)
FACE_SIDE_STILL, FACE_SIDE_VIDEO = (int(v) for v in FACE_SIDES)
FACE_EVERY = 15
FACE_LAG = 7


# -- conversion --------------------------------------------------------------

def _nums(text):
    return [float(t) for t in text.split()]


def convert(xml_path):
    """OpenCV's new-format HAAR cascade XML -> (tensors, meta)."""
    root = ET.parse(xml_path).getroot()
    c = root.find("cascade")
    if c is None or c.findtext("featureType", "").strip() != "HAAR" or \
            c.findtext("stageType", "").strip() != "BOOST":
        raise ValueError("%s: not an OpenCV HAAR boosted cascade "
                         "(opencv_storage/cascade, featureType HAAR)"
                         % xml_path)
    win_w, win_h = int(c.findtext("width")), int(c.findtext("height"))
    stages, weak = [], []
    for st in c.find("stages"):
        wcs = list(st.find("weakClassifiers"))
        for wc in wcs:
            node = _nums(wc.findtext("internalNodes"))
            leaves = _nums(wc.findtext("leafValues"))
            if len(node) != 4 or node[0] != 0 or node[1] != -1 or \
                    len(leaves) != 2:
                raise ValueError("%s: only stumps (one node, two leaves) "
                                 "are supported" % xml_path)
            weak.append((node[2], node[3], leaves[0], leaves[1]))
        stages.append((len(wcs), float(st.findtext("stageThreshold"))))
    rects = []
    for f in c.find("features"):
        if f.findtext("tilted", "0").strip() not in ("0", ""):
            raise ValueError("%s: tilted features are not supported"
                             % xml_path)
        rs = [_nums(r.text) for r in f.find("rects")]
        if not 1 <= len(rs) <= 3 or any(len(r) != 5 for r in rs):
            raise ValueError("%s: a feature needs 1-3 rectangles"
                             % xml_path)
        for x, y, w, h, _ in rs:
            if x < 0 or y < 0 or w <= 0 or h <= 0 or x + w > win_w or \
                    y + h > win_h:
                raise ValueError("%s: a rectangle leaves the %dx%d window"
                                 % (xml_path, win_w, win_h))
        rects.append(rs + [[0.0] * 5] * (3 - len(rs)))
    rects = np.array(rects, np.float32)
    weak = np.array(weak, np.float32)
    if weak[:, 0].max() >= len(rects):
        raise ValueError("%s: a stump names a missing feature" % xml_path)
    meta = {"format": "gst-saliency", "format_version": "1",
            "architecture": "haar-cascade", "window_w": str(win_w),
            "window_h": str(win_h),
            "source": os.path.basename(xml_path) + " (OpenCV, Intel "
            "License Agreement: models/README.md)"}
    return [("rects", rects), ("weak", weak),
            ("stages", np.array(stages, np.float32))], meta


class Cascade:
    def __init__(self, path=DEFAULT_CASCADE):
        t, meta = safetensors_io.read(path)
        if meta.get("architecture") != "haar-cascade":
            raise ValueError("%s: not a haar-cascade file" % path)
        self.win_w, self.win_h = int(meta["window_w"]), int(meta["window_h"])
        self.rects = t["rects"].astype(np.float64)
        self.weak = t["weak"].astype(np.float64)
        self.stages = t["stages"].astype(np.float64)
        # Leaves and thresholds are float32 in the file; used as float64.


# -- detection ---------------------------------------------------------------

def grey(rgb8):
    """BT.601 luma of uint8 RGB, in integers: (77 R + 150 G + 29 B + 128)
    >> 8."""
    r = rgb8.astype(np.int32)
    return ((77 * r[..., 0] + 150 * r[..., 1] + 29 * r[..., 2] + 128)
            >> 8).astype(np.uint8)


def picture_size(w, h, side):
    """The searched picture's size for a w x h frame, and its scale."""
    long = max(w, h)
    return (max(1, int(np.round(w * side / long))),
            max(1, int(np.round(h * side / long))), long / side)


def frame_grey(rgb8, side):
    """The picture faces are searched in: grey, long side `side`."""
    g = grey(rgb8)
    w, h, s = picture_size(g.shape[1], g.shape[0], side)
    return resize_bilinear(g, w, h, s)


def _taps(n_src, n_dst, s):
    one = 1 << BILINEAR_BITS
    f = (np.arange(n_dst) + 0.5) * s - 0.5
    f = np.clip(f, 0, n_src - 1)
    i0 = np.floor(f).astype(np.int64)
    i1 = np.minimum(i0 + 1, n_src - 1)
    w1 = np.floor((f - i0) * one + 0.5).astype(np.int64)
    return i0, i1, one - w1, w1


def resize_bilinear(g, w, h, s):
    y0, y1, wy0, wy1 = _taps(g.shape[0], h, s)
    x0, x1, wx0, wx1 = _taps(g.shape[1], w, s)
    g = g.astype(np.int64)
    rows = g[y0] * wy0[:, None] + g[y1] * wy1[:, None]
    out = rows[:, x0] * wx0[None] + rows[:, x1] * wx1[None]
    return ((out + (1 << (2 * BILINEAR_BITS - 1))) >> (2 * BILINEAR_BITS)
            ).astype(np.uint8)


def _integral(a):
    out = np.zeros((a.shape[0] + 1, a.shape[1] + 1), np.int64)
    out[1:, 1:] = a.astype(np.int64).cumsum(0).cumsum(1)
    return out


def _rsum(ii, ys, xs, x, y, w, h):
    y0, x0 = ys + int(y), xs + int(x)
    y1, x1 = y0 + int(h), x0 + int(w)
    return ii[y1, x1] - ii[y0, x1] - ii[y1, x0] + ii[y0, x0]


def scales(cas, w, h):
    out, s = [], 1.0
    while True:
        ws, hs = int(np.round(w / s)), int(np.round(h / s))
        if ws <= cas.win_w + 1 or hs <= cas.win_h + 1:
            return out
        out.append((s, ws, hs))
        s *= SCALE_STEP


def hits(cas, g):
    """Every window that passes all stages: [(x, y, w, h)] in g."""
    out = []
    for s, ws, hs in scales(cas, g.shape[1], g.shape[0]):
        im = resize_bilinear(g, ws, hs, s)
        ii, iq = _integral(im), _integral(im.astype(np.int64) ** 2)
        step = 2 if s <= 2 else 1
        yy, xx = np.mgrid[0:hs - cas.win_h:step, 0:ws - cas.win_w:step]
        ys, xs = yy.ravel(), xx.ravel()
        a = (cas.win_w - 2) * (cas.win_h - 2)
        ssum = _rsum(ii, ys, xs, 1, 1, cas.win_w - 2, cas.win_h - 2)
        qsum = _rsum(iq, ys, xs, 1, 1, cas.win_w - 2, cas.win_h - 2)
        nf = a * qsum.astype(np.float64) - ssum.astype(np.float64) ** 2
        ok = nf > 0
        nf = np.sqrt(np.where(ok, nf, 1.0))
        ok &= a / nf < 0.1
        ys, xs, nf = ys[ok], xs[ok], nf[ok]
        k = 0
        for n, thr in cas.stages:
            acc = np.zeros(len(ys))
            for j in range(k, k + int(n)):
                fi, t, left, right = cas.weak[j]
                v = np.zeros(len(ys))
                for x, y, w, h, wt in cas.rects[int(fi)]:
                    if wt != 0:
                        v = v + wt * _rsum(ii, ys, xs, x, y, w, h)
                acc = acc + np.where(v < t * nf, left, right)
            k += int(n)
            keep = acc >= thr
            ys, xs, nf = ys[keep], xs[keep], nf[keep]
            if not len(ys):
                break
        for x, y in zip(xs, ys):
            out.append((int(np.round(x * s)), int(np.round(y * s)),
                        int(np.round(cas.win_w * s)),
                        int(np.round(cas.win_h * s))))
    return out


def _similar(a, b):
    d = GROUP_EPS * (min(a[2], b[2]) + min(a[3], b[3])) * 0.5
    return (abs(a[0] - b[0]) <= d and abs(a[1] - b[1]) <= d and
            abs(a[0] + a[2] - b[0] - b[2]) <= d and
            abs(a[1] + a[3] - b[1] - b[3]) <= d)


def group(rects):
    """[(x, y, w, h)] hits -> [(x, y, w, h, n)] faces, largest n first
    (ties: top-left first)."""
    n = len(rects)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for i in range(n):
        for j in range(i + 1, n):
            if _similar(rects[i], rects[j]):
                ri, rj = find(i), find(j)
                if ri != rj:
                    parent[max(ri, rj)] = min(ri, rj)
    clusters = {}
    for i in range(n):
        clusters.setdefault(find(i), []).append(rects[i])
    cand = []
    for root in sorted(clusters):
        c = np.array(clusters[root], np.int64)
        if len(c) <= MIN_NEIGHBOURS:
            continue
        m = np.round(c.sum(0) / len(c)).astype(np.int64)
        cand.append((int(m[0]), int(m[1]), int(m[2]), int(m[3]), len(c)))
    out = []
    for i, a in enumerate(cand):
        inside = False
        for j, b in enumerate(cand):
            if i == j or b[4] <= max(3, a[4]):
                continue
            dx, dy = np.round(b[2] * GROUP_EPS), np.round(b[3] * GROUP_EPS)
            if (a[0] >= b[0] - dx and a[1] >= b[1] - dy and
                    a[0] + a[2] <= b[0] + b[2] + dx and
                    a[1] + a[3] <= b[1] + b[3] + dy):
                inside = True
                break
        if not inside:
            out.append(a)
    return sorted(out, key=lambda r: (-r[4], r[1], r[0]))


def detect(cas, g):
    return group(hits(cas, g))


def face_map(faces, grey_w, grey_h, w, h):
    """F [h, w] in [0, 1] from faces found on a grey_w x grey_h image."""
    sx, sy = w / grey_w, h / grey_h
    yy = np.arange(h, dtype=np.float64)[:, None] + 0.5
    xx = np.arange(w, dtype=np.float64)[None, :] + 0.5
    f = np.zeros((h, w))
    for x, y, fw, fh, n in faces:
        cx, cy = (x + fw / 2) * sx, (y + fh / 2) * sy
        r = fw / 2 * sx
        c = 1 - np.exp(-(n - MIN_NEIGHBOURS) / CONFIDENCE_HITS)
        f = np.maximum(f, c * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2)
                                     / (2 * r * r)))
    return f


def cartoon_face(s):
    """A drawn frontal face, s x s grey levels (float), for tests: the
    contrasts a Haar cascade keys on (dark eyes and brows below a bright
    forehead, a bright nose bridge)."""
    yy, xx = np.mgrid[0:s, 0:s] / s
    f = np.full((s, s), 90.0)
    oval = ((xx - .5) / .42) ** 2 + ((yy - .52) / .5) ** 2 < 1
    f[oval] = 185
    f[(yy < .2) & oval] = 60
    for ex in (.32, .68):
        f[((xx - ex) / .1) ** 2 + ((yy - .4) / .05) ** 2 < 1] = 45
        f[((xx - ex) / .13) ** 2 + ((yy - .3) / .03) ** 2 < 1] = 80
    f[(abs(xx - .5) < .04) & (yy > .42) & (yy < .62)] = 200
    f[((xx - .5) / .07) ** 2 + ((yy - .64) / .03) ** 2 < 1] = 110
    f[((xx - .5) / .16) ** 2 + ((yy - .78) / .035) ** 2 < 1] = 70
    return f


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert")
    c.add_argument("xml")
    c.add_argument("out")
    d = sub.add_parser("detect")
    d.add_argument("--cascade", default=DEFAULT_CASCADE)
    d.add_argument("images", nargs="+")
    a = ap.parse_args(argv)
    if a.cmd == "convert":
        try:
            tensors, meta = convert(a.xml)
        except (ValueError, OSError, ET.ParseError) as e:
            sys.exit("face_cascade.py: %s" % e)
        safetensors_io.write(a.out, tensors, meta)
        print("%s: %d stages, %d stumps, %d features"
              % (a.out, len(tensors[2][1]), len(tensors[1][1]),
                 len(tensors[0][1])))
        return
    from PIL import Image
    cas = Cascade(a.cascade)
    for p in a.images:
        g = grey(np.asarray(Image.open(p).convert("RGB")))
        for f in detect(cas, g):
            print("%s %d %d %d %d %d" % ((p,) + tuple(f)))


if __name__ == "__main__":
    main()
