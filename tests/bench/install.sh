#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Registry benchmark (issue 6): `plugin install` (pull, verify, store,
# enable) and `plugin push` of the example sshfs plugin against a
# docker-registry on 127.0.0.1, as whole CLI commands (medians). Where
# dockerd is installed, the same plugin and registry through docker, side by
# side. Prints figures and ratios; asserts nothing. Run as root.
set -eu
cd "$(dirname "$0")/../.."
scripts/bootstrap.sh
scripts/build.sh
build=$(pwd)/${BUILD_DIR:-build}
runs=${RUNS:-7}
plugin_dir=$build/examples/plugins/sshfs/plugin
B=$build/cli/berth

tmp=$(mktemp -d /tmp/berth-bench-install.XXXXXX)
bpid= dpid= rpid=
cleanup() {
  if [ -n "$bpid" ]; then
    $B plugin ls -q --no-trunc 2>/dev/null | xargs -r "$B" plugin rm -f >/dev/null 2>&1 || true
    kill -TERM "$bpid" 2>/dev/null || true
  fi
  if [ -n "$dpid" ]; then
    $D plugin ls -q --no-trunc 2>/dev/null | xargs -r $D plugin rm -f >/dev/null 2>&1 || true
    kill -TERM "$dpid" 2>/dev/null || true
  fi
  if [ -n "$rpid" ]; then kill -TERM "$rpid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  grep -o " $tmp[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. tests/bench/lib.sh

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$tmp/registry" "$port" >"$tmp/registry.yml"
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
rpid=$!
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port))" 2>/dev/null; do sleep 0.05; done
reg=127.0.0.1:$port
mkdir -p "$tmp/state" "$tmp/keys"
settings=("state.source=$tmp/state" "sshkey.source=$tmp/keys")

export BERTH_ADDRESS="unix:path=$tmp/run/berth.sock"
BERTH_MODULE_DIR=$build/modules-1 "$build/daemon/berthd" --root "$tmp/root" --run-dir "$tmp/run" \
  2>"$tmp/berthd.log" &
bpid=$!
until $B version >/dev/null 2>&1; do sleep 0.01; done

# push: each run to a new repository, so every blob is uploaded
push_b=""
for i in $(seq 1 "$runs"); do
  $B plugin create "$reg/berth/push$i:1.0" "$plugin_dir" >/dev/null
  lap $B plugin push "$reg/berth/push$i:1.0"; push_b+="$lap"$'\n'
  $B plugin rm "$reg/berth/push$i:1.0" >/dev/null
done
# install: nothing of it stored (the plugins above are removed and collected)
sleep 1
inst_b=""
for i in $(seq 1 "$runs"); do
  lap $B plugin install --grant-all-permissions --alias "inst$i" "$reg/berth/push1:1.0" "${settings[@]}"
  inst_b+="$lap"$'\n'
  $B plugin rm -f "inst$i" >/dev/null
  sleep 0.5
done
layer=$(du -k "$(find "$tmp/registry" -path '*blobs*' -name data -size +100k | head -1)" | cut -f1)
echo "berth (median of $runs, whole CLI commands, the example plugin: a ${layer} KiB gzip layer):"
printf '  install  %6s ms   (pull, verify, store, enable)\n' "$(printf '%s' "$inst_b" | median_ms)"
printf '  push     %6s ms\n' "$(printf '%s' "$push_b" | median_ms)"

start_dockerd
push_d=""
for i in $(seq 1 "$runs"); do
  $D plugin create "$reg/docker/push$i:1.0" "$plugin_dir" >/dev/null
  lap $D plugin push "$reg/docker/push$i:1.0"; push_d+="$lap"$'\n'
  $D plugin rm "$reg/docker/push$i:1.0" >/dev/null
done
inst_d=""
for i in $(seq 1 "$runs"); do
  lap $D plugin install --grant-all-permissions --alias "inst$i" "$reg/berth/push1:1.0" "${settings[@]}"
  inst_d+="$lap"$'\n'
  $D plugin rm -f "inst$i" >/dev/null
  sleep 0.5
done
echo "docker (median of $runs, same plugin and registry; docker installs what berth pushed):"
b=$(printf '%s' "$inst_b" | median_ms); d=$(printf '%s' "$inst_d" | median_ms)
printf '  install  %6s ms   berth/docker %.3f (target <= 0.33)\n' "$d" "$(echo "$b / $d" | bc -l)"
b=$(printf '%s' "$push_b" | median_ms); d=$(printf '%s' "$push_d" | median_ms)
printf '  push     %6s ms   berth/docker %.3f (target <= 1)\n' "$d" "$(echo "$b / $d" | bc -l)"
