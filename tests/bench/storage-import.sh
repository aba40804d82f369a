#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Storage benchmark of the "ostree" content store. Prints figures and
# ratios; it asserts nothing.
#  1. import of a gzip layer of ~10 MB that unpacks to ~22 MB (system
#     libraries, Python sources, compressed docs), as MB/s of uncompressed
#     tar, median of N runs, beside `tar -xzf` of the same file into a
#     directory (the target: >= 250 MB/s). The import includes the
#     transaction's syncfs; tar -xzf does not sync. Beside it, the CPU
#     time of the import's threads, and the floor that sets on this many
#     cores.
#  2. ten plugins whose layers hold the same files under different digests
#     (each layer adds one file naming its plugin and has other mtimes):
#     `du` of the state root for 1 and for 10 (the target: 10 <= 1.2 x 1;
#     Docker's is 10 x, one extracted rootfs per plugin).
#   BUILD_DIR=build-cs [BENCH_TMPDIR=/var/tmp] tests/bench/storage-import.sh [--runs N]
set -eu
cd "$(dirname "$0")/../.."
build=$(pwd)/${BUILD_DIR:-build}
runs=7
if [ "${1:-}" = "--runs" ]; then runs=$2; fi
test -d "$build" || meson setup "$build" >/dev/null
ninja -C "$build" content-store/libberth-module-ostree.so tests/content-store/bench-storage-import >/dev/null
module=$build/content-store/libberth-module-ostree.so
bench=$build/tests/content-store/bench-storage-import

# BENCH_TMPDIR=/dev/shm measures without the disk's inode costs
tmp=$(mktemp -d "${BENCH_TMPDIR:-/var/tmp}/berth-bench-storage.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# the layer: a tree of real files, gzip -6 as registries serve them
python3 - "$tmp/src" <<'PY'
import os, shutil, sys
dst = sys.argv[1]
def take(root, pred, budget):
    tot = 0
    for dp, dn, fn in sorted(os.walk(root)):
        dn.sort()
        for f in sorted(fn):
            p = os.path.join(dp, f)
            if os.path.islink(p) or not os.path.isfile(p) or not pred(p):
                continue
            s = os.path.getsize(p)
            if tot + s > budget:
                continue
            d = os.path.join(dst, os.path.relpath(p, '/'))
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copy2(p, d)
            tot += s
            if tot >= budget * 0.98:
                return tot
    return tot
take('/usr/lib/x86_64-linux-gnu', lambda p: '.so' in p, 15 << 20)
take('/usr/lib/python3.11', lambda p: p.endswith('.py'), 5 << 20)
take('/usr/share/doc', lambda p: p.endswith('.gz'), 2 << 20)
PY
(cd "$tmp/src" && tar -cf "$tmp/layer.tar" . && gzip -6 -c "$tmp/layer.tar" >"$tmp/layer.tar.gz")
tar_bytes=$(stat -c %s "$tmp/layer.tar")
gz_bytes=$(stat -c %s "$tmp/layer.tar.gz")
files=$(find "$tmp/src" -type f | wc -l)
printf 'layer: %d files, %.1f MB tar, %.1f MB gzip\n' "$files" \
  "$(echo "$tar_bytes / 1000000" | bc -l)" "$(echo "$gz_bytes / 1000000" | bc -l)"

# tar -xzf, warm cache, median; each run into a fresh directory, and
# nothing deleted between runs (both sides alike)
cat "$tmp/layer.tar.gz" >/dev/null
sync
: >"$tmp/tar.times"
i=0
while [ $i -lt "$runs" ]; do
  mkdir "$tmp/x$i"
  s=$(date +%s%N)
  tar -xzf "$tmp/layer.tar.gz" -C "$tmp/x$i"
  e=$(date +%s%N)
  echo "($e - $s) / 1000000" | bc -l >>"$tmp/tar.times"
  i=$((i + 1))
done
tar_ms=$(median <"$tmp/tar.times")
sync

# the import, median, each run into a state root of its own
"$bench" import "$module" "$tmp/root" "$tmp/layer.tar.gz" "$runs" >"$tmp/import.runs"
cut -d' ' -f1 "$tmp/import.runs" >"$tmp/import.times"
import_ms=$(median <"$tmp/import.times")
cpu_ms=$(cut -d' ' -f2 "$tmp/import.runs" | median)
cores=$(nproc)
rm -rf "$tmp/root" "$tmp"/x*
sync

mbs() { echo "$tar_bytes / 1000 / $1" | bc -l; }
printf 'tar -xzf into a directory: %7.1f ms  %6.0f MB/s\n' "$tar_ms" "$(mbs "$tar_ms")"
printf 'berth import (ostree):     %7.1f ms  %6.0f MB/s   (target >= 250 MB/s)\n' \
  "$import_ms" "$(mbs "$import_ms")"
printf 'import / tar -xzf time:    %7.2f\n' "$(echo "$import_ms / $tar_ms" | bc -l)"
# the import inflates, hashes the blob, the tar and every file, and writes
# objects on threads of its own: no wall time is below its CPU time shared
# by the machine's cores
printf 'import CPU, all threads:   %7.1f ms  so at least %.1f ms on %d cores (%.0f MB/s)\n' \
  "$cpu_ms" "$(echo "$cpu_ms / $cores" | bc -l)" "$cores" "$(mbs "$(echo "$cpu_ms / $cores" | bc -l)")"
printf 'runs (ms): tar %s; import %s\n' "$(sort -n "$tmp/tar.times" | xargs printf '%.0f ')" \
  "$(sort -n "$tmp/import.times" | xargs printf '%.0f ')"

# ten plugins, the same files under ten digests
i=1
while [ $i -le 10 ]; do
  mkdir -p "$tmp/p$i/etc"
  echo "plugin $i" >"$tmp/p$i/etc/plugin-name"
  (cd "$tmp/src" && tar --mtime="@$((1700000000 + i))" -cf - . ) >"$tmp/p$i.tar"
  (cd "$tmp/p$i" && tar -rf "$tmp/p$i.tar" ./etc/plugin-name)
  gzip -6 -c "$tmp/p$i.tar" >"$tmp/p$i.tar.gz"
  i=$((i + 1))
done
"$bench" plugins "$module" "$tmp/one" "$tmp/p1.tar.gz"
"$bench" plugins "$module" "$tmp/ten" $(i=1; while [ $i -le 10 ]; do echo "$tmp/p$i.tar.gz"; i=$((i + 1)); done)
du_one=$(du -sk "$tmp/one" | cut -f1)
du_ten=$(du -sk "$tmp/ten" | cut -f1)
digests=$(for i in 1 2 3 4 5 6 7 8 9 10; do sha256sum "$tmp/p$i.tar.gz" | cut -c1-12; done | sort -u | wc -l)
printf 'ten plugins (%d distinct layer digests), du of the state root:\n' "$digests"
printf '  1 plugin:   %8d KiB\n' "$du_one"
printf '  10 plugins: %8d KiB   ratio %.2f   (target <= 1.2; Docker: 10)\n' "$du_ten" \
  "$(echo "$du_ten / $du_one" | bc -l)"
