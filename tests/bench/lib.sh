# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by the benchmarks. Commands are timed with bash's own clock
# ($EPOCHREALTIME), so no other process (a `date`, a subshell) is timed
# with them: on a small VM an exec costs 2-3 ms, a tenth of docker's
# volume commands and a third of berth's.
export LC_ALL=C

# lap COMMAND...: runs COMMAND, its output dropped, and sets $lap to its
# wall time in microseconds
lap() {
  local t0=$EPOCHREALTIME t1
  "$@" >/dev/null
  t1=$EPOCHREALTIME
  lap=$((${t1/./} - ${t0/./}))
}

# the median of microsecond figures on stdin, one per line, in milliseconds
median_ms() {
  sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f\n", m/1000}'
}

# PID -> "resident_MB private_MB" (VmRSS, RssAnon)
mem() {
  awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} END {printf "%.1f %.1f", r/1024, a/1024}' "/proc/$1/status"
}

# start_dockerd: a dockerd of its own under $tmp, beside berthd; sets $D to
# the docker command for it and $dpid. Without dockerd it says so and ends
# the benchmark there.
start_dockerd() {
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "dockerd: not installed (apt-get install docker.io) - no side-by-side figures"
    exit 0
  fi
  D="docker -H unix://$tmp/docker.sock"
  mkdir -p "$tmp/docker-data" "$tmp/docker-exec"
  dockerd --data-root "$tmp/docker-data" --exec-root "$tmp/docker-exec" -H "unix://$tmp/docker.sock" \
    --pidfile "$tmp/docker.pid" --iptables=false --bridge=none >"$tmp/dockerd.log" 2>&1 &
  dpid=$!
  local i
  for i in $(seq 300); do $D version >/dev/null 2>&1 && break; sleep 0.1; done
}
