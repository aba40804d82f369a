#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Builds berthd with every module linked in (-Dbuiltin_modules=true) and
# checks that it serves them with an empty module directory.
set -eu
cd "$(dirname "$0")/.."
build=${BUILTIN_BUILD_DIR:-build-builtin}
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dbuiltin_modules=true -Dtests=false >/dev/null
fi
ninja -C "$build" daemon/berthd cli/berth >/dev/null
tmp=$(mktemp -d /tmp/berth-builtin.XXXXXX)
mkdir -p "$tmp/empty"
BERTH_MODULE_DIR=$tmp/empty "$build/daemon/berthd" --root "$tmp/root" --run-dir "$tmp/run" 2>"$tmp/log" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
export BERTH_ADDRESS="unix:path=$tmp/run/berth.sock"
i=0
until "$build/cli/berth" version >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 500 ] || { cat "$tmp/log" >&2; exit 1; }
  sleep 0.01
done
info=$("$build/cli/berth" system info)
status=0
for kind_name in "content-store ostree" "snapshotter overlay" "runtime runc"; do
  set -- $kind_name
  if echo "$info" | grep -Eq "^ $1 +$2 +[a-z]+ +active"; then
    echo "ok - built-in $1 $2 is active"
  else
    echo "not ok - built-in $1 $2 is not active"; status=1
  fi
done
exit $status
