#!/bin/sh
# Issue 13: several saliency elements in one process, started many times,
# with an empty kernel cache and with a warm one. Any abort fails the test.
#
# usage: starts.sh N_RUNS N_ELEMENTS
set -eu

runs=$1
n=$2
cache=$(mktemp -d "${TMPDIR:-/tmp}/saliency-stress.XXXXXX")
trap 'rm -rf "$cache"' EXIT
export SALIENCY_CACHE_DIR="$cache/kernels"

gst-inspect-1.0 saliency >/dev/null 2>&1 || \
  { echo "FAIL: no saliency element in ${GST_PLUGIN_PATH_1_0:-the plugin path}" >&2; exit 1; }

pipeline=""
i=0
for pattern in ball smpte checkers-8 bar snow zone-plate circular gamut; do
  [ "$i" -lt "$n" ] || break
  pipeline="$pipeline videotestsrc pattern=$pattern num-buffers=10 !
    video/x-raw,format=I420,width=640,height=360 ! saliency !
    fakesink sync=false"
  i=$((i + 1))
done

for cache_state in cold warm; do
  for run in $(seq 1 "$runs"); do
    [ "$cache_state" = cold ] && rm -rf "$SALIENCY_CACHE_DIR"
    rc=0
    # shellcheck disable=SC2086
    gst-launch-1.0 -q $pipeline >"$cache/log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
      cat "$cache/log" >&2
      echo "FAIL: $n elements, $cache_state cache, run $run: exit $rc" >&2
      exit 1
    fi
  done
  [ -n "$(ls "$SALIENCY_CACHE_DIR")" ] || { echo "FAIL: no kernel cache written" >&2; exit 1; }
  echo "ok: $runs starts of $n elements, $cache_state cache"
done
