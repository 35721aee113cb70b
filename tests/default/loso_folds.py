#!/usr/bin/python3
"""tools/loso_default.py --within: the folds of one still set, on
synthetic data (no ../shared needed):
  - over the folds, every train and select image of the set is held out
    exactly once, as its whole image (view 0) only;
  - a fold's images are in neither training side of its kept data, and
    everything else (the set's other images, the other sets, the clips) is
    kept as it was, in order.
Skips (77) without torch."""

import os
import sys

try:
    import torch  # noqa: F401 (loso_default needs it)
except ImportError:
    print("skip: no torch")
    sys.exit(77)

ROOT = os.environ.get("SALIENCY_SOURCE_ROOT",
                      os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import loso_default as ld  # noqa: E402


def still(which, n):
    """One image's group: the whole view and a crop."""
    return [{"set": which, "id": (which, n, v)} for v in ("whole", "crop")]


def ids(groups):
    return [g[0]["id"] for g in groups]


def main():
    data = {"train_stills": [still(w, n) for n in range(9)
                             for w in ("mit", "osie")],
            "select_stills": [still("mit", n) for n in range(9, 11)] +
            [still("osie", 9)],
            "train_clips": [{"set": "hevc", "seq": "Yan"}],
            "select_clips": [{"set": "hevc", "seq": "Cactus"}]}
    mit = [g for side in ("train_stills", "select_stills")
           for g in data[side] if g[0]["set"] == "mit"]
    fails = []
    for folds in (2, 4, 11):
        held_all = []
        for i in range(folds):
            kept, held = ld.fold_out(data, "mit", folds, i)
            out = held["select_stills"]
            if any(len(g) != 1 or g[0]["id"][2] != "whole" for g in out):
                fails.append("folds %d, fold %d: a held image is not its "
                             "whole view alone" % (folds, i))
            held_ids = {g[0]["id"][:2] for g in out}
            held_all += [g[0]["id"][:2] for g in out]
            for side in ("train_stills", "select_stills"):
                want = [g for g in data[side]
                        if g[0]["id"][:2] not in held_ids]
                if ids(kept[side]) != ids(want):
                    fails.append("folds %d, fold %d: %s is not the data "
                                 "without the fold" % (folds, i, side))
            for side in ("train_clips", "select_clips"):
                if kept[side] != data[side]:
                    fails.append("folds %d: %s changed" % (folds, side))
            if held["select_clips"]:
                fails.append("folds %d: clips held out" % folds)
            if len(out) not in (len(mit) // folds, -(-len(mit) // folds)):
                fails.append("folds %d, fold %d: %d images, not an even "
                             "deal of %d" % (folds, i, len(out), len(mit)))
        if sorted(held_all) != sorted(g[0]["id"][:2] for g in mit):
            fails.append("folds %d: the folds do not hold out every mit "
                         "image once" % folds)
    for f in fails:
        print("FAIL:", f)
    print("loso folds: %d checks failed" % len(fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
