"""NumPy reference of the weight-free "classic" saliency model.

This file is the specification that kernels/classic.cl and
src/models/classic/sal-arch-classic.c implement; the OpenCL version must match it to
float32 noise (tests/unit/classic_parity.py checks that).

The model, per frame, at the network size W x H (choose_size):

  input   x = rgb in [0, 1], [3, H, W] (the engine feeds (rgb/255 - 0) / 1)
  colour  L = (r + g + b) / 3,  RG = r - g,  BY = b - (r + g) / 2
  blur    B_k = G(2^k) * channel for k = 0..4 (sigma 1, 2, 4, 8, 16 px),
          separable Gaussian, radius ceil(3 sigma), clamped borders
  contrast C = G(4) * sum_{k=0..3} sum_ch w_ch |B_k - B_{k+1}|,
          w = (1, COLOUR_WEIGHT, COLOUR_WEIGHT)   (centre-surround DoG)
  motion  Lm = B_1[L] is kept in a ring of the last RING frames.
          With n frames seen since reset (n > 0) and d = min(n, RING):
          A = G(4) * |Lm_t - Lm_{t-d}|,  Mo = A / (A + MOTION_TAU);
          Mo = 0 when n = 0 or in still mode.
  prior   P(y, x) = exp(-((x+.5)/W - .5)^2 / (2 s^2)) *
                    exp(-((y+.5)/H - .5)^2 / (2 s^2)),  s = PRIOR_SIGMA
  combine R = P * (FLOOR + C / (mean(C) + 1e-6) + MOTION_WEIGHT * Mo)^GAMMA
  smooth  S_t = R (n = 0 or still),  else EMA_ALPHA * R + (1 - EMA_ALPHA) * S_{t-1}

Video mode updates the state (ring, n, S_{t-1}) after each frame; still
mode neither reads nor writes it; reset() forgets it. The output S is
non-negative; the engine resizes it bilinearly to the frame size and
divides by its sum (see `postprocess`).

Usage as a tool:
  python3 tools/classic_reference.py [--still] --npy out.npy FRAME.png...
writes float32 [T, H, W] probability maps at the frames' size.
"""

import argparse
import math

import numpy as np

NET_LONG = 128          # longer side of the network input, px
NET_MIN = 8             # smallest shorter side
N_SCALES = 5            # sigmas 1, 2, 4, 8, 16
COLOUR_WEIGHT = 4.0
POST_SIGMA = 4.0        # smoothing of the contrast and motion maps
MOTION_SIGMA_INDEX = 1  # motion compares B_1[L] (intensity at sigma 2)
RING = 4                # motion compares with the frame RING frames back
MOTION_TAU = 0.01       # motion noise level (intensity units, 0..1)
MOTION_WEIGHT = 4.0
PRIOR_SIGMA = 0.15      # centre prior sigma, as a fraction of each side
FLOOR = 0.1             # keeps the prior alive on flat frames
GAMMA = 1.5
EMA_ALPHA = 0.5
MEAN_EPS = 1e-6


def choose_size(frame_w, frame_h):
    """Network size for a frame: longer side NET_LONG, aspect kept."""
    if frame_w >= frame_h:
        w = NET_LONG
        h = max(NET_MIN, int(math.floor(NET_LONG * frame_h / frame_w + 0.5)))
    else:
        h = NET_LONG
        w = max(NET_MIN, int(math.floor(NET_LONG * frame_w / frame_h + 0.5)))
    return w, h


def gaussian_taps(sigma):
    """Normalised 1D Gaussian taps, radius ceil(3 sigma)."""
    r = int(math.ceil(3 * sigma))
    i = np.arange(-r, r + 1, dtype=np.float64)
    k = np.exp(-i * i / (2 * sigma * sigma))
    return k / k.sum()


def blur(x, sigma):
    """Separable Gaussian over the last two axes, borders clamped;
    horizontal pass first, then vertical."""
    k = gaussian_taps(sigma)
    r = (k.size - 1) // 2
    h, w = x.shape[-2:]
    off = np.arange(-r, r + 1)
    xi = np.clip(np.arange(w)[:, None] + off[None, :], 0, w - 1)
    y = (x[..., xi] * k).sum(-1)
    yi = np.clip(np.arange(h)[:, None] + off[None, :], 0, h - 1)
    return (np.moveaxis(y[..., yi, :], -2, -1) * k).sum(-1)


def opponent(x):
    r, g, b = x
    return np.stack([(r + g + b) / 3, r - g, b - (r + g) / 2])


def centre_prior(h, w, sigma=PRIOR_SIGMA):
    y = (np.arange(h) + 0.5) / h - 0.5
    x = (np.arange(w) + 0.5) / w - 0.5
    return np.outer(np.exp(-y * y / (2 * sigma * sigma)),
                    np.exp(-x * x / (2 * sigma * sigma)))


class ClassicModel:
    """The classic model with its temporal state."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.ring = [None] * RING
        self.n = 0
        self.prev = None

    def forward(self, x, still=False):
        """x: [3, H, W] float in [0, 1]. Returns S [H, W] (float64)."""
        x = np.asarray(x, dtype=np.float64)
        h, w = x.shape[1:]
        c = opponent(x)
        b = [blur(c, 2.0 ** k) for k in range(N_SCALES)]
        wch = np.array([1.0, COLOUR_WEIGHT, COLOUR_WEIGHT])[:, None, None]
        dog = sum((np.abs(b[k] - b[k + 1]) * wch).sum(0)
                  for k in range(N_SCALES - 1))
        con = blur(dog, POST_SIGMA)
        lm = b[MOTION_SIGMA_INDEX][0]

        use_state = not still and self.n > 0
        if use_state:
            d = min(self.n, RING)
            past = self.ring[(self.n - d) % RING]
            a = blur(np.abs(lm - past), POST_SIGMA)
            mo = a / (a + MOTION_TAU)
        else:
            a = mo = np.zeros((h, w))
        self.motion = a     # before the squash: the default model's v4 cue

        raw = centre_prior(h, w) * (FLOOR + con / (con.mean() + MEAN_EPS)
                                    + MOTION_WEIGHT * mo) ** GAMMA
        s = EMA_ALPHA * raw + (1 - EMA_ALPHA) * self.prev if use_state else raw

        if not still:
            self.ring[self.n % RING] = lm
            self.n += 1
            self.prev = s
        return s


def resize_bilinear(img, out_h, out_w):
    """Bilinear, half-pixel centres, clamped edges, no antialiasing."""
    img = np.asarray(img, dtype=np.float64)
    in_h, in_w = img.shape[-2:]

    def axis(n_in, n_out):
        p = (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5
        p = np.clip(p, 0.0, n_in - 1)
        p0 = np.floor(p).astype(np.int64)
        return p0, np.minimum(p0 + 1, n_in - 1), p - p0

    y0, y1, fy = axis(in_h, out_h)
    x0, x1, fx = axis(in_w, out_w)
    top = img[..., y0, :][..., x0] * (1 - fx) + img[..., y0, :][..., x1] * fx
    bot = img[..., y1, :][..., x0] * (1 - fx) + img[..., y1, :][..., x1] * fx
    return top * (1 - fy)[:, None] + bot * fy[:, None]


def resize_matrix(n_src, n_dst):
    """[n_dst, n_src] weights of one axis of the engine's pre-processing
    resize (kernels/preprocess.cl): the area filter when shrinking,
    bilinear (half-pixel centres, clamped) otherwise."""
    a = np.zeros((n_dst, n_src))
    d = np.arange(n_dst)
    if n_src <= n_dst:
        s = np.maximum((d + 0.5) * (n_src / n_dst) - 0.5, 0.0)
        i0 = np.minimum(np.floor(s).astype(np.int64), n_src - 1)
        i1 = np.minimum(i0 + 1, n_src - 1)
        f = s - i0
        np.add.at(a, (d, i0), 1 - f)
        np.add.at(a, (d, i1), f)
    else:
        scale = n_src / n_dst
        i = np.arange(n_src)
        lo = np.maximum(i[None, :], d[:, None] * scale)
        hi = np.minimum(i[None, :] + 1, (d[:, None] + 1) * scale)
        a = np.maximum(hi - lo, 0.0) / scale
    return a


def preprocess(rgb8, net_w, net_h):
    """uint8 [H, W, 3] frame -> [3, net_h, net_w] in [0, 1], as the
    engine's pre-processing does it (mean 0, std 1 for this model)."""
    x = np.asarray(rgb8, dtype=np.float64).transpose(2, 0, 1)
    ay = resize_matrix(x.shape[1], net_h)
    ax = resize_matrix(x.shape[2], net_w)
    return (ay @ x @ ax.T) / 255.0


def postprocess(s, out_w, out_h):
    """Net-size map -> probability map at the output size, as the engine
    does: bilinear resize, then divide by the sum."""
    m = resize_bilinear(s, out_h, out_w)
    return m / m.sum()


def run_frames(frames, still=False, model=None):
    """frames: iterable of uint8 [H, W, 3]. Yields probability maps."""
    model = model or ClassicModel()
    size = None
    for f in frames:
        fh, fw = f.shape[:2]
        if size != (fw, fh):
            size = (fw, fh)
            net_w, net_h = choose_size(fw, fh)
            model.reset()
        s = model.forward(preprocess(f, net_w, net_h), still=still)
        yield postprocess(s, fw, fh)


def main():
    from PIL import Image

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--still", action="store_true")
    ap.add_argument("--npy", required=True)
    ap.add_argument("frames", nargs="+")
    args = ap.parse_args()
    frames = (np.asarray(Image.open(p).convert("RGB")) for p in args.frames)
    maps = list(run_frames(frames, still=args.still))
    np.save(args.npy, np.stack(maps).astype(np.float32))


if __name__ == "__main__":
    main()
