#!/usr/bin/python3
"""Checks saliencypublish records against docs/saliency-record.schema.json.

Reads JSON lines (method file) or, with --mqtt, the lines of
`mosquitto_sub -F '%t %U %p'` (topic, receive time, payload). Each record
must validate against the schema and be consistent in itself (normalised
boxes, grid masses, peak inside the frame). Options add expectations; the
summary printed at the end is JSON for the calling test.
"""
import argparse
import json
import sys
import time

try:
    import jsonschema
except ImportError:
    print("SKIP: no python3-jsonschema", file=sys.stderr)
    sys.exit(77)


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def close(a, b, tol=2e-5):
    return abs(a - b) <= tol * max(1.0, abs(b))


def check_record(r, where):
    w, h = r["width"], r["height"]
    if not (r["peak"]["x"] < w and r["peak"]["y"] < h):
        fail(f"{where}: peak {r['peak']} outside {w}x{h}")
    for reg in r["regions"]:
        b, n = reg["box"], reg["nbox"]
        if b["x"] + b["width"] > w or b["y"] + b["height"] > h:
            fail(f"{where}: region {b} outside {w}x{h}")
        for k, size in (("x", w), ("width", w), ("y", h), ("height", h)):
            if not close(n[k], b[k] / size, 1e-5):
                fail(f"{where}: nbox.{k} {n[k]} is not {b[k]}/{size}")
    scores = [reg["score"] for reg in r["regions"]]
    if scores and not close(max(scores), 1.0, 1e-6):
        fail(f"{where}: the strongest region's score is {max(scores)}, not 1")
    if "grid" in r:
        g = r["grid"]
        if len(g["mass"]) != g["cols"] * g["rows"]:
            fail(f"{where}: grid has {len(g['mass'])} cells for "
                 f"{g['cols']}x{g['rows']}")
        if not close(sum(g["mass"]), 1.0, 1e-3):
            fail(f"{where}: grid masses sum to {sum(g['mass'])}")
    if r["utc_us"] is not None:
        if abs(r["utc_us"] / 1e6 - time.time()) > 3600:
            fail(f"{where}: utc {r['utc']} is more than an hour from now")
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S",
                              time.gmtime(r["utc_us"] // 1000000))
        if r["utc"] != f"{stamp}.{r['utc_us'] % 1000000:06d}Z":
            fail(f"{where}: utc {r['utc']} is not utc_us {r['utc_us']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("schema")
    ap.add_argument("records")
    ap.add_argument("--mqtt", action="store_true",
                    help="lines are 'TOPIC RECEIVE-TIME PAYLOAD'")
    ap.add_argument("--topic")
    ap.add_argument("--count", type=int, help="exactly this many records")
    ap.add_argument("--all-frames", type=int, metavar="N",
                    help="frames 0..N-1, each once, in order")
    ap.add_argument("--source")
    ap.add_argument("--time-source")
    ap.add_argument("--tags", help="JSON the tags must equal")
    ap.add_argument("--regions", action="store_true",
                    help="every record has a region")
    ap.add_argument("--grid", help="COLSxROWS every record has")
    ap.add_argument("--stats", action="store_true",
                    help="some record has stats")
    args = ap.parse_args()

    validator = jsonschema.Draft7Validator(json.load(open(args.schema)))
    records, received = [], []
    for i, line in enumerate(open(args.records), 1):
        where = f"{args.records}:{i}"
        if args.mqtt:
            topic, recv, payload = line.rstrip("\n").split(" ", 2)
            if topic.startswith("probe/"):
                continue
            if args.topic and topic != args.topic:
                fail(f"{where}: topic {topic}, not {args.topic}")
            received.append(float(recv))
        else:
            payload = line
        try:
            r = json.loads(payload)
        except json.JSONDecodeError as e:
            fail(f"{where}: not JSON ({e}): {payload[:200]}")
        errors = sorted(validator.iter_errors(r), key=str)
        if errors:
            fail(f"{where}: {errors[0].message} at "
                 f"{'/'.join(map(str, errors[0].absolute_path))}")
        check_record(r, where)
        if args.source is not None and r["source"] != args.source:
            fail(f"{where}: source {r['source']!r}, not {args.source!r}")
        if args.time_source and r["time_source"] != args.time_source:
            fail(f"{where}: time_source {r['time_source']}")
        if args.tags is not None and r["tags"] != json.loads(args.tags):
            fail(f"{where}: tags {r['tags']}")
        if args.regions and not r["regions"]:
            fail(f"{where}: no region")
        if args.grid and f"{r.get('grid', {}).get('cols')}x" \
                f"{r.get('grid', {}).get('rows')}" != args.grid:
            fail(f"{where}: no {args.grid} grid")
        records.append(r)

    frames = [r["frame"] for r in records]
    if args.count is not None and len(records) != args.count:
        fail(f"{len(records)} records, expected {args.count}")
    if args.all_frames is not None and frames != list(range(args.all_frames)):
        fail(f"frames are not 0..{args.all_frames - 1} in order "
             f"({len(frames)} records)")
    stats = [r["stats"] for r in records if "stats" in r]
    if args.stats and not stats:
        fail("no record has stats")
    # Receive time minus capture time, where both are known.
    delays = [recv - r["utc_us"] / 1e6 for recv, r in zip(received, records)
              if r["utc_us"] is not None]
    print(json.dumps({
        "records": len(records),
        "frames": frames,
        "stats": stats,
        "max_delay": max(delays) if delays else None,
        "time_sources": sorted({r["time_source"] for r in records}),
    }))


main()
