# Shared by the pipeline tests: sourced, not run.
#
# The environment comes from meson: GST_PLUGIN_PATH_1_0 names the build
# folder of the plugin, the system plugins are found as usual, and
# SALIENCY_TEST_MODEL, when set, is passed as the model property.

set -eu

SKIP=77

# A scratch folder, removed on exit.
work=$(mktemp -d "${TMPDIR:-/tmp}/saliency-pipelines.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Empty or one word: used unquoted so that empty is no argument at all.
# shellcheck disable=SC2034
model=${SALIENCY_TEST_MODEL:+model=$SALIENCY_TEST_MODEL}

fail () {
  echo "FAIL: $*" >&2
  exit 1
}

# Skips the test unless every element named exists (plugins of other
# packages: x264enc is in gst-plugins-ugly, avdec_h264 in gst-libav).
require_elements () {
  for element in "$@"; do
    if ! gst-inspect-1.0 --exists "$element"; then
      echo "SKIP: no $element element" >&2
      exit $SKIP
    fi
  done
}

# The element under test must be there. (Not with --exists: that also
# wants the plugin's version to be at least GStreamer's.)
gst-inspect-1.0 saliency >/dev/null 2>&1 || \
  { echo "FAIL: no saliency element in ${GST_PLUGIN_PATH_1_0:-the plugin path}" >&2; exit 1; }

# Runs gst-launch-1.0 with the rest of the arguments, failing the test on
# any error.
launch () {
  echo "gst-launch-1.0 $*" >&2
  gst-launch-1.0 -q "$@" || fail "gst-launch-1.0 $* exited with $?"
}

# Prints the number of video frames decoded from the H.264 track of an MP4.
count_frames () {
  gst-launch-1.0 -v filesrc location="$1" ! qtdemux name=demux \
      demux.video_0 ! queue ! h264parse ! avdec_h264 ! \
      fakesink silent=false 2>&1 | grep -c 'last-message = chain' || true
}
