"""Our model file format in Python: safetensors (the package is not in
Debian 12), float32 little-endian, with string metadata. Used by the
converter, the references and the trainer; the C loader
(src/engine/sal-model-file.c) is the strict one.

  tensors, meta = read(path)       # {name: float32 ndarray}, {str: str}
  write(path, [(name, array)], meta)
"""

import json
import os
import struct
import tempfile

import numpy as np

_DTYPES = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8",
           "I32": "<i4"}


def read(path):
    """({name: float32 ndarray}, metadata dict); other float/int dtypes
    are converted to float32."""
    with open(path, "rb") as fh:
        blob = fh.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    base = 8 + n
    out = {}
    for name, d in header.items():
        dtype = np.dtype(_DTYPES[d["dtype"]])
        start, end = d["data_offsets"]
        arr = np.frombuffer(blob, dtype=dtype, count=(end - start)
                            // dtype.itemsize, offset=base + start)
        out[name] = arr.reshape(d["shape"]).astype(np.float32)
    return out, meta


def write(path, tensors, meta, prefix=".model-"):
    """tensors: [(name, array-like)] in file order, written F32
    little-endian. Atomic (temporary file + rename), so a failed run never
    leaves a half-written model. Returns the data size in bytes."""
    header = {"__metadata__": meta}
    blobs, pos = [], 0
    for name, t in tensors:
        if hasattr(t, "detach"):            # a torch tensor
            t = t.detach().cpu().numpy()
        a = np.ascontiguousarray(t, dtype="<f4")
        b = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [pos, pos + len(b)]}
        blobs.append(b)
        pos += len(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    # Padded with spaces so that the data starts 8-byte aligned.
    h += b" " * (-len(h) % 8)

    out_dir = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(h)))
            f.write(h)
            for b in blobs:
                f.write(b)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return pos
