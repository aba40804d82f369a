#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Configures and builds berth into ./build (or $BUILD_DIR).
set -eu
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
werror=false
if [ "${CI:-}" = true ]; then
  werror=true
fi
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dwerror=$werror >/dev/null
fi
ninja -C "$build" >/dev/null
