#!/bin/sh
# The main job: set up, then run a gst-launch-1.0 pipeline through
# `saliency` and write an overlay video.
#
#   pipelines/demo.sh                 synthetic moving scene (videotestsrc)
#   pipelines/demo.sh clip.mp4        any file GStreamer can decode
#   pipelines/demo.sh /dev/video0     a V4L2 camera (300 frames)
#
# Output: saliency-overlay.mp4 in the current folder (OUT=path to change).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/pipelines/setup.sh"

export GST_PLUGIN_PATH="$top/build/plugins/element${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
input=${1:-}
out=${OUT:-saliency-overlay.mp4}
frames=${FRAMES:-300}

case "$input" in
  "")
    echo "demo: no input given: a synthetic moving scene ($frames frames)"
    src="videotestsrc pattern=ball motion=sweep num-buffers=$frames !
      video/x-raw,width=640,height=360,framerate=30/1" ;;
  /dev/video*)
    src="v4l2src device=$input num-buffers=$frames ! videoconvert" ;;
  *)
    [ -r "$input" ] || { echo "demo: cannot read $input" >&2; exit 1; }
    src="filesrc location=$input ! decodebin ! videoconvert" ;;
esac

log=$(mktemp)
trap 'rm -f "$log"' EXIT
# -m prints the element's per-frame messages: we count them for the fps.
# shellcheck disable=SC2086
gst-launch-1.0 -m -e $src ! videoconvert ! \
  saliency mode=overlay post-messages=true ! videoconvert ! \
  x264enc speed-preset=veryfast ! mp4mux ! filesink location="$out" \
  >"$log" 2>&1 || { cat "$log" >&2; exit 1; }

n=$(grep -c 'from element "saliency0" (element): saliency' "$log" || true)
t=$(sed -n 's/^Execution ended after \([0-9:.]*\).*/\1/p' "$log" |
  awk -F: '{ print $1 * 3600 + $2 * 60 + $3 }')
awk -v n="$n" -v t="$t" -v out="$out" 'BEGIN {
  printf "demo: wrote %s: %d frames in %.2f s: %.1f fps (decode + saliency + encode)\n",
    out, n, t, (t > 0 ? n / t : 0) }'
