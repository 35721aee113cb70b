#!/usr/bin/env python3
"""The OpenCL layers (src/layers/sal-layers.h) against NumPy implementations of
PyTorch's semantics, written here independently of the kernels, on random
data of awkward sizes.

  /usr/bin/python3 tests/layers/test_layers.py DRIVER [FILTER]

DRIVER is the layers-driver executable; FILTER runs only one group of
cases (conv, resize, elementwise, host) or those whose name contains it. Every case's inputs are written as .npy files, one driver
process runs them all, then each output is compared with its reference
(computed in float64). Errors are measured relative to the magnitude of
what was summed (e.g. |w| * |x| for a convolution), which is what float32
rounding scales with: a kernel that reads a wrong pixel or weight is off
by O(1) there, rounding by ~1e-7.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from layers3d_cases import build3d  # noqa: E402

RTOL = 1e-5
ACTS = ("none", "relu6", "sigmoid", "tanh")
GROUPS = {"conv": "conv", "bilinear": "resize", "nearest": "resize",
          "subsample2": "resize", "priors": "host", "fold_bn": "host",
          "conv3d": "conv3d", "maxpool3d": "conv3d", "up2t": "conv3d"}


def act_ref(x, act):
    if act == "relu6":
        return np.clip(x, 0.0, 6.0)
    if act == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if act == "tanh":
        return np.tanh(x)
    return x


def conv_ref(x, w, b, stride, pad, groups, pad_mode):
    """torch.nn.Conv2d (padding_mode 'zeros' or 'replicate'), batch 1:
    returns (out, scale) with scale = the same convolution of |x| by |w|,
    plus |b|."""
    x = x.astype(np.float64)
    w = w.astype(np.float64)
    cout, cin_g, k, _ = w.shape
    cin = x.shape[0]
    xp = np.pad(x, ((0, 0), (pad, pad), (pad, pad)),
                mode="edge" if pad_mode == "replicate" else "constant")
    oh = (xp.shape[1] - k) // stride + 1
    ow = (xp.shape[2] - k) // stride + 1
    out = np.zeros((cout, oh, ow))
    scale = np.zeros((cout, oh, ow))
    for ky in range(k):
        for kx in range(k):
            win = xp[:, ky:ky + stride * (oh - 1) + 1:stride,
                     kx:kx + stride * (ow - 1) + 1:stride]
            if groups == 1:
                out += np.einsum("oc,chw->ohw", w[:, :, ky, kx], win)
                scale += np.einsum("oc,chw->ohw", np.abs(w[:, :, ky, kx]),
                                   np.abs(win))
            else:
                assert groups == cin == cout and cin_g == 1
                out += w[:, 0, ky, kx, None, None] * win
                scale += np.abs(w[:, 0, ky, kx, None, None] * win)
    if b is not None:
        out += b[:, None, None]
        scale += np.abs(b)[:, None, None]
    return out, scale


def bilinear_taps(n_src, n_dst):
    """PyTorch's (CPU) align_corners=False source taps: a float32 scale,
    the coordinate scale * (d + 0.5) - 0.5 in double."""
    d = np.arange(n_dst, dtype=np.float64)
    scale = np.float64(np.float32(n_src) / np.float32(n_dst))
    s = np.maximum(scale * (d + 0.5) - 0.5, 0.0)
    i0 = np.minimum(np.floor(s).astype(np.int64), n_src - 1)
    i1 = np.minimum(i0 + 1, n_src - 1)
    return i0, i1, np.clip(s - i0, 0.0, 1.0)


def bilinear_ref(x, oh, ow):
    x = x.astype(np.float64)
    y0, y1, fy = bilinear_taps(x.shape[1], oh)
    x0, x1, fx = bilinear_taps(x.shape[2], ow)
    top = x[:, y0][:, :, x0] * (1 - fx) + x[:, y0][:, :, x1] * fx
    bot = x[:, y1][:, :, x0] * (1 - fx) + x[:, y1][:, :, x1] * fx
    return top * (1 - fy)[:, None] + bot * fy[:, None]


def nearest_index(n_src, n_dst):
    """PyTorch 'nearest' with size=: floor(dst * float32(in / out))."""
    scale = np.float32(n_src) / np.float32(n_dst)
    d = np.arange(n_dst, dtype=np.float32)
    return np.minimum(np.floor(d * scale).astype(np.int64), n_src - 1)


def nearest_ref(x, oh, ow):
    return x[:, nearest_index(x.shape[1], oh)][:, :, nearest_index(
        x.shape[2], ow)].astype(np.float64)


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def gru_ref(rx, rh, zx, zh, hx, hh, h):
    rx, rh, zx, zh, hx, hh, h = (a.astype(np.float64)
                                 for a in (rx, rh, zx, zh, hx, hh, h))
    r = sigmoid(rx + rh)
    z = sigmoid(zx + zh)
    return (1 - z) * h + z * np.tanh(hx + r * hh)


def log_softmax_ref(x):
    x = x.astype(np.float64)
    m = x.max()
    return x - m - np.log(np.exp(x - m).sum())


def priors_ref(params, h, w):
    p = params.astype(np.float64)
    ly = np.linspace(0, 1, h)
    lx = np.linspace(0, 1, w)
    out = []
    for (mu_y, ls_y), (mu_x, ls_x) in p:
        gy = np.exp(-((ly - mu_y) / np.exp(ls_y)) ** 2 / 2)
        gx = np.exp(-((lx - mu_x) / np.exp(ls_x)) ** 2 / 2)
        out.append(6 * gy[:, None] * gx[None, :])
    return np.array(out)


def fold_ref(w, b, gamma, beta, mean, var, eps, scale):
    s = gamma.astype(np.float64) / np.sqrt(var.astype(np.float64) + eps)
    a = np.ones_like(s) if scale is None else scale.astype(np.float64)
    shape = (-1,) + (1,) * (w.ndim - 1)
    return (w * (s * a).reshape(shape),
            ((b - mean.astype(np.float64)) * s + beta) * a)


class Suite:
    def __init__(self, tmp, rng):
        self.tmp = tmp
        self.rng = rng
        self.cases = []         # (name, op, params, check or error text)

    def rand(self, *shape, scale=1.0):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def add(self, name, op, inputs, params, check):
        d = os.path.join(self.tmp, name)
        os.mkdir(d)
        for key, value in inputs.items():
            np.save(os.path.join(d, key + ".npy"),
                    np.ascontiguousarray(value, dtype=np.float32))
        self.cases.append((name, op, params, check))

    # ---- case builders ----

    def conv(self, name, cin, cout, k, h, w, stride=1, pad=0, groups=1,
             pad_mode="zero", act="none", bias=True, res=False,
             res_inplace=False, expect_error=None):
        cin_g = cin // groups if groups else cin
        wt = self.rand(cout, cin_g, k, k, scale=1.0 / np.sqrt(cin_g * k * k))
        x = self.rand(cin, h, w)
        inputs = {"x": x, "w": wt}
        b = self.rand(cout, scale=0.5) if bias else None
        if bias:
            inputs["b"] = b
        r = None
        if res is True or res_inplace:
            xp = h + 2 * pad
            oh = (xp - k) // stride + 1
            ow = (w + 2 * pad - k) // stride + 1
            r = self.rand(cout, oh, ow)
            inputs["res"] = r
        elif res is not False:
            inputs["res"] = self.rand(*res)     # a wrong shape
        params = dict(stride=stride, pad=pad, groups=groups,
                      pad_mode=pad_mode, act=act,
                      res_inplace=int(res_inplace))

        def check(out):
            ref, scale = conv_ref(x, wt, b, stride, pad, groups, pad_mode)
            ref = act_ref(ref, act)
            if r is not None:
                ref = ref + r
                scale = scale + np.abs(r)
            return out, ref, scale

        self.add(name, "conv", inputs, params, expect_error or check)

    def simple(self, name, op, inputs, params, ref_fn, scale_fn=None):
        def check(out):
            ref = ref_fn()
            scale = scale_fn() if scale_fn else np.abs(ref)
            return out, ref, scale
        self.add(name, op, inputs, params, check)


def build(s):
    # Pointwise: 48x8 tiles in both work-item orders (channel blocks first
    # from 1.5 MB of input), 16x16 tiles (planes under 48 px), the scalar
    # path (under 16 px), runs ending mid-plane.
    s.conv("pw_13_21_9x11", 13, 21, 1, 9, 11)
    s.conv("pw_37_5_1x7_small", 37, 5, 1, 1, 7, act="relu6")
    s.conv("pw_96_40_33x35_res", 96, 40, 1, 33, 35, act="relu6",
           res=True)
    s.conv("pw_3_17_31x33_res_inplace", 3, 17, 1, 31, 33, act="sigmoid",
           res_inplace=True)
    s.conv("pw_64_1_17x19_tanh", 64, 1, 1, 17, 19, act="tanh")
    s.conv("pw_33_48_4x4", 33, 48, 1, 4, 4, bias=False)
    s.conv("pw_20_9_40x26_tail", 20, 9, 1, 40, 26, act="relu6",
           res=True)
    s.conv("pw_1296_256_7x12", 1296, 256, 1, 7, 12, act="relu6")
    s.conv("pw_96_40_64x64_channels_first_res", 96, 40, 1, 64, 64,
           act="relu6", res=True)
    s.conv("pw_200_13_45x47_channels_first", 200, 13, 1, 45, 47,
           act="sigmoid", res_inplace=True)
    s.conv("pw_7_9_5x7_16x16", 7, 9, 1, 5, 7, res=True)
    s.conv("pw_160_320_14x24_res", 160, 320, 1, 14, 24, res=True)
    # Depthwise (and one-channel) planes.
    s.conv("dw3_s1_19ch_13x37", 19, 19, 3, 13, 37, pad=1, groups=19,
           act="relu6")
    s.conv("dw3_s2_7ch_15x33_odd", 7, 7, 3, 15, 33, stride=2, pad=1,
           groups=7, act="relu6")
    s.conv("dw3_s2_3ch_5x5_tiny", 3, 3, 3, 5, 5, stride=2, pad=1, groups=3)
    s.conv("dw3_s1_5ch_20x40_res", 5, 5, 3, 20, 40, pad=1, groups=5,
           res=True, act="tanh")
    s.conv("dw3_s2_4ch_9x70_res_inplace", 4, 4, 3, 9, 70, stride=2, pad=1,
           groups=4, res_inplace=True)
    s.conv("dw3_s1_replicate_6ch_10x29", 6, 6, 3, 10, 29, pad=1, groups=6,
           pad_mode="replicate", act="relu6")
    s.conv("dw3_s2_replicate_5ch_12x45_odd", 5, 5, 3, 12, 45, stride=2,
           pad=1, groups=5, pad_mode="replicate", res=True)
    s.conv("dw3_s1_3ch_7x16_both_edges", 3, 3, 3, 7, 16, pad=1, groups=3)
    s.conv("dw3_s2_3ch_8x31_both_edges", 3, 3, 3, 8, 31, stride=2, pad=1,
           groups=3)
    s.conv("dw3_small_37ch_7x12", 37, 37, 3, 7, 12, pad=1, groups=37,
           act="relu6", res=True)
    s.conv("dw3_small_5ch_3x1", 5, 5, 3, 3, 1, pad=1, groups=5)
    s.conv("dw3_small_4ch_16x15_inplace", 4, 4, 3, 16, 15, pad=1, groups=4,
           res_inplace=True, act="sigmoid")
    s.conv("dw3_pad0_4ch_9x40", 4, 4, 3, 9, 40, groups=4, act="tanh")
    s.conv("dw5_s1_6ch_11x23_replicate", 6, 6, 5, 11, 23, pad=2, groups=6,
           pad_mode="replicate", act="sigmoid")
    s.conv("dw5_s2_5ch_19x41_zero", 5, 5, 5, 19, 41, stride=2, pad=2,
           groups=5, act="relu6")
    s.conv("dw3_s3_3ch_20x50_gather", 3, 3, 3, 20, 50, stride=3, pad=1,
           groups=3, res=True)
    s.conv("k1_1ch_7x9", 1, 1, 1, 7, 9, act="tanh")
    s.conv("k41_replicate_45x67", 1, 1, 41, 45, 67, pad=20,
           pad_mode="replicate")
    s.conv("k41_replicate_6x9_tiny", 1, 1, 41, 6, 9, pad=20,
           pad_mode="replicate", bias=False)
    s.conv("k5_zero_1ch_17x40", 1, 1, 5, 17, 40, pad=2, act="relu6")
    # Dense spatial.
    s.conv("dense3_s2_3_32_29x47", 3, 32, 3, 29, 47, stride=2, pad=1,
           act="relu6")
    s.conv("dense3_s1_5_19_10x18_res", 5, 19, 3, 10, 18, pad=1, act="tanh",
           res=True)
    s.conv("dense1_s2_6_7_9x9", 6, 7, 1, 9, 9, stride=2)
    s.conv("dense1_pad1_4_3_5x6", 4, 3, 1, 5, 6, pad=1, act="sigmoid")
    s.conv("dense3_s2_replicate_2_3_11x35", 2, 3, 3, 11, 35, stride=2,
           pad=1, pad_mode="replicate")
    s.conv("dense3_s3_4_5_14x52", 4, 5, 3, 14, 52, stride=3)
    s.conv("dense2_s1_3_17_8x21", 3, 17, 2, 8, 21)
    # Errors the layers must report.
    s.conv("err_residual_shape", 4, 6, 1, 5, 5, res=(6, 5, 4),
           expect_error="residual")
    s.conv("err_groups", 4, 4, 3, 5, 5, groups=2, expect_error="groups")
    s.conv("err_activation", 4, 4, 1, 5, 5, act="bogus",
           expect_error="activation")
    s.conv("err_too_small", 2, 2, 5, 3, 3, expect_error="smaller")

    # Resizing.
    for i, (ih, iw, oh, ow) in enumerate([(7, 12, 14, 24), (37, 23, 16, 9),
                                          (5, 7, 13, 17), (10, 30, 17, 11),
                                          (1, 1, 4, 5), (9, 9, 9, 9),
                                          (45, 77, 217, 371)]):
        x = s.rand(3, ih, iw)
        s.simple(f"bilinear_{ih}x{iw}_to_{oh}x{ow}", "bilinear", {"x": x},
                 dict(oh=oh, ow=ow), lambda x=x, oh=oh, ow=ow:
                 bilinear_ref(x, oh, ow),
                 lambda x=x, oh=oh, ow=ow: bilinear_ref(np.abs(x), oh, ow))
    for ih, iw, oh, ow in [(28, 48, 224, 384), (7, 5, 13, 11),
                           (13, 11, 7, 5), (3, 3, 9, 9), (10, 7, 7, 10)]:
        x = s.rand(2, ih, iw)
        s.simple(f"nearest_{ih}x{iw}_to_{oh}x{ow}", "nearest", {"x": x},
                 dict(oh=oh, ow=ow),
                 lambda x=x, oh=oh, ow=ow: nearest_ref(x, oh, ow))
    for ih, iw in [(7, 9), (1, 1), (8, 5)]:
        x = s.rand(3, ih, iw)
        s.simple(f"subsample2_{ih}x{iw}", "subsample2", {"x": x}, {},
                 lambda x=x: x[:, ::2, ::2].astype(np.float64))

    # Element-wise.
    a, b = s.rand(3, 5, 7), s.rand(5, 5, 7)
    s.simple("concat_3_5", "concat", {"a": a, "b": b}, {},
             lambda a=a, b=b: np.concatenate([a, b]).astype(np.float64))
    a, b = s.rand(4, 9, 13), s.rand(4, 9, 13)
    for op, f in (("add", np.add), ("mul", np.multiply)):
        for inplace in (0, 1):
            s.simple(f"{op}{'_inplace' if inplace else ''}", op,
                     {"a": a, "b": b}, dict(inplace=inplace),
                     lambda f=f, a=a, b=b: f(a.astype(np.float64), b),
                     lambda f=f, a=a, b=b: np.abs(f(a.astype(np.float64), b))
                     + np.abs(a) + np.abs(b))
    for act in ACTS:
        x = np.concatenate([s.rand(3, 7, 11, scale=4.0),
                            s.rand(1, 7, 11, scale=100.0)])
        s.simple(f"activate_{act}", "activate", {"x": x}, dict(act=act),
                 lambda x=x, act=act: act_ref(x.astype(np.float64), act),
                 lambda x=x: np.ones(x.shape))
    # log (x + eps) as the default model takes the classic map: values
    # from tiny (where eps matters) to large, and exact zeros.
    x = np.abs(s.rand(2, 7, 11, scale=10.0)) * 10.0 ** s.rng.integers(
        -14, 2, (2, 7, 11))
    x[0, 0, :3] = 0.0
    for inplace in (0, 1):
        s.simple(f"log{'_inplace' if inplace else ''}", "log", {"x": x},
                 dict(eps="1e-12", inplace=inplace),
                 lambda x=x: np.log(x.astype(np.float64)
                                    + np.float64(np.float32(1e-12))),
                 lambda x=x: np.ones(x.shape))
    g = {k: s.rand(6, 5, 9, scale=3.0)
         for k in ("rx", "rh", "zx", "zh", "hx", "hh", "h")}
    for inplace in (0, 1):
        s.simple(f"gru{'_inplace' if inplace else ''}", "gru", g,
                 dict(inplace=inplace), lambda g=g: gru_ref(**g),
                 lambda g=g: np.ones(g["h"].shape) + np.abs(g["h"]))
    for name, x in (("log_softmax_large", s.rand(1, 23, 37, scale=1000.0)),
                    ("log_softmax_odd_3x5x7", s.rand(3, 5, 7, scale=3.0)),
                    ("log_softmax_tiny", s.rand(1, 1, 3)),
                    ("log_softmax_224x384",
                     s.rand(1, 224, 384, scale=5.0))):
        s.simple(name, "log_softmax", {"x": x}, {},
                 lambda x=x: log_softmax_ref(x),
                 lambda x=x: np.abs(log_softmax_ref(x)) + 1.0)

    # Host-side helpers.
    for n, h, w in ((16, 7, 12), (3, 1, 1), (2, 5, 3)):
        p = np.stack([s.rng.uniform(0.2, 0.8, (n, 2)),
                      s.rng.uniform(-2.5, -0.5, (n, 2))],
                     axis=-1).astype(np.float32)
        s.simple(f"priors_{n}_{h}x{w}", "priors", {"params": p},
                 dict(h=h, w=w), lambda p=p, h=h, w=w: priors_ref(p, h, w),
                 lambda n=n, h=h, w=w: np.full((n, h, w), 6.0))
    for name, wshape, with_scale in (("fold_bn_dw", (6, 1, 3, 3), False),
                                     ("fold_bn_pw_scale", (5, 7, 1, 1),
                                      True)):
        c = wshape[0]
        w = s.rand(*wshape)
        b = s.rand(c)
        gamma, beta, mean = s.rand(c), s.rand(c), s.rand(c)
        var = s.rng.uniform(0.01, 2.0, c).astype(np.float32)
        scale = s.rand(c) if with_scale else None
        inputs = dict(w=w, b=b, gamma=gamma, beta=beta, mean=mean, var=var)
        if with_scale:
            inputs["scale"] = scale
        s.add(name, "fold_bn", inputs, dict(eps="1e-5"),
              ("fold", fold_ref(w.astype(np.float64), b.astype(np.float64),
                                gamma, beta, mean, var, 1e-5, scale)))


def main():
    driver = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.environ.get("SALIENCY_BUILD_ROOT", "build"), "tests", "layers",
        "layers-driver")
    only = sys.argv[2] if len(sys.argv) > 2 else ""
    failures = 0
    with tempfile.TemporaryDirectory(prefix="sal-layers-") as tmp:
        s = Suite(tmp, np.random.default_rng(20240611))
        build(s)
        build3d(s)
        s.cases = [c for c in s.cases
                   if only in (c[0], GROUPS.get(c[1], "elementwise"))
                   or only in c[0]]
        with open(os.path.join(tmp, "cases"), "w") as f:
            for name, op, params, _ in s.cases:
                f.write(" ".join([os.path.join(tmp, name), op]
                                 + [f"{k}={v}" for k, v in params.items()])
                        + "\n")
        run = subprocess.run([driver, os.path.join(tmp, "cases")],
                             capture_output=True, text=True)
        if run.returncode != 0:
            print(run.stdout + run.stderr)
            print(f"FAIL: driver exited with {run.returncode}")
            return 1
        errors = {}
        for line in run.stdout.splitlines():
            path, _, msg = line.partition(": ")
            errors[os.path.basename(path)] = msg

        for name, op, params, check in s.cases:
            d = os.path.join(tmp, name)
            if isinstance(check, str):
                msg = errors.get(name)
                ok = msg is not None and check in msg
                print(f"{'ok  ' if ok else 'FAIL'} {name}: "
                      f"{msg if msg else 'no error reported'}")
                failures += not ok
                continue
            if name in errors:
                print(f"FAIL {name}: {errors[name]}")
                failures += 1
                continue
            if isinstance(check, tuple):        # fold_bn
                ref_w, ref_b = check[1]
                got_w = np.load(os.path.join(d, "out_w.npy"))
                got_b = np.load(os.path.join(d, "out_b.npy"))
                err = max(np.max(np.abs(got_w - ref_w) /
                                 (np.abs(ref_w) + 1e-30)),
                          np.max(np.abs(got_b - ref_b) /
                                 (np.abs(ref_b) + 1e-30)))
            else:
                got, ref, scale = check(np.load(os.path.join(d, "out.npy")))
                got = got.reshape(ref.shape) if got.size == ref.size else got
                if got.shape != ref.shape:
                    print(f"FAIL {name}: shape {got.shape}, want "
                          f"{ref.shape}")
                    failures += 1
                    continue
                err = np.max(np.abs(got - ref) / (scale + 1e-6))
            ok = err <= RTOL
            print(f"{'ok  ' if ok else 'FAIL'} {name}: relative error "
                  f"{err:.2e}")
            failures += not ok
    print(f"{len(s.cases) - failures}/{len(s.cases)} cases passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
