#!/bin/sh
# Installs what is missing (Debian 12 packages) and builds into ./build.
# Sourced by the Quick start scripts; safe to run again (does only what is
# missing).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)

SAL_PACKAGES="build-essential meson ninja-build pkg-config
  libglib2.0-dev libglib2.0-dev-bin
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  libx264-dev libx265-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  libjson-glib-dev libmosquitto-dev mosquitto mosquitto-clients
  libgstrtspserver-1.0-dev jq python3-jsonschema time
  python3 python3-numpy python3-pil python3-torch python3-opencv opencv-data"

missing=""
for p in $SAL_PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing:$missing"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
    --no-install-recommends $missing
fi

cd "$top"
if [ ! -f build/build.ninja ]; then
  meson setup build --werror
fi
ninja -C build
