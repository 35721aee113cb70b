#!/bin/sh
# The pipeline of the README, on a clip made here and on any clip given as
# $1: decode, draw the heatmap, encode to MP4. Every frame must come out.
# With $2, the number of frames the clip has; otherwise it is counted.
# shellcheck disable=SC2086 # $model: see common.sh
. "$(dirname "$0")/common.sh"

require_elements videotestsrc videoconvert decodebin x264enc mp4mux \
    qtdemux h264parse avdec_h264

if [ $# -ge 1 ]; then
  clip=$1
  if [ ! -e "$clip" ]; then
    echo "SKIP: $clip is absent (../shared is not here)" >&2
    exit $SKIP
  fi
else
  clip="$work/clip.mp4"
  launch videotestsrc num-buffers=45 pattern=ball ! \
      video/x-raw,width=176,height=144,framerate=15/1 ! x264enc ! mp4mux ! \
      filesink location="$clip"
fi

frames_in=$(count_frames "$clip")
if [ $# -ge 2 ]; then
  [ "$frames_in" -eq "$2" ] || fail "$clip has $frames_in frames, not $2"
elif [ $# -eq 0 ]; then
  [ "$frames_in" -eq 45 ] || fail "the generated clip has $frames_in frames"
fi
[ "$frames_in" -gt 0 ] || fail "no frames in $clip"

launch filesrc location="$clip" ! decodebin ! videoconvert ! \
    saliency $model mode=overlay ! videoconvert ! x264enc ! mp4mux ! \
    filesink location="$work/out.mp4"

frames_out=$(count_frames "$work/out.mp4")
echo "$clip: $frames_in frames in, $frames_out out"
[ "$frames_out" -eq "$frames_in" ] || \
    fail "$frames_in frames in, $frames_out frames out"

echo "ok"
