#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The whole test suite: installs what it needs, builds, runs every test.
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh
build=${BUILD_DIR:-build}

status=0
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || status=$?

# the same modules, linked into berthd (one meson switch)
builtin_log=$(mktemp)
scripts/check-builtin.sh >"$builtin_log" 2>&1 || status=1
cat "$builtin_log"

# the README's main command, end to end: the remote file is listed from
# inside a container
demo_log=$(mktemp)
if scripts/demo.sh >"$demo_log" 2>&1 && grep -qx "hello.txt" "$demo_log" \
  && grep -qx "hello from the remote side" "$demo_log"; then
  echo "ok - the README's main command (scripts/demo.sh) lists the remote file from a container" \
    | tee -a "$builtin_log"
else
  cat "$demo_log"
  echo "not ok - the README's main command (scripts/demo.sh)" | tee -a "$builtin_log"
  status=1
fi
rm -f "$demo_log"

# one closing line with the count of test cases (each TAP "ok"/"not ok")
log="$build/meson-logs/testlog.txt"
if [ -f "$log" ]; then
  awk '
    /^ok [0-9]+ .*# SKIP/ { skipped++; next }
    /^ok [0-9]+/          { passed++; next }
    /^ok - /              { passed++; next }
    /^not ok [0-9]+/      { failed++; next }
    /^not ok - /          { failed++; next }
    END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }
  ' "$log" "$builtin_log"
fi
rm -f "$builtin_log"
exit $status
