#!/usr/bin/python3
"""Leave-one-set-out check of the default model's training recipe: how well
does it carry over to eye-tracking data of a kind it has never seen?

For each group of sets (MIT1003; OSIE; EyeCrowd with its taskfix-free
twins; the videos), trains tools/train_default.py's recipe without that
group (train and select sides both dropped) and scores the result on the
group's own train and select sides, against the classic model on the
same frames (net size, as the trainer's select score). The test side of
tools/default_data.py's split is never read.

  nice -n 10 /usr/bin/python3 tools/loso_default.py [train_default options]

prints, per group, CC / KLD of classic and of the recipe's model and the
mean gain in (CC - KLD) over the groups: the number recipes are compared
by (docs/models.md).

  nice -n 10 /usr/bin/python3 tools/loso_default.py --within mit \
      [--folds 4] [train_default options]

is the same check inside MIT1003: its train and select images are
dealt into --folds folds, the recipe is trained on everything but one
fold (the set's other folds included) and scored on that fold. Every
image of the two sides is then scored once by a model that never saw it:
with MIT1003, 56 images where the held-out test side has 14 (too few to
tell the default from classic, docs/models.md).
"""

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import default_model as dm  # noqa: E402
import train_default as td  # noqa: E402

GROUPS = {"mit": ("mit",), "osie": ("osie",),
          "eyecrowd+taskfix": ("eyecrowd", "taskfix"),
          "video": ("hevc", "dhf")}


def split_out(data, sets):
    """(training data without `sets`, the frames of `sets` to score)."""
    def keep(d):
        return d["set"] not in sets
    kept = {"train_stills": [g for g in data["train_stills"] if keep(g[0])],
            "select_stills": [g for g in data["select_stills"]
                              if keep(g[0])],
            "train_clips": [d for d in data["train_clips"] if keep(d)],
            "select_clips": [d for d in data["select_clips"] if keep(d)]}
    # Whole images only (view 0), and every frame of every clip.
    held = {"select_stills": [[g[0]] for g in data["train_stills"] +
                              data["select_stills"] if not keep(g[0])],
            "select_clips": [d for d in data["train_clips"] +
                             data["select_clips"] if not keep(d)]}
    return kept, held


def fold_out(data, which, folds, i):
    """(training data without the i-th of `folds` folds of set `which`'s
    train and select images, that fold's whole images to score)."""
    mine = [g for g in data["train_stills"] + data["select_stills"]
            if g[0]["set"] == which]
    out = {id(g) for j, g in enumerate(mine) if j % folds == i}
    kept = dict(data)
    for side in ("train_stills", "select_stills"):
        kept[side] = [g for g in data[side] if id(g) not in out]
    held = {"select_stills": [[g[0]] for g in mine if id(g) in out],
            "select_clips": []}
    return kept, held


def score_out(data, kept, held, args, name):
    """Classic's and the recipe's (CC, KLD) on `held`; the gain in the
    select score."""
    classic = dm.DefaultNet().zero_correction()
    c_res, c_score = td.select_score(classic, held)
    net, _ = td.train_soup(kept, args, quiet=True)
    if not args.no_mix:
        # The recipe's shares, fitted on what it may see: the kept sets'
        # select side.
        td.fit_out_mix(net, kept, td.logger(True))
    n_res, n_score = td.select_score(net, held)
    print("without %s: classic %s; model %s; gain %+.4f"
          % (name, td.fmt(c_res), td.fmt(n_res), n_score - c_score),
          flush=True)
    return c_res, n_res, n_score - c_score


def main():
    ap = argparse.ArgumentParser(add_help=False)
    # MIT1003 only: the other still sets have twins (EyeCrowd's in
    # taskfix-free, a pair inside OSIE) that a deal by position would put
    # on both sides of a fold; MIT1003's one twin is on the test side.
    ap.add_argument("--within", choices=("mit",))
    ap.add_argument("--folds", type=int, default=4)
    own, rest = ap.parse_known_args(sys.argv[1:])
    args = td.parse_args(rest)
    td.setup_torch(args)
    if not os.path.isdir(os.path.join(args.shared, "data", "osie")):
        print("skip: no data under %s" % args.shared)
        return 77
    data = td.load_or_build(args.shared, args.cache)
    if own.within:
        rows = [score_out(data, *fold_out(data, own.within, own.folds, i),
                          args, "%s fold %d of %d" % (own.within, i,
                                                      own.folds))
                for i in range(own.folds)]
        # The folds differ in size by one image at most: their mean.
        c = np.mean([r[0][own.within] for r in rows], 0)
        n = np.mean([r[1][own.within] for r in rows], 0)
        print("%s, every fold: classic %.3f / %.3f; model %.3f / %.3f "
              "(CC / KLD); gain in CC - KLD %+.4f"
              % (own.within, *c, *n, np.mean([r[2] for r in rows])))
        return 0
    gains = [score_out(data, *split_out(data, sets), args, name)[2]
             for name, sets in GROUPS.items()]
    print("mean gain in (CC - KLD) on the left-out groups: %+.4f"
          % np.mean(gains))
    return 0


if __name__ == "__main__":
    torch.set_flush_denormal(True)
    sys.exit(main())
