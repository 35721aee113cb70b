#!/bin/sh
# Runs stress-start-stop under GStreamer's leaks tracer: nothing may abort,
# every map must match, and no GstObject or GstMiniObject may survive.
set -eu
log=$(mktemp "${TMPDIR:-/tmp}/saliency-start-stop.XXXXXX")
trap 'rm -f "$log"' EXIT

rc=0
GST_TRACERS=leaks GST_DEBUG=GST_TRACER:7 "$1" >"$log" 2>&1 || rc=$?
grep '^ok' "$log" || true
if [ "$rc" -ne 0 ]; then
  tail -40 "$log" >&2
  echo "FAIL: stress-start-stop exited $rc" >&2
  exit 1
fi
leaked=$(grep -E 'object-alive, type-name=\(string\)[A-Za-z]' "$log" || true)
if [ -n "$leaked" ]; then
  echo "FAIL: leaks:" >&2
  echo "$leaked" >&2
  exit 1
fi
echo "leaks tracer: nothing left alive"
