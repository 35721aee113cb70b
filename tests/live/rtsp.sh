#!/bin/sh
# An RTSP camera: the test server (gst-rtsp-server, $1) serves H.264 on
# loopback; rtspsrc over TCP ! decodebin ! videoconvert ! saliency
# source-id=cam1 ! saliencypublish to a file and to a real mosquitto: every
# frame that reaches the sink has its record in the file and its message
# at the subscriber, each with the source, a UTC time and the regions.
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
start_subscriber 'saliency/#' "$work/sub.txt"

# Three seconds of stream; rtspsrc ends when the server's stream does.
frames=90
"$server" $frames > "$work/server.port" 2>"$work/server.log" &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; stop_subscriber; stop_broker; rm -rf "$work"' EXIT
for _ in $(seq 100); do
  [ -s "$work/server.port" ] && break
  sleep 0.05
done
rtsp_port=$(cat "$work/server.port")
[ -n "$rtsp_port" ] || fail "the RTSP server did not start: $(cat "$work/server.log")"

# docs/live.md's RTSP recipe, with both outputs.
gst-launch-1.0 -v rtspsrc location=rtsp://127.0.0.1:$rtsp_port/test \
    protocols=tcp latency=200 add-reference-timestamp-meta=true ! \
    decodebin ! videoconvert ! \
    saliency $model mode=none source-id=cam1 stats-interval=1000000000 ! \
    saliencypublish method=file location="$work/out.jsonl" ! \
    saliencypublish method=mqtt address=127.0.0.1:$broker_port ! \
    fakesink silent=false > "$work/client.log" 2>&1 &
client=$!
for _ in $(seq 300); do
  kill -0 $client 2>/dev/null || break
  sleep 0.1
done
if kill -0 $client 2>/dev/null; then
  kill -KILL $client
  tail -30 "$work/client.log" >&2
  fail "the client pipeline did not end within 30 s"
fi
wait $client || { tail -20 "$work/client.log" >&2; fail "the client pipeline failed"; }
sleep 0.3
stop_subscriber

rendered=$(grep -c 'last-message = chain' "$work/client.log" || true)
[ "$rendered" -ge $((frames - 5)) ] || fail "only $rendered of $frames frames reached fakesink"
echo "$rendered of $frames frames at the sink"
check_records "$work/out.jsonl" --count "$rendered" --all-frames "$rendered" \
    --source cam1 --regions --stats | json_get '"file: %d records, time sources %s" % (r["records"], r["time_sources"])'
summary=$(check_records "$work/sub.txt" --mqtt --topic saliency/cam1 \
    --count "$rendered" --all-frames "$rendered" --source cam1 --regions)
echo "$summary" | json_get '"mqtt: %d messages, time sources %s, max delay %.3f s" % (r["records"], r["time_sources"], r["max_delay"])'

# RTSP output: the same server serving the heatmap overlay (docs/live.md).
kill $server_pid
"$server" 30 320x180 "saliency $model ! videoconvert" > "$work/overlay.port" \
    2>"$work/server.log" &
server_pid=$!
for _ in $(seq 100); do
  [ -s "$work/overlay.port" ] && break
  sleep 0.05
done
timeout 60 gst-launch-1.0 -v rtspsrc \
    location=rtsp://127.0.0.1:$(cat "$work/overlay.port")/test protocols=tcp ! \
    decodebin ! fakesink silent=false > "$work/overlay.log" 2>&1 || \
    { tail -20 "$work/overlay.log" "$work/server.log" >&2; fail "reading the overlay over RTSP failed"; }
overlay=$(grep -c 'last-message = chain' "$work/overlay.log" || true)
[ "$overlay" -ge 25 ] || fail "$overlay of 30 overlay frames over RTSP"
echo "overlay over RTSP: $overlay of 30 frames"
echo "ok"
