#!/bin/sh
# No GstObject or GstMiniObject outlives a pipeline through saliency, in any
# mode, with metas, ROIs and messages on, with new and reused maps
# (inference-interval), and across a caps change: the leaks tracer lists
# every survivor at exit.
. "$(dirname "$0")/common.sh"

for mode in overlay map none prefilter; do
  GST_TRACERS=leaks GST_DEBUG=GST_TRACER:7 gst-launch-1.0 -q \
    videotestsrc num-buffers=8 ! video/x-raw,width=96,height=64 ! \
    videoconvert ! saliency mode=$mode post-messages=true max-rois=4 inference-interval=2 $model ! \
    videoconvert ! fakesink >"$work/log" 2>&1 ||
    { cat "$work/log" >&2; fail "pipeline failed (mode $mode)"; }
  leaked=$(grep -E 'object-alive, type-name=\(string\)[A-Za-z]' "$work/log" || true)
  [ -z "$leaked" ] || fail "leaks in mode $mode:
$leaked"
done

echo "no leaks in overlay, map, none and prefilter modes"
