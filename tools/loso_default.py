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

  nice -n 10 /usr/bin/python3 tools/loso_default.py --within mit --gate

adds, per fold, what follows training in the shipped model's recipe (v9):
the face cue at the shipped model's still weight and picture size
(faces found by tools/face_cascade.py, about 5 minutes for all the
pictures), then the still gate fitted on the fold's kept select stills
(tools/fit_still_gate.py's grid, at net size); it prints the fold's CC /
KLD without the gate (v8's recipe) and with it (v9's).
"""

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import default_data as dd  # noqa: E402
import default_model as dm  # noqa: E402
import face_cascade as fc  # noqa: E402
import fit_still_gate as fg  # noqa: E402
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


def add_faces(data, shared, which, side):
    """d["face"], the face map at net size, on the whole view of each train
    and select image of `which` and of each select image: the pictures
    the folds score, in tools/default_data.py's order (checked against
    each image's truth)."""
    sp = dd.split(shared)
    cascade = fc.Cascade()
    for key, sets in (("train_stills", (which,)),
                      ("select_stills", tuple(dd.STILL_SETS))):
        for w in sets:
            mine = [g[0] for g in data[key] if g[0]["set"] == w]
            names = sp[w][key.split("_")[0]]
            assert len(mine) == len(names), (w, key)
            for d, name in zip(mine, names):
                rgb, gt, _ = dd.load_still(shared, w, name)
                h, wd = d["g"].shape[-2:]
                if not torch.allclose(td.truth(gt, None, h, wd)["g"],
                                      d["g"].reshape(h, wd), atol=1e-6):
                    raise SystemExit("%s %s: the cache is not in the "
                                     "split's order; rebuild it" % (w, name))
                grey = fc.frame_grey(rgb, side)
                d["face"] = torch.from_numpy(fc.face_map(
                    fc.detect(cascade, grey), grey.shape[1], grey.shape[0],
                    wd, h))


@torch.no_grad()
def gate_curves(net, groups, a_face):
    """{set: [fit_still_gate curve]} of the stills at net size, the face
    cue added with weight a_face."""
    out = {}
    frames = td.select_frames(net, {"select_stills": groups,
                                    "select_clips": []})
    for (name, _, lg, s, g), d in zip(frames, (g[0] for g in groups)):
        lg = net.mix_output(lg, s, True).double() + a_face * d["face"]

        def score(q, g=g):
            k, c, _ = td.frame_losses(q[:, 0], g.double())
            return float(c), float(k)
        out.setdefault(name, []).append(fg.curve(lg, s.double(), score))
    return out


def gate_out(kept, held, args, a_face, name):
    """The held images' (CC, KLD) by v8's recipe (the face cue) and v9's
    (then the still gate, fitted on the kept select stills)."""
    net, _ = td.train_soup(kept, args, quiet=True)
    td.fit_out_mix(net, kept, td.logger(True))
    sel = gate_curves(net, kept["select_stills"], a_face)
    out = gate_curves(net, held["select_stills"], a_face)
    gate = fg.fit(sel)
    (which, without), = fg.set_scores(out, fg.NO_GATE)[0].items()
    with_gate = fg.set_scores(out, gate)[0][which]
    print("without %s: v8's recipe %.3f / %.3f; gate (%.1f, %g), v9's "
          "%.3f / %.3f" % (name, *without, *gate, *with_gate), flush=True)
    return without, with_gate


def main():
    ap = argparse.ArgumentParser(add_help=False)
    # MIT1003 only: the other still sets have twins (EyeCrowd's in
    # taskfix-free, a pair inside OSIE) that a deal by position would put
    # on both sides of a fold; MIT1003's one twin is on the test side.
    ap.add_argument("--within", choices=("mit",))
    ap.add_argument("--folds", type=int, default=4)
    ap.add_argument("--gate", action="store_true",
                    help="with --within: v8's recipe against v9's")
    own, rest = ap.parse_known_args(sys.argv[1:])
    if own.gate and not own.within:
        ap.error("--gate needs --within mit")
    args = td.parse_args(rest)
    td.setup_torch(args)
    if not os.path.isdir(os.path.join(args.shared, "data", "osie")):
        print("skip: no data under %s" % args.shared)
        return 77
    data = td.load_or_build(args.shared, args.cache)
    if own.within and own.gate:
        shipped, _ = dm.load_model(os.path.join(HERE, "..", "models",
                                                "default.safetensors"))
        a_face, side = float(shipped.face_mix[0]), int(shipped.face_side[0])
        add_faces(data, args.shared, own.within, side)
        rows = [gate_out(*fold_out(data, own.within, own.folds, i), args,
                         a_face, "%s fold %d of %d" % (own.within, i,
                                                       own.folds))
                for i in range(own.folds)]
        print("%s, every fold: v8's recipe %.3f / %.3f; v9's %.3f / %.3f "
              "(CC / KLD)" % (own.within, *np.mean([r[0] for r in rows], 0),
                              *np.mean([r[1] for r in rows], 0)))
        return 0
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
