#!/usr/bin/python3
"""converter_test.py CASE CONVERTER DUMP: tests of tools/convert_unisal.py.

CONVERTER is the script, DUMP the model-file-dump helper (the C loader).
Exit 0 pass, 1 fail, 77 skip (no torch, or no ../shared for the oracle).
"""
import hashlib
import importlib.util
import json
import os
import struct
import subprocess
import sys
import tempfile

SKIP = 77
CASE, CONVERTER, DUMP = sys.argv[1:4]
SHARED = os.environ.get("SALIENCY_SHARED_DIR",
                        os.path.join(os.path.dirname(__file__), "..", "..",
                                     "..", "shared"))
ORACLE = os.path.join(SHARED, "oracle", "unisal-a")


def skip(why):
    print("SKIP: " + why)
    sys.exit(SKIP)


def need_torch():
    try:
        import torch  # noqa: F401
    except ImportError:
        skip("needs python3-torch")


def need_oracle():
    if not os.path.isfile(os.path.join(ORACLE, "checkpoint.pth")):
        skip("no ../shared oracle at " + ORACLE)


def load_converter():
    spec = importlib.util.spec_from_file_location("convert_unisal", CONVERTER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def check(cond, what):
    if not cond:
        print("FAIL: " + what)
        sys.exit(1)


def convert(inp, out, *extra):
    r = subprocess.run([sys.executable, CONVERTER, inp, out] + list(extra),
                       capture_output=True, text=True, timeout=300)
    print("convert_unisal.py rc=%d\nstdout: %s\nstderr: %s" %
          (r.returncode, r.stdout.strip(), r.stderr.strip()))
    return r


def read_safetensors(path):
    """An independent reader (not the converter's code): header, metadata,
    and {name: (shape, raw bytes)} in file order, checking the layout."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    check(n % 8 == 0, "header length %d is not padded to 8 bytes" % n)
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    meta = header.pop("__metadata__")
    tensors, pos = {}, 0
    for name, e in header.items():
        check(e["dtype"] == "F32", "%s dtype %s" % (name, e["dtype"]))
        b, end = e["data_offsets"]
        count = 1
        for d in e["shape"]:
            count *= d
        check(b == pos and end - b == 4 * count,
              "%s offsets %s not packed" % (name, e["data_offsets"]))
        tensors[name] = (tuple(e["shape"]), data[b:end])
        pos = end
    check(pos == len(data), "data has %d bytes, tensors end at %d" %
          (len(data), pos))
    return meta, tensors


def f32_bytes(t):
    import numpy as np
    return np.ascontiguousarray(t.detach().numpy(), dtype="<f4").tobytes()


def expected_meta(source, h=224, w=384):
    return {"format": "gst-saliency", "format_version": "1",
            "architecture": "unisal",
            "domains": "DHF1K,Hollywood,UCFSports,SALICON",
            "net_height": str(h), "net_width": str(w),
            "modulo_DHF1K": "5", "modulo_Hollywood": "4",
            "modulo_UCFSports": "4", "modulo_SALICON": "4",
            "bn_eps": "1e-05", "mean": "0.485,0.456,0.406",
            "std": "0.229,0.224,0.225", "source": source}


def synthetic_state_dict(training_buffers=True):
    """A checkpoint with UNISAL's names and shapes (random values), with
    the training-only buffers upstream also saves."""
    import torch
    conv = load_converter()
    g = torch.Generator().manual_seed(1)
    sd = {}
    for name, shape in conv.expected_tensors():
        sd[name] = torch.randn(shape, generator=g)
        if training_buffers and name.endswith(".running_var"):
            sd[name[:-len("running_var")] + "num_batches_tracked"] = \
                torch.tensor(7)
    if training_buffers:
        sd["rnn.cell_list.0.drop_mask_1"] = torch.ones(3, 256)
        sd["rnn.cell_list.0.drop_mask_2"] = torch.ones(3, 256)
    return sd


def save(obj, path):
    import torch
    torch.save(obj, path)
    return path


def check_round_trip(out, sd, source, h=224, w=384):
    """Every expected tensor is in out, in order, bit-exact; nothing else."""
    conv = load_converter()
    meta, tensors = read_safetensors(out)
    check(meta == expected_meta(source, h, w), "metadata %r" % meta)
    names = [n for n, _ in conv.expected_tensors()]
    check(list(tensors) == names, "tensor names/order differ from the "
          "expected list")
    for name in names:
        shape, raw = tensors[name]
        check(shape == tuple(sd[name].shape), "%s shape %s" % (name, shape))
        check(raw == f32_bytes(sd[name]), "%s data differs" % name)
    print("%d tensors round-trip exactly" % len(names))


def check_c_loader(out, sd, source, h=224, w=384):
    """The C loader reads out: same metadata, shapes and float bits."""
    r = subprocess.run([DUMP, out], capture_output=True, text=True,
                       timeout=120)
    check(r.returncode == 0, "model-file-dump failed: " + r.stderr)
    dump = json.loads(r.stdout)
    check(dump["metadata"] == expected_meta(source, h, w),
          "C metadata %r" % dump["metadata"])
    conv = load_converter()
    names = [n for n, _ in conv.expected_tensors()]
    check([t["name"] for t in dump["tensors"]] == names,
          "C loader's tensor list differs")
    for t in dump["tensors"]:
        want = sd[t["name"]]
        check(tuple(t["shape"]) == tuple(want.shape),
              "%s: C shape %s" % (t["name"], t["shape"]))
        check(t["sha256"] == hashlib.sha256(f32_bytes(want)).hexdigest(),
              "%s: C loader reads different floats" % t["name"])
    print("C loader: %d tensors identical" % len(names))


def expect_refusal(sd_or_obj, *needles):
    with tempfile.TemporaryDirectory() as tmp:
        inp = save(sd_or_obj, os.path.join(tmp, "bad.pth"))
        out = os.path.join(tmp, "out.safetensors")
        r = convert(inp, out)
        check(r.returncode == 1, "exit status %d, expected 1" % r.returncode)
        for n in needles:
            check(n in r.stderr, "message lacks %r" % n)
        check(not os.path.exists(out), "an output file was left behind")
        check(os.listdir(tmp) == ["bad.pth"], "temporary files left behind: "
              "%s" % os.listdir(tmp))


# --------------------------------------------------------------------------

def case_expected_list():
    need_oracle()
    conv = load_converter()
    with open(os.path.join(ORACLE, "manifest.json")) as f:
        manifest = json.load(f)["tensors"]
    kept = [(k, tuple(v)) for k, v in manifest.items()
            if not conv.TRAINING_ONLY.search(k)]
    dropped = [k for k in manifest if conv.TRAINING_ONLY.search(k)]
    check(all(k.endswith("num_batches_tracked") or ".drop_mask_" in k
              for k in dropped), "unexpected dropped names")
    exp = conv.expected_tensors()
    for i, (a, b) in enumerate(zip(kept, exp)):
        check(a == b, "entry %d: manifest %s, architecture %s" % (i, a, b))
    check(len(kept) == len(exp), "manifest has %d tensors, the architecture "
          "%d" % (len(kept), len(exp)))
    print("expected list matches the manifest: %d tensors (%d training-only "
          "dropped)" % (len(exp), len(dropped)))


def oracle_convert(tmp):
    import torch
    ckpt = os.path.join(ORACLE, "checkpoint.pth")
    out = os.path.join(tmp, "unisal-a.safetensors")
    r = convert(ckpt, out)
    check(r.returncode == 0, "conversion failed")
    return out, torch.load(ckpt, map_location="cpu")


def case_oracle():
    need_torch()
    need_oracle()
    with tempfile.TemporaryDirectory() as tmp:
        out, sd = oracle_convert(tmp)
        check_round_trip(out, sd, "checkpoint.pth")


def case_oracle_c_loader():
    need_torch()
    need_oracle()
    with tempfile.TemporaryDirectory() as tmp:
        out, sd = oracle_convert(tmp)
        check_c_loader(out, sd, "checkpoint.pth")


def case_net_size():
    need_torch()
    sd = synthetic_state_dict()
    with tempfile.TemporaryDirectory() as tmp:
        inp = save(sd, os.path.join(tmp, "weights_best.pth"))
        out = os.path.join(tmp, "m.safetensors")
        check(convert(inp, out, "--net-size", "256x416").returncode == 0,
              "conversion failed")
        check_round_trip(out, sd, "weights_best.pth", 256, 416)
        check_c_loader(out, sd, "weights_best.pth", 256, 416)


def case_bad_net_size():
    for bad in ("100x384", "224", "0x0", "224x384x3", "4128x384"):
        with tempfile.TemporaryDirectory() as tmp:
            r = convert(os.path.join(tmp, "in.pth"),
                        os.path.join(tmp, "out.safetensors"),
                        "--net-size", bad)
            check(r.returncode == 2, "--net-size %s: exit %d" %
                  (bad, r.returncode))
            check("--net-size" in r.stderr and repr(bad)[1:-1] in r.stderr,
                  "--net-size %s: message does not name it" % bad)


def case_missing():
    need_torch()
    sd = synthetic_state_dict()
    del sd["skip_4x.reduction.0.bias"]
    expect_refusal(sd, "tensor 'skip_4x.reduction.0.bias' is missing",
                   "expected shape [64]")


def case_extra():
    need_torch()
    import torch
    sd = synthetic_state_dict()
    sd["rnn.cell_list.1.b_r"] = torch.zeros(256, 1, 1)
    expect_refusal(sd, "tensor 'rnn.cell_list.1.b_r' (shape [256, 1, 1]) "
                   "is not part of UNISAL")


def case_wrong_shape():
    need_torch()
    sd = synthetic_state_dict()
    sd["rnn.cell_list.0.a_r_x"] = sd["rnn.cell_list.0.a_r_x"].reshape(256)
    # Several problems: the first in architecture order is named.
    sd["smoothing_salicon.weight"] = sd["smoothing_salicon.weight"][..., :3]
    expect_refusal(sd, "tensor 'rnn.cell_list.0.a_r_x' has shape [256], "
                   "expected [256, 1, 1]", "and 1 more problem")


def case_wrong_dtype():
    need_torch()
    sd = synthetic_state_dict()
    sd["post_rnn.0.weight"] = sd["post_rnn.0.weight"].to(dtype=__import__(
        "torch").int32)
    expect_refusal(sd, "tensor 'post_rnn.0.weight' has dtype torch.int32")


def case_wrapped():
    need_torch()
    sd = synthetic_state_dict()
    wrapped = {"model_state_dict": {"module." + k: v for k, v in sd.items()},
               "epoch": 3}
    with tempfile.TemporaryDirectory() as tmp:
        inp = save(wrapped, os.path.join(tmp, "chkpnt.pth"))
        out = os.path.join(tmp, "m.safetensors")
        check(convert(inp, out).returncode == 0, "conversion failed")
        check_round_trip(out, sd, "chkpnt.pth")


def case_training_buffers():
    need_torch()
    sd = synthetic_state_dict(training_buffers=True)
    check(any(k.endswith("num_batches_tracked") for k in sd), "setup")
    with tempfile.TemporaryDirectory() as tmp:
        inp = save(sd, os.path.join(tmp, "w.pth"))
        out = os.path.join(tmp, "m.safetensors")
        check(convert(inp, out).returncode == 0, "conversion failed")
        _, tensors = read_safetensors(out)
        check(not any("num_batches_tracked" in k or "drop_mask" in k
                      for k in tensors), "training-only buffers were kept")
        check_round_trip(out, sd, "w.pth")
    # Without them it converts too (they are optional).
    sd = synthetic_state_dict(training_buffers=False)
    with tempfile.TemporaryDirectory() as tmp:
        inp = save(sd, os.path.join(tmp, "w.pth"))
        out = os.path.join(tmp, "m.safetensors")
        check(convert(inp, out).returncode == 0, "conversion failed")


def case_not_state_dict():
    need_torch()
    expect_refusal([1, 2, 3], "not a state_dict")
    expect_refusal({"weights": "x"}, "not a state_dict")
    with tempfile.TemporaryDirectory() as tmp:
        inp = os.path.join(tmp, "junk.pth")
        with open(inp, "wb") as f:
            f.write(b"this is not a checkpoint")
        r = convert(inp, os.path.join(tmp, "o.safetensors"))
        check(r.returncode == 1 and "cannot load" in r.stderr,
              "junk input not refused")
        r = convert(os.path.join(tmp, "absent.pth"),
                    os.path.join(tmp, "o.safetensors"))
        check(r.returncode == 1 and "absent.pth: no such file" in r.stderr,
              "absent input not refused")


if __name__ == "__main__":
    fn = globals().get("case_" + CASE)
    if not fn:
        print("unknown case " + CASE)
        sys.exit(2)
    fn()
    print("PASS")
