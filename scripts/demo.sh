#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# berth's whole story, as a tutorial, on a fresh machine with no network
# but the package mirror: an sshd on 127.0.0.1 stands in for a file server
# and a docker-registry on 127.0.0.1 for Docker Hub. berthd on a temporary
# root builds nothing itself: the example sshfs plugin (built from this
# tree) is created, pushed to the registry, removed, installed back from it
# (granting its privileges) and enabled; a volume is created through it; a
# busybox image made from Debian's busybox-static is imported; and
#   berth run -v sshvolume:/data busybox ls /data
# lists the remote file from inside the container. Then everything is
# cleaned up. Run as root.
set -eu
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/build.sh
build=$(pwd)/${BUILD_DIR:-build}
PATH=$build/cli:$build/daemon:$PATH

tmp=$(mktemp -d /tmp/berth-demo.XXXXXX)
pid= sshd_pid= registry_pid=
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    berth ps -aq 2>/dev/null | xargs -r berth rm -f >/dev/null 2>&1 || true
    berth volume rm -f sshvolume >/dev/null 2>&1 || true
    berth plugin rm -f vieux/sshfs >/dev/null 2>&1 || true
    kill -TERM "$pid"; wait "$pid" || true
  fi
  if [ -n "$sshd_pid" ]; then kill -TERM "$sshd_pid" 2>/dev/null || true; fi
  if [ -n "$registry_pid" ]; then kill -TERM "$registry_pid" 2>/dev/null || true; fi
  grep -o " $tmp[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ -t 1 ]; then bold='\033[1m' plain='\033[0m'; else bold='' plain=''; fi
say() { printf "\n${bold}# %s${plain}\n" "$*"; }
step() { printf "${bold}\$ %s${plain}\n" "$*"; "$@"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

say "an sshd on 127.0.0.1 with a remote directory, standing in for a file server"
mkdir -p "$tmp/keys" "$tmp/state" "$tmp/remote" "$tmp/sshd" /run/sshd
echo "hello from the remote side" >"$tmp/remote/hello.txt"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/keys/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/sshd/host_key"
cp "$tmp/keys/id_ed25519.pub" "$tmp/sshd/authorized_keys"
port=$(free_port)
cat >"$tmp/sshd/config" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $tmp/sshd/host_key
AuthorizedKeysFile $tmp/sshd/authorized_keys
PermitRootLogin yes
PasswordAuthentication no
UsePAM no
StrictModes no
PidFile $tmp/sshd/pid
Subsystem sftp internal-sftp
CONF
/usr/sbin/sshd -D -e -f "$tmp/sshd/config" 2>"$tmp/sshd/log" &
sshd_pid=$!
echo "sshd on 127.0.0.1:$port serving $tmp/remote"

say "a docker-registry on 127.0.0.1, standing in for Docker Hub"
rport=$(free_port)
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$tmp/registry" "$rport" >"$tmp/registry.yml"
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
registry_pid=$!
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $rport))" 2>/dev/null; do
  sleep 0.05
done
echo "docker-registry on 127.0.0.1:$rport"

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

say "the example sshfs plugin (config.json + rootfs/, built from this tree), pushed to the registry"
ref=127.0.0.1:$rport/vieux/sshfs:latest
step berth plugin create "$ref" "$build/examples/plugins/sshfs/plugin"
step berth plugin push "$ref"
step berth plugin rm "$ref"

say "installed back from the registry as vieux/sshfs: it asks for its privileges (answered y)"
printf "${bold}\$ echo y | berth plugin install --alias vieux/sshfs %s state.source=%s sshkey.source=%s${plain}\n" \
  "$ref" "$tmp/state" "$tmp/keys"
echo y | berth plugin install --alias vieux/sshfs "$ref" "state.source=$tmp/state" \
  "sshkey.source=$tmp/keys"
echo
step berth plugin ls

say "a volume through the plugin: the remote directory over ssh"
step berth volume create -d vieux/sshfs --name sshvolume -o "sshcmd=root@127.0.0.1:$tmp/remote" \
  -o "port=$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
step berth volume ls

say "a busybox image, made from Debian's busybox-static"
mkdir -p "$tmp/busybox/bin"
cp /bin/busybox "$tmp/busybox/bin/busybox"
for applet in sh ls cat echo; do ln -s busybox "$tmp/busybox/bin/$applet"; done
tar -C "$tmp/busybox" -cf "$tmp/busybox.tar" .
step berth image import "$tmp/busybox.tar" busybox
step berth image ls

say "the point of it all: the remote file, listed from inside a container"
step berth run -v sshvolume:/data busybox ls /data
step berth run --rm -v sshvolume:/data busybox cat /data/hello.txt
step berth ps -a

say "clean up"
for c in $(berth ps -aq); do step berth rm "$c"; done
step berth volume rm sshvolume
step berth plugin disable vieux/sshfs
step berth plugin rm vieux/sshfs
step berth image rm busybox

say "stop berthd"
printf "${bold}\$ kill -TERM %s${plain}\n" "$pid"
kill -TERM "$pid"; wait "$pid"; pid=
echo "berthd stopped; $tmp removed."
