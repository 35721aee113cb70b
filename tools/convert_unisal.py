#!/usr/bin/python3
"""Converts an upstream UNISAL checkpoint to a gst-saliency model file.

    convert_unisal.py IN.pth OUT.safetensors [--net-size HxW]

IN is what the UNISAL authors publish (weights_best.pth: a torch.save'd
state_dict, possibly wrapped as {"model_state_dict": ...}). It is checked
against the tensor list that the UNISAL architecture implies (see
EXPECTED below and ../shared/design/unisal.md): the first missing, extra or
misshapen tensor is named and the exit status is 1.

OUT is safetensors: all tensors float32 little-endian under their upstream
names, BatchNorm parameters left unfolded (the engine folds BN into the
preceding convolution at load time, for the domain it runs), and
__metadata__ describing the architecture (see metadata()). Training-only
buffers (BatchNorm num_batches_tracked, the GRU's recurrent dropout masks)
are dropped.

Needs Debian's python3-torch (/usr/bin/python3); the safetensors format is
written by tools/safetensors_io.py (no extra package).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

# Domains in upstream order; BN modules use these names, other
# domain-specific tensors the lower-case ones.
DOMAINS = ("DHF1K", "Hollywood", "UCFSports", "SALICON")
# Upstream frame_modulo per domain (SALICON is still images: unused).
MODULO = {"DHF1K": 5, "Hollywood": 4, "UCFSports": 4, "SALICON": 4}
DEFAULT_NET_SIZE = (224, 384)  # DHF1K's video size
BN_EPS = "1e-05"
MEAN = "0.485,0.456,0.406"
STD = "0.229,0.224,0.225"

# MobileNetV2 inverted-residual settings (expansion t, out channels c,
# repeats n, stride s) after features.0 (3 -> 32).
MOBILENET_V2 = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))
GAUSSIANS = 16
GRU_CHANNELS = 256
SMOOTHING = 41

# Buffers that only matter while training.
TRAINING_ONLY = re.compile(
    r"(^|\.)num_batches_tracked$|^rnn\.cell_list\.\d+\.drop_mask_\d+$")


class ConvertError(Exception):
    pass


# ---------------------------------------------------------------------------
# The expected tensors, from the architecture. Order is upstream's
# state_dict order (module registration order), so the file lists tensors
# as the checkpoint does.

def _bn(prefix, c):
    return [(prefix + "." + p, (c,))
            for p in ("weight", "bias", "running_mean", "running_var")]


def _dsbn(prefix, c):
    out = []
    for d in DOMAINS:
        out += _bn("%s.bn_%s" % (prefix, d), c)
    return out


def _inverted_residual(prefix, cin, cout, t, norm):
    """MobileNetV2 block: [1x1 expand + BN + ReLU6] (absent when t == 1),
    3x3 depthwise + BN + ReLU6, 1x1 project + BN, as an nn.Sequential
    named prefix.conv (ReLU6 layers take indices but hold no tensors)."""
    hidden = cin * t
    out, i = [], 0
    if t != 1:
        out += [("%s.conv.0.weight" % prefix, (hidden, cin, 1, 1))]
        out += norm("%s.conv.1" % prefix, hidden)
        i = 3
    out += [("%s.conv.%d.weight" % (prefix, i), (hidden, 1, 3, 3))]
    out += norm("%s.conv.%d" % (prefix, i + 1), hidden)
    out += [("%s.conv.%d.weight" % (prefix, i + 3), (cout, hidden, 1, 1))]
    out += norm("%s.conv.%d" % (prefix, i + 4), cout)
    return out


def _mobilenet_v2(prefix):
    out = [(prefix + ".0.0.weight", (32, 3, 3, 3))] + _bn(prefix + ".0.1", 32)
    cin, index = 32, 1
    for t, c, n, _s in MOBILENET_V2:
        for _ in range(n):
            out += _inverted_residual("%s.%d" % (prefix, index), cin, c, t,
                                      _bn)
            cin, index = c, index + 1
    out += [("%s.%d.0.weight" % (prefix, index), (1280, cin, 1, 1))]
    out += _bn("%s.%d.1" % (prefix, index), 1280)
    return out


def _conv_gru_cell(prefix, c):
    out = [("%s.b_%s" % (prefix, g), (c, 1, 1)) for g in ("r", "z", "h")]
    out += [("%s.a_%s_%s" % (prefix, g, s), (c, 1, 1))
            for g in ("r", "z", "h") for s in ("x", "h")]
    for n in ("r_x", "r_h", "z_x", "z_h", "out_x", "out_h"):
        out += _dsbn("%s.norm_%s" % (prefix, n), c)
    # "Mobile" gate convolutions: depthwise 3x3 + DSBN (+ ReLU6), 1x1.
    for branch in ("w_r", "u_r", "w_z", "u_z", "w", "u"):
        p = "%s.%s" % (prefix, branch)
        out += [(p + ".conv_dw.weight", (c, 1, 3, 3))]
        out += _dsbn(p + ".sep_bn", c)
        out += [(p + ".conv_sep.weight", (c, c, 1, 1))]
    return out


def _skip(prefix, cin, hidden, cout):
    out = [(prefix + ".expansion.0.weight", (hidden, cin, 1, 1))]
    out += _dsbn(prefix + ".expansion.1", hidden)
    out += [(prefix + ".reduction.0.weight", (cout, hidden, 1, 1)),
            (prefix + ".reduction.0.bias", (cout,))]
    out += _dsbn(prefix + ".reduction.1", cout)
    return out


def expected_tensors():
    """[(name, shape)] of every tensor a UNISAL checkpoint must hold, minus
    training-only buffers, in upstream state_dict order."""
    c = GRU_CHANNELS
    out = [("coarse_gaussians_" + d.lower(), (GAUSSIANS, 2, 2))
           for d in DOMAINS]
    out += _mobilenet_v2("cnn.features")
    out += _inverted_residual("post_cnn.inv_res", 1280 + GAUSSIANS, c, 1,
                              _bn)
    out += _conv_gru_cell("rnn.cell_list.0", c)
    out += [("post_rnn.0.weight", (c, c, 1, 1))] + _dsbn("post_rnn.1", c)
    # Decoder: skips from features.14 (160 ch) and features.7 (64 ch).
    out += _skip("skip_2x", 160, 320, 128)
    out += _inverted_residual("upsampling_2.inv_res", c + 128, 128, 2, _dsbn)
    out += _skip("skip_4x", 64, 128, 64)
    out += _inverted_residual("post_upsampling_2.inv_res", 128 + 64, 64, 2,
                              _dsbn)
    for d in DOMAINS:
        d = d.lower()
        out += [("adaptation_%s.0.weight" % d, (1, 64, 1, 1)),
                ("adaptation_%s.0.bias" % d, (1,)),
                ("smoothing_%s.weight" % d, (1, 1, SMOOTHING, SMOOTHING))]
    return out


def metadata(source, net_size):
    meta = {
        "format": "gst-saliency",
        "format_version": "1",
        "architecture": "unisal",
        "domains": ",".join(DOMAINS),
        "net_height": str(net_size[0]),
        "net_width": str(net_size[1]),
    }
    for d in DOMAINS:
        meta["modulo_" + d] = str(MODULO[d])
    meta.update({"bn_eps": BN_EPS, "mean": MEAN, "std": STD,
                 "source": source})
    return meta


# ---------------------------------------------------------------------------
# Reading the checkpoint

def load_state_dict(path, trust_pickle=False):
    import pickle
    import torch

    if not os.path.isfile(path):
        raise ConvertError("%s: no such file" % path)
    try:
        if trust_pickle:
            obj = torch.load(path, map_location="cpu")
        else:
            # weights_only: a checkpoint is data, not code to run.
            obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many kinds
        # weights_only refuses pickled objects other than tensors and
        # containers with an UnpicklingError.
        hint = "" if trust_pickle or not isinstance(
            e, pickle.UnpicklingError) else (
            " (the file holds more than tensors: if you trust it, retry "
            "with --trust-pickle)")
        raise ConvertError("cannot load %s as a PyTorch checkpoint: %s%s" %
                           (path, e, hint))

    if isinstance(obj, dict):
        for key in ("model_state_dict", "state_dict"):
            if key in obj and isinstance(obj[key], dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict) or not obj:
        raise ConvertError("%s is not a state_dict (found %s); expected "
                           "UNISAL's weights_best.pth" %
                           (path, type(obj).__name__))
    for k, v in obj.items():
        if not isinstance(k, str) or not torch.is_tensor(v):
            raise ConvertError("%s is not a state_dict: entry %r is a %s, "
                               "not a tensor" % (path, k, type(v).__name__))
    # Saved from nn.DataParallel: every name starts with "module.".
    if all(k.startswith("module.") for k in obj):
        obj = {k[len("module."):]: v for k, v in obj.items()}
    return obj


def check_state_dict(sd, path):
    """Drops training-only buffers and returns [(name, tensor)] in expected
    order; ConvertError naming the first problem otherwise."""
    import torch

    sd = {k: v for k, v in sd.items() if not TRAINING_ONLY.search(k)}
    expected = expected_tensors()
    names = {n for n, _ in expected}
    problems = []
    for name, shape in expected:
        if name not in sd:
            problems.append("tensor '%s' is missing (expected shape %s)" %
                            (name, list(shape)))
        elif tuple(sd[name].shape) != shape:
            problems.append("tensor '%s' has shape %s, expected %s" %
                            (name, list(sd[name].shape), list(shape)))
        elif not sd[name].is_floating_point():
            problems.append("tensor '%s' has dtype %s, expected a floating "
                            "point type" % (name, sd[name].dtype))
    for name in sd:
        if name not in names:
            problems.append("tensor '%s' (shape %s) is not part of UNISAL" %
                            (name, list(sd[name].shape)))
    if problems:
        more = ("; and %d more problem(s)" % (len(problems) - 1)
                if len(problems) > 1 else "")
        raise ConvertError(
            "%s: %s%s. Is this an upstream UNISAL checkpoint "
            "(rdroste/unisal weights_best.pth)?" % (path, problems[0], more))
    out = []
    for name, _ in expected:
        t = sd[name]
        if t.dtype == torch.float64:
            print("convert_unisal.py: note: %s is float64, rounding to "
                  "float32" % name, file=sys.stderr)
        out.append((name, t.detach().to("cpu", torch.float32).contiguous()))
    return out


# ---------------------------------------------------------------------------
# Writing safetensors

def parse_net_size(s):
    m = re.fullmatch(r"(\d+)x(\d+)", s)
    if not m:
        raise argparse.ArgumentTypeError(
            "%r is not HEIGHTxWIDTH, e.g. 224x384" % s)
    h, w = int(m.group(1)), int(m.group(2))
    if not (32 <= h <= 4096 and 32 <= w <= 4096) or h % 32 or w % 32:
        raise argparse.ArgumentTypeError(
            "%s: height and width must be multiples of 32 in [32, 4096] "
            "(UNISAL downsamples by 32)" % s)
    return h, w


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="convert_unisal.py",
        description="Convert an upstream UNISAL PyTorch checkpoint to a "
        "gst-saliency model file (safetensors).")
    ap.add_argument("input", help="UNISAL checkpoint (weights_best.pth)")
    ap.add_argument("output", help="model file to write (.safetensors)")
    ap.add_argument("--net-size", type=parse_net_size,
                    default=DEFAULT_NET_SIZE, metavar="HxW",
                    help="default network input size stored in the file "
                    "(default 224x384, DHF1K's)")
    ap.add_argument("--trust-pickle", action="store_true",
                    help="load the checkpoint with full pickle (runs code "
                    "from the file: only for files you trust)")
    args = ap.parse_args(argv)

    return convert(
        "convert_unisal.py", args, check_state_dict,
        lambda source: metadata(source, args.net_size), "parameters")


def convert(prog, args, check, meta, what):
    """The converters' common run: load args.input (trusting pickle only
    with args.trust_pickle), check(state_dict, path) -> [(name, tensor)],
    write args.output with meta(basename of the input) and print a
    summary. Returns the exit status."""
    try:
        import torch  # noqa: F401
    except ImportError:
        print("%s: error: needs PyTorch: run it with Debian's "
              "/usr/bin/python3 (apt-get install python3-torch)" % prog,
              file=sys.stderr)
        return 2
    try:
        sd = load_state_dict(args.input, args.trust_pickle)
        tensors = check(sd, args.input)
        size = safetensors_io.write(args.output, tensors,
                                    meta(os.path.basename(args.input)),
                                    prefix=".convert-")
    except (ConvertError, OSError) as e:
        print("%s: error: %s" % (prog, e), file=sys.stderr)
        return 1
    n = sum(t.numel() for _, t in tensors)
    print("%s: %d tensors, %d %s (%.1f MB)" %
          (args.output, len(tensors), n, what, size / 1e6))
    return 0


if __name__ == "__main__":
    sys.exit(main())
