#!/usr/bin/python3
"""ViNet-S parity and errors: vinet_test.py CASE SALMAP.

  engine_oracle   tools/convert_vinet.py + salmap run on the first frames
                  of ../shared/oracle/vinet-s-a against upstream's
                  outputs (SALIENCY_VINET_FRAMES, default 3; 40 for all);
  engine_random   a random checkpoint made here (another seed, synthetic
                  frames, no ../shared) through convert + salmap against
                  tools/vinet_reference.py, with a control showing that a
                  ring one frame off would be caught;
  reuse           streaming reuse (conv_s kept per frame in the ring,
                  conv_t shared by clips two frames apart) against every
                  clip computed in full (SALIENCY_VINET_REUSE=0): the maps
                  must be bit for bit the same;
  errors          the converter and the engine on bad input: another
                  architecture's checkpoint, truncated files, a missing or
                  misshapen tensor, a wrong clip length in the metadata.

Maps are compared normalised to sum 1 (as the engine outputs them): max
relative error <= 1e-3 of the map's max and CC >= 0.9999 per frame.
Exit 77 (skip) without torch, or without ../shared for the oracle case.
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
import vinet_common as vc  # noqa: E402

RANDOM_SEED = 20251201
RANDOM_FRAMES = 3


def case_engine_oracle(salmap, tmp):
    vc.need_torch()             # the converter reads the .pth with torch
    odir = vc.oracle_dir()
    n = int(os.environ.get("SALIENCY_VINET_FRAMES", "3"))
    frames = sorted(os.path.join(odir, "frames", f)
                    for f in os.listdir(os.path.join(odir, "frames")))[:n]
    model = os.path.join(tmp, "oracle.safetensors")
    vc.convert(os.path.join(odir, "checkpoint.pth"), model)
    out = os.path.join(tmp, "maps.npy")
    vc.run([salmap, "run", "-q", "--model", model, "--npy", out] + frames)
    ref = np.load(os.path.join(odir, "outputs.npy"))[:len(frames)]
    return vc.check("oracle", np.load(out), ref)


def case_engine_random(salmap, tmp):
    vc.need_torch()
    import torch
    sys.path.insert(0, vc.TOOLS)
    import vinet_reference as ref

    pth = os.path.join(tmp, "random.pth")
    vc.write_checkpoint(pth, RANDOM_SEED)
    model = os.path.join(tmp, "random.safetensors")
    vc.convert(pth, model)
    frames = vc.write_frames(os.path.join(tmp, "frames"), RANDOM_FRAMES,
                             RANDOM_SEED)
    out = os.path.join(tmp, "maps.npy")
    vc.run([salmap, "run", "-q", "--model", model, "--npy", out] + frames)
    maps = np.load(out)

    torch.set_num_threads(2)
    net = ref.ViNetS(ref.load_weights(pth))
    x = [ref.load_frame(f) for f in frames]
    with torch.no_grad():
        want = np.stack([net(ref.clip_of(x, t)).numpy()
                         for t in range(len(x))])
    fails = vc.check("random", maps, want)
    # Control: the clip one frame earlier (a ring one slot off) is told
    # apart by the same measure.
    p, q = maps[-1] / maps[-1].sum(), want[-2] / want[-2].sum()
    ctrl = np.abs(p - q).max() / q.max()
    print("control (the clip one frame earlier): max rel err %.2e" % ctrl)
    if ctrl <= vc.MAX_REL:
        fails.append("a clip one frame off is not told apart")
    return fails


REUSE_FRAMES = 5


def case_reuse(salmap, tmp):
    vc.need_torch()             # for the checkpoint
    pth = os.path.join(tmp, "random.pth")
    vc.write_checkpoint(pth, RANDOM_SEED + 1)
    model = os.path.join(tmp, "random.safetensors")
    vc.convert(pth, model)
    frames = vc.write_frames(os.path.join(tmp, "frames"), REUSE_FRAMES,
                             RANDOM_SEED + 1)
    maps = []
    for reuse in ("1", "0"):
        out = os.path.join(tmp, "maps%s.npy" % reuse)
        os.environ["SALIENCY_VINET_REUSE"] = reuse
        vc.run([salmap, "run", "-q", "--model", model, "--npy", out]
               + frames)
        maps.append(np.load(out))
    del os.environ["SALIENCY_VINET_REUSE"]
    fails = []
    for t in range(REUSE_FRAMES):
        d = np.abs(maps[0][t] - maps[1][t]).max()
        print("frame %d: max |reused - full| %g" % (t, d))
        if d != 0:
            fails.append("frame %d differs with reuse" % t)
    return fails


def expect(output, *needles):
    missing = [n for n in needles if n not in output]
    return ["output lacks %r" % n for n in missing]


def case_errors(salmap, tmp):
    vc.need_torch()
    import torch
    sys.path.insert(0, vc.TOOLS)
    import safetensors_io

    fails = []
    pth = os.path.join(tmp, "good.pth")
    vc.write_checkpoint(pth, 3)
    sd = torch.load(pth)
    bad = os.path.join(tmp, "bad.pth")
    out = os.path.join(tmp, "out.safetensors")

    # Converter: another architecture (UNISAL's names), truncated, one
    # tensor misshapen, one extra.
    torch.save({"cnn.features.0.0.weight": torch.zeros(32, 3, 3, 3),
                "cnn.features.0.1.weight": torch.zeros(32)}, bad)
    fails += expect(vc.convert(bad, out, expect_fail=True),
                    "not a ViNet-S checkpoint", "convert_unisal.py")
    with open(pth, "rb") as f:
        blob = f.read()
    with open(bad, "wb") as f:
        f.write(blob[:len(blob) // 2])
    fails += expect(vc.convert(bad, out, expect_fail=True), "cannot load")
    sd2 = dict(sd)
    sd2["decoder.convtsp2.0.weight"] = torch.zeros(480, 52, 3, 3, 1)
    sd2["decoder.extra.weight"] = torch.zeros(3)
    torch.save(sd2, bad)
    fails += expect(vc.convert(bad, out, expect_fail=True),
                    "decoder.convtsp2.0.weight", "[480, 52, 3, 3, 3]",
                    "decoder.extra.weight")
    if os.path.exists(out):
        fails.append("a failed conversion left %s" % out)

    # Engine: truncated file, a missing tensor, a wrong clip length.
    model = os.path.join(tmp, "good.safetensors")
    vc.convert(pth, model)
    frame = vc.write_frames(os.path.join(tmp, "frames"), 1, 1)[0]
    npy = os.path.join(tmp, "maps.npy")

    def engine_error(path, *needles):
        text = vc.run([salmap, "run", "-q", "--model", path, "--npy", npy,
                       frame], expect_fail=True)
        return expect(text, *needles)

    with open(model, "rb") as f:
        blob = f.read()
    trunc = os.path.join(tmp, "truncated.safetensors")
    with open(trunc, "wb") as f:
        f.write(blob[:len(blob) - 1000])
    fails += engine_error(trunc, "truncated.safetensors")
    tensors, meta = safetensors_io.read(model)
    items = [(k, v) for k, v in tensors.items()
             if k != "backbone.base3.2.branch1.1.bn_t.running_var"]
    missing = os.path.join(tmp, "missing.safetensors")
    safetensors_io.write(missing, items, meta)
    fails += engine_error(missing,
                          "backbone.base3.2.branch1.1.bn_t.running_var")
    clip = os.path.join(tmp, "clip16.safetensors")
    safetensors_io.write(clip, list(tensors.items()), dict(meta, clip="16"))
    fails += engine_error(clip, "clip")
    return fails


CASES = {"engine_oracle": case_engine_oracle,
         "engine_random": case_engine_random, "reuse": case_reuse,
         "errors": case_errors}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in CASES:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix="vinet-test-") as tmp:
        fails = CASES[sys.argv[1]](sys.argv[2], tmp)
    for f in fails:
        print("FAIL: " + f)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
