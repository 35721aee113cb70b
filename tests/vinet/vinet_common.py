"""Shared pieces of the ViNet-S tests: paths, skipping, the parity
metrics, synthetic frames, and random checkpoints in upstream's layout
(written here from the design note's tables, not taken from
tools/convert_vinet.py, so that they check the converter too).

  vinet_common.py checkpoint OUT.pth [SEED]    writes a random checkpoint
"""

import os
import subprocess
import sys

import numpy as np

H, W = 224, 384

# Parity bar (issue 11): on maps normalised to sum 1, per frame.
MAX_REL = 1e-3          # max |p - q| / max q
MIN_CC = 0.9999

HERE = os.path.dirname(os.path.abspath(__file__))
# Skipping and paths as in the UNISAL tests.
sys.path.insert(0, os.path.join(HERE, "..", "unisal"))
from unisal_common import SKIP, SOURCE_ROOT, need_torch, skip  # noqa: E402,F401

TOOLS = os.path.join(SOURCE_ROOT, "tools")
CONVERTER = os.path.join(TOOLS, "convert_vinet.py")


def oracle_dir():
    shared = os.environ.get("SALIENCY_SHARED_DIR",
                            os.path.join(SOURCE_ROOT, "..", "shared"))
    d = os.path.join(shared, "oracle", "vinet-s-a")
    if not os.path.isfile(os.path.join(d, "checkpoint.pth")):
        skip("no ViNet-S oracle at %s" % d)
    return d


def run(cmd, expect_fail=False):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    sys.stdout.write(p.stdout)
    if (p.returncode != 0) != expect_fail:
        raise SystemExit("FAIL: %s exited with %d" % (cmd[0], p.returncode))
    return p.stdout


def convert(pth, out, expect_fail=False):
    return run([sys.executable, CONVERTER, pth, out], expect_fail)


def check(label, maps, ref):
    """Per frame, both maps normalised to sum 1: max |p - q| / max q and
    CC. Prints them and returns the failures."""
    if maps.shape != ref.shape:
        return ["%s: shape %s, expected %s" % (label, maps.shape, ref.shape)]
    fails, worst = [], (0.0, 1.0)
    for t, (a, b) in enumerate(zip(maps.astype(np.float64),
                                   ref.astype(np.float64))):
        p, q = a / a.sum(), b / b.sum()
        rel = np.abs(p - q).max() / q.max()
        cc = np.corrcoef(p.ravel(), q.ravel())[0, 1]
        bad = rel > MAX_REL or cc < MIN_CC
        print("%s frame %2d: max rel err %.2e  CC %.9f%s" % (
            label, t, rel, cc, "   <-- over" if bad else ""))
        if bad:
            fails.append("%s frame %d" % (label, t))
        worst = (max(worst[0], rel), min(worst[1], cc))
    print("%s worst: max rel err %.2e  min CC %.9f" % (label, *worst))
    return fails


def write_frames(out_dir, count, seed):
    """count 384x224 PNG frames of moving coloured blobs on a gradient:
    smooth content, different in every frame. Returns their paths."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)
    base = rng.uniform(0, 255, 3)[:, None, None] * (xx / W)[None]
    blobs = [(rng.uniform(0, W), rng.uniform(0, H), rng.uniform(-9, 9),
              rng.uniform(-6, 6), rng.uniform(15, 50), rng.uniform(0, 255, 3))
             for _ in range(5)]
    paths = []
    os.makedirs(out_dir, exist_ok=True)
    for t in range(count):
        img = base.copy()
        for x, y, vx, vy, r, c in blobs:
            d2 = (xx - x - vx * t) ** 2 + (yy - y - vy * t) ** 2
            img += c[:, None, None] * np.exp(-d2 / (2 * r * r))[None]
        img += rng.normal(0, 4, img.shape)
        a = np.clip(img, 0, 255).astype(np.uint8).transpose(1, 2, 0)
        paths.append(os.path.join(out_dir, "%04d.png" % t))
        Image.fromarray(a).save(paths[-1])
    return paths


# ---------------------------------------------------------------------------
# Random checkpoints in upstream's layout

# Mixed blocks: (prefix, in, b0, b1a, b1b, b2a, b2b, b3) (design note).
S3D_MIXED = [("base2.0", 192, 64, 96, 128, 16, 32, 32),
             ("base2.1", 256, 128, 128, 192, 32, 96, 64),
             ("base3.0", 480, 192, 96, 208, 16, 48, 64),
             ("base3.1", 512, 160, 112, 224, 24, 64, 64),
             ("base3.2", 512, 128, 128, 256, 24, 64, 64),
             ("base3.3", 512, 112, 144, 288, 32, 64, 64),
             ("base3.4", 528, 256, 160, 320, 32, 128, 128),
             ("base4.0", 832, 256, 160, 320, 32, 128, 128),
             ("base4.1", 832, 384, 192, 384, 48, 128, 128)]
# Decoder weights: (module, out, in per group, kt, kh, kw).
DECODER = [("convtsp1.0", 832, 32, 1, 3, 3), ("convtsp2.0", 480, 52, 3, 3, 3),
           ("convtsp3.0", 192, 60, 5, 3, 3), ("convtsp4.0", 64, 48, 5, 3, 3),
           ("convtsp4.3", 32, 32, 2, 3, 3), ("convtsp4.6", 32, 32, 2, 1, 1),
           ("convtsp4.8", 1, 32, 1, 1, 1)]


def random_state_dict(seed):
    """Upstream's 470 tensors: He-initialised convs (activations keep
    their scale through the ReLUs), BN near identity with running
    statistics near (0, 1), the last conv's bias near 0."""
    import torch
    g = torch.Generator().manual_seed(seed)
    sd = {}

    def conv(name, *shape):
        fan_in = int(np.prod(shape[1:]))
        sd[name + ".weight"] = torch.randn(shape, generator=g) * \
            (2.0 / fan_in) ** 0.5

    def bn(name, c):
        sd[name + ".weight"] = 1 + 0.1 * torch.randn(c, generator=g)
        sd[name + ".bias"] = 0.1 * torch.randn(c, generator=g)
        sd[name + ".running_mean"] = 0.2 * torch.randn(c, generator=g)
        sd[name + ".running_var"] = 0.5 + torch.rand(c, generator=g)
        sd[name + ".num_batches_tracked"] = torch.tensor(7)

    def basic(p, cin, cout):
        conv(p + ".conv", cout, cin, 1, 1, 1)
        bn(p + ".bn", cout)

    def sep(p, cin, cout, k):
        conv(p + ".conv_s", cout, cin, 1, k, k)
        bn(p + ".bn_s", cout)
        conv(p + ".conv_t", cout, cout, k, 1, 1)
        bn(p + ".bn_t", cout)

    b = "backbone."
    sep(b + "base1.0", 3, 64, 7)
    basic(b + "base1.2", 64, 64)
    sep(b + "base1.3", 64, 192, 3)
    for p, cin, b0, b1a, b1b, b2a, b2b, b3 in S3D_MIXED:
        p = b + p
        basic(p + ".branch0.0", cin, b0)
        basic(p + ".branch1.0", cin, b1a)
        sep(p + ".branch1.1", b1a, b1b, 3)
        basic(p + ".branch2.0", cin, b2a)
        sep(p + ".branch2.1", b2a, b2b, 3)
        basic(p + ".branch3.1", cin, b3)
    for name, *shape in DECODER:
        conv("decoder." + name, *shape)
    sd["decoder.convtsp4.8.bias"] = 0.1 * torch.randn(1, generator=g)
    return sd


def write_checkpoint(path, seed):
    import torch
    torch.save(random_state_dict(seed), path)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "checkpoint":
        write_checkpoint(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3
                         else 1)
    else:
        sys.exit(__doc__)
