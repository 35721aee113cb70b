#!/usr/bin/python3
"""The pictures of docs/models.md's v6 and v7 sections: frames of held-out
hevc-gaze clips, each model's map from the engine (`salmap run --npy`, the
clip run from its first frame) over the frame with its CC, and the
viewers' density map.

  /usr/bin/python3 tools/figure_default.py --maps DIR [--salmap S] \
      [--model NAME=MODEL ...] [--row CLIP=FRAME ...] OUT.jpg

DIR holds the clips in the layout that ../shared/data/hevc-gaze/
make_maps.py writes (CLIP/images/NNNN.jpg, CLIP/maps/NNNN.png).
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "metrics"))
import metrics  # noqa: E402

ROWS = (("Tennis", 120), ("Keiba", 150), ("BasketballPass", 300))
TILE_H = 150


def heat(img, m):
    m = (m / m.max() * 255).astype(np.uint8)
    return cv2.addWeighted(img, 0.45, cv2.applyColorMap(m, cv2.COLORMAP_JET),
                           0.55, 0)


def tile(img, text):
    t = cv2.resize(img, (img.shape[1] * TILE_H // img.shape[0], TILE_H),
                   interpolation=cv2.INTER_AREA)
    for colour, width in (((0, 0, 0), 3), ((255, 255, 255), 1)):
        cv2.putText(t, text, (6, 18), cv2.FONT_HERSHEY_SIMPLEX, 0.55, colour,
                    width, cv2.LINE_AA)
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--maps", required=True)
    ap.add_argument("--salmap", default=os.path.join(ROOT, "build", "src",
                                                     "tools", "salmap"))
    ap.add_argument("--model", action="append", metavar="NAME=MODEL",
                    help="a column (default: classic=classic v6=default)")
    ap.add_argument("--row", action="append", metavar="CLIP=FRAME",
                    help="a row: the clip and its frame number (default: "
                    + ", ".join("%s=%d" % r for r in ROWS) + ")")
    ap.add_argument("out")
    a = ap.parse_args()
    cols = [m.split("=", 1) for m in (a.model or ["classic=classic",
                                                  "v6=default"])]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        npy = os.path.join(tmp, "maps.npy")
        picks = ([(r.split("=")[0], int(r.split("=")[1])) for r in a.row]
                 if a.row else ROWS)
        for clip, i in picks:
            d = os.path.join(a.maps, clip)
            frames = sorted(glob.glob(os.path.join(d, "images", "*.jpg")))
            frames = frames[:i + 1]
            img = cv2.imread(frames[i])
            gt = cv2.imread(os.path.join(d, "maps", "%04d.png" % (i + 1)),
                            cv2.IMREAD_GRAYSCALE).astype(np.float64)
            tiles = [tile(img, "%s, frame %d" % (clip, i + 1))]
            for name, model in cols:
                subprocess.run([a.salmap, "run", "--quiet", "--model", model,
                                "--npy", npy] + frames, check=True)
                m = np.load(npy)[i].astype(np.float64)
                tiles.append(tile(heat(img, m), "%s  CC %.2f"
                                  % (name, metrics.cc(m, gt))))
            tiles.append(tile(heat(img, gt), "viewers"))
            rows.append(np.concatenate(tiles, 1))
    w = min(r.shape[1] for r in rows)
    rows = [cv2.resize(r, (w, TILE_H)) if r.shape[1] != w else r
            for r in rows]
    cv2.imwrite(a.out, np.concatenate(rows, 0), [cv2.IMWRITE_JPEG_QUALITY, 82])
    return 0


if __name__ == "__main__":
    sys.exit(main())
