# The saliency element runs a ViNet-S model file: a random checkpoint,
# converted, on a short H.264 clip decoded and re-encoded; every frame must
# come out. Needs Debian's python3-torch for the checkpoint (skip without).
# shellcheck source=../pipelines/common.sh
. "$(dirname "$0")/../pipelines/common.sh"

FRAMES=4
here=$(dirname "$0")
tools=${SALIENCY_SOURCE_ROOT:-$here/../..}/tools

require_elements videotestsrc x264enc mp4mux qtdemux h264parse avdec_h264 \
  decodebin
/usr/bin/python3 -c 'import torch' 2>/dev/null || \
  { echo "SKIP: no python3-torch for the checkpoint" >&2; exit $SKIP; }

/usr/bin/python3 "$here/vinet_common.py" checkpoint "$work/vinet.pth" 11
/usr/bin/python3 "$tools/convert_vinet.py" "$work/vinet.pth" \
  "$work/vinet.safetensors"

launch videotestsrc num-buffers=$FRAMES pattern=ball ! \
  video/x-raw,width=320,height=180,framerate=25/1 ! videoconvert ! \
  x264enc ! mp4mux ! filesink location="$work/clip.mp4"
launch filesrc location="$work/clip.mp4" ! decodebin ! videoconvert ! \
  saliency model="$work/vinet.safetensors" ! videoconvert ! x264enc ! \
  mp4mux ! filesink location="$work/out.mp4"

n=$(count_frames "$work/out.mp4")
echo "frames out: $n of $FRAMES"
[ "$n" -eq $FRAMES ] || fail "wrote $n frames, expected $FRAMES"
