# Shared by the live tests: sourced, not run. Builds on the pipeline tests'
# helpers (scratch folder, launch, fail, require_elements).

. "$(dirname "$0")/../pipelines/common.sh"

live_dir=$(cd "$(dirname "$0")" && pwd)
schema="${SALIENCY_SOURCE_ROOT:-$live_dir/../..}/docs/saliency-record.schema.json"

# Validates records against the schema; the rest of the arguments are
# check_records.py's. Prints its JSON summary.
check_records () {
  /usr/bin/python3 "$live_dir/check_records.py" "$schema" "$@" || {
    rc=$?
    [ "$rc" -eq $SKIP ] && exit $SKIP
    fail "records do not check out"
  }
}

# A field of the JSON on stdin, by a Python expression on r.
json_get () {
  /usr/bin/python3 -c "import json, sys; r = json.load(sys.stdin); print($1)"
}

# A free TCP port on the loopback interface.
free_port () {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something listens on 127.0.0.1:$1 (10 s at most).
wait_port () {
  /usr/bin/python3 - "$1" <<'PY' || fail "nothing listens on port $1"
import socket, sys, time
deadline = time.time() + 10
while time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
PY
}

# MQTT: a real mosquitto on loopback, anonymous, no persistence.
require_mqtt () {
  for tool in mosquitto mosquitto_sub; do
    command -v $tool >/dev/null 2>&1 || [ -x /usr/sbin/$tool ] || {
      echo "SKIP: no $tool (Debian package mosquitto, mosquitto-clients)" >&2
      exit $SKIP
    }
  done
  gst-inspect-1.0 saliencypublish | grep -q '): mqtt' || {
    echo "SKIP: saliencypublish built without libmosquitto" >&2
    exit $SKIP
  }
  mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
  broker_port=$(free_port)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' \
      "$broker_port" > "$work/mosquitto.conf"
  broker_pid=""
  sub_pid=""
  trap 'stop_subscriber; stop_broker; rm -rf "$work"' EXIT
  # Killed (a test timeout): still end the broker and subscriber.
  trap 'exit 143' TERM
  trap 'exit 130' INT
}

start_broker () {
  "$mosquitto" -c "$work/mosquitto.conf" >>"$work/broker.log" 2>&1 &
  broker_pid=$!
  wait_port "$broker_port"
}

# Ends a process this test started, by its id ("" for none).
end_process () {
  if [ -n "$1" ]; then
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
  fi
}

stop_broker () {
  end_process "$broker_pid"
  broker_pid=""
}

# Subscribes to topic $1, writing 'TOPIC RECEIVE-TIME PAYLOAD' lines to $2;
# returns once the subscription is active (a probe message came back; the
# checker skips probe/ lines).
start_subscriber () {
  [ -z "$sub_pid" ] || fail "a subscriber is already running"
  mosquitto_sub -h 127.0.0.1 -p "$broker_port" -q 1 -t "$1" -t 'probe/#' \
      -F '%t %U %p' > "$2" 2>>"$work/sub.log" &
  sub_pid=$!
  for _ in $(seq 100); do
    mosquitto_pub -h 127.0.0.1 -p "$broker_port" -t probe/ready -m x \
        2>/dev/null || true
    grep -q '^probe/ready ' "$2" && return
    sleep 0.05
  done
  fail "the subscriber did not come up"
}

stop_subscriber () {
  end_process "$sub_pid"
  sub_pid=""
}
