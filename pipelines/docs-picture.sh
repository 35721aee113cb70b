#!/bin/sh
# Renders docs/images/overlay.png with the built element: frame 45 of a
# synthetic scene (videotestsrc's moving ball over muted SMPTE bars), with
# the heatmap blended in. Run after a build: pipelines/docs-picture.sh [OUT]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/docs/images/overlay.png}
export GST_PLUGIN_PATH="$top/build/plugins/element${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

caps="width=480,height=270,framerate=30/1"
gst-launch-1.0 -q \
  compositor name=mix ! "video/x-raw,$caps" ! videoconvert ! \
  saliency mode=overlay colormap=turbo alpha=0.5 ! videoconvert ! pngenc ! \
  multifilesink location="$tmp/%03d.png" \
  videotestsrc pattern=smpte num-buffers=46 ! "video/x-raw,$caps" ! \
    videobalance saturation=0.4 ! mix.sink_0 \
  videotestsrc pattern=ball motion=sweep background-color=0x00000000 \
    num-buffers=46 ! "video/x-raw,format=AYUV,$caps" ! mix.sink_1
cp "$tmp/045.png" "$out"
echo "wrote $out"
