#!/usr/bin/python3
"""Writes the seed corpus for fuzz-model-file into corpus/model-file/.

Run once by hand when the seeds change (the files are committed); crash
reproducers found by the fuzzer are added next to them as crash-*.
"""
import json
import os
import struct
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus",
                   "model-file")


def safetensors(header, data=b"", pad=True, length=None):
    h = header if isinstance(header, bytes) else json.dumps(
        header, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    n = len(h) if length is None else length
    return struct.pack("<Q", n) + h + data


def model(tensors, meta=None):
    """tensors: [(name, shape, floats)] -> a valid file."""
    header, data = {}, b""
    if meta is not None:
        header["__metadata__"] = meta
    for name, shape, vals in tensors:
        b = struct.pack("<%df" % len(vals), *vals)
        header[name] = {"dtype": "F32", "shape": shape,
                        "data_offsets": [len(data), len(data) + len(b)]}
        data += b
    return safetensors(header, data)


META = {"format": "gst-saliency", "format_version": "1",
        "architecture": "unisal", "net_height": "224", "net_width": "384",
        "modulo_DHF1K": "5", "bn_eps": "1e-05",
        "mean": "0.485,0.456,0.406", "std": "0.229,0.224,0.225"}

SEEDS = {
    "valid-tiny": model([("a", [2, 2], [1, -2.5, 3.25, 1e-30]),
                         ("b", [3], [0, -0.0, 65504])],
                        {"architecture": "test", "net_height": "224"}),
    "valid-meta": model([("cnn.features.0.0.weight", [2, 1, 3, 3],
                          [i / 7 for i in range(18)]),
                         ("cnn.features.0.1.running_var", [2], [1, 2]),
                         ("coarse_gaussians_dhf1k", [1, 2, 2], [0.5] * 4)],
                        META),
    "valid-empty": safetensors(b"{}"),
    "valid-scalar-empty": model([("s", [], [42]), ("e", [0, 3], []),
                                 ("v", [1, 1, 1, 1, 1, 1, 1, 1], [7])]),
    "valid-unicode": safetensors(
        b'{"\\u00e9t\\u00e9 \\ud83d\\ude00\\n":{"dtype":"F32","shape":[1],'
        b'"data_offsets":[0,4]},"x\\"y":{"shape":[1],"data_offsets":[4,8],'
        b'"dtype":"F32"}}', struct.pack("<2f", 1, 2)),
    "valid-unpadded": safetensors({"a": {"dtype": "F32", "shape": [1],
                                         "data_offsets": [0, 4]}},
                                  struct.pack("<f", 1), pad=False),
    # A face cascade (src/models/faces/): one two-rectangle stump, one
    # stage; the fuzz target then runs the detector with it.
    "valid-cascade": model([("rects", [1, 3, 5], [0, 0, 4, 2, -1,
                                                  0, 1, 4, 1, 2] + [0] * 5),
                            ("weak", [1, 4], [0, 0.01, -1, 1]),
                            ("stages", [1, 2], [1, 0])],
                           {"architecture": "haar-cascade",
                            "window_w": "4", "window_h": "4"}),
    "bad-truncated": model([("a", [4], [1, 2, 3, 4])])[:-3],
    "bad-header-length": safetensors(b"{}", length=1 << 40),
    "bad-f16": safetensors({"w": {"dtype": "F16", "shape": [2],
                                  "data_offsets": [0, 4]}}, b"\0" * 4),
    "bad-overlap": safetensors(
        {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
         "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}},
        b"\0" * 12),
    "bad-shape-overflow": safetensors(
        {"a": {"dtype": "F32", "shape": [4294967296, 4294967296, 4],
               "data_offsets": [0, 4]}}, b"\0" * 4),
    "bad-duplicate": safetensors(
        b'{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
        b'"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', b"\0" * 8),
    "bad-metadata-int": safetensors({"__metadata__": {"net_height": 224}}),
    "bad-json": safetensors(b'{"a":{"dtype":"F32","shape":[1,],'
                            b'"data_offsets":[0,4]}}', b"\0" * 4),
    "bad-surrogate": safetensors(b'{"\\ud800":{}}'),
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, blob in SEEDS.items():
        with open(os.path.join(OUT, name + ".safetensors"), "wb") as f:
            f.write(blob)
    print("wrote %d seeds to %s" % (len(SEEDS), OUT))


if __name__ == "__main__":
    sys.exit(main())
