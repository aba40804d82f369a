#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the Debian 12 packages berth needs to build, test and run.
# Idempotent: does nothing when everything is there. Run as root.
set -eu

packages="
  gcc meson ninja-build pkg-config python3
  libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
  libjson-glib-dev libcap-dev
  libostree-dev ostree libarchive-dev libisal-dev nettle-dev libzstd-dev zstd
  runc crun busybox-static sshfs openssh-server openssh-client fuse3
  libsoup-3.0-dev glib-networking docker-registry skopeo openssl libcrypt-dev
  hyperfine clang-format bc procps dbus
"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "bootstrap: these packages are missing:$missing" >&2
  echo "bootstrap: run this script as root to install them" >&2
  exit 1
fi

echo "bootstrap: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
