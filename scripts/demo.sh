#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# berth's main job, as a tutorial: build, start berthd on a temporary root,
# ask it about itself, stop it. Grows with berth into the whole plugin story.
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh
build=$(pwd)/${BUILD_DIR:-build}
PATH=$build/cli:$build/daemon:$PATH

tmp=$(mktemp -d /tmp/berth-demo.XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; wait "$pid" || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

export BERTH_RUN_DIR=$tmp/run
printf '\033[1m$ berthd --root %s --run-dir %s &\033[0m\n' "$tmp/root" "$tmp/run"
berthd --root "$tmp/root" --run-dir "$tmp/run" &
pid=$!
# berthd is ready when its socket answers
i=0
until berth version >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 500 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "demo: berthd did not start" >&2; exit 1
  fi
  sleep 0.01
done

step berth version
step berth system info
printf '\n\033[1m$ kill -TERM %s\033[0m\n' "$pid"
kill -TERM "$pid"; wait "$pid"; pid=
echo "berthd stopped; $tmp removed."
