#!/usr/bin/python3
"""The eye-tracking data of ../shared/data for the default model: the
seeded train / select / test split, loaders at ground-truth resolution
(for the validation table) and the net-size training cache.

Split (fixed here, before any training; `split(shared)`):
  - mit1003-subset (70): test = the 14 stills the old default held out
    (numpy default_rng(0) permutation, first 14), so that the old default
    is scored on stills it never saw; select = 5 more (default_rng(SEED)).
  - osie (700): groups (1279 and 1374 are one photograph); 15 % of the
    groups test, 5 % select (default_rng(SEED + 1)).
  - eyecrowd (500) + taskfix-free (491): a group is an EyeCrowd image with
    its taskfix twin (pairs.tsv), or a taskfix image alone; taskfix's
    MIT1003 twin follows the MIT1003 side. 15 % of the groups test, 5 %
    select (default_rng(SEED + 2)).
  - dhf1k-0601 (20 frames, one video): frames 1-15 train, 16-20 test (as
    for the old default).
  - hevc-gaze (22 videos): whole sequences, BasketballDrill with
    BasketballDrillText; 4 groups test, 2 select (default_rng(SEED + 3)).
"select" picks the epoch kept; "test" is only read by
tools/validate_default.py.

  /usr/bin/python3 tools/default_data.py [--shared DIR]   prints the split
"""

import argparse
import csv
import glob
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

SEED = 2026
TEST_FRAC, SELECT_FRAC = 0.15, 0.05
N_TEST_MIT_OLD = 14          # the old default's held-out MIT1003 stills
N_SELECT_MIT = 5
DHF_SIZE = (640, 360)        # DHF1K frames are stored squeezed to 320x256
DHF_TRAIN = 15               # frames 1-15 train, 16-20 test
HEVC_TEST, HEVC_SELECT = 4, 2
HEVC_SKIP = 10               # first frames: few fixations, near the centre
HEVC_CUTS = {"Kimono": 141, "Tennis": 121}   # first frame of a new shot
HEVC_GROUPS = (("BasketballDrill", "BasketballDrillText"),)


def data_dir(shared):
    return os.path.join(shared, "data")


def stems(d, sub):
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(d, sub, "stimuli", "*")))


def _three_way(groups, rng, n_test, n_select):
    order = rng.permutation(len(groups))
    out = {"test": [], "select": [], "train": []}
    for rank, i in enumerate(order):
        side = ("test" if rank < n_test else
                "select" if rank < n_test + n_select else "train")
        out[side].extend(groups[i])
    return {k: sorted(v) for k, v in out.items()}


def split(shared):
    """{set: {"test"|"select"|"train": [ids]}}; ids are file stems, DHF1K
    frame numbers, hevc-gaze sequence names."""
    d = data_dir(shared)
    out = {}
    mit = stems(d, "mit1003-subset")
    order = np.random.default_rng(0).permutation(len(mit))
    test = [mit[i] for i in order[:N_TEST_MIT_OLD]]
    rest = [mit[i] for i in order[N_TEST_MIT_OLD:]]
    sel = [rest[i] for i in np.random.default_rng(SEED).permutation(
        len(rest))[:N_SELECT_MIT]]
    out["mit"] = {"test": sorted(test), "select": sorted(sel),
                  "train": sorted(set(rest) - set(sel))}
    side_of_mit = {n: k for k, v in out["mit"].items() for n in v}

    osie = stems(d, "osie")
    joined = {"1279": "1374", "1374": "1279"}
    groups = [[n] + ([joined[n]] if n in joined else []) for n in osie
              if not (n in joined and joined[n] < n)]
    out["osie"] = _three_way(groups, np.random.default_rng(SEED + 1),
                             round(TEST_FRAC * len(groups)),
                             round(SELECT_FRAC * len(groups)))

    twins, mit_twins = {}, {}
    with open(os.path.join(d, "taskfix-free", "pairs.tsv")) as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if r["twin_set"] == "eyecrowd":
                twins[r["twin_name"]] = r["taskfix_free"]
            elif r["twin_set"] == "mit1003-subset":
                mit_twins[r["taskfix_free"]] = r["twin_name"]
    tf = stems(d, "taskfix-free")
    groups = [[("eyecrowd", e)] + ([("taskfix", twins[e])] if e in twins
                                   else [])
              for e in stems(d, "eyecrowd")]
    paired = set(twins.values()) | set(mit_twins)
    groups += [[("taskfix", t)] for t in tf if t not in paired]
    parts = _three_way(groups, np.random.default_rng(SEED + 2),
                       round(TEST_FRAC * len(groups)),
                       round(SELECT_FRAC * len(groups)))
    out["eyecrowd"] = {k: [n for s, n in v if s == "eyecrowd"]
                       for k, v in parts.items()}
    out["taskfix"] = {k: [n for s, n in v if s == "taskfix"]
                      for k, v in parts.items()}
    for t, m in mit_twins.items():
        if t in tf:
            out["taskfix"][side_of_mit[m]].append(t)

    n = len(glob.glob(os.path.join(d, "dhf1k-0601", "images", "*.jpg")))
    out["dhf"] = {"train": list(range(1, DHF_TRAIN + 1)), "select": [],
                  "test": list(range(DHF_TRAIN + 1, n + 1))}

    seqs = hevc_sequences(shared)
    grouped = set(s for g in HEVC_GROUPS for s in g)
    groups = [list(g) for g in HEVC_GROUPS if all(s in seqs for s in g)]
    groups += [[s] for s in seqs if s not in grouped]
    out["hevc"] = _three_way(groups, np.random.default_rng(SEED + 3),
                             HEVC_TEST, HEVC_SELECT)
    return out


# ---------------------------------------------------------------- loading

def load_rgb(path, size=None):
    from PIL import Image
    im = Image.open(path).convert("RGB")
    if size is not None:
        im = im.resize(size, Image.BILINEAR)
    return np.asarray(im)


def load_gray(path):
    from PIL import Image
    return np.asarray(Image.open(path).convert("L"), dtype=np.float64)


STILL_SETS = {  # set: (folder, stimulus extension, has fixations)
    "mit": ("mit1003-subset", None, False),
    "osie": ("osie", ".jpg", True),
    "eyecrowd": ("eyecrowd", ".jpg", True),
    "taskfix": ("taskfix-free", ".jpg", False),
}


def load_still(shared, which, stem):
    """(rgb8, density map, binary fixations or None) at GT resolution."""
    folder, _, has_fix = STILL_SETS[which]
    root = os.path.join(data_dir(shared), folder)
    stim = glob.glob(os.path.join(root, "stimuli", stem + ".*"))[0]
    gpath = glob.glob(os.path.join(root, "maps", stem + ".*"))[0]
    fix = None
    if has_fix:
        fix = load_gray(glob.glob(os.path.join(root, "fixations",
                                               stem + ".*"))[0]) > 0
    return load_rgb(stim), load_gray(gpath), fix


def load_dhf(shared):
    """All DHF1K 0601 frames at 640x360 with maps and fixations."""
    root = os.path.join(data_dir(shared), "dhf1k-0601")
    n = len(glob.glob(os.path.join(root, "images", "*.jpg")))
    fr = [load_rgb(os.path.join(root, "images", "%04d.jpg" % i), DHF_SIZE)
          for i in range(1, n + 1)]
    gt = [load_gray(os.path.join(root, "maps", "%04d.png" % i))
          for i in range(1, n + 1)]
    fx = [load_gray(os.path.join(root, "fixation", "%04d.png" % i)) > 0
          for i in range(1, n + 1)]
    return fr, gt, fx


def hevc_root(shared):
    return os.path.join(data_dir(shared), "hevc-gaze")


def hevc_sequences(shared):
    r = hevc_root(shared)
    return sorted(s for s in os.listdir(r)
                  if os.path.isfile(os.path.join(r, s, "video.mp4")))


def _make_maps(shared):
    """hevc-gaze's own make_maps.py (its density and binary maps)."""
    if "make_maps" not in _MODULES:
        import importlib.util
        spec = importlib.util.spec_from_file_location(
            "make_maps", os.path.join(hevc_root(shared), "make_maps.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        _MODULES["make_maps"] = mod
    return _MODULES["make_maps"]


_MODULES = {}


def hevc_video(shared, seq):
    """(frames uint8 RGB [T, H, W, 3], fps) decoded with OpenCV (the
    stored video.mp4, as salmap decodes it)."""
    import cv2
    cap = cv2.VideoCapture(os.path.join(hevc_root(shared), seq, "video.mp4"))
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
    cap.release()
    return np.stack(frames), fps


def hevc_truth(shared, seq, index0, fps, w, h):
    """(density map, binary fixations) of frame index0 (0-based), made as
    hevc-gaze/make_maps.py makes them (its own functions)."""
    mm = _make_maps(shared)
    key = (seq, fps)
    if key not in _FIX_CACHE:
        _FIX_CACHE[key] = mm.read_fixations(
            os.path.join(hevc_root(shared), seq, "fixations.csv"))
    fix = _FIX_CACHE[key]
    t = float(index0 * 1000 / fps)
    act = (fix[:, 0] <= t) & (t < fix[:, 0] + fix[:, 1])
    pts = fix[act][:, 2:4]
    dens = mm.density(pts, w, h, mm.SIGMA_FRAC * w).astype(np.float64)
    return dens, mm.binary(pts, w, h) > 0


_FIX_CACHE = {}


def hevc_usable(seq, index0, n):
    """Frames scored or trained on: not the first HEVC_SKIP frames of a
    shot (few fixations, which began before the frame appeared)."""
    start = HEVC_CUTS.get(seq, 0) - 1
    if start > 0 and index0 >= start:
        return index0 - start >= HEVC_SKIP
    return HEVC_SKIP <= index0 < n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get(
        "SALIENCY_SHARED_DIR", os.path.join(HERE, "..", "..", "shared")))
    a = ap.parse_args()
    for k, v in split(a.shared).items():
        print("%-9s test %4d  select %4d  train %4d   test: %s"
              % (k, len(v["test"]), len(v["select"]), len(v["train"]),
                 " ".join(map(str, v["test"][:8])) +
                 (" ..." if len(v["test"]) > 8 else "")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
