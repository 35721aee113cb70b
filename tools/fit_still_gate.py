#!/usr/bin/python3
"""Fits the default model's still gate (still_gate, spec step 11).

For every select still of each set (tools/default_data.py's split: the
test side is not read) the PyTorch twin gives the net-size logits of the
model as it is, face cue included and any gate left out, and classic's map
S. For each share b of B_GRID it scores, the engine's way at the
picture's size, log((1 - b) softmax(logits) + b S / sum S), resized
bilinearly and softmaxed, with CC and KLD; a gate (alpha, beta) gives each
still its share b = sigmoid(alpha + beta (Hn - 0.9)), Hn the normalised
entropy of softmax(logits), and its score is read off that still's curve
(linear between grid shares). It prints the mean CC / KLD per set without
the gate and at the (alpha, beta) with the best mean (CC - KLD), each set
counting once, and the grid around it. With --out it writes the model with
that gate; with --plot, a picture of the gate's share against Hn over each
still's CC change.

Why a gate on the map's entropy: where the network is sure its map is
sharp; on photographs unlike its training stills its map flattens, and
there classic's contrast does better (docs/models.md, "v9").

  /usr/bin/python3 tools/fit_still_gate.py [--model models/default.safetensors]
      [--out F] [--name v9] [--plot F.png] [--shared ../shared]
"""

import argparse
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests", "metrics"))

import classic_reference as classic  # noqa: E402
import default_data as dd  # noqa: E402
import default_model as dm  # noqa: E402
import metrics  # noqa: E402
import plotting  # noqa: E402

# Classic's shares scored per still; a gate's score is interpolated.
B_GRID = np.array([0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25,
                   0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])
ALPHAS = np.arange(-12.0, 2.01, 0.5)
BETAS = np.array([0, 10, 20, 30, 40, 60, 80, 100, 130, 160, 200, 250, 300,
                  400], dtype=np.float64)
NO_GATE = (-100.0, 0.0)


def curve(logits, s, score):
    """(Hn, CC per B_GRID share, KLD per share) of one still: logits
    [1, 1, H, W] before the gate, S [1, 1, H, W]; score(mixed logits)
    gives (CC, KLD)."""
    hn = float(dm.norm_entropy(torch.softmax(logits.reshape(1, -1), 1)))
    cc, kl = zip(*(score(dm.mix_with_classic(logits, s, lambda p, b=b: b))
                   for b in B_GRID))
    return hn, np.array(cc), np.array(kl)


def still_curves(net, shared, which, stems, log):
    """[curve] for the stills, scored the engine's way at their size."""
    stream = dm.DefaultStream(net)
    out = []
    for k, stem in enumerate(stems):
        rgb, gt, _ = dd.load_still(shared, which, stem)
        logits = torch.from_numpy(stream.push_logits(rgb, still=True))

        def score(lg):
            q = dm.softmax_map(classic.resize_bilinear(lg[0, 0].numpy(),
                                                       *rgb.shape[:2]))
            return metrics.cc(q, gt), metrics.kld(q, gt)
        out.append(curve(logits[None, None], stream.s.double(), score))
        log("\r%s %d/%d" % (which, k + 1, len(stems)))
    log("\n")
    return out


def fit(curves):
    """The grid's (alpha, beta) with the best mean (CC - KLD) over the
    sets of curves {set: [curve]}."""
    grid = [(al, be) for al in ALPHAS for be in BETAS]
    return max(grid, key=lambda g: set_scores(curves, g)[1])


def share(gate, hn):
    """The twin's gate_share for a number or an array of Hn."""
    return dm.gate_share(gate[0], gate[1], torch.as_tensor(
        hn, dtype=torch.float64)).numpy()


def set_scores(curves, gate):
    """{set: (mean CC, mean KLD)} with the gate, and the mean (CC - KLD)
    over the sets."""
    res = {}
    for which, items in curves.items():
        b = share(gate, np.array([hn for hn, _, _ in items]))
        res[which] = np.mean([
            (np.interp(bi, B_GRID, cc), np.interp(bi, B_GRID, kl))
            for bi, (_, cc, kl) in zip(b, items)], 0)
    return res, float(np.mean([c - k for c, k in res.values()]))


def report(curves, best):
    print("\n| set (select stills) | mean Hn | no gate | gate (%.1f, %g): "
          "mean share | gate: CC / KLD |" % best)
    print("| --- | --- | --- | --- | --- |")
    r0, m0 = set_scores(curves, NO_GATE)
    r1, m1 = set_scores(curves, best)
    for which, items in curves.items():
        hns = np.array([hn for hn, _, _ in items])
        print("| %s (%d) | %.3f | %.3f / %.3f | %.3f | %.3f / %.3f |"
              % (which, len(items), hns.mean(), *r0[which],
                 share(best, hns).mean(), *r1[which]))
    print("| mean CC - KLD | | %.4f | | %.4f |" % (m0, m1))
    i = int(np.argmin(np.abs(ALPHAS - best[0])))
    alphas = ALPHAS[max(0, i - 3):i + 4]
    print("\nmean CC - KLD around the best gate:\n")
    print("| alpha | " + " | ".join("beta %g" % b for b in BETAS) + " |")
    print("| --- " * (len(BETAS) + 1) + "|")
    for al in alphas:
        print("| %.1f | " % al + " | ".join(
            "%.4f" % set_scores(curves, (al, be))[1] for be in BETAS) + " |")


def plot(curves, best, path):
    plt = plotting.pyplot()
    if plt is None:
        return
    fig, ax = plt.subplots(figsize=(7, 4), dpi=110)
    for which, items in curves.items():
        hn = np.array([h for h, _, _ in items])
        gain = [np.interp(share(best, h), B_GRID, cc) - cc[0]
                for h, cc, _ in items]
        ax.scatter(hn, gain, s=14, label="%s select stills" % which)
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("normalised entropy Hn of the map before the gate")
    ax.set_ylabel("CC with the gate - CC without")
    right = ax.twinx()
    lo = min(h for items in curves.values() for h, _, _ in items)
    x = np.linspace(min(lo, 0.75), 1.0, 200)
    right.plot(x, share(best, x), "k-", lw=1.2)
    right.set_ylabel("classic's share b (black line)")
    right.set_ylim(0, 1)
    ax.set_title("Still gate (alpha %.1f, beta %g)" % best)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    print("wrote %s" % path)


def main(argv=None):
    root = os.path.join(HERE, "..")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(
        root, "models", "default.safetensors"))
    ap.add_argument("--out", help="write the model with the fitted gate")
    ap.add_argument("--name", default="v9",
                    help="the written model's name in its training note")
    ap.add_argument("--plot", help="write the picture of the gate (PNG)")
    ap.add_argument("--shared", default=os.path.join(root, "..", "shared"))
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    net, meta = dm.load_model(a.model)
    if net.still_gate is not None:
        sys.exit("%s already has a still gate: fit on a model without it"
                 % a.model)
    sp = dd.split(a.shared)
    curves = {which: still_curves(net, a.shared, which, sp[which]["select"],
                                  sys.stderr.write)
              for which in dd.STILL_SETS}
    best = fit(curves)
    report(curves, best)
    if a.out:
        net.still_gate = torch.tensor(best, dtype=torch.float64)
        dm.save_model(net, a.out, "default %s: the model below with the "
                      "still gate (%.1f, %g) (select stills; "
                      "tools/fit_still_gate.py). Model: %s"
                      % (a.name, *best, meta.get("training", "")))
        print("wrote %s: still_gate (%.1f, %g)" % (a.out, *best))
    if a.plot:
        plot(curves, best, a.plot)


if __name__ == "__main__":
    main()
