#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Volume benchmark (issue 5): volume create, inspect, ls and rm through the
# example sshfs plugin as whole CLI commands (medians), beside docker with the
# same plugin folder where dockerd is installed; then `volume ls` with 10,000
# volumes and berthd's memory holding them. Prints figures; asserts nothing.
set -eu
cd "$(dirname "$0")/../.."
scripts/bootstrap.sh
scripts/build.sh
build=$(pwd)/${BUILD_DIR:-build}
runs=${RUNS:-9}
many=${MANY:-10000}
plugin_dir=$build/examples/plugins/sshfs/plugin

tmp=$(mktemp -d /tmp/berth-bench-volumes.XXXXXX)
bpid= dpid=
cleanup() {
  if [ -n "$bpid" ]; then
    "$build/cli/berth" plugin rm -f vieux/sshfs >/dev/null 2>&1 || true
    kill -TERM "$bpid" 2>/dev/null || true
  fi
  if [ -n "$dpid" ]; then
    docker -H "unix://$tmp/docker.sock" plugin rm -f vieux/sshfs >/dev/null 2>&1 || true
    kill -TERM "$dpid" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  grep -o " $tmp[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. tests/bench/lib.sh

mkdir -p "$tmp/state" "$tmp/keys" "$tmp/dstate"
B="$build/cli/berth"
export BERTH_ADDRESS="unix:path=$tmp/run/berth.sock"
BERTH_MODULE_DIR=$build/modules-1 "$build/daemon/berthd" --root "$tmp/root" --run-dir "$tmp/run" \
  2>"$tmp/berthd.log" &
bpid=$!
until $B version >/dev/null 2>&1; do sleep 0.01; done
$B plugin create vieux/sshfs "$plugin_dir" >/dev/null
$B plugin set vieux/sshfs "state.source=$tmp/state" "sshkey.source=$tmp/keys"
$B plugin enable vieux/sshfs >/dev/null

run_steps() { # CLI -> "create inspect ls rm" medians
  local cli=$1 c="" i="" l="" r="" n
  for n in $(seq 1 "$runs"); do
    lap $cli volume create -d vieux/sshfs --name "bench$n" -o sshcmd=nobody@127.0.0.1:/x; c+="$lap"$'\n'
    lap $cli volume inspect "bench$n"; i+="$lap"$'\n'
    lap $cli volume ls; l+="$lap"$'\n'
    lap $cli volume rm "bench$n"; r+="$lap"$'\n'
  done
  echo "$(printf '%s' "$c" | median_ms) $(printf '%s' "$i" | median_ms) $(printf '%s' "$l" | median_ms) $(printf '%s' "$r" | median_ms)"
}

read -r bc bi bl br <<<"$(run_steps "$B")"
echo "berth with the sshfs plugin (median of $runs, whole CLI commands):"
printf '  volume create %5s ms\n  volume inspect %4s ms\n  volume ls %9s ms\n  volume rm %9s ms\n' "$bc" "$bi" "$bl" "$br"

# many volumes, local driver, made two at a time
lap sh -c "seq 1 $many | xargs -P 2 -n 50 sh -c 'for i; do $B volume create \"v\$i\" >/dev/null; done' sh"
echo "  created $many local volumes in $((lap / 1000000)) s"
hyperfine -N --warmup 3 --runs 20 --export-json "$tmp/ls.json" "$B volume ls" >/dev/null 2>&1
lsms=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print('%.1f' % (r['median']*1000))" "$tmp/ls.json")
sleep 1 # idle: berthd gives back what the answers took
read -r rss anon <<<"$(mem "$bpid")"
printf '  volume ls with %s volumes: median %s ms (target <= 100 ms)\n' "$many" "$lsms"
printf '  berthd with %s volumes: %s MB resident, %s MB private (target <= 30 MB)\n' "$many" "$rss" "$anon"

start_dockerd
$D plugin create vieux/sshfs "$plugin_dir" >/dev/null
$D plugin set vieux/sshfs "state.source=$tmp/dstate" "sshkey.source=$tmp/keys"
$D plugin enable vieux/sshfs >/dev/null
read -r dc di dl dr <<<"$(run_steps "$D")"
echo "docker with the same plugin (median of $runs):"
for pair in "create $bc $dc" "inspect $bi $di" "ls $bl $dl" "rm $br $dr"; do
  set -- $pair
  printf '  volume %-8s %5s ms   berth/docker %.3f (target <= 0.25)\n' "$1" "$3" "$(echo "$2 / $3" | bc -l)"
done
