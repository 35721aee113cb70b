"""The 3D layers' cases for test_layers.py (group conv3d): NumPy
references of PyTorch's Conv3d, MaxPool3d and
Upsample(scale_factor=(1, 2, 2), mode='trilinear'), written from their
definitions, on time-major volumes [t, c, h, w] (batch 1)."""

import numpy as np


def conv3d_ref(x, w, b, stride, pad, groups):
    """F.conv3d on x [t, c, h, w] with w [cout, cin_g, kt, kh, kw]:
    (out, scale) as [t, cout, oh, ow]; scale is the same convolution of
    |x| by |w| plus |b|."""
    x = np.pad(x.astype(np.float64), [(pad[0], pad[0]), (0, 0),
                                      (pad[1], pad[1]), (pad[2], pad[2])])
    w = w.astype(np.float64)
    cout, cin_g, kt, kh, kw = w.shape
    o = [(x.shape[i] - k) // s + 1 for i, k, s in
         ((0, kt, stride[0]), (2, kh, stride[1]), (3, kw, stride[2]))]
    out = np.zeros((o[0], cout, o[1], o[2]))
    scale = np.zeros_like(out)
    cout_g = cout // groups
    for dt in range(kt):
        for dy in range(kh):
            for dx in range(kw):
                win = x[dt:dt + stride[0] * (o[0] - 1) + 1:stride[0], :,
                        dy:dy + stride[1] * (o[1] - 1) + 1:stride[1],
                        dx:dx + stride[2] * (o[2] - 1) + 1:stride[2]]
                for g in range(groups):
                    xs = win[:, g * cin_g:(g + 1) * cin_g]
                    ws = w[g * cout_g:(g + 1) * cout_g, :, dt, dy, dx]
                    sl = slice(g * cout_g, (g + 1) * cout_g)
                    out[:, sl] += np.einsum("oc,tchw->tohw", ws, xs)
                    scale[:, sl] += np.einsum("oc,tchw->tohw", np.abs(ws),
                                              np.abs(xs))
    if b is not None:
        out += b[None, :, None, None]
        scale += np.abs(b)[None, :, None, None]
    return out, scale


def maxpool3d_ref(x, k, stride, pad):
    x = np.pad(x.astype(np.float64), [(pad[0], pad[0]), (0, 0),
                                      (pad[1], pad[1]), (pad[2], pad[2])],
               constant_values=-np.inf)
    o = [(x.shape[i] - kk) // s + 1 for i, kk, s in
         ((0, k[0], stride[0]), (2, k[1], stride[1]), (3, k[2], stride[2]))]
    out = np.full((o[0], x.shape[1], o[1], o[2]), -np.inf)
    for dt in range(k[0]):
        for dy in range(k[1]):
            for dx in range(k[2]):
                out = np.maximum(out, x[dt:dt + stride[0] * (o[0] - 1) + 1:
                                        stride[0], :,
                                        dy:dy + stride[1] * (o[1] - 1) + 1:
                                        stride[1],
                                        dx:dx + stride[2] * (o[2] - 1) + 1:
                                        stride[2]])
    return out


def up2_axis(x, axis):
    """x2 along axis, half-pixel centres: out[2i] = .25 in[i-1] + .75 in[i],
    out[2i+1] = .75 in[i] + .25 in[i+1], edges repeated."""
    x = np.moveaxis(x, axis, 0)
    prev = np.concatenate([x[:1], x[:-1]])
    nxt = np.concatenate([x[1:], x[-1:]])
    out = np.empty((2 * x.shape[0],) + x.shape[1:])
    out[0::2] = 0.25 * prev + 0.75 * x
    out[1::2] = 0.75 * x + 0.25 * nxt
    return np.moveaxis(out, 0, axis)


def act_ref(x, act):
    if act == "relu":
        return np.maximum(x, 0.0)
    if act == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    return x


def conv3d_case(s, name, t, cin, cout, h, w, k, stride=(1, 1, 1),
                pad=(0, 0, 0), groups=1, act="none", bias=True, t2=0,
                head=0, head2=0, out_t=None, out_c=None, out_t0=0, out_c0=0,
                t_first=0, t_count=None, expect_error=None):
    """A conv3d case; t2 > 0 adds a second input concatenated along time,
    head reads the first as a ring from that slice."""
    cin_g = cin // groups
    wt = s.rand(cout, cin_g, *k, scale=1.0 / np.sqrt(cin_g * np.prod(k)))
    x = s.rand(t, cin, h, w)
    inputs = {"x": x, "w": wt.reshape(cout, cin_g * k[0], k[1], k[2])}
    b = s.rand(cout, scale=0.5) if bias else None
    if bias:
        inputs["b"] = b
    x2 = s.rand(t2, cin, h, w) if t2 else None
    if t2:
        inputs["x2"] = x2
    params = dict(groups=groups, kt=k[0], kh=k[1], kw=k[2], st=stride[0],
                  sh=stride[1], sw=stride[2], pt=pad[0], ph=pad[1],
                  pw=pad[2], act=act, head=head, head2=head2,
                  out_t0=out_t0, out_c0=out_c0)
    if t_count:
        params.update(t_first=t_first, t_count=t_count)
    if out_t:
        params["out_t"] = out_t
    if out_c:
        params["out_c"] = out_c

    def check(out):
        src = np.roll(x, -head, axis=0)
        if t2:
            src = np.concatenate([src, np.roll(x2, -head2, axis=0)])
        ref, scale = conv3d_ref(src, wt, b, stride, pad, groups)
        ref = act_ref(ref, act)
        if t_count:
            ref = ref[t_first:t_first + t_count]
            scale = scale[t_first:t_first + t_count]
        if out_t or out_c:
            full = np.zeros((out_t or ref.shape[0], out_c or ref.shape[1])
                            + ref.shape[2:])
            fs = np.zeros_like(full)
            sl = (slice(out_t0, out_t0 + ref.shape[0]),
                  slice(out_c0, out_c0 + ref.shape[1]))
            full[sl] = ref
            fs[sl] = scale
            ref, scale = full, fs
        return out, ref, scale

    s.add(name, "conv3d", inputs, params, expect_error or check)


def build3d(s):
    # The forms of S3D and the ViNet-S decoder, at awkward sizes.
    conv3d_case(s, "c3d_spatial_1x7x7_s2", 3, 3, 20, 23, 37, (1, 7, 7),
                (1, 2, 2), (0, 3, 3), act="relu")
    conv3d_case(s, "c3d_spatial_1x7x7_s2_wide", 2, 3, 16, 9, 100, (1, 7, 7),
                (1, 2, 2), (0, 3, 3), act="relu")
    conv3d_case(s, "c3d_temporal_7x1x1_s2_p3", 9, 10, 12, 5, 19, (7, 1, 1),
                (2, 1, 1), (3, 0, 0), act="relu")
    conv3d_case(s, "c3d_temporal_ring", 8, 6, 9, 4, 13, (7, 1, 1),
                (2, 1, 1), (3, 0, 0), head=5)
    conv3d_case(s, "c3d_temporal_ring_times", 8, 6, 9, 4, 13, (7, 1, 1),
                (2, 1, 1), (3, 0, 0), head=3, t_first=2, t_count=1,
                out_t=3, out_t0=1)
    conv3d_case(s, "c3d_bad_times", 4, 6, 9, 4, 13, (7, 1, 1), (2, 1, 1),
                (3, 0, 0), t_first=1, t_count=2,
                expect_error="output times asked for")
    conv3d_case(s, "c3d_pointwise", 4, 37, 21, 9, 11, (1, 1, 1))
    conv3d_case(s, "c3d_pointwise_small", 2, 19, 5, 3, 4, (1, 1, 1),
                act="sigmoid")
    conv3d_case(s, "c3d_spatial_3x3", 3, 11, 18, 13, 50, (1, 3, 3),
                pad=(0, 1, 1), act="relu")
    conv3d_case(s, "c3d_temporal_3x1x1_p1", 5, 16, 24, 6, 7, (3, 1, 1),
                pad=(1, 0, 0))
    conv3d_case(s, "c3d_grouped_3x3x3_catT", 4, 32, 20, 7, 12, (3, 3, 3),
                (3, 1, 1), (0, 1, 1), groups=4, act="relu", t2=8)
    conv3d_case(s, "c3d_grouped_5x3x3_catT", 4, 24, 16, 9, 17, (5, 3, 3),
                (5, 1, 1), (0, 1, 1), groups=8, act="relu", t2=16)
    conv3d_case(s, "c3d_grouped_5x3x3_catT_rings", 4, 24, 16, 9, 17,
                (5, 3, 3), (5, 1, 1), (0, 1, 1), groups=8, act="relu",
                t2=16, head=1, head2=11)
    conv3d_case(s, "c3d_grouped_2x3x3_g2", 4, 8, 6, 10, 53, (2, 3, 3),
                (2, 1, 1), (0, 1, 1), groups=2, act="relu", bias=False)
    # 24 output channels per group: stored in blocks of 8, not 16.
    conv3d_case(s, "c3d_cout24_k3_wide", 3, 8, 48, 5, 50, (1, 3, 3),
                pad=(0, 1, 1), groups=2)
    conv3d_case(s, "c3d_cout24_k3_narrow", 2, 8, 48, 5, 20, (3, 3, 3),
                pad=(1, 1, 1), groups=2, act="relu")
    conv3d_case(s, "c3d_cout24_pw", 2, 5, 24, 7, 9, (1, 1, 1))
    conv3d_case(s, "c3d_out_offsets", 3, 5, 7, 6, 9, (1, 1, 1),
                out_t=5, out_c=12, out_t0=2, out_c0=4)
    conv3d_case(s, "c3d_bad_groups", 2, 8, 6, 3, 3, (1, 1, 1), groups=4,
                expect_error="groups do not divide")

    for name, shape, k, st, p, head in (
            ("pool_spatial", (3, 5, 17, 23), (1, 3, 3), (1, 2, 2),
             (0, 1, 1), 0),
            ("pool_spatial_wide", (2, 3, 9, 70), (1, 3, 3), (1, 2, 2),
             (0, 1, 1), 0),
            ("pool_spatial_ring", (5, 3, 9, 40), (1, 3, 3), (1, 2, 2),
             (0, 1, 1), 3),
            ("pool_same_wide", (3, 2, 5, 40), (3, 3, 3), (1, 1, 1),
             (1, 1, 1), 0),
            ("pool_both", (7, 4, 9, 14), (3, 3, 3), (2, 2, 2), (1, 1, 1),
             0),
            ("pool_same", (4, 3, 5, 6), (3, 3, 3), (1, 1, 1), (1, 1, 1), 0),
            ("pool_temporal_then_2x2", (6, 3, 7, 12), (2, 2, 2),
             (2, 2, 2), (0, 0, 0), 0)):
        x = s.rand(*shape)
        s.simple(name, "maxpool3d", {"x": x},
                 dict(kt=k[0], kh=k[1], kw=k[2], st=st[0], sh=st[1],
                      sw=st[2], pt=p[0], ph=p[1], pw=p[2], head=head),
                 lambda x=x, k=k, st=st, p=p, head=head:
                 maxpool3d_ref(np.roll(x, -head, axis=0), k, st, p))
    for name, shape in (("up2t_4x3x7x12", (4, 3, 7, 12)),
                        ("up2t_2x3x5x8", (2, 3, 5, 8)),
                        ("up2t_1x2x6x21", (1, 2, 6, 21)),
                        ("up2t_1x2x1x5", (1, 2, 1, 5))):
        x = s.rand(*shape)
        s.simple(name, "up2t", {"x": x}, {},
                 lambda x=x: up2_axis(up2_axis(x.astype(np.float64), 2), 3),
                 lambda x=x: up2_axis(up2_axis(np.abs(x.astype(np.float64)),
                                               2), 3))
