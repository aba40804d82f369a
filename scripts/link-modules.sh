#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# link-modules.sh DIR STAMP MODULE...: a module directory for the build tree
set -eu
dir=$1 stamp=$2
shift 2
rm -rf "$dir"
mkdir -p "$dir"
for m in "$@"; do
  ln -s "$(readlink -f "$m")" "$dir/"
done
touch "$stamp"
