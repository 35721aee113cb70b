#!/bin/sh
# saliencypublish method=mqtt against a real mosquitto on loopback: one
# message per frame with source, UTC time and regions on saliency/cam1;
# the broker is killed mid-stream and restarted on the same port: every
# frame still reaches the sink (and the file publisher beside it), the
# loss is a warning, publishing resumes, and the dropped messages are
# counted in the stats.
# shellcheck disable=SC2086 # $model: see ../pipelines/common.sh
. "$(dirname "$0")/common.sh"

require_elements videotestsrc fakesink
require_mqtt
start_broker
start_subscriber 'saliency/#' "$work/sub.txt"

frames=150   # 5 s at 30 fps
GST_TRACERS=leaks GST_DEBUG=GST_TRACER:7 gst-launch-1.0 -m -v videotestsrc is-live=true num-buffers=$frames \
    pattern=ball ! video/x-raw,width=160,height=90,framerate=30/1 ! \
    saliency $model mode=none source-id=cam1 stats-interval=250000000 ! \
    saliencypublish method=file location="$work/all.jsonl" ! \
    saliencypublish method=mqtt address=127.0.0.1:$broker_port queue-size=10 ! \
    fakesink silent=false > "$work/pipeline.log" 2>&1 &
pipeline=$!
start=$(date +%s%N)

# Kill the broker once messages flow, bring it back a second later.
for _ in $(seq 100); do
  grep -q '^saliency/cam1 ' "$work/sub.txt" && break
  sleep 0.05
done
sleep 1
stop_broker
killed_at=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1
start_broker
restarted_at=$(( ($(date +%s%N) - start) / 1000000 ))

wait $pipeline || { tail -20 "$work/pipeline.log" >&2; fail "the pipeline failed"; }
elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 0.3
stop_subscriber

# The pipeline never stalled: every frame at the sink, and in the file,
# in about the stream's own 5 s.
rendered=$(grep -c 'last-message = chain' "$work/pipeline.log" || true)
[ "$rendered" -eq $frames ] || fail "$rendered of $frames frames reached fakesink"
check_records "$work/all.jsonl" --count $frames --all-frames $frames \
    --source cam1 --time-source clock > /dev/null
[ "$elapsed" -lt 8000 ] || fail "$frames live frames took $elapsed ms"

leaked=$(grep -E 'object-alive, type-name=\(string\)[A-Za-z]' "$work/pipeline.log" || true)
[ -z "$leaked" ] || fail "leaks: $leaked"
grep -q 'No connection to the MQTT broker' "$work/pipeline.log" || fail "no warning on the bus"
connected=$(grep -c 'saliencypublish-connection, connected=(boolean)true' \
    "$work/pipeline.log" || true)
[ "$connected" -eq 2 ] || fail "$connected connections, expected 2"

summary=$(check_records "$work/sub.txt" --mqtt --topic saliency/cam1 \
    --source cam1 --regions --time-source clock)
echo "$summary" | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)
frames, n = r["frames"], int(sys.argv[1])
if len(set(frames)) != len(frames):
    sys.exit(f"FAIL: frames received twice: {frames}")
gaps = [(a, b) for a, b in zip(frames, frames[1:]) if b != a + 1]
print(f"{len(frames)} of {n} frames received; gaps {gaps}")
if frames[0] > 5 or len(gaps) < 1:
    sys.exit("FAIL: expected the first frames, then a gap while the broker was away")
if frames[-1] != n - 1:
    sys.exit(f"FAIL: publishing did not resume up to the last frame {n - 1}")
dropped = max(s["dropped_publishes"] for s in r["stats"])
delay = r["max_delay"]
print(f"dropped_publishes up to {dropped}; max delay {delay:.3f} s")
if dropped < 1:
    sys.exit("FAIL: the dropped messages were not counted")
' $frames || fail "MQTT delivery"
echo "broker down from $killed_at ms to $restarted_at ms; pipeline $elapsed ms"
echo "ok"
