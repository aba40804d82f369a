#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# berth's main job, as a tutorial: build, start berthd on a temporary root,
# create the example sshfs plugin from this tree, set it up, enable it,
# look at it, and clean everything up. Run as root.
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
    berth plugin rm -f vieux/sshfs >/dev/null 2>&1 || true
    kill -TERM "$pid"; wait "$pid" || true
  fi
  grep -o " $tmp[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ -t 1 ]; then bold='\033[1m' plain='\033[0m'; else bold='' plain=''; fi
say() { printf "\n${bold}# %s${plain}\n" "$*"; }
step() { printf "${bold}\$ %s${plain}\n" "$*"; "$@"; }

say "start berthd on a temporary root, with the modules this build made"
export BERTH_RUN_DIR=$tmp/run
printf "${bold}\$ BERTH_MODULE_DIR=%s berthd --root %s --run-dir %s &${plain}\n" \
  "$build/modules-1" "$tmp/root" "$tmp/run"
BERTH_MODULE_DIR=$build/modules-1 berthd --root "$tmp/root" --run-dir "$tmp/run" \
  2>"$tmp/berthd.log" &
pid=$!
i=0
until berth version >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 500 ] || ! kill -0 "$pid" 2>/dev/null; then
    echo "demo: berthd did not start:" >&2; cat "$tmp/berthd.log" >&2; exit 1
  fi
  sleep 0.01
done
step berth version
step berth system info

say "create the example sshfs plugin (config.json + rootfs/, built from this tree)"
step berth plugin create vieux/sshfs "$build/examples/plugins/sshfs/plugin"
step berth plugin ls

say "give it a state directory and a key directory, then enable it"
mkdir -p "$tmp/state" "$tmp/keys"
step berth plugin set vieux/sshfs "state.source=$tmp/state" "sshkey.source=$tmp/keys" DEBUG=1
step berth plugin enable vieux/sshfs
step berth plugin ls
step berth plugin inspect --format '{{.Name}}: {{.Settings.Env}}, socket {{.Config.Interface.Socket}}, pid {{.State.Pid}}' vieux/sshfs
step berth plugin logs --tail 3 vieux/sshfs

say "disable it and remove it"
step berth plugin disable vieux/sshfs
step berth plugin rm vieux/sshfs
step berth plugin ls

say "stop berthd"
printf "${bold}\$ kill -TERM %s${plain}\n" "$pid"
kill -TERM "$pid"; wait "$pid"; pid=
echo "berthd stopped; $tmp removed."
