#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# berth run benchmark (issue 7): `run --rm -v sshvolume:/data busybox ls
# /data` as a whole CLI command (median), the volume a real sshfs mount of
# the example plugin against an sshd on 127.0.0.1; beside docker with the
# same plugin folder and the same busybox rootfs where dockerd is installed
# (`docker run --bridge=none` needs --network none). Beside them, where the
# time goes: the same run without a volume, and the sshfs mount by itself on
# the host. Prints figures and the ratio; asserts nothing. Run as root.
set -eu
cd "$(dirname "$0")/../.."
scripts/bootstrap.sh
scripts/build.sh
build=$(pwd)/${BUILD_DIR:-build}
runs=${RUNS:-9}
plugin_dir=$build/examples/plugins/sshfs/plugin
B=$build/cli/berth

tmp=$(mktemp -d /tmp/berth-bench-run.XXXXXX)
bpid= dpid= spid=
cleanup() {
  if [ -n "$bpid" ]; then
    $B ps -aq 2>/dev/null | xargs -r "$B" rm -f >/dev/null 2>&1 || true
    $B volume rm -f sshvolume >/dev/null 2>&1 || true
    $B plugin rm -f vieux/sshfs >/dev/null 2>&1 || true
    kill -TERM "$bpid" 2>/dev/null || true
  fi
  if [ -n "$dpid" ]; then
    $D volume rm -f sshvolume >/dev/null 2>&1 || true
    $D plugin rm -f vieux/sshfs >/dev/null 2>&1 || true
    kill -TERM "$dpid" 2>/dev/null || true
  fi
  if [ -n "$spid" ]; then kill -TERM "$spid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  grep -o " $tmp[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. tests/bench/lib.sh

# an sshd with a remote file
mkdir -p "$tmp/keys" "$tmp/state" "$tmp/dstate" "$tmp/remote" "$tmp/sshd" /run/sshd
echo hello >"$tmp/remote/hello.txt"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/keys/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/sshd/host_key"
cp "$tmp/keys/id_ed25519.pub" "$tmp/sshd/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'ListenAddress 127.0.0.1\nPort %s\nHostKey %s\nAuthorizedKeysFile %s\nPermitRootLogin yes\nPasswordAuthentication no\nUsePAM no\nStrictModes no\nPidFile %s\nSubsystem sftp internal-sftp\n' \
  "$port" "$tmp/sshd/host_key" "$tmp/sshd/authorized_keys" "$tmp/sshd/pid" >"$tmp/sshd/config"
/usr/sbin/sshd -D -e -f "$tmp/sshd/config" 2>"$tmp/sshd/log" &
spid=$!

# a busybox rootfs from Debian's busybox-static
mkdir -p "$tmp/busybox/bin"
cp /bin/busybox "$tmp/busybox/bin/"
for a in sh ls cat; do ln -s busybox "$tmp/busybox/bin/$a"; done
tar -C "$tmp/busybox" -cf "$tmp/busybox.tar" .
sshopts=(-o "sshcmd=root@127.0.0.1:$tmp/remote" -o "port=$port" -o StrictHostKeyChecking=no
  -o UserKnownHostsFile=/dev/null)

export BERTH_ADDRESS="unix:path=$tmp/run/berth.sock"
BERTH_MODULE_DIR=$build/modules-1 "$build/daemon/berthd" --root "$tmp/root" --run-dir "$tmp/run" \
  2>"$tmp/berthd.log" &
bpid=$!
until $B version >/dev/null 2>&1; do sleep 0.01; done
$B plugin create vieux/sshfs "$plugin_dir" >/dev/null
$B plugin set vieux/sshfs "state.source=$tmp/state" "sshkey.source=$tmp/keys"
$B plugin enable vieux/sshfs >/dev/null
$B volume create -d vieux/sshfs --name sshvolume "${sshopts[@]}" >/dev/null
$B image import "$tmp/busybox.tar" busybox >/dev/null

times() { # CLI and its extra run options -> median ms
  local cli=$1 out="" t0 t1 n
  shift
  for n in $(seq 1 "$runs"); do
    t0=$EPOCHREALTIME
    $cli run --rm "$@" -v sshvolume:/data busybox ls /data >"$tmp/out"
    t1=$EPOCHREALTIME
    out+="$((${t1/./} - ${t0/./}))"$'\n'
    grep -q hello.txt "$tmp/out" || { echo "bench: the remote file is not listed" >&2; exit 1; }
  done
  printf '%s' "$out" | median_ms
}

b=$(times "$B")
echo "berth (median of $runs, whole CLI command, an sshfs volume of the example plugin):"
printf '  run --rm -v sshvolume:/data busybox ls /data   %5s ms\n' "$b"

# where the time goes, measured in the same run: the same command without a
# volume, and the sshfs mount alone, on the host, against the same sshd
# with the same key (what the plugin's Mount does, docker's as well)
out=""
for n in $(seq 1 "$runs"); do
  lap $B run --rm busybox ls /; out+="$lap"$'\n'
done
nv=$(printf '%s' "$out" | median_ms)
mkdir -p "$tmp/hostmnt"
out=""
for n in $(seq 1 "$runs"); do
  lap sshfs "root@127.0.0.1:$tmp/remote" "$tmp/hostmnt" -o "port=$port" \
    -o "IdentityFile=$tmp/keys/id_ed25519" -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
  out+="$lap"$'\n'
  test -e "$tmp/hostmnt/hello.txt" || { echo "bench: the host sshfs mount shows no file" >&2; exit 1; }
  fusermount3 -u "$tmp/hostmnt"
done
mnt=$(printf '%s' "$out" | median_ms)
printf '  run --rm busybox ls / (no volume)             %5s ms\n' "$nv"
printf '  the sshfs mount by itself, on the host        %5s ms\n' "$mnt"

start_dockerd
$D plugin create vieux/sshfs "$plugin_dir" >/dev/null
$D plugin set vieux/sshfs "state.source=$tmp/dstate" "sshkey.source=$tmp/keys"
$D plugin enable vieux/sshfs >/dev/null
$D volume create -d vieux/sshfs --name sshvolume "${sshopts[@]}" >/dev/null
$D import "$tmp/busybox.tar" busybox >/dev/null
d=$(times "$D" --network none)
echo "docker (median of $runs, same plugin, volume and rootfs):"
printf '  run --rm -v sshvolume:/data busybox ls /data   %5s ms   berth/docker %.3f (target <= 0.1)\n' \
  "$d" "$(echo "$b / $d" | bc -l)"
printf '  0.1 of docker is %.1f ms; the sshfs mount by itself takes %s ms\n' \
  "$(echo "$d / 10" | bc -l)" "$mnt"
