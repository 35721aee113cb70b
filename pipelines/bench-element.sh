#!/bin/sh
# Times the saliency element in real pipelines and prints a markdown table.
#
#   videotestsrc pattern=ball num-buffers=FRAMES ! video/x-raw,format=F,WxH
#     ! saliency mode=M ! fakesink sync=false          (STREAMS branches)
#
# The element's own time per frame is (pipeline with the element - the same
# pipeline without it) / (FRAMES x STREAMS), each the median of RUNS runs,
# timed by gst-launch-1.0 from PLAYING to EOS (engine creation excluded).
# fps is the frames of all streams per second of the pipeline with the
# element; peak RSS is the process's, with the element (and without it),
# from /usr/bin/time. Runs with and without the element alternate.
#
# Usage: pipelines/bench-element.sh [--quick] [--frames N] [--runs N]
#          [--modes "overlay map none"] [--formats "I420 NV12 BGRx"]
#          [--sizes "1280x720 1920x1080 3840x2160"] [--streams "1 4"]
#          [--model MODEL] [--pattern ball]
# --quick: 60 frames, 720p and 1080p, one stream (a few minutes).
# --pattern: videotestsrc's pattern. ball (the default) draws every frame,
# 40 to 60 ms a 4K frame here, and its run-to-run spread is larger than
# the element's time; black copies one cached frame (2 to 8 ms), which
# shows the element's own cost with much less noise.
# The plugin is taken from GST_PLUGIN_PATH, or else ./build/plugins/element.
set -eu

frames=300
runs=3
modes="overlay map none"
formats="I420 NV12 BGRx"
sizes="1280x720 1920x1080 3840x2160"
streams="1 4"
model=""
pattern=ball

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) frames=60; sizes="1280x720 1920x1080"; streams="1" ;;
    --frames) frames=$2; shift ;;
    --runs) runs=$2; shift ;;
    --modes) modes=$2; shift ;;
    --formats) formats=$2; shift ;;
    --sizes) sizes=$2; shift ;;
    --streams) streams=$2; shift ;;
    --model) model="model=$2"; shift ;;
    --pattern) pattern=$2; shift ;;
    -h|--help) sed -n '2,/^set -eu/p' "$0" | sed -n 's/^# \{0,1\}//p'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

root=$(cd "$(dirname "$0")/.." && pwd)
export GST_PLUGIN_PATH="${GST_PLUGIN_PATH:-$root/build/plugins/element}"
gst-inspect-1.0 saliency >/dev/null 2>&1 || {
  echo "no saliency element in $GST_PLUGIN_PATH: build first (meson setup build && ninja -C build)" >&2
  exit 1
}

# The pipeline description: $1 streams of format $2 at size $3, through
# "$4" (the element, or nothing).
pipeline () {
  n=$1; w=${3%x*}; h=${3#*x}; i=0
  while [ $i -lt "$n" ]; do
    printf 'videotestsrc pattern=%s num-buffers=%s ! video/x-raw,format=%s,width=%s,height=%s ! %s fakesink sync=false ' \
      "$pattern" "$frames" "$2" "$w" "$h" "$4"
    i=$((i + 1))
  done
}

# "SECONDS RSS_KB" of one run of the pipeline "$@": seconds from PLAYING to
# EOS, and the process's peak resident memory where /usr/bin/time exists.
run_once () {
  rss=$(mktemp)
  # shellcheck disable=SC2046 # the description is split into arguments
  out=$(timed "$rss" gst-launch-1.0 $(pipeline "$@") 2>&1) || {
    echo "pipeline failed: $(pipeline "$@")" >&2
    echo "$out" >&2
    rm -f "$rss"
    exit 1
  }
  secs=$(echo "$out" | sed -n 's/.*Execution ended after \([0-9]*\):\([0-9]*\):\([0-9.]*\).*/\1 \2 \3/p' |
    awk '{ printf "%.4f", $1 * 3600 + $2 * 60 + $3 }')
  kb=$(tail -n 1 "$rss")
  echo "$secs ${kb:-0}"
  rm -f "$rss"
}

# Runs "$@" after $1, writing its peak RSS in KiB to file $1 if it can.
timed () {
  f=$1
  shift
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f %M -o "$f" "$@"
  else
    "$@"
  fi
}

# Median of column $1 of the lines of file $2.
median () {
  cut -d' ' -f"$1" "$2" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
echo "Machine: $(nproc) CPUs ($cpu), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo "Frames: $frames per stream, median of $runs runs; model: ${model:-default}; pattern: $pattern"
echo
echo "| mode | format | size | streams | source alone (ms/frame) | element (ms/frame) | fps, all streams | peak RSS MB (without) |"
echo "| --- | --- | --- | --- | ---: | ---: | ---: | ---: |"

# The runs of one configuration alternate with and without the element, so
# that a slow spell of the machine weighs on both sides alike.
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
for n in $streams; do
  for size in $sizes; do
    for format in $formats; do
      r=0
      while [ $r -lt "$runs" ]; do
        run_once "$n" "$format" "$size" "" >>"$results/without"
        for mode in $modes; do
          run_once "$n" "$format" "$size" "saliency mode=$mode $model !" \
            >>"$results/$mode"
        done
        r=$((r + 1))
      done
      without=$(median 1 "$results/without")
      rss0=$(median 2 "$results/without")
      for mode in $modes; do
        awk -v m="$mode" -v f="$format" -v s="$size" -v n="$n" \
          -v a="$without" -v b="$(median 1 "$results/$mode")" -v k="$frames" \
          -v r0="$rss0" -v r="$(median 2 "$results/$mode")" 'BEGIN {
            printf "| %s | %s | %s | %d | %.1f | %.1f | %.1f | %s |\n",
              m, f, s, n, 1000 * a / (k * n), 1000 * (b - a) / (k * n),
              k * n / b, (r > 0 ? sprintf("%.0f (%.0f)", r / 1024, r0 / 1024) : "-") }'
      done
      rm -f "$results"/*
    done
  done
done
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
