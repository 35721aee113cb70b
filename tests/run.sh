#!/bin/sh
# Sets up (packages, build into ./build) and runs the whole test suite.
# Tests needing ../shared skip cleanly when it is absent.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
"$top/pipelines/setup.sh"
cd "$top"
rc=0
meson test -C build --print-errorlogs --num-processes 2 "$@" || rc=$?
# One plain summary line that any CI reads.
/usr/bin/python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
n = {"OK": 0, "FAIL": 0, "SKIP": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)["result"]
    key = "OK" if r in ("OK", "EXPECTEDFAIL") else "SKIP" if r == "SKIP" else "FAIL"
    n[key] += 1
print(f"tests: {n['OK']} passed, {n['FAIL']} failed, {n['SKIP']} skipped")
PY
exit $rc
