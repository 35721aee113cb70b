#!/bin/sh
# The element in gst-launch-1.0 pipelines: every mode and format, the map
# written to a file, the per-frame messages.
# shellcheck disable=SC2086 # $model: see common.sh
. "$(dirname "$0")/common.sh"

require_elements videotestsrc videoconvert fakesink filesink

for mode in overlay map none; do
  for format in RGBx BGRx RGBA BGRA RGB BGR I420 NV12 GRAY8; do
    launch videotestsrc num-buffers=3 pattern=ball ! \
        video/x-raw,format=$format,width=96,height=64 ! \
        saliency $model mode=$mode ! videoconvert ! fakesink
  done
done

# Any size, from any format, through videoconvert on both sides.
launch videotestsrc num-buffers=5 pattern=smpte ! \
    video/x-raw,width=161,height=91 ! videoconvert ! \
    saliency $model colormap=inferno alpha=0.7 ! videoconvert ! fakesink

# The map to a file: 5 GRAY8 frames of 64x48 (rows of 64 bytes: no padding).
launch videotestsrc num-buffers=5 pattern=ball ! \
    video/x-raw,width=64,height=48 ! saliency $model mode=map ! \
    filesink location="$work/map.gray"
size=$(stat -c %s "$work/map.gray")
[ "$size" -eq $((5 * 64 * 48)) ] || fail "map file has $size bytes"

# The map is a picture: the bright part is not everywhere.
bright=$(od -An -v -tu1 -w1 "$work/map.gray" | awk '$1 > 200 { n++ } END { print n + 0 }')
if [ "$bright" -eq 0 ] || [ "$bright" -ge $((5 * 64 * 48 / 2)) ]; then
  fail "$bright of $((5 * 64 * 48)) map pixels are above 200"
fi

# One element message per frame with -m.
messages=$(gst-launch-1.0 -m videotestsrc num-buffers=7 pattern=ball ! \
    video/x-raw,width=64,height=48 ! \
    saliency $model mode=none post-messages=true ! fakesink 2>&1 | \
    grep -c '(element): saliency, ' || true)
[ "$messages" -eq 7 ] || fail "$messages saliency messages for 7 frames"

echo "ok"
