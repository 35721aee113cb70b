#!/bin/sh
# Sets up (packages, build into ./build) and runs the whole test suite.
# Tests needing ../shared skip cleanly when it is absent.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/pipelines/setup.sh"
cd "$top"
meson test -C build --print-errorlogs --num-processes 2 "$@"
