#!/usr/bin/python3
"""PyTorch twin of the "default" architecture (docs/default-model-spec.md).

The network takes the engine's pre-processed RGB at the classic model's net
size (tools/classic_reference.py:choose_size) and the classic map S on the
same frame, and returns logits = log(S + 1e-12) + delta + prior at net size;
files with out_mix then mix the softmax of those with S (mix_output),
files with still_gate mix stills with S again by the map's entropy
(gate_output, after the face cue), and the engine resizes the logits
bilinearly to the frame size and softmaxes them.
src/models/default/sal-arch-default.c implements the same thing on the
engine's layers; tests/default/twin_parity.py checks that the two agree.

Module names are the tensor names of the weights file (the spec's table).

API:
  net = DefaultNet(); net.zero_correction()        # == classic exactly
  logits, h_new = net(rgb, S, h=None)  # rgb [N,3,H,W] in [0,1], S [N,1,H,W]
  net = load_model("models/default.safetensors"); save_model(net, path, ..)
  stream = DefaultStream(net); p = stream.push(rgb8_frame, still=False)

Streaming (`DefaultStream`) follows the engine: a change of frame size
resets both the classic state and the GRU ring (M = 1, zeros after a reset);
in still mode the classic model runs in still mode, h = 0 and neither state
is read or written.

Usage as a tool:
  /usr/bin/python3 tools/default_model.py --weights F [--still] [--log] \
      --npy out.npy FRAME.png...
writes float32 [T, H, W] probability maps (with --log: log-probabilities)
at the frames' size, as `salmap run --model F --npy` does.
  /usr/bin/python3 tools/default_model.py --random OUT.safetensors [--seed N]
writes an untrained model with random non-zero weights everywhere (delta,
prior_mix, sr_mix, out_mix, face_mix and still_gate included), for parity
tests; with --no-sr, a v2 one (none of the last three either).
"""

import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import classic_reference as classic  # noqa: E402
import face_cascade  # noqa: E402
import safetensors_io  # noqa: E402
import spectral_residual  # noqa: E402

LOG_EPS = 1e-12
SR_EPS = 1e-2        # log (R + SR_EPS): R's maximum is about 1
MOTION_EPS = 1e-2    # log (A + MOTION_EPS): classic's motion noise level
N_PRIORS = 8
GAUSSIAN_SCALE = 6.0
FORMAT_META = {"format": "gst-saliency", "format_version": "1",
               "architecture": "default", "classic_version": "1"}

# File order of the tensors (the spec's table).
TENSOR_ORDER = (
    "enc1.weight", "enc1.bias",
    "enc2_dw.weight", "enc2_dw.bias", "enc2_pw.weight", "enc2_pw.bias",
    "enc3_dw.weight", "enc3_dw.bias", "enc3_pw.weight", "enc3_pw.bias",
    "gru_rx.weight", "gru_rx.bias", "gru_zx.weight", "gru_zx.bias",
    "gru_hx.weight", "gru_hx.bias",
    "gru_rh.weight", "gru_zh.weight", "gru_hh.weight",
    "dec3.weight", "dec3.bias",
    "dec2_dw.weight", "dec2_dw.bias", "dec2_pw.weight", "dec2_pw.bias",
    "dec1.weight", "dec1.bias",
    "delta.weight", "delta.bias",
    "priors",
    "prior_mix.weight", "prior_mix.bias",
)
# v3 adds the spectral residual cue: a fifth input channel of enc1 and a
# learned weight of its log in the logits.
SR_TENSORS = ("sr_mix.weight",)
# Optional: the output's share of classic's map, (still, video) mode.
OUT_MIX = "out_mix"
# Optional: the face cue's weight, (still, video) mode (spec step 10).
FACE_MIX = "face_mix"
# Optional: the long sides of the pictures the face cue searches, (still,
# video) mode; without it, face_cascade.FACE_SIDES (v7's).
FACE_SIDE = "face_side"
# Optional: the still gate (alpha, beta), spec step 11.
STILL_GATE = "still_gate"
GATE_CENTRE = 0.9    # Hn - GATE_CENTRE: alpha is the share's logit there
MIX_EPS = 1e-30


def sr_cue(rgb):
    """The spectral residual R [H, W] of the net-size RGB [3, H, W] in
    [0, 1] (tools/spectral_residual.py's sr_map: max about 1)."""
    return spectral_residual.sr_map(np.asarray(rgb).transpose(1, 2, 0))


def r6(x):
    return torch.clamp(x, 0.0, 6.0)


def up(x, like):
    """Bilinear (align_corners=False) to the exact spatial size of `like`."""
    return F.interpolate(x, size=like.shape[-2:], mode="bilinear",
                         align_corners=False)


def gaussian_priors(priors, h, w):
    """[G, 2, 2] -> [1, G, h, w]: UNISAL's (sal_gaussian_priors)
    6 * exp(-((y-mu_y)/exp(ls_y))^2/2) * exp(-((x-mu_x)/exp(ls_x))^2/2) on
    linspace(0, 1, n); priors[:, 0] = (mu_y, log sigma_y), [:, 1] = x."""
    ly = torch.linspace(0, 1, h, dtype=priors.dtype).view(1, h, 1)
    lx = torch.linspace(0, 1, w, dtype=priors.dtype).view(1, 1, w)
    mu_y, ls_y = priors[:, 0, 0].view(-1, 1, 1), priors[:, 0, 1].view(-1, 1, 1)
    mu_x, ls_x = priors[:, 1, 0].view(-1, 1, 1), priors[:, 1, 1].view(-1, 1, 1)
    maps = (torch.exp(-((ly - mu_y) / torch.exp(ls_y)) ** 2 / 2) *
            torch.exp(-((lx - mu_x) / torch.exp(ls_x)) ** 2 / 2))
    return (GAUSSIAN_SCALE * maps).unsqueeze(0)


# Layer widths and kernel sizes of the shipped model. The weights file
# carries them in its tensor shapes (the engine reads them from there), so
# other widths load too: load_model builds the net from the file's shapes.
WIDTHS = {"c1": 16, "c2": 32, "c3": 64, "hidden": 48, "d3": 48, "d2": 24,
          "d1": 16, "k_gru": 1, "k_dec3": 3, "n_priors": N_PRIORS, "sr": 1,
          "motion": 0}
OLD_WIDTHS = {"c1": 16, "c2": 32, "c3": 48, "hidden": 32, "d3": 32,
              "d2": 16, "d1": 8, "k_gru": 1, "k_dec3": 1, "n_priors": 8,
              "sr": 0, "motion": 0}


def widths_of(sd):
    """The WIDTHS dict of a state dict (tensor shapes)."""
    return {"c1": sd["enc1.weight"].shape[0],
            "c2": sd["enc2_pw.weight"].shape[0],
            "c3": sd["enc3_pw.weight"].shape[0],
            "hidden": sd["gru_rx.weight"].shape[0],
            "d3": sd["dec3.weight"].shape[0],
            "d2": sd["dec2_pw.weight"].shape[0],
            "d1": sd["dec1.weight"].shape[0],
            "k_gru": sd["gru_rx.weight"].shape[-1],
            "k_dec3": sd["dec3.weight"].shape[-1],
            "n_priors": sd["priors"].shape[0],
            "sr": int(sd["enc1.weight"].shape[1] >= 5),
            "motion": int(sd["enc1.weight"].shape[1] == 6)}


class DefaultNet(nn.Module):
    def __init__(self, widths=None):
        super().__init__()
        w = dict(WIDTHS if widths is None else widths)
        self.widths = w
        c1, c2, c3, hd = w["c1"], w["c2"], w["c3"], w["hidden"]
        kg, kd = w["k_gru"], w["k_dec3"]
        self.n_priors = w["n_priors"]
        self.sr = bool(w.get("sr", 0))
        self.motion = bool(w.get("motion", 0))
        self.enc1 = nn.Conv2d(4 + self.sr + self.motion, c1, 3, 2, 1)
        self.enc2_dw = nn.Conv2d(c1, c1, 3, 2, 1, groups=c1)
        self.enc2_pw = nn.Conv2d(c1, c2, 1)
        self.enc3_dw = nn.Conv2d(c2, c2, 3, 2, 1, groups=c2)
        self.enc3_pw = nn.Conv2d(c2, c3, 1)
        self.gru_rx = nn.Conv2d(c3, hd, kg, 1, kg // 2)
        self.gru_zx = nn.Conv2d(c3, hd, kg, 1, kg // 2)
        self.gru_hx = nn.Conv2d(c3, hd, kg, 1, kg // 2)
        self.gru_rh = nn.Conv2d(hd, hd, kg, 1, kg // 2, bias=False)
        self.gru_zh = nn.Conv2d(hd, hd, kg, 1, kg // 2, bias=False)
        self.gru_hh = nn.Conv2d(hd, hd, kg, 1, kg // 2, bias=False)
        self.dec3 = nn.Conv2d(c3 + hd, w["d3"], kd, 1, kd // 2)
        self.dec2_dw = nn.Conv2d(w["d3"] + c2, w["d3"] + c2, 3, 1, 1,
                                 groups=w["d3"] + c2)
        self.dec2_pw = nn.Conv2d(w["d3"] + c2, w["d2"], 1)
        self.dec1 = nn.Conv2d(w["d2"] + c1, w["d1"], 1)
        self.delta = nn.Conv2d(w["d1"], 1, 1)
        self.priors = nn.Parameter(torch.zeros(self.n_priors, 2, 2))
        self.prior_mix = nn.Conv2d(self.n_priors, 1, 1)
        if self.sr:
            self.sr_mix = nn.Conv2d(1, 1, 1, bias=False)
        # Fitted after training on the select side, not learnt: not a
        # parameter, and written only when non-zero.
        self.out_mix = torch.zeros(2, dtype=torch.float64)
        # Likewise the face cue's weights (tools/face_cascade.py), and the
        # long sides of the pictures it searches (written when not v7's).
        self.face_mix = torch.zeros(2, dtype=torch.float64)
        self.face_side = torch.tensor(face_cascade.FACE_SIDES,
                                      dtype=torch.float64)
        # And the still gate (alpha, beta), or None.
        self.still_gate = None
        self.init_priors(torch.Generator().manual_seed(0))

    def init_priors(self, gen):
        """Centres 0.5 + 0.15 N(0, 1), sigmas exp(log 0.25 + 0.3 N(0, 1))."""
        with torch.no_grad():
            n = self.n_priors
            p = torch.empty(n, 2, 2)
            p[:, :, 0] = 0.5 + 0.15 * torch.randn(n, 2, generator=gen)
            p[:, :, 1] = math.log(0.25) + 0.3 * torch.randn(n, 2,
                                                            generator=gen)
            self.priors.copy_(p)

    def zero_correction(self):
        """delta and prior_mix = 0: the model equals classic exactly."""
        with torch.no_grad():
            for m in (self.delta, self.prior_mix):
                m.weight.zero_()
                m.bias.zero_()
            if self.sr:
                self.sr_mix.weight.zero_()
        return self

    def hidden_size(self, h, w):
        for _ in range(3):
            h, w = (h + 1) // 2, (w + 1) // 2
        return h, w

    def forward(self, rgb, s, h=None, r=None, m=None, return_parts=False):
        """rgb [N, 3, H, W] in [0, 1]; s [N, 1, H, W] (> 0) the classic map;
        h [N, hidden, H/8, W/8] or None (zeros: first frame or still mode);
        r [N, 1, H, W] the spectral residual of rgb (sr_cue; v3 on);
        m [N, 1, H, W] classic's blurred motion A (zeros in still mode and
        on a first frame; v4 only).
        Returns (logits [N, 1, H, W], h')."""
        if s.dim() == 3:
            s = s.unsqueeze(1)
        L = torch.log(s + LOG_EPS)
        x0 = torch.cat([rgb, L], 1)
        if self.sr:
            if r.dim() == 3:
                r = r.unsqueeze(1)
            Lr = torch.log(r + SR_EPS)
            x0 = torch.cat([x0, Lr], 1)
        if self.motion:
            if m.dim() == 3:
                m = m.unsqueeze(1)
            x0 = torch.cat([x0, torch.log(m + MOTION_EPS)], 1)
        e1 = r6(self.enc1(x0))
        e2 = r6(self.enc2_pw(r6(self.enc2_dw(e1))))
        e3 = r6(self.enc3_pw(r6(self.enc3_dw(e2))))
        if h is None:
            h = torch.zeros(e3.shape[0], self.widths["hidden"],
                            *e3.shape[-2:],
                            dtype=e3.dtype)
        r = torch.sigmoid(self.gru_rx(e3) + self.gru_rh(h))
        z = torch.sigmoid(self.gru_zx(e3) + self.gru_zh(h))
        hh = torch.tanh(self.gru_hx(e3) + r * self.gru_hh(h))
        hn = (1 - z) * h + z * hh
        d3 = r6(self.dec3(torch.cat([e3, hn], 1)))
        u2 = up(d3, e2)
        d2 = r6(self.dec2_pw(r6(self.dec2_dw(torch.cat([u2, e2], 1)))))
        u1 = up(d2, e1)
        d1 = r6(self.dec1(torch.cat([u1, e1], 1)))
        delta = up(self.delta(d1), L)
        pri = self.prior_mix(gaussian_priors(self.priors, *L.shape[-2:]))
        logits = L + delta + pri
        if self.sr:
            logits = logits + self.sr_mix(Lr)
        if return_parts:
            return logits, hn, {"L": L, "delta": delta, "prior": pri}
        return logits, hn

    def mix_output(self, logits, s, still):
        """The spec's output mixture: log((1 - b) softmax(logits) +
        b S / sum S + MIX_EPS) over each map, b = out_mix[0] in still mode
        and out_mix[1] in video mode; the logits unchanged when b = 0."""
        b = float(self.out_mix[0 if still else 1])
        if b <= 0:
            return logits
        return mix_with_classic(logits, s, lambda p: b)

    def gate_output(self, logits, s, still):
        """The spec's still gate (step 11): in still mode, for files with
        still_gate = (alpha, beta), the same mixture as mix_output with
        b = gate_share(alpha, beta, Hn), Hn the normalised entropy of
        softmax(logits); the logits unchanged otherwise."""
        if not still or self.still_gate is None:
            return logits
        al, be = (float(v) for v in self.still_gate)
        return mix_with_classic(
            logits, s, lambda p: gate_share(al, be, norm_entropy(p)))


def norm_entropy(p):
    """[N, n] maps (each sums to 1) -> [N, 1] entropy / log n, 0 log 0 = 0;
    a 1-pixel map counts as flat (1)."""
    if p.shape[1] < 2:
        return torch.ones(p.shape[0], 1, dtype=p.dtype)
    plogp = torch.where(p > 0, p * torch.log(p.clamp_min(1e-300)),
                        torch.zeros_like(p))
    return -plogp.sum(1, keepdim=True) / math.log(p.shape[1])


def gate_share(al, be, hn):
    """classic's share b = sigmoid(alpha + beta (Hn - GATE_CENTRE))."""
    return torch.sigmoid(al + be * (hn - GATE_CENTRE))


def mix_with_classic(logits, s, share):
    """log((1 - b) softmax(logits) + b S / sum S + MIX_EPS) over each map of
    logits [N, 1, H, W], b = share(p) (a number or [N, 1]) from the maps
    p = softmax(logits) [N, H W]."""
    shape = logits.shape
    n = shape[0]
    p = torch.softmax(logits.reshape(n, -1), 1)
    s = s.reshape(n, -1).to(p.dtype)
    tot = s.sum(1, keepdim=True)
    # S is a density (> 0); a flat one stands in should it ever be 0.
    q = torch.where(tot > 0, s / tot.clamp_min(1e-300),
                    torch.full_like(s, 1.0 / s.shape[1]))
    b = share(p)
    return torch.log((1 - b) * p + b * q + MIX_EPS).reshape(shape)


# ---------------------------------------------------------------- weights

def save_model(net, path, training):
    sd = net.state_dict()
    order = TENSOR_ORDER + (SR_TENSORS if net.sr else ())
    assert set(sd) == set(order), sorted(set(sd) ^ set(order))
    meta = dict(FORMAT_META)
    meta["training"] = " ".join(str(training).split())
    tensors = [(k, sd[k]) for k in order]
    if bool((net.out_mix != 0).any()):
        tensors.append((OUT_MIX, net.out_mix.float()))
    if bool((net.face_mix != 0).any()):
        tensors.append((FACE_MIX, net.face_mix.float()))
        if tuple(net.face_side.tolist()) != face_cascade.FACE_SIDES:
            tensors.append((FACE_SIDE, net.face_side.float()))
    if net.still_gate is not None:
        tensors.append((STILL_GATE, net.still_gate.float()))
    safetensors_io.write(path, tensors, meta, prefix=".default-")


def load_model(path):
    arrays, meta = safetensors_io.read(path)
    sd = {k: torch.from_numpy(v) for k, v in arrays.items()}
    if meta.get("architecture") != "default":
        raise SystemExit("%s: architecture %r, not default"
                         % (path, meta.get("architecture")))
    mix = sd.pop(OUT_MIX, None)
    faces = sd.pop(FACE_MIX, None)
    sides = sd.pop(FACE_SIDE, None)
    gate = sd.pop(STILL_GATE, None)
    net = DefaultNet(widths_of(sd))
    net.load_state_dict(sd, strict=True)
    if mix is not None:
        net.out_mix = mix.double().reshape(2).clone()
    if faces is not None:
        net.face_mix = faces.double().reshape(2).clone()
    if sides is not None:
        net.face_side = sides.double().reshape(2).clone()
    if gate is not None:
        net.still_gate = gate.double().reshape(2).clone()
    net.eval()
    return net, meta


def random_model(seed=1, widths=None):
    """Untrained, every tensor random and non-zero (delta and prior_mix at
    a scale that moves log p by ~1)."""
    torch.manual_seed(seed)
    net = DefaultNet(widths)
    gen = torch.Generator().manual_seed(seed + 1000)
    net.init_priors(gen)
    with torch.no_grad():
        for name, p in net.named_parameters():
            if name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
        net.delta.weight.copy_(1.0 * torch.randn(net.delta.weight.shape,
                                                 generator=gen))
        net.delta.bias.fill_(0.25)
        net.prior_mix.weight.copy_(0.3 * torch.randn(
            net.prior_mix.weight.shape, generator=gen))
        net.prior_mix.bias.fill_(-0.5)
        if net.sr:
            net.sr_mix.weight.fill_(0.7)
            net.out_mix = torch.tensor([0.3, 0.45], dtype=torch.float64)
            net.face_mix = torch.tensor([1.25, 0.75], dtype=torch.float64)
            net.face_side = torch.tensor([448.0, 320.0], dtype=torch.float64)
            # A share that moves with the entropy of random maps (~0.9).
            net.still_gate = torch.tensor([0.3, 8.0], dtype=torch.float64)
    return net


# ---------------------------------------------------------------- streaming

def softmax_map(logits):
    """float64 [H, W] logits -> probability map (sum 1)."""
    m = logits - logits.max()
    e = np.exp(m)
    return e / e.sum()


class DefaultStream:
    """The engine's per-frame flow: pre-processing at the classic net size,
    classic S (with its own state), the network (GRU ring M = 1), bilinear
    resize of the logits to the frame size, softmax."""

    def __init__(self, net, dtype=torch.float64):
        self.net = net.to(dtype)
        self.dtype = dtype
        self.classic = classic.ClassicModel()
        self.size = None
        self.reset()

    def reset(self):
        self.classic.reset()
        self.h = None
        self.faces, self.face_t, self.pending = [], -1, None

    def see_faces(self, rgb8, still):
        """The engine's face cue (src/models/faces/sal-face-cue.c): every
        still picture is searched and its faces used at once; video frame
        0 after a reset likewise, then frames FACE_EVERY, 2 FACE_EVERY, ...
        are searched and their faces used from FACE_LAG frames later on
        (the engine searches on a worker thread meanwhile)."""
        if float(self.net.face_mix[0 if still else 1]) <= 0:
            return
        if not hasattr(self, "cascade"):
            self.cascade = face_cascade.Cascade()

        def search(side):
            g = face_cascade.frame_grey(rgb8, side)
            return face_cascade.detect(self.cascade, g), (g.shape[1],
                                                          g.shape[0])
        side_still, side_video = (int(v) for v in self.net.face_side)
        if still:
            self.face_t, self.pending = -1, None
            self.faces, self.pic_size = search(side_still)
            return
        self.face_t += 1
        t, every = self.face_t, face_cascade.FACE_EVERY
        if t == 0:
            self.faces, self.pic_size = search(side_video)
        elif t % every == 0:
            self.pending = search(side_video)
        elif t % every == face_cascade.FACE_LAG and self.pending:
            (self.faces, self.pic_size), self.pending = self.pending, None

    def add_faces(self, logits, still):
        """logits [H, W] + a F (step 10)."""
        a = float(self.net.face_mix[0 if still else 1])
        if a <= 0 or not self.faces:
            return logits
        h, w = logits.shape
        return logits + a * face_cascade.face_map(self.faces, *self.pic_size,
                                                  w, h)

    def net_input(self, rgb8, still):
        fh, fw = rgb8.shape[:2]
        if self.size != (fw, fh):
            self.size = (fw, fh)
            self.reset()
        net_w, net_h = classic.choose_size(fw, fh)
        x = classic.preprocess(rgb8, net_w, net_h)
        s = self.classic.forward(x, still=still)
        r = sr_cue(x) if self.net.sr else None
        return x, s, r, self.classic.motion

    def push_logits(self, rgb8, still=False):
        """Net-size logits [H, W] (float64 numpy)."""
        x, s, r, m = self.net_input(rgb8, still)
        self.see_faces(rgb8, still)
        with torch.no_grad():
            xt = torch.from_numpy(x).to(self.dtype).unsqueeze(0)
            st = torch.from_numpy(np.asarray(s)).to(self.dtype)[None, None]
            rt = (None if r is None else
                  torch.from_numpy(r).to(self.dtype)[None, None])
            mt = torch.from_numpy(np.asarray(m)).to(self.dtype)[None, None]
            self.s = st     # classic's map, for tools/fit_still_gate.py
            logits, hn = self.net(xt, st, None if still else self.h, rt, mt)
            logits = self.net.mix_output(logits, st, still)
        if not still:
            self.h = hn
        logits = self.add_faces(logits[0, 0].double().numpy(), still)
        if still and self.net.still_gate is not None:
            with torch.no_grad():
                logits = self.net.gate_output(
                    torch.from_numpy(logits)[None, None], st.double(),
                    True)[0, 0].numpy()
        return logits

    def push(self, rgb8, still=False, log=False):
        """Probability map (or log-probability) at the frame's size."""
        fh, fw = rgb8.shape[:2]
        lg = classic.resize_bilinear(self.push_logits(rgb8, still), fh, fw)
        lg = lg - lg.max()
        if log:
            return lg - np.log(np.exp(lg).sum())
        return softmax_map(lg)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", help="our default .safetensors")
    ap.add_argument("--random", metavar="OUT",
                    help="write an untrained random-weights model and exit")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-sr", action="store_true",
                    help="with --random: a v2 model (no spectral residual)")
    ap.add_argument("--motion", action="store_true",
                    help="with --random: a v4 model (with the motion cue)")
    ap.add_argument("--no-mix", action="store_true",
                    help="with --random: out_mix, face_mix and still_gate "
                    "not written")
    ap.add_argument("--no-gate", action="store_true",
                    help="with --random: still_gate not written")
    ap.add_argument("--still", action="store_true")
    ap.add_argument("--log", action="store_true",
                    help="write log-probabilities instead of probabilities")
    ap.add_argument("--float32", action="store_true",
                    help="run the network in float32 (default float64)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--npy")
    ap.add_argument("frames", nargs="*")
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.random:
        w = dict(WIDTHS, motion=int(a.motion))
        if a.no_sr:
            w.update(sr=0, motion=0)
        net = random_model(a.seed, w)
        if a.no_mix:
            net.out_mix.zero_()
            net.face_mix.zero_()
        if a.no_mix or a.no_gate:
            net.still_gate = None
        save_model(net, a.random,
                   "untrained: random weights, seed %d (parity tests only)"
                   % a.seed)
        return 0
    if not a.weights or not a.npy or not a.frames:
        ap.error("--weights, --npy and frames are required")
    from PIL import Image
    net, _ = load_model(a.weights)
    stream = DefaultStream(net, torch.float32 if a.float32 else torch.float64)
    maps = [stream.push(np.asarray(Image.open(p).convert("RGB")),
                        still=a.still, log=a.log) for p in a.frames]
    np.save(a.npy, np.stack(maps).astype(np.float32))
    return 0


if __name__ == "__main__":
    sys.exit(main())
