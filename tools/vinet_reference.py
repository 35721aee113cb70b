#!/usr/bin/python3
"""ViNet-S in PyTorch, functional, written from ../shared/design/vinet-s.md:
the specification of src/models/vinet-s/ and the peer of its benchmark.

    vinet_reference.py --weights W FRAME... [--npy OUT] [--threads N]

W is an upstream checkpoint (.pth: the state_dict of upstream's
VideoSaliencyModel) or a model file made by tools/convert_vinet.py. Each
frame is predicted from the clip of the 32 frames ending at it, frames
before the first repeated (upstream's test mode); OUT gets the sigmoid
maps, float32 [T, 224, 384]. Frames must be 384x224 images (upstream
resizes others with PIL; the engine with its own filter).

It runs the same operations as upstream (69.36 GMAC of F.conv3d per clip,
eval-mode BatchNorm with eps 1e-3) and pools as upstream does, with 2D max
pools on reshaped views (equal to 3D max pooling: design note,
Verification), so that it also times like upstream.
"""
import argparse
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

CLIP = 32
H, W = 224, 384
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
BN_EPS = 1e-3


def load_weights(path):
    """{name: float32 tensor} from a .pth state_dict or a converted
    .safetensors."""
    if path.endswith(".safetensors"):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import safetensors_io
        t, _ = safetensors_io.read(path)
        return {k: torch.from_numpy(np.array(v)) for k, v in t.items()}
    sd = torch.load(path, map_location="cpu")
    if isinstance(sd, dict) and isinstance(sd.get("state_dict"), dict):
        sd = sd["state_dict"]
    return {k[len("module."):] if k.startswith("module.") else k:
            v.float() for k, v in sd.items()}


def max_pool3d(x, k, s, p):
    """Upstream's form of a 3D max pool: MaxPool2d over (H, W) on a
    [N, C*T, H, W] view, then over (T, 1) on a [N, C, T, H*W] view."""
    n, c, t, h, w = x.shape
    if k[1:] != (1, 1):
        x = F.max_pool2d(x.reshape(n, c * t, h, w), k[1:], s[1:], p[1:])
        h, w = x.shape[-2:]
        x = x.view(n, c, t, h, w)
    if k[0] != 1:
        x = F.max_pool2d(x.reshape(n, c, t, h * w), (k[0], 1), (s[0], 1),
                         (p[0], 0))
        x = x.view(n, c, x.shape[2], h, w)
    return x


class ViNetS:
    def __init__(self, sd):
        self.sd = sd

    def _bn(self, x, p):
        s = self.sd
        return F.batch_norm(x, s[p + ".running_mean"], s[p + ".running_var"],
                            s[p + ".weight"], s[p + ".bias"], False, 0.0,
                            BN_EPS)

    def _basic(self, x, p):
        return F.relu(self._bn(F.conv3d(x, self.sd[p + ".conv.weight"]),
                               p + ".bn"))

    def _sep(self, x, p, k, s, pad):
        x = F.conv3d(x, self.sd[p + ".conv_s.weight"], stride=(1, s, s),
                     padding=(0, pad, pad))
        x = F.relu(self._bn(x, p + ".bn_s"))
        x = F.conv3d(x, self.sd[p + ".conv_t.weight"], stride=(s, 1, 1),
                     padding=(pad, 0, 0))
        return F.relu(self._bn(x, p + ".bn_t"))

    def _mixed(self, x, p):
        return torch.cat([
            self._basic(x, p + ".branch0.0"),
            self._sep(self._basic(x, p + ".branch1.0"), p + ".branch1.1",
                      3, 1, 1),
            self._sep(self._basic(x, p + ".branch2.0"), p + ".branch2.1",
                      3, 1, 1),
            self._basic(max_pool3d(x, (3, 3, 3), (1, 1, 1), (1, 1, 1)),
                        p + ".branch3.1")], 1)

    def backbone(self, x):
        b = "backbone."
        x = self._sep(x, b + "base1.0", 7, 2, 3)
        x = max_pool3d(x, (1, 3, 3), (1, 2, 2), (0, 1, 1))
        x = self._basic(x, b + "base1.2")
        y3 = self._sep(x, b + "base1.3", 3, 1, 1)
        x = max_pool3d(y3, (1, 3, 3), (1, 2, 2), (0, 1, 1))
        for i in range(2):
            x = self._mixed(x, b + "base2.%d" % i)
        y2 = x
        x = max_pool3d(y2, (3, 3, 3), (2, 2, 2), (1, 1, 1))
        for i in range(5):
            x = self._mixed(x, b + "base3.%d" % i)
        y1 = x
        x = max_pool3d(y1, (2, 1, 1), (2, 1, 1), (0, 0, 0))
        x = max_pool3d(x, (1, 2, 2), (1, 2, 2), (0, 0, 0))
        for i in range(2):
            x = self._mixed(x, b + "base4.%d" % i)
        return x, y1, y2, y3

    def decoder(self, y0, y1, y2, y3):
        s = self.sd

        def up(x):
            return F.interpolate(x, scale_factor=(1, 2, 2),
                                 mode="trilinear", align_corners=False)

        def conv(x, name, st, groups):
            w = s["decoder.%s.weight" % name]
            return F.relu(F.conv3d(x, w, stride=(st, 1, 1),
                                   padding=(0, w.shape[3] // 2,
                                            w.shape[4] // 2), groups=groups))

        z = up(conv(y0, "convtsp1.0", 1, 32))
        z = up(conv(torch.cat([z, y1], 2), "convtsp2.0", 3, 16))
        z = up(conv(torch.cat([z, y2], 2), "convtsp3.0", 5, 8))
        z = up(conv(torch.cat([z, y3], 2), "convtsp4.0", 5, 4))
        z = up(conv(z, "convtsp4.3", 2, 2))
        z = conv(z, "convtsp4.6", 2, 1)
        z = F.conv3d(z, s["decoder.convtsp4.8.weight"],
                     s["decoder.convtsp4.8.bias"])
        return torch.sigmoid(z).view(z.shape[-2], z.shape[-1])

    def __call__(self, clip):
        """clip [1, 3, 32, 224, 384] -> [224, 384]."""
        return self.decoder(*self.backbone(clip))


def load_frame(path):
    """Upstream's test transform for a 384x224 image: [3, H, W] float32."""
    from PIL import Image
    img = Image.open(path).convert("RGB")
    if img.size != (W, H):
        raise SystemExit("%s is %dx%d; the reference takes %dx%d frames"
                         % (path, img.size[0], img.size[1], W, H))
    x = torch.from_numpy(np.array(img, dtype=np.uint8)).permute(2, 0, 1)
    x = x.to(torch.float32).div(255)
    mean = torch.tensor(MEAN, dtype=torch.float32)[:, None, None]
    std = torch.tensor(STD, dtype=torch.float32)[:, None, None]
    return x.sub(mean).div(std)


def clip_of(frames, t):
    """Frames t-31 .. t, negative indices replaced by 0: [1, 3, 32, H, W]."""
    idx = [max(i, 0) for i in range(t - CLIP + 1, t + 1)]
    return torch.stack([frames[i] for i in idx], 1).unsqueeze(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--npy")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("frames", nargs="+")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    model = ViNetS(load_weights(a.weights))
    frames = [load_frame(f) for f in a.frames]
    out = []
    with torch.no_grad():
        for t in range(len(frames)):
            out.append(model(clip_of(frames, t)).numpy())
    if a.npy:
        np.save(a.npy, np.stack(out).astype(np.float32))


if __name__ == "__main__":
    main()
