#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Plugin SDK benchmark: the round-trip time of VolumeDriver calls to the
# example sshfs plugin (libberth-plugin) over its unix socket, on one
# keep-alive connection and on a new connection per call, as Docker and
# berth make them; and the plugin's resident memory. No mounts, no sshd:
# Capabilities, List and Get only. Prints figures; it asserts nothing.
#   BUILD_DIR=build tests/bench/plugin-sdk-latency.sh [CALLS]
set -eu
cd "$(dirname "$0")/../.."
build=$(pwd)/${BUILD_DIR:-build}
calls=${1:-5000}
test -d "$build" || meson setup "$build" >/dev/null
ninja -C "$build" examples/plugins/sshfs/docker-volume-sshfs >/dev/null

tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

"$build/examples/plugins/sshfs/docker-volume-sshfs" --socket "$tmp/sshfs.sock" \
  --state-dir "$tmp/state" --volumes-dir "$tmp/volumes" 2>"$tmp/plugin.log" &
pid=$!
i=0
while [ ! -S "$tmp/sshfs.sock" ]; do
  i=$((i + 1))
  if [ $i -gt 500 ]; then echo "the plugin did not start:"; cat "$tmp/plugin.log"; exit 1; fi
  sleep 0.01
done

python3 - "$tmp/sshfs.sock" "$calls" <<'EOF'
import json, socket, sys, time

path, calls = sys.argv[1], int(sys.argv[2])

def request(method, body):
    data = body.encode()
    return (f'POST /VolumeDriver.{method} HTTP/1.1\r\nHost: plugin.moby.localhost\r\n'
            f'Content-Length: {len(data)}\r\n'
            'Accept: application/vnd.docker.plugins.v1.2+json\r\n\r\n').encode() + data

def read_response(sock, buf):
    while b'\r\n\r\n' not in buf:
        buf += sock.recv(65536)
    head, rest = buf.split(b'\r\n\r\n', 1)
    length = int([l.split(b':')[1] for l in head.split(b'\r\n')
                  if l.lower().startswith(b'content-length')][0])
    while len(rest) < length:
        rest += sock.recv(65536)
    return rest[:length], rest[length:]

def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

# one volume, so that Get and List have something to say
s = connect()
s.sendall(request('Create', json.dumps({'Name': 'bench', 'Opts': {'sshcmd': 'u@h:/d'}}) + '\n'))
read_response(s, b'')
s.close()

def bench(label, method, body, keep_alive):
    req = request(method, body)
    times = []
    s = connect() if keep_alive else None
    buf = b''
    for _ in range(calls):
        t0 = time.perf_counter()
        if not keep_alive:
            s = connect()
            buf = b''
        s.sendall(req)
        _, buf = read_response(s, buf)
        if not keep_alive:
            s.close()
        times.append(time.perf_counter() - t0)
    if keep_alive:
        s.close()
    times.sort()
    med = times[len(times) // 2] * 1e6
    p99 = times[int(len(times) * 0.99)] * 1e6
    print(f'{label:38s} median {med:7.1f} us   p99 {p99:7.1f} us   ({calls} calls)')

bench('Capabilities, keep-alive', 'Capabilities', '{}\n', True)
bench('Get, keep-alive', 'Get', '{"Name":"bench"}\n', True)
bench('List, keep-alive', 'List', '{}\n', True)
bench('Capabilities, a connection per call', 'Capabilities', '{}\n', False)
EOF

rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
echo "plugin resident memory: ${rss} kB"
