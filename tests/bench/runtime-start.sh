#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runtime benchmark: the median start time of a busybox container (its
# process is /bin/true) through the runtime module's start(), that is one
# `runc run --detach` from a bundle whose config.json the spec generator
# wrote, beside the same runc command run by hand. Context: issue 4 counted
# on ~25 ms per runc start on this kind of machine; it measures ~63 ms here
# (2026-11), two Go runtimes started per container on a VM where a page
# fault costs ~12 us. Prints figures; it
# asserts nothing. Needs root, runc and busybox-static (crun with
# --runtime crun, where the host's cgroups allow it).
#   BUILD_DIR=build tests/bench/runtime-start.sh [--runs N] [--runtime runc|crun]
set -eu
cd "$(dirname "$0")/../.."
build=$(pwd)/${BUILD_DIR:-build}
test -d "$build" || meson setup "$build" >/dev/null
if grep -q '"name": "builtin_modules", "value": true' "$build/meson-info/intro-buildoptions.json"; then
  module=builtin:runtime
  ninja -C "$build" tests/runtime/bench-runtime-start >/dev/null
else
  module=$build/modules/runtime/libberth-module-runtime.so
  ninja -C "$build" tests/runtime/bench-runtime-start modules/runtime/libberth-module-runtime.so >/dev/null
fi

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
BERTH_TEST_RUNTIME_MODULE=$module "$build/tests/runtime/bench-runtime-start" --runs 30 "$@"
