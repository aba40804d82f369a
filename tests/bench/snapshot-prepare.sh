#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Snapshot benchmark: the median time of the overlay snapshotter's prepare
# of a ~22 MB tree once the chain is checked out (target <= 30 ms), with the
# first checkout (the content store's cost) printed beside it; over the fake
# content store of the tests and, when built, the OSTree module. Prints
# figures and the target; it asserts nothing. Needs root (it mounts, in a
# mount namespace of its own).
#   BUILD_DIR=build tests/bench/snapshot-prepare.sh [--runs N] [--size MB] [--backend NAME]
set -eu
cd "$(dirname "$0")/../.."
build=$(pwd)/${BUILD_DIR:-build}
test -d "$build" || meson setup "$build" >/dev/null
ninja -C "$build" tests/snapshotter/bench-snapshot-prepare snapshotter/libberth-module-overlay.so >/dev/null
# the OSTree module, if this tree builds one
ninja -C "$build" content-store/libberth-module-ostree.so >/dev/null 2>&1 || true

BERTH_TEST_OVERLAY_MODULE=$build/snapshotter/libberth-module-overlay.so \
BERTH_TEST_CONTENT_STORE=$build/content-store/libberth-module-ostree.so \
  "$build/tests/snapshotter/bench-snapshot-prepare" --runs 50 "$@"
