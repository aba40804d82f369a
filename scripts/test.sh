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
