#!/bin/bash
# Build Gocker and run its test suites as root; the last line printed is
# "N passed, N failed". Extra arguments go to `meson test` (for example a
# test name, or --suite integration).
set -uo pipefail

SOURCE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$SOURCE_DIR/build"
TESTLOG="$BUILD_DIR/meson-logs/testlog.json"

step() {
  printf '==> %s\n' "$*"
}

fail_early() {
  printf 'tests/run.sh: %s\n' "$*" >&2
  echo "0 passed, 1 failed"
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail_early "run as root: the tests start containers and a private system bus"

"$SOURCE_DIR/setup.sh" --deps-only || fail_early "installing packages failed"

if [ -f "$BUILD_DIR/build.ninja" ]; then
  step "Reconfiguring $BUILD_DIR"
  meson setup --reconfigure "$BUILD_DIR" "$SOURCE_DIR" >/dev/null || fail_early "meson setup failed"
else
  step "Configuring $BUILD_DIR"
  meson setup "$BUILD_DIR" "$SOURCE_DIR" || fail_early "meson setup failed"
fi

step "Building"
ninja -C "$BUILD_DIR" || fail_early "the build failed"

step "Testing"
rm -f "$TESTLOG"
meson test -C "$BUILD_DIR" --print-errorlogs --no-rebuild "$@"
meson_status=$?

# testlog.json has one entry per test. Meson 1.0 does not store TAP subtest
# results there, but it stores the test's stdout, so the TAP lines are
# counted from it: one count per subtest.
summary=$(/usr/bin/python3 - "$TESTLOG" <<'EOF'
import json
import re
import sys

TAP_LINE = re.compile(r"^(not ok|ok)\b[^#]*(#\s*(\w+))?", re.IGNORECASE)
GOOD = ("OK", "EXPECTEDFAIL", "SKIP")

passed = failed = skipped = 0
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
for line in lines:
    if not line.strip():
        continue
    entry = json.loads(line)
    whole = str(entry.get("result")).upper()
    subtests = []
    for out in (entry.get("stdout") or "").splitlines():
        match = TAP_LINE.match(out)
        if not match:
            continue
        directive = (match.group(3) or "").upper()
        if directive == "SKIP":
            subtests.append("SKIP")
        elif match.group(1).lower() == "ok" or directive == "TODO":
            subtests.append("OK")
        else:
            subtests.append("FAIL")
    if not subtests:
        subtests = [whole]
    for outcome in subtests:
        if outcome == "SKIP":
            skipped += 1
        elif outcome in GOOD:
            passed += 1
        else:
            failed += 1
    # A TAP program whose listed subtests all passed can still fail as a
    # whole (timeout, crash, short plan): count that as one more failure.
    if whole not in GOOD and all(o in GOOD for o in subtests):
        failed += 1
if passed + failed == 0 and skipped == 0:
    failed = 1
if skipped:
    print("%d skipped" % skipped)
print("%d passed, %d failed" % (passed, failed))
EOF
)

# meson's own verdict wins when the counts missed a failure.
last=$(printf '%s\n' "$summary" | tail -n 1)
if [ "$meson_status" -ne 0 ] && [[ "$last" == *", 0 failed" ]]; then
  summary=$(printf '%s\n' "$summary" | sed '$ s/, 0 failed$/, 1 failed/')
fi
echo "$summary"
[[ "$summary" == *", 0 failed" ]] && [ "$meson_status" -eq 0 ]
