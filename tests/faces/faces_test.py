#!/usr/bin/python3
"""The face cue: libsaliency's detector (tests/faces/faces-driver.c on
src/models/faces/sal-faces.c) against tools/face_cascade.py, its
specification, and both against OpenCV.

  faces_test.py FACES_DRIVER CASE

Cases:
  synthetic       three drawn faces on noise: the engine finds each at its
                  place, and its faces equal the reference's exactly
  map             the engine's face map equals the reference's (1e-6)
  picture         the picture faces are searched in, from RGB and grey
                  frames, enlarged and reduced, odd sizes: engine ==
                  reference byte for byte
  errors          a truncated cascade, another kind of model file, a
                  misshapen tensor, a stump naming a missing feature: each
                  an error naming the problem, exit 1
  data_reference  real pictures of ../shared at the sizes the model sees:
                  engine == reference, face for face
  data_opencv     the same pictures: the engine finds what OpenCV's own
                  CascadeClassifier (1.2, 3 neighbours) finds on the same
                  grey image, from opencv-data's XML (IoU >= 0.5 for 90 %
                  of either's faces)

Exit 77 (skip) without PIL, ../shared (data_ cases) or python3-opencv and
opencv-data (data_opencv).
"""

import glob
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.environ.get("SALIENCY_SOURCE_ROOT",
                      os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import face_cascade as fc  # noqa: E402
import safetensors_io  # noqa: E402

SKIP = 77
SHARED = os.environ.get("SALIENCY_SHARED_DIR",
                        os.path.join(ROOT, "..", "shared"))
CASCADE = os.path.join(ROOT, "models", "faces.safetensors")
OPENCV_XML = "/usr/share/opencv4/haarcascades/" \
    "haarcascade_frontalface_default.xml"
WORK_SIDE = 384     # pictures are scored at a long side of at most this


def write_pgm(path, g):
    with open(path, "wb") as fh:
        fh.write(b"P5 %d %d 255\n" % (g.shape[1], g.shape[0]))
        fh.write(np.ascontiguousarray(g, np.uint8).tobytes())


def engine(driver, g, tmp, cascade="builtin", map_size=None, threads=None):
    """(faces, map or None, completed process) from the driver, searching
    on `threads` threads (default: one per processor)."""
    pgm = os.path.join(tmp, "in.pgm")
    write_pgm(pgm, g)
    cmd = [driver] + (["--threads", str(threads)] if threads else [])
    cmd += [cascade, pgm]
    out = os.path.join(tmp, "map.f32")
    if map_size:
        cmd += [str(map_size[0]), str(map_size[1]), out]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        return None, None, p
    faces = [tuple(int(v) for v in line.split())
             for line in p.stdout.splitlines()]
    m = None
    if map_size:
        m = np.fromfile(out, np.float32).reshape(map_size[1], map_size[0])
    return faces, m, p


PLACES = ((40, 60, 60), (180, 40, 90), (120, 160, 40))   # x, y, side


def synthetic_image():
    rng = np.random.default_rng(1)
    img = 120 + 25 * rng.standard_normal((240, 320))
    for x, y, s in PLACES:
        img[y:y + s, x:x + s] = fc.cartoon_face(s)
    return np.clip(img, 0, 255).astype(np.uint8)


def check_equal(driver, g, tmp, what):
    """The engine's faces, searched on one thread, on as many as there
    are processors and on more (5) than the scales can keep busy, each
    equal to the reference's; None otherwise."""
    ref = [tuple(f) for f in fc.detect(fc.Cascade(CASCADE), g)]
    for threads in (1, None, 5):
        ours, _, p = engine(driver, g, tmp, threads=threads)
        if ours is None:
            print("FAIL %s: driver: %s" % (what, p.stderr.strip()))
            return None
        if ours != ref:
            print("FAIL %s (threads %s): engine %s, reference %s"
                  % (what, threads or "per processor", ours, ref))
            return None
    return ours


def case_synthetic(driver, tmp):
    g = synthetic_image()
    faces = check_equal(driver, g, tmp, "synthetic")
    if faces is None:
        return 1
    bad = 0
    for x, y, s in PLACES:
        cx, cy = x + s / 2, y + s / 2
        near = [f for f in faces if abs(f[0] + f[2] / 2 - cx) < s / 5 and
                abs(f[1] + f[3] / 2 - cy) < s / 5 and
                0.8 < f[2] / s < 1.3]
        if not near:
            print("FAIL: no face found at (%d, %d), side %d: %s"
                  % (x, y, s, faces))
            bad += 1
    if len(faces) != len(PLACES):
        print("FAIL: %d faces, %d drawn: %s" % (len(faces), len(PLACES),
                                                faces))
        bad += 1
    # Noise alone: no face.
    flat = np.clip(120 + 25 * np.random.default_rng(2).standard_normal(
        (240, 320)), 0, 255).astype(np.uint8)
    none = check_equal(driver, flat, tmp, "noise")
    if none is None or none:
        print("FAIL: faces in noise: %s" % none)
        bad += 1
    print("synthetic: %s" % faces)
    return 1 if bad else 0


def case_map(driver, tmp):
    g = synthetic_image()
    bad = 0
    for mw, mh in ((128, 96), (77, 131), (320, 240)):
        faces, m, p = engine(driver, g, tmp, map_size=(mw, mh))
        if faces is None:
            print("FAIL: %s" % p.stderr.strip())
            return 1
        ref = fc.face_map(faces, g.shape[1], g.shape[0], mw, mh)
        err = np.abs(m - ref).max()
        print("map %dx%d: %d faces, max %.3f, max |diff| %.2e"
              % (mw, mh, len(faces), m.max(), err))
        if err > 1e-6 or m.max() < 0.9:
            print("FAIL: map %dx%d" % (mw, mh))
            bad += 1
    _, m, _ = engine(driver, np.full((60, 80), 128, np.uint8), tmp,
                     map_size=(40, 30))
    if m is None or m.any():
        print("FAIL: a flat picture's map is not zero")
        bad += 1
    return 1 if bad else 0


def case_picture(driver, tmp):
    rng = np.random.default_rng(3)
    bad = 0
    for w, h, side in ((160, 120, 512), (641, 359, 384), (97, 203, 384),
                       (1920, 1080, 384), (333, 77, 333), (50, 30, 7)):
        yy, xx = np.mgrid[0:h, 0:w]
        rgb = np.clip(np.stack([128 + 100 * np.sin(xx / (4 + c) + yy / 9.0)
                                for c in range(3)], -1) +
                      20 * rng.standard_normal((h, w, 3)), 0, 255
                      ).astype(np.uint8)
        for chans in (3, 1):
            img = rgb if chans == 3 else fc.grey(rgb)
            path = os.path.join(tmp, "in.p%s" % ("pm" if chans == 3 else
                                                   "gm"))
            with open(path, "wb") as fh:
                fh.write(b"P%d %d %d 255\n" % (6 if chans == 3 else 5, w, h))
                fh.write(img.tobytes())
            pic = os.path.join(tmp, "pic.pgm")
            p = subprocess.run([driver, "--side", str(side), pic, "builtin",
                                path], capture_output=True, text=True)
            if p.returncode != 0:
                print("FAIL: %s" % p.stderr.strip())
                return 1
            blob = open(pic, "rb").read()
            head = blob.split(b"\n", 1)[0].split()
            ew, eh = int(head[1]), int(head[2])
            eng = np.frombuffer(blob.split(b"\n", 1)[1], np.uint8
                                ).reshape(eh, ew)
            ref = fc.frame_grey(rgb if chans == 3 else
                                np.repeat(img[..., None], 3, -1), side)
            ok = eng.shape == ref.shape and (eng == ref).all()
            print("%dx%d %s side %d: picture %dx%d %s" % (
                w, h, "RGB" if chans == 3 else "grey", side, ew, eh,
                "equal" if ok else "DIFFERENT"))
            bad += not ok
    return 1 if bad else 0


def case_errors(driver, tmp):
    g = synthetic_image()
    t, meta = safetensors_io.read(CASCADE)
    blob = open(CASCADE, "rb").read()
    cases = []
    p = os.path.join(tmp, "short.safetensors")
    open(p, "wb").write(blob[:len(blob) // 2])
    cases.append(("truncated", p, ("short.safetensors",)))
    cases.append(("another model", os.path.join(ROOT, "models",
                                                 "default.safetensors"),
                  ("haar-cascade",)))
    p = os.path.join(tmp, "shape.safetensors")
    safetensors_io.write(p, [("rects", t["rects"][:, :2]), ("weak",
                             t["weak"]), ("stages", t["stages"])], meta)
    cases.append(("misshapen rects", p, ("rects",)))
    w = t["weak"].copy()
    w[5, 0] = len(t["rects"]) + 7
    p = os.path.join(tmp, "feature.safetensors")
    safetensors_io.write(p, [("rects", t["rects"]), ("weak", w),
                             ("stages", t["stages"])], meta)
    cases.append(("missing feature", p, ("weak", "missing feature")))
    s = t["stages"].copy()
    s[0, 0] += 1
    p = os.path.join(tmp, "count.safetensors")
    safetensors_io.write(p, [("rects", t["rects"]), ("weak", t["weak"]),
                             ("stages", s)], meta)
    cases.append(("stage counts", p, ("add up",)))
    bad = 0
    for name, path, words in cases:
        faces, _, proc = engine(driver, g, tmp, cascade=path)
        msg = proc.stderr.strip()
        ok = faces is None and proc.returncode == 1 and \
            all(wd in msg for wd in words) and "Segmentation" not in msg
        print("%s: rc %d: %s" % (name, proc.returncode, msg))
        if not ok:
            print("FAIL: %s: expected exit 1 naming %s" % (name, words))
            bad += 1
    return 1 if bad else 0


def pictures():
    """Grey pictures of ../shared with faces and without, at most
    WORK_SIDE on the long side (fixed-point bilinear, as the spec)."""
    d = os.path.join(SHARED, "data")
    paths = sorted(glob.glob(os.path.join(d, "eyecrowd", "stimuli",
                                          "*.jpg")))[:14]
    paths += sorted(glob.glob(os.path.join(d, "mit1003-subset", "stimuli",
                                           "*")))[:4]
    paths += sorted(glob.glob(os.path.join(d, "osie", "stimuli",
                                           "*.jpg")))[:6]
    from PIL import Image
    out = []
    for p in paths:
        g = fc.grey(np.asarray(Image.open(p).convert("RGB")))
        sc = WORK_SIDE / max(g.shape)
        if sc < 1:
            g = fc.resize_bilinear(g, int(round(g.shape[1] * sc)),
                                   int(round(g.shape[0] * sc)), 1 / sc)
        out.append((os.path.basename(p), g))
    return out


def case_data_reference(driver, tmp):
    bad, total = 0, 0
    for name, g in pictures():
        faces = check_equal(driver, g, tmp, name)
        bad += faces is None
        total += len(faces or [])
    print("%d faces, engine == reference on %s pictures" % (
        total, "all" if not bad else "not all"))
    if total < 10:
        print("FAIL: too few faces to compare (%d)" % total)
        return 1
    return 1 if bad else 0


def iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1 = min(a[0] + a[2], b[0] + b[2])
    y1 = min(a[1] + a[3], b[1] + b[3])
    i = max(0, x1 - x0) * max(0, y1 - y0)
    return i / (a[2] * a[3] + b[2] * b[3] - i)


def case_data_opencv(driver, tmp):
    try:
        import cv2
    except ImportError:
        print("SKIP: no python3-opencv")
        return SKIP
    if not os.path.exists(OPENCV_XML):
        print("SKIP: no %s (apt install opencv-data)" % OPENCV_XML)
        return SKIP
    cv2.setNumThreads(1)
    ocv = cv2.CascadeClassifier(OPENCV_XML)
    found = matched_ours = n_ours = n_cv = matched_cv = 0
    for name, g in pictures():
        ours, _, p = engine(driver, g, tmp)
        if ours is None:
            print("FAIL %s: %s" % (name, p.stderr.strip()))
            return 1
        theirs = ocv.detectMultiScale(g, 1.2, 3)
        theirs = [tuple(r) for r in theirs] if len(theirs) else []
        n_ours += len(ours)
        n_cv += len(theirs)
        matched_ours += sum(any(iou(a, b) >= 0.5 for b in theirs)
                            for a in ours)
        matched_cv += sum(any(iou(b, a) >= 0.5 for a in ours)
                          for b in theirs)
        found += bool(ours)
    print("OpenCV %d faces, engine %d; %d of OpenCV's found by the engine, "
          "%d of the engine's by OpenCV (%d pictures with faces)"
          % (n_cv, n_ours, matched_cv, matched_ours, found))
    if n_cv < 10 or matched_cv < 0.9 * n_cv or matched_ours < 0.9 * n_ours:
        print("FAIL: the engine and OpenCV disagree")
        return 1
    return 0


def main():
    driver, case = sys.argv[1], sys.argv[2]
    try:
        import PIL  # noqa: F401
    except ImportError:
        if case.startswith("data_"):
            print("SKIP: no PIL")
            return SKIP
    if case.startswith("data_") and not os.path.isdir(
            os.path.join(SHARED, "data", "eyecrowd")):
        print("SKIP: no ../shared/data/eyecrowd")
        return SKIP
    with tempfile.TemporaryDirectory() as tmp:
        return globals()["case_" + case](driver, tmp)


if __name__ == "__main__":
    sys.exit(main())
