#!/usr/bin/python3
"""UNISAL parity: unisal_test.py CASE SALMAP.

  reference_oracle  tools/unisal_reference.py against the upstream outputs
                    in ../shared/oracle/unisal-a (video from the .pth, still
                    images from the converted .safetensors);
  engine_oracle     convert + salmap against the same outputs;
  engine_random     a random checkpoint made here (another net size, domain
                    and modulo, frames of yet another size, no ../shared)
                    through convert + salmap against
                    tools/unisal_reference.py, with controls showing that a
                    wrong ring or domain would be caught;
  engine_errors     create()'s errors: net size, domain, modulo, a missing
                    or misshapen tensor, the architecture.

Exit 77 (skip) without torch, or without ../shared for the oracle cases.

The oracle's recurrent path is ill-conditioned (see "Numerics" in
tools/unisal_reference.py): its GRU hidden-state batch norms have
running_var ~1e-4, a gain of ~1e4, so float32 rounding differences grow ~20x
each time a ring slot is revisited. Perturbing PyTorch's own input by 1e-7
(relative) moves its output by max |d log p| ~0.03 at frames M..2M-1 and
~0.5-0.7 from 2M on; exact float64 arithmetic is 0.63 away from the oracle
at frame 12. No implementation that does not repeat PyTorch's CPU rounding
bit for bit can meet 0.02 there. engine_oracle therefore measures that
rounding envelope in the same run (the reference with its input perturbed
at 1e-7) and holds each frame to the design's tolerances or
ENVELOPE_FACTOR times the envelope, whichever is wider: frames before M,
and the still images, get the design's tolerances. engine_random, whose
GRU is well-conditioned, holds every frame to the design's tolerances.
"""

import os
import sys
import tempfile

try:
    import numpy as np
except ImportError:
    print("SKIP: no numpy in %s" % sys.executable)
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import unisal_common as uc  # noqa: E402


def oracle_manifest(odir):
    import json
    with open(os.path.join(odir, "manifest.json")) as fh:
        return json.load(fh)


def case_reference_oracle(salmap, tmp):
    uc.need_torch()
    odir = uc.oracle_dir()
    man = oracle_manifest(odir)
    fails = []

    # The test's own layout generator must agree with upstream's.
    names = [n for n, _, _ in uc.upstream_layout()]
    shapes = {n: list(s) for n, s, _ in uc.upstream_layout()}
    if set(names) != set(man["tensors"]):
        fails.append("upstream_layout() differs from the manifest: %s"
                     % sorted(set(names) ^ set(man["tensors"]))[:5])
    fails += ["shape of %s" % n for n in names
              if man["tensors"].get(n, shapes[n]) != shapes[n]]

    frames = sorted(os.path.join(odir, "frames", f)
                    for f in os.listdir(os.path.join(odir, "frames")))
    m = man["video"]["frame_modulo"]
    out = os.path.join(tmp, "video.npy")
    uc.reference(["--weights", os.path.join(odir, "checkpoint.pth"),
                  "--domain", man["video"]["source_domain"],
                  "--modulo", str(m), "--npy", out] + frames)
    fails += uc.check("reference video", np.load(out),
                      np.load(os.path.join(odir, "video_logp.npy")))

    model = os.path.join(tmp, "oracle.safetensors")
    uc.convert(os.path.join(odir, "checkpoint.pth"), model)
    ref = np.load(os.path.join(odir, "static_logp.npy"))
    out = os.path.join(tmp, "static.npy")
    uc.reference(["--weights", model, "--domain",
                  man["static"]["source_domain"], "--still", "--npy", out]
                 + frames[:len(ref)])
    fails += uc.check("reference still", np.load(out), ref)
    return fails


# Relative input noise at the float32 rounding level.
ROUNDING = 1e-7
# How many times the rounding envelope an implementation may be off.
ENVELOPE_FACTOR = 2.0


def rounding_envelope(odir, man, frames, tmp):
    """Per frame, how far PyTorch itself lands from the oracle when its
    input is perturbed at the float32 rounding level: the figures
    (max |d log p|, rel L2, 1 - CC) that float32 noise alone produces.
    Taken per visit of a ring slot (frames t // M), where the noise is
    amplified alike."""
    m = man["video"]["frame_modulo"]
    out = os.path.join(tmp, "perturbed.npy")
    uc.reference(["--weights", os.path.join(odir, "checkpoint.pth"),
                  "--domain", man["video"]["source_domain"],
                  "--modulo", str(m), "--perturb", str(ROUNDING),
                  "--npy", out] + frames)
    per_frame = uc.metrics(np.load(out),
                           np.load(os.path.join(odir, "video_logp.npy")))
    visits = {}
    for t, (d, r, c) in enumerate(per_frame):
        v = visits.setdefault(t // m, [0.0, 0.0, 0.0])
        visits[t // m] = [max(v[0], d), max(v[1], r), max(v[2], 1 - c)]
    for k, (d, r, c1) in sorted(visits.items()):
        print("rounding envelope, frames %d-%d: max|dlogp| %.3g  rel L2 %.3g"
              "  1-CC %.3g" % (k * m, k * m + m - 1, d, r, c1))
    return lambda t: visits[t // m]


def oracle_video_limits(envelope):
    """The design's tolerances, widened where float32 rounding alone moves
    PyTorch's own output further (ENVELOPE_FACTOR times that)."""
    def limits(t):
        d, r, c1 = envelope(t)
        return (max(uc.MAX_DLOGP, ENVELOPE_FACTOR * d),
                max(uc.MAX_REL_L2, ENVELOPE_FACTOR * r),
                min(uc.MIN_CC, 1 - ENVELOPE_FACTOR * c1))
    return limits


def case_engine_oracle(salmap, tmp):
    uc.need_torch()             # the converter reads the .pth with torch
    odir = uc.oracle_dir()
    man = oracle_manifest(odir)
    h, w = man["input_size_hw"]
    m = man["video"]["frame_modulo"]
    frames = sorted(os.path.join(odir, "frames", f)
                    for f in os.listdir(os.path.join(odir, "frames")))
    model = os.path.join(tmp, "oracle.safetensors")
    uc.convert(os.path.join(odir, "checkpoint.pth"), model)

    out = os.path.join(tmp, "video.npy")
    uc.run([salmap, "run", "--model", model, "--net-size", "%dx%d" % (h, w),
            "--domain", man["video"]["source_domain"], "--modulo", str(m),
            "--npy", out] + frames)
    fails = uc.check("engine video", uc.probs_to_logp(np.load(out)),
                     np.load(os.path.join(odir, "video_logp.npy")),
                     oracle_video_limits(rounding_envelope(odir, man,
                                                           frames, tmp)))

    ref = np.load(os.path.join(odir, "static_logp.npy"))
    out = os.path.join(tmp, "static.npy")
    uc.run([salmap, "run", "--model", model, "--net-size", "%dx%d" % (h, w),
            "--still", "--domain", man["static"]["source_domain"],
            "--npy", out] + frames[:len(ref)])
    fails += uc.check("engine still", uc.probs_to_logp(np.load(out)), ref)
    return fails


# The generality case: nothing here is the oracle's size, domain or modulo.
RANDOM_SEED = 20240611
RANDOM_H, RANDOM_W = 192, 256
# Frames of another size: the engine's pre- and post-processing resize.
RANDOM_FRAME_H, RANDOM_FRAME_W = 216, 300
RANDOM_DOMAIN = "UCFSports"
RANDOM_MODULO = 3
RANDOM_FRAMES = 8
RANDOM_STILL_DOMAIN = "Hollywood"


def random_model(tmp):
    import torch
    pth = os.path.join(tmp, "random.pth")
    torch.save(uc.random_state_dict(RANDOM_SEED), pth)
    model = os.path.join(tmp, "random.safetensors")
    uc.convert(pth, model, "%dx%d" % (RANDOM_H, RANDOM_W))
    return pth, model


def reference_runs(weights, frames, runs):
    """Runs tools/unisal_reference.py in this process (one torch import,
    one weight load) for runs [(domain, modulo, still)]: [T, H, W] log p
    arrays."""
    import torch
    sys.path.insert(0, os.path.dirname(uc.REFERENCE))
    import unisal_reference as ur
    torch.set_num_threads(2)
    sd, _ = ur.load_weights(weights)
    out = []
    with torch.no_grad():
        for domain, modulo, still in runs:
            stream = ur.Stream(ur.Unisal(sd, domain), modulo)
            maps = []
            for f in frames:
                x, size = ur.load_frame(f, ur.IMAGENET_MEAN, ur.IMAGENET_STD,
                                        (RANDOM_H, RANDOM_W))
                maps.append(stream.push(x, still, size).numpy())
            out.append(np.stack(maps))
    return out


def case_engine_random(salmap, tmp):
    uc.need_torch()
    pth, model = random_model(tmp)
    frames = uc.write_frames(os.path.join(tmp, "frames"), RANDOM_FRAMES,
                             RANDOM_FRAME_H, RANDOM_FRAME_W, RANDOM_SEED)
    fails = []

    # The reference from the checkpoint: the video, and a control with a
    # wrong ring length; from the converted file: still images in two
    # domains.
    ref_video, ctl_video = reference_runs(
        pth, frames, [(RANDOM_DOMAIN, RANDOM_MODULO, False),
                      (RANDOM_DOMAIN, 1, False)])
    ref_still, ctl_still = reference_runs(
        model, frames[:2], [(RANDOM_STILL_DOMAIN, 1, True),
                            (RANDOM_DOMAIN, 1, True)])

    # Video: the net size comes from the file; the domain in lower case.
    out = os.path.join(tmp, "video.npy")
    uc.run([salmap, "run", "--model", model, "--domain",
            RANDOM_DOMAIN.lower(), "--modulo", str(RANDOM_MODULO),
            "--npy", out] + frames)
    logp = uc.probs_to_logp(np.load(out))
    fails += uc.check("random video", logp, ref_video)
    spread = float(np.mean([f.std() for f in ref_video]))
    print("reference log p: mean per-frame std %.2f" % spread)
    if spread < 0.5:
        fails.append("the random maps are too flat (log p std %.2f) to "
                     "test anything" % spread)
    # The comparison must see a wrong ring length...
    d = max(r[0] for r in uc.metrics(logp[RANDOM_MODULO:],
                                     ctl_video[RANDOM_MODULO:]))
    print("control: modulo 1 instead of %d differs by max|dlogp| %.3g"
          % (RANDOM_MODULO, d))
    if d < 10 * uc.MAX_DLOGP:
        fails.append("control: a wrong modulo would go unnoticed")

    # Still images, another domain.
    out = os.path.join(tmp, "still.npy")
    uc.run([salmap, "run", "--model", model, "--domain",
            RANDOM_STILL_DOMAIN, "--still", "--npy", out] + frames[:2])
    logp = uc.probs_to_logp(np.load(out))
    fails += uc.check("random still", logp, ref_still)
    # ...and a wrong domain.
    d = max(r[0] for r in uc.metrics(logp, ctl_still))
    print("control: domain %s instead of %s differs by max|dlogp| %.3g"
          % (RANDOM_DOMAIN, RANDOM_STILL_DOMAIN, d))
    if d < 10 * uc.MAX_DLOGP:
        fails.append("control: a wrong domain would go unnoticed")
    return fails


def expect_error(salmap, args, *needles):
    import subprocess
    cmd = [salmap, "run"] + args
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    print(p.stdout, end="")
    if p.returncode == 0:
        return ["%s: succeeded, expected an error" % " ".join(args)]
    missing = [n for n in needles if n not in p.stdout]
    return ["%s: error lacks %r" % (" ".join(args), n) for n in missing]


def case_engine_errors(salmap, tmp):
    uc.need_torch()
    _, model = random_model(tmp)
    frames = uc.write_frames(os.path.join(tmp, "frames"), 1, 64, 64, 1)
    out = ["--npy", os.path.join(tmp, "out.npy")] + frames
    fails = []
    fails += expect_error(salmap, ["--model", model, "--net-size", "225x384"]
                          + out, "net-size 225x384",
                          "both sides must be multiples of 32")
    fails += expect_error(salmap, ["--model", model, "--net-size", "0x64"]
                          + out, "0x64")
    fails += expect_error(salmap, ["--model", model, "--domain", "Cats"]
                          + out, "Cats", "DHF1K, Hollywood, UCFSports, "
                          "SALICON")

    tensors, meta = uc.read_safetensors(model)
    broken = os.path.join(tmp, "broken.safetensors")
    name = "rnn.cell_list.0.u_z.conv_sep.weight"
    uc.write_safetensors(broken, {k: v for k, v in tensors.items()
                                  if k != name}, meta)
    fails += expect_error(salmap, ["--model", broken] + out, name)
    name = "skip_4x.reduction.0.bias"
    uc.write_safetensors(broken, dict(tensors, **{name: np.zeros(3)}), meta)
    fails += expect_error(salmap, ["--model", broken] + out, name)
    name = "smoothing_salicon.weight"
    uc.write_safetensors(broken, {k: v for k, v in tensors.items()
                                  if k != name}, meta)
    fails += expect_error(salmap, ["--model", broken, "--domain", "salicon",
                                   "--still"] + out, name)
    uc.write_safetensors(broken, tensors, dict(meta, architecture="yolo"))
    fails += expect_error(salmap, ["--model", broken] + out, "yolo")
    uc.write_safetensors(broken, tensors, dict(meta, mean="0.5,0.5"))
    fails += expect_error(salmap, ["--model", broken] + out, "mean")
    # Without modulo metadata, --modulo is required.
    uc.write_safetensors(broken, tensors, {k: v for k, v in meta.items()
                                           if not k.startswith("modulo_")})
    fails += expect_error(salmap, ["--model", broken] + out, "modulo")
    return fails


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: unisal_test.py CASE SALMAP")
    case, salmap = sys.argv[1], sys.argv[2]
    fn = globals()["case_" + case]
    with tempfile.TemporaryDirectory(prefix="unisal-test-") as tmp:
        fails = fn(salmap, tmp)
    if fails:
        print("FAIL:\n  " + "\n  ".join(fails))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
