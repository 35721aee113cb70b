#!/usr/bin/python3
"""Converts an upstream ViNet-S checkpoint to a gst-saliency model file.

    convert_vinet.py IN.pt OUT.safetensors

IN is what the ViNet-S authors publish (ViNet-Saliency/vinet_v2,
*_vinet_s_rootgrouped_32_bs8_kld_cc.pt: a torch.save'd state_dict of
VideoSaliencyModel in its published configuration, possibly wrapped as
{"state_dict": ...} or with "module." prefixes). It is checked against the
tensor list that the architecture implies (EXPECTED below,
../shared/design/vinet-s.md): missing, extra or misshapen tensors are named
and the exit status is 1.

OUT is safetensors: float32 tensors under their upstream names, BatchNorm
left unfolded (the engine folds it, eps 1e-3, at load), num_batches_tracked
dropped, and __metadata__ naming the architecture "vinet-s" with its fixed
clip and input size. The decoder's x2 upsampling is the test script's
(trilinear, align_corners=False), which the published results use.

Needs Debian's python3-torch (/usr/bin/python3).
"""
import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_unisal import ConvertError, convert  # noqa: E402

CLIP = 32
NET_SIZE = (224, 384)
BN_EPS = "0.001"
MEAN = "0.485,0.456,0.406"
STD = "0.229,0.224,0.225"

# S3D's Mixed blocks: (key prefix, in, b0, b1a, b1b, b2a, b2b, b3).
MIXED = (
    ("backbone.base2.0", 192, 64, 96, 128, 16, 32, 32),
    ("backbone.base2.1", 256, 128, 128, 192, 32, 96, 64),
    ("backbone.base3.0", 480, 192, 96, 208, 16, 48, 64),
    ("backbone.base3.1", 512, 160, 112, 224, 24, 64, 64),
    ("backbone.base3.2", 512, 128, 128, 256, 24, 64, 64),
    ("backbone.base3.3", 512, 112, 144, 288, 32, 64, 64),
    ("backbone.base3.4", 528, 256, 160, 320, 32, 128, 128),
    ("backbone.base4.0", 832, 256, 160, 320, 32, 128, 128),
    ("backbone.base4.1", 832, 384, 192, 384, 48, 128, 128),
)
# The grouped decoder: (key, shape).
DECODER = (
    ("decoder.convtsp1.0.weight", (832, 32, 1, 3, 3)),
    ("decoder.convtsp2.0.weight", (480, 52, 3, 3, 3)),
    ("decoder.convtsp3.0.weight", (192, 60, 5, 3, 3)),
    ("decoder.convtsp4.0.weight", (64, 48, 5, 3, 3)),
    ("decoder.convtsp4.3.weight", (32, 32, 2, 3, 3)),
    ("decoder.convtsp4.6.weight", (32, 32, 2, 1, 1)),
    ("decoder.convtsp4.8.weight", (1, 32, 1, 1, 1)),
    ("decoder.convtsp4.8.bias", (1,)),
)
TRAINING_ONLY = re.compile(r"(^|\.)num_batches_tracked$")


def _bn(prefix, c):
    return [(prefix + "." + p, (c,))
            for p in ("weight", "bias", "running_mean", "running_var")]


def _basic(prefix, cin, cout):
    return [(prefix + ".conv.weight", (cout, cin, 1, 1, 1))] + \
        _bn(prefix + ".bn", cout)


def _sep(prefix, cin, cout, k):
    return ([(prefix + ".conv_s.weight", (cout, cin, 1, k, k))]
            + _bn(prefix + ".bn_s", cout)
            + [(prefix + ".conv_t.weight", (cout, cout, k, 1, 1))]
            + _bn(prefix + ".bn_t", cout))


def expected_tensors():
    """[(name, shape)] of every tensor of the published VideoSaliencyModel,
    minus num_batches_tracked, in upstream state_dict order."""
    out = _sep("backbone.base1.0", 3, 64, 7)
    out += _basic("backbone.base1.2", 64, 64)
    out += _sep("backbone.base1.3", 64, 192, 3)
    for p, cin, b0, b1a, b1b, b2a, b2b, b3 in MIXED:
        out += _basic(p + ".branch0.0", cin, b0)
        out += _basic(p + ".branch1.0", cin, b1a)
        out += _sep(p + ".branch1.1", b1a, b1b, 3)
        out += _basic(p + ".branch2.0", cin, b2a)
        out += _sep(p + ".branch2.1", b2a, b2b, 3)
        out += _basic(p + ".branch3.1", cin, b3)
    return out + list(DECODER)


def metadata(source):
    return {
        "format": "gst-saliency",
        "format_version": "1",
        "architecture": "vinet-s",
        "clip": str(CLIP),
        "net_height": str(NET_SIZE[0]),
        "net_width": str(NET_SIZE[1]),
        "bn_eps": BN_EPS,
        "mean": MEAN,
        "std": STD,
        "source": source,
    }


def check_state_dict(sd, path):
    """[(name, float32 tensor)] in expected order; ConvertError naming the
    problems otherwise (with a hint when the file is another model)."""
    import torch

    sd = {k: v for k, v in sd.items() if not TRAINING_ONLY.search(k)}
    expected = expected_tensors()
    names = {n for n, _ in expected}
    missing = [n for n, _ in expected if n not in sd]
    problems = ["tensor '%s' is missing (expected shape %s)" % (n, list(s))
                for n, s in expected if n not in sd]
    problems += ["tensor '%s' has shape %s, expected %s"
                 % (n, list(sd[n].shape), list(s))
                 for n, s in expected
                 if n in sd and tuple(sd[n].shape) != s]
    problems += ["tensor '%s' has dtype %s, not a floating point type"
                 % (n, sd[n].dtype) for n, _ in expected
                 if n in sd and not sd[n].is_floating_point()]
    problems += ["tensor '%s' (shape %s) is not part of ViNet-S"
                 % (n, list(v.shape)) for n, v in sd.items()
                 if n not in names]
    if problems:
        hint = ""
        if len(missing) > len(expected) // 2:
            hint = (" This is not a ViNet-S checkpoint (%d of its %d "
                    "tensors are absent)%s." % (
                        len(missing), len(expected),
                        ": it looks like UNISAL, use tools/convert_unisal.py"
                        if any(k.startswith("cnn.features") for k in sd)
                        else ""))
        more = ("; and %d more problem(s)" % (len(problems) - 3)
                if len(problems) > 3 else "")
        raise ConvertError("%s: %s%s.%s Expected the published ViNet-S "
                           "(ViNet-Saliency/vinet_v2, "
                           "*_vinet_s_rootgrouped_32_*.pt)."
                           % (path, "; ".join(problems[:3]), more, hint))
    out = []
    for name, _ in expected:
        t = sd[name]
        out.append((name, t.detach().to("cpu", torch.float32).contiguous()))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="convert_vinet.py",
        description="Convert an upstream ViNet-S PyTorch checkpoint to a "
        "gst-saliency model file (safetensors).")
    ap.add_argument("input", help="ViNet-S checkpoint (.pt / .pth)")
    ap.add_argument("output", help="model file to write (.safetensors)")
    ap.add_argument("--trust-pickle", action="store_true",
                    help="load the checkpoint with full pickle (runs code "
                    "from the file: only for files you trust)")
    args = ap.parse_args(argv)

    return convert("convert_vinet.py", args, check_state_dict, metadata,
                   "parameters and BN statistics")


if __name__ == "__main__":
    sys.exit(main())
