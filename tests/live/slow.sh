#!/bin/sh
# A deliberately slow model in a live pipeline: the centre prior with a
# busy loop (slow-kernels/centre.cl through SALIENCY_KERNEL_DIR), fed by
# videotestsrc is-live=true three times faster than it computes maps.
# With QoS (the default) late frames reuse the latest map: every frame
# reaches the sink, in about the stream's own duration (bounded latency).
# Without QoS, the same stream falls further behind with every frame.
# shellcheck disable=SC2086 # $model: see ../pipelines/common.sh
. "$(dirname "$0")/common.sh"

require_elements videotestsrc fakesink
command -v jq >/dev/null 2>&1 || { echo "SKIP: no jq" >&2; exit $SKIP; }
mkdir "$work/kernels"
cp "$SALIENCY_SOURCE_ROOT"/kernels/*.cl "$work/kernels/"
cp "$live_dir/slow-kernels/centre.cl" "$work/kernels/"
export SALIENCY_KERNEL_DIR="$work/kernels"

now_ms () {
  echo $(( $(date +%s%N) / 1000000 ))
}

# How slow it is here: the median of 5 frames after a warm-up one.
p=$(gst-launch-1.0 -m videotestsrc num-buffers=6 ! \
    video/x-raw,width=160,height=90 ! saliency model=centre mode=none \
    post-messages=true ! fakesink 2>&1 | \
    sed -n 's/.*processing-time=(guint64)\([0-9]*\).*/\1/p' | tail -5 | \
    sort -n | sed -n 3p)
[ -n "$p" ] || fail "no processing time"
fps=$(( 3000000000 / p ))
[ "$fps" -ge 2 ] || fps=2
[ "$fps" -le 240 ] || fail "the slow model takes only $p ns: raise SLOW_ITERATIONS"
echo "slow model: $((p / 1000000)) ms per map; input at $fps fps (3x too fast)"

# run FRAMES QOS: prints the wall time in ms; records in $work/qos-QOS.jsonl
run () {
  start=$(now_ms)
  gst-launch-1.0 -v videotestsrc is-live=true num-buffers=$1 pattern=ball ! \
      video/x-raw,width=160,height=90,framerate=$fps/1 ! \
      saliency model=centre mode=none qos=$2 stats-interval=500000000 ! \
      saliencypublish location="$work/qos-$2.jsonl" ! \
      fakesink sync=true qos=true silent=false > "$work/qos-$2.log" 2>&1 || \
      fail "the pipeline with qos=$2 failed"
  echo $(( $(now_ms) - start ))
  rendered=$(grep -c 'last-message = chain' "$work/qos-$2.log" || true)
  [ "$rendered" -eq "$1" ] || fail "qos=$2: $rendered of $1 frames reached the sink"
  check_records "$work/qos-$2.jsonl" --count "$1" --all-frames "$1" \
      --time-source clock > /dev/null
}

frames=$((3 * fps))   # 3 s
took=$(run $frames true)
reused=$(grep -c '"reused":true' "$work/qos-true.jsonl" || true)
echo "qos=true: $frames frames (3000 ms of stream) in $took ms, $reused reused maps"
[ "$took" -lt 4500 ] || fail "latency grew: 3 s of stream took $took ms"
[ "$reused" -ge $((frames / 2)) ] || fail "only $reused late frames reused a map"
jq -c 'select(.stats) | .stats | {input_fps, map_fps, reused_share, latency, processing_max}' \
    "$work/qos-true.jsonl" | tail -2

# The control: without QoS every frame waits for its map.
frames=$fps          # 1 s
took=$(run $frames false)
echo "qos=false: $frames frames (1000 ms of stream) in $took ms"
[ "$took" -gt 2000 ] || fail "the model is not slow enough to show anything"
echo "ok"
