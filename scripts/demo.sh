#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# berth's main job, as a tutorial: build, start berthd on a temporary root
# and an sshd on 127.0.0.1, create the example sshfs plugin from this tree,
# set it up, enable it, create a volume with it, read the remote file
# through that volume, push the plugin to a docker-registry on 127.0.0.1 and
# install it back, and clean everything up. Run as root.
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
    berth volume rm -f sshvolume >/dev/null 2>&1 || true
    berth plugin rm -f vieux/sshfs sshfs-from-registry >/dev/null 2>&1 || true
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

say "an sshd on 127.0.0.1 with a remote directory, standing in for a file server"
mkdir -p "$tmp/keys" "$tmp/state" "$tmp/remote" "$tmp/sshd" /run/sshd
echo "hello from the remote side" >"$tmp/remote/hello.txt"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/keys/id_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$tmp/sshd/host_key"
cp "$tmp/keys/id_ed25519.pub" "$tmp/sshd/authorized_keys"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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

say "give it a state directory and the ssh key, then enable it"
step berth plugin set vieux/sshfs "state.source=$tmp/state" "sshkey.source=$tmp/keys" DEBUG=1
step berth plugin enable vieux/sshfs
step berth plugin ls
step berth plugin inspect --format '{{.Name}}: {{.Settings.Env}}, socket {{.Config.Interface.Socket}}, pid {{.State.Pid}}' vieux/sshfs
step berth plugin logs --tail 3 vieux/sshfs

say "a volume through the plugin, and the remote file read through it"
step berth volume create -d vieux/sshfs --name sshvolume -o "sshcmd=root@127.0.0.1:$tmp/remote" \
  -o "port=$port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
step berth volume ls
step berth volume inspect sshvolume
printf "${bold}\$ berth volume mount sshvolume${plain}\n"
mount_out=$(berth volume mount sshvolume)
echo "$mount_out"
mountpoint=$(echo "$mount_out" | sed -n 1p)
mount_id=$(echo "$mount_out" | sed -n 2p)
step ls -l "$mountpoint"
step cat "$mountpoint/hello.txt"
step berth plugin disable vieux/sshfs || true
step berth volume unmount sshvolume "$mount_id"
step berth volume rm sshvolume

say "a docker-registry on 127.0.0.1: push the plugin there and install it back"
rport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
  "$tmp/registry" "$rport" >"$tmp/registry.yml"
docker-registry serve "$tmp/registry.yml" >"$tmp/registry.log" 2>&1 &
registry_pid=$!
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $rport))" 2>/dev/null; do
  sleep 0.05
done
ref=127.0.0.1:$rport/vieux/sshfs:1.0
step berth plugin create "$ref" "$build/examples/plugins/sshfs/plugin"
step berth plugin push "$ref"
step berth plugin rm "$ref"
step berth plugin install --grant-all-permissions --alias sshfs-from-registry "$ref" \
  "state.source=$tmp/state" "sshkey.source=$tmp/keys"
step berth plugin ls
step berth plugin rm -f sshfs-from-registry

say "disable the plugin and remove it"
step berth plugin disable vieux/sshfs
step berth plugin rm vieux/sshfs
step berth plugin ls

say "stop berthd"
printf "${bold}\$ kill -TERM %s${plain}\n" "$pid"
kill -TERM "$pid"; wait "$pid"; pid=
echo "berthd stopped; $tmp removed."
