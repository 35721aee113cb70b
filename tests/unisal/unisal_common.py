"""Shared pieces of the UNISAL parity tests: the metrics and their
tolerances, skipping, and a generator of upstream-layout checkpoints with
random but well-conditioned weights (written from the architecture, not
from tools/convert_unisal.py, so that it checks the converter too)."""

import os
import subprocess
import sys

import numpy as np

SKIP = 77

# The design's tolerances (docs: unisal.md).
MAX_DLOGP = 0.02
MAX_REL_L2 = 5e-3
MIN_CC = 0.999

DOMAINS = ("DHF1K", "Hollywood", "UCFSports", "SALICON")
MOBILENET = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
             (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))

SOURCE_ROOT = os.environ.get(
    "SALIENCY_SOURCE_ROOT",
    os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
REFERENCE = os.path.join(SOURCE_ROOT, "tools", "unisal_reference.py")
CONVERTER = os.path.join(SOURCE_ROOT, "tools", "convert_unisal.py")


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


def need_torch():
    try:
        import torch  # noqa: F401
        import PIL  # noqa: F401
    except ImportError as e:
        skip("%s in %s (Debian: apt install python3-torch python3-pil)"
             % (e, sys.executable))


def oracle_dir():
    shared = os.environ.get("SALIENCY_SHARED_DIR",
                            os.path.join(SOURCE_ROOT, "..", "shared"))
    d = os.path.join(shared, "oracle", "unisal-a")
    if not os.path.isfile(os.path.join(d, "checkpoint.pth")):
        skip("no UNISAL oracle at %s" % d)
    return d


def run(cmd, **kw):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, **kw)
    sys.stdout.write(p.stdout)
    if p.returncode != 0:
        raise SystemExit("FAIL: %s exited with %d" % (cmd[0], p.returncode))
    return p.stdout


def reference(args):
    return run([sys.executable, REFERENCE, "--threads", "2"] + args)


def convert(pth, out, net_size=None):
    cmd = [sys.executable, CONVERTER, pth, out]
    if net_size:
        cmd[2:2] = ["--net-size", net_size]
    return run(cmd)


def metrics(logp, logp_ref):
    """Per frame (max |d log p|, relative L2 of p, CC of p)."""
    out = []
    for a, b in zip(logp.astype(np.float64), logp_ref.astype(np.float64)):
        pa, pb = np.exp(a), np.exp(b)
        out.append((np.abs(a - b).max(),
                    np.linalg.norm(pa - pb) / np.linalg.norm(pb),
                    np.corrcoef(pa.ravel(), pb.ravel())[0, 1]))
    return out


def probs_to_logp(p):
    # salmap writes probabilities; float32 holds them down to 1e-38.
    return np.log(np.maximum(p.astype(np.float64), 1e-300))


def check(label, logp, logp_ref, limits=None):
    """Prints per-frame figures and returns the failures. limits(t) gives
    (max dlogp, max rel L2, min CC) for frame t (default: the design's)."""
    if logp.shape != logp_ref.shape:
        return ["%s: shape %s, expected %s" % (label, logp.shape,
                                               logp_ref.shape)]
    fails = []
    worst = [0.0, 0.0, 1.0]
    for t, (d, r, c) in enumerate(metrics(logp, logp_ref)):
        lim = limits(t) if limits else (MAX_DLOGP, MAX_REL_L2, MIN_CC)
        bad = d > lim[0] or r > lim[1] or c < lim[2]
        print("%s frame %2d: max|dlogp| %.3g  rel L2 %.3g  CC %.7f%s"
              % (label, t, d, r, c,
                 "   <-- over (%g, %g, %g)" % lim if bad else ""))
        if bad:
            fails.append("%s frame %d" % (label, t))
        worst = [max(worst[0], d), max(worst[1], r), min(worst[2], c)]
    print("%s worst: max|dlogp| %.3g  rel L2 %.3g  min CC %.7f"
          % (label, *worst))
    return fails


# ---------------------------------------------------------------------------
# Random checkpoints in the upstream layout

def upstream_layout():
    """(name, shape, kind) of every tensor of upstream's state_dict, in its
    order. kind: conv, bias, bn, gauss, scale, gate, mask, smooth."""
    t = []

    def conv(name, cout, cin, k, bias=False):
        t.append((name + ".weight", (cout, cin, k, k), "conv"))
        if bias:
            t.append((name + ".bias", (cout,), "bias"))

    def bn(prefix, n, domain):
        for d in (DOMAINS if domain else (None,)):
            p = prefix + (".bn_" + d if d else "")
            for part in ("weight", "bias", "running_mean", "running_var",
                         "num_batches_tracked"):
                t.append(("%s.%s" % (p, part),
                          () if part == "num_batches_tracked" else (n,),
                          "bn"))

    def inv_res(prefix, cin, cout, e, domain):
        hid, i = cin * e, 0
        if e != 1:
            conv("%s.conv.%d" % (prefix, i), hid, cin, 1)
            bn("%s.conv.%d" % (prefix, i + 1), hid, domain)
            i += 3
        conv("%s.conv.%d" % (prefix, i), hid, 1, 3)
        bn("%s.conv.%d" % (prefix, i + 1), hid, domain)
        i += 3
        conv("%s.conv.%d" % (prefix, i), cout, hid, 1)
        bn("%s.conv.%d" % (prefix, i + 1), cout, domain)

    for d in DOMAINS:
        t.append(("coarse_gaussians_" + d.lower(), (16, 2, 2), "gauss"))
    conv("cnn.features.0.0", 32, 3, 3)
    bn("cnn.features.0.1", 32, False)
    idx, cin = 1, 32
    for e, c, n, s in MOBILENET:
        for _ in range(n):
            inv_res("cnn.features.%d" % idx, cin, c, e, False)
            idx, cin = idx + 1, c
    conv("cnn.features.18.0", 1280, 320, 1)
    bn("cnn.features.18.1", 1280, False)
    inv_res("post_cnn.inv_res", 1296, 256, 1, False)
    g = "rnn.cell_list.0."
    for n in ("b_r", "b_z", "b_h"):
        t.append((g + n, (256, 1, 1), "gate"))
    for n in ("a_r_x", "a_r_h", "a_z_x", "a_z_h", "a_h_x", "a_h_h"):
        t.append((g + n, (256, 1, 1), "scale"))
    t.append((g + "drop_mask_1", (3, 256), "mask"))
    for n in ("norm_r_x", "norm_r_h", "norm_z_x", "norm_z_h", "norm_out_x",
              "norm_out_h"):
        bn(g + n, 256, True)
    for n in ("w_r", "u_r", "w_z", "u_z", "w", "u"):
        conv(g + n + ".conv_dw", 256, 1, 3)
        bn(g + n + ".sep_bn", 256, True)
        conv(g + n + ".conv_sep", 256, 256, 1)
    conv("post_rnn.0", 256, 256, 1)
    bn("post_rnn.1", 256, True)
    conv("skip_2x.expansion.0", 320, 160, 1)
    bn("skip_2x.expansion.1", 320, True)
    conv("skip_2x.reduction.0", 128, 320, 1, bias=True)
    bn("skip_2x.reduction.1", 128, True)
    inv_res("upsampling_2.inv_res", 384, 128, 2, True)
    conv("skip_4x.expansion.0", 128, 64, 1)
    bn("skip_4x.expansion.1", 128, True)
    conv("skip_4x.reduction.0", 64, 128, 1, bias=True)
    bn("skip_4x.reduction.1", 64, True)
    inv_res("post_upsampling_2.inv_res", 192, 64, 2, True)
    for d in DOMAINS:
        conv("adaptation_%s.0" % d.lower(), 1, 64, 1, bias=True)
        t.append(("smoothing_%s.weight" % d.lower(), (1, 1, 41, 41),
                  "smooth"))
    return t


def random_state_dict(seed):
    """Random weights at realistic scales: activations stay O(1) through
    the network (weights N(0, 1/fan_in), BN running_var U(0.5, 1.5)), and
    the GRU's recurrent gain is O(1), so float32 noise is not amplified
    from frame to frame (unlike the oracle's: see "Numerics" in
    tools/unisal_reference.py)."""
    import torch
    g = torch.Generator().manual_seed(seed)

    def U(shape, lo, hi):
        return lo + (hi - lo) * torch.rand(shape, generator=g)

    def N(shape, std):
        return std * torch.randn(shape, generator=g)

    sd = {}
    for name, shape, kind in upstream_layout():
        if kind == "conv" and name.startswith("adaptation_"):
            # Logits with a trained model's contrast (log p std ~2).
            v = N(shape, 1.0)
        elif kind == "conv":
            fan_in = shape[1] * shape[2] * shape[3]
            v = N(shape, fan_in ** -0.5)
        elif kind == "bias":
            v = N(shape, 0.1)
        elif kind == "bn":
            part = name.rsplit(".", 1)[1]
            v = {"weight": lambda: U(shape, 0.7, 1.3),
                 "bias": lambda: N(shape, 0.2),
                 "running_mean": lambda: N(shape, 0.1),
                 "running_var": lambda: U(shape, 0.5, 1.5),
                 "num_batches_tracked": lambda: torch.tensor(0)}[part]()
        elif kind == "gauss":
            v = torch.stack([U((16, 2), 0.15, 0.85),
                             U((16, 2), -1.6, -0.6)], 2)
        elif kind == "scale":
            v = U(shape, 0.5, 1.5)
        elif kind == "gate":
            v = N(shape, 0.3)
        elif kind == "mask":
            v = torch.ones(shape)
        elif kind == "smooth":
            # A Gaussian (upstream's initialisation) with gain 3 and noise,
            # so that it is not separable and the maps have contrast.
            r = torch.arange(41, dtype=torch.float32) - 20
            sigma = float(U((1,), 4.0, 8.0))
            k = torch.exp(-(r.view(-1, 1) ** 2 + r.view(1, -1) ** 2)
                          / (2 * sigma ** 2))
            v = (3.0 * k / k.sum() + N((41, 41), 1e-3)).view(shape)
        sd[name] = v.contiguous()
    return sd


def write_safetensors(path, tensors, meta):
    """tensors: name -> float32 array (any order kept)."""
    import json
    import struct
    header, blobs, off = {"__metadata__": meta}, [], 0
    for name, a in tensors.items():
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            fh.write(b)


def read_safetensors(path):
    sys.path.insert(0, os.path.dirname(REFERENCE))
    import unisal_reference
    sd, meta = unisal_reference.read_safetensors(path)
    return {k: v.numpy() for k, v in sd.items()}, meta


def write_frames(folder, n, h, w, seed):
    """n frames of moving coloured blobs on a textured background."""
    from PIL import Image
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = rng.uniform(40, 120, (h // 8 + 1, w // 8 + 1, 3))
    base = np.kron(base, np.ones((8, 8, 1)))[:h, :w]
    blobs = [(rng.uniform(0.2, 0.8) * h, rng.uniform(0.2, 0.8) * w,
              rng.uniform(-6, 6), rng.uniform(-8, 8), rng.uniform(8, 24),
              rng.uniform(0, 255, 3)) for _ in range(4)]
    paths = []
    for t in range(n):
        img = base + rng.normal(0, 6, base.shape)
        for y0, x0, vy, vx, s, col in blobs:
            m = np.exp(-((yy - y0 - vy * t) ** 2 + (xx - x0 - vx * t) ** 2)
                       / (2 * s * s))[..., None]
            img = img * (1 - m) + col * m
        p = os.path.join(folder, "%04d.png" % t)
        Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(p)
        paths.append(p)
    return paths
