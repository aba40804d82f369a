#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Foundation benchmark: berthd's idle memory with every module loaded, and
# `berth version` as a whole command. Prints figures and the targets; it
# asserts nothing. Where dockerd is installed, measures it idle the same way.
set -eu
cd "$(dirname "$0")/../.."
scripts/bootstrap.sh
scripts/build.sh
build=$(pwd)/${BUILD_DIR:-build}

tmp=$(mktemp -d /tmp/berth-bench.XXXXXX)
pids=""
cleanup() {
  for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# every module this build made (content store, snapshotter, runtime, ...)
nmodules=$(ls "$build/modules-1" | wc -l)

BERTH_MODULE_DIR=$build/modules-1 "$build/daemon/berthd" --root "$tmp/root" --run-dir "$tmp/run" \
  2>"$tmp/berthd.log" &
bpid=$!
pids="$pids $bpid"
export BERTH_ADDRESS="unix:path=$tmp/run/berth.sock"
i=0
until "$build/cli/berth" version >/dev/null 2>&1; do
  i=$((i + 1)); [ $i -lt 1000 ] || { echo "berthd did not start" >&2; cat "$tmp/berthd.log" >&2; exit 1; }
  sleep 0.01
done
sleep 1 # idle

mem() { # pid -> "rss_kb anon_kb"
  awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} END {print r, a}' "/proc/$1/status"
}
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
set -- $(mem $bpid)
rss=$1 anon=$2
printf 'berthd idle, %s modules loaded:  %6.1f MB resident  %5.1f MB private (RssAnon)   target <= 16 MB, <= 4 MB\n' \
  "$nmodules" "$(echo "$rss / 1024" | bc -l)" "$(echo "$anon / 1024" | bc -l)"
printf '  (proportional set size %.1f MB: resident counts whole shared libraries, libc and GLib included)\n' \
  "$(echo "$(pss $bpid) / 1024" | bc -l)"
# where the resident memory is: the largest mappings, libraries mostly
awk '/^[0-9a-f]+-[0-9a-f]+ / {name = $6} /^Rss:/ {if (name != "") rss[name] += $2}
     END {for (n in rss) print rss[n], n}' "/proc/$bpid/smaps" | sort -rn | head -8 |
  awk '{n = $2; sub(".*/", "", n); printf "%s%s %.1f MB", (NR > 1 ? ", " : "  largest: "), n, $1 / 1024}
       END {print ""}'

# berth version as a whole command, median of many runs
hyperfine -N --warmup 20 --runs 300 --export-json "$tmp/version.json" \
  "$build/cli/berth version" >/dev/null 2>&1
median_ms=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print('%.2f' % (r['median']*1000))" "$tmp/version.json")
printf 'berth version (whole command):   median %s ms                            target <= 5 ms\n' "$median_ms"

if command -v dockerd >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  mkdir -p "$tmp/docker-data" "$tmp/docker-exec"
  dockerd --data-root "$tmp/docker-data" --exec-root "$tmp/docker-exec" \
    -H "unix://$tmp/docker.sock" --pidfile "$tmp/docker.pid" --iptables=false --bridge=none \
    >"$tmp/dockerd.log" 2>&1 &
  dpid=$!
  pids="$pids $dpid"
  i=0
  until DOCKER_HOST="unix://$tmp/docker.sock" docker version >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 3000 ] || break
    sleep 0.01
  done
  sleep 3 # idle
  set -- $(mem $dpid)
  drss=$1 danon=$2
  cpid=$(pgrep -P $dpid containerd || true)
  if [ -n "$cpid" ]; then
    set -- $(mem $cpid)
    drss=$((drss + $1)) danon=$((danon + $2))
  fi
  printf 'dockerd + containerd idle:        %6.1f MB resident  %5.1f MB private   ratio berthd/docker: %.2f resident, %.2f private\n' \
    "$(echo "$drss / 1024" | bc -l)" "$(echo "$danon / 1024" | bc -l)" \
    "$(echo "$rss / $drss" | bc -l)" "$(echo "$anon / $danon" | bc -l)"
  hyperfine -N --warmup 5 --runs 50 --export-json "$tmp/dversion.json" \
    "docker -H unix://$tmp/docker.sock version" >/dev/null 2>&1 || true
  if [ -s "$tmp/dversion.json" ]; then
    dmedian_ms=$(python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print('%.2f' % (r['median']*1000))" "$tmp/dversion.json")
    printf 'docker version (whole command):  median %s ms   ratio berth/docker: %.3f\n' \
      "$dmedian_ms" "$(echo "$median_ms / $dmedian_ms" | bc -l)"
  fi
else
  echo "dockerd: not installed (apt-get install docker.io to measure it side by side)"
fi
