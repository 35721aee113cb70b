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
"""

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


def main():
    args = td.parse_args(sys.argv[1:])
    td.setup_torch(args)
    if not os.path.isdir(os.path.join(args.shared, "data", "osie")):
        print("skip: no data under %s" % args.shared)
        return 77
    data = td.load_or_build(args.shared, args.cache)
    gains = []
    for name, sets in GROUPS.items():
        kept, held = split_out(data, sets)
        classic = dm.DefaultNet().zero_correction()
        c_res, c_score = td.select_score(classic, held)
        net, _ = td.train_soup(kept, args, quiet=True)
        if not args.no_mix:
            # The recipe's shares, fitted on what it may see: the kept
            # sets' select side.
            td.fit_out_mix(net, kept, td.logger(True))
        n_res, n_score = td.select_score(net, held)
        gains.append(n_score - c_score)
        print("without %s: classic %s; model %s; gain %+.4f"
              % (name, td.fmt(c_res), td.fmt(n_res), gains[-1]), flush=True)
    print("mean gain in (CC - KLD) on the left-out groups: %+.4f"
          % np.mean(gains))
    return 0


if __name__ == "__main__":
    torch.set_flush_denormal(True)
    sys.exit(main())
