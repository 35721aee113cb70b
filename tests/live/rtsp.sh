#!/bin/sh
# An RTSP camera: the test server (gst-rtsp-server, $1) serves H.264 on
# loopback; rtspsrc over TCP ! decodebin ! videoconvert ! saliency
# source-id=cam1 ! saliencypublish to a file and to a real mosquitto:
# - every frame that reaches the sink has its record in the file and its
#   message at the subscriber, each with the source, a UTC time and the
#   regions;
# - the broker killed and restarted mid-stream: every frame still reaches
#   the sink and the file, and publishing resumes up to the last frame;
# - RTSP output: the server serving saliency's overlay, read back.
# shellcheck disable=SC2086 # $model: see ../pipelines/common.sh
. "$(dirname "$0")/common.sh"

server=${1:-}
if [ -z "$server" ]; then
  echo "SKIP: no RTSP test server (gst-rtsp-server, libgstrtspserver-1.0-dev)" >&2
  exit $SKIP
fi
require_elements rtspsrc rtph264depay avdec_h264 decodebin videoconvert fakesink
require_mqtt
start_broker

server_pid=""
trap 'end_process "$server_pid"; stop_subscriber; stop_broker; rm -rf "$work"' EXIT

# start_server FRAMES [SIZE [FILTER]]: a stream of FRAMES at 30 fps on
# rtsp://127.0.0.1:$rtsp_port/test; rtspsrc ends when it does.
start_server () {
  end_process "$server_pid"
  rm -f "$work/server.port"
  "$server" "$@" > "$work/server.port" 2>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 100); do
    [ -s "$work/server.port" ] && break
    sleep 0.05
  done
  rtsp_port=$(cat "$work/server.port")
  [ -n "$rtsp_port" ] || fail "the RTSP server did not start: $(cat "$work/server.log")"
}

# start_client SOURCE [PUBLISH-PROPERTIES]: docs/live.md's RTSP recipe
# with both outputs, in the background ($client); $work/SOURCE.log and
# $work/SOURCE.jsonl.
start_client () {
  gst-launch-1.0 -v rtspsrc location=rtsp://127.0.0.1:$rtsp_port/test \
      protocols=tcp latency=200 add-reference-timestamp-meta=true ! \
      decodebin ! videoconvert ! \
      saliency $model mode=none source-id=$1 stats-interval=500000000 ! \
      saliencypublish method=file location="$work/$1.jsonl" ! \
      saliencypublish method=mqtt address=127.0.0.1:$broker_port ${2:-} ! \
      fakesink silent=false > "$work/$1.log" 2>&1 &
  client=$!
}

# wait_client SOURCE: sets $rendered, the number of frames at the sink.
wait_client () {
  for _ in $(seq 300); do
    kill -0 $client 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 $client 2>/dev/null; then
    kill -KILL $client
    tail -30 "$work/$1.log" >&2
    fail "the client pipeline did not end within 30 s"
  fi
  wait $client || { tail -20 "$work/$1.log" >&2; fail "the client pipeline failed"; }
  rendered=$(grep -c 'last-message = chain' "$work/$1.log" || true)
}

# 1. Three seconds of camera: every frame in the file and at the subscriber.
frames=90
start_server $frames
start_subscriber 'saliency/cam1' "$work/cam1.sub"
start_client cam1
wait_client cam1
sleep 0.3
stop_subscriber
[ "$rendered" -ge $((frames - 5)) ] || fail "only $rendered of $frames frames reached fakesink"
echo "$rendered of $frames frames at the sink"
check_records "$work/cam1.jsonl" --count "$rendered" --all-frames "$rendered" \
    --source cam1 --regions --stats | json_get '"file: %d records, time sources %s" % (r["records"], r["time_sources"])'
summary=$(check_records "$work/cam1.sub" --mqtt --topic saliency/cam1 \
    --count "$rendered" --all-frames "$rendered" --source cam1 --regions)
echo "$summary" | json_get '"mqtt: %d messages, time sources %s, max delay %.3f s" % (r["records"], r["time_sources"], r["max_delay"])'

# 2. Four seconds, the broker away for one of them.
frames=120
start_server $frames
start_subscriber 'saliency/cam2' "$work/cam2.sub"
start_client cam2 queue-size=10
for _ in $(seq 100); do
  grep -q '^saliency/cam2 ' "$work/cam2.sub" && break
  sleep 0.05
done
sleep 0.7
stop_broker
sleep 1
start_broker
wait_client cam2
sleep 0.3
stop_subscriber
[ "$rendered" -ge $((frames - 5)) ] || fail "only $rendered of $frames frames reached fakesink"
check_records "$work/cam2.jsonl" --count "$rendered" --all-frames "$rendered" \
    --source cam2 > /dev/null
grep -q 'No connection to the MQTT broker' "$work/cam2.log" || fail "no warning on the bus"
check_records "$work/cam2.sub" --mqtt --topic saliency/cam2 --source cam2 \
    --regions | /usr/bin/python3 -c '
import json, sys
r, n = json.load(sys.stdin), int(sys.argv[1])
frames = r["frames"]
gaps = [(a, b) for a, b in zip(frames, frames[1:]) if b != a + 1]
print(f"broker restarted: {n} frames at the sink and in the file; "
      f"{len(frames)} received, gaps {gaps}")
if frames[0] > 5 or not gaps or frames[-1] != n - 1:
    sys.exit("FAIL: expected the first frames, a gap, and the last frame")
' "$rendered" || fail "publishing did not resume"

# 3. RTSP output: the server serving the heatmap overlay (docs/live.md).
start_server 30 320x180 "saliency $model ! videoconvert"
timeout 60 gst-launch-1.0 -v rtspsrc \
    location=rtsp://127.0.0.1:$rtsp_port/test protocols=tcp ! \
    decodebin ! fakesink silent=false > "$work/overlay.log" 2>&1 || \
    { tail -20 "$work/overlay.log" "$work/server.log" >&2; fail "reading the overlay over RTSP failed"; }
overlay=$(grep -c 'last-message = chain' "$work/overlay.log" || true)
[ "$overlay" -ge 25 ] || fail "$overlay of 30 overlay frames over RTSP"
echo "overlay over RTSP: $overlay of 30 frames"
echo "ok"
