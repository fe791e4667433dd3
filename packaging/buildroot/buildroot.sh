#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: Agent Hive contributors
#
# The Debian 13 build root for Debian 12 hosts (whose Qt is 6.4 and has no Qt 6 QTermWidget).
#
#   buildroot.sh ensure        make the root, or reuse it while packages.txt is unchanged
#   buildroot.sh exec CMD...   run CMD inside it, in the current directory
#
# The root lives outside the repository, in $HIVE_BUILDROOT_DIR (default
# ${XDG_CACHE_HOME:-~/.cache}/agenthive/buildroot-trixie). Mounts (/proc, /sys, /dev, /tmp and the
# repository at the same path as outside) are made inside `unshare --mount`, so they vanish with
# the process. Needs root (debootstrap, chroot, mount).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}
root=${HIVE_BUILDROOT_DIR:-$cache/agenthive/buildroot-trixie}
mirror=${HIVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgfile=$here/packages.txt

die() { echo "buildroot: $*" >&2; exit 1; }
log() { echo "buildroot: $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot and mount need it); try sudo make ..."

packages() { sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$pkgfile" | tr -s ' \n' ' '; }
wanted_stamp() { { packages; echo "$mirror"; } | sha256sum | cut -d' ' -f1; }

# Runs "$@" chrooted into the root with the mounts a build, tmux and Xvfb need.
in_root() {
    local cwd=$PWD
    unshare --mount --propagation private --fork -- bash -euc '
        root=$1; repo=$2; cwd=$3; shift 3
        mount -t proc proc "$root/proc"
        mount --rbind /sys "$root/sys"
        mount --rbind /dev "$root/dev"
        mount --bind /tmp "$root/tmp"
        for d in "$repo" "$cwd"; do
            case "$d" in /tmp|/tmp/*) continue ;; esac
            mkdir -p "$root$d"
            mount --bind "$d" "$root$d"
        done
        cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
        # The certificate authorities of the host (a company proxy among them) for npm inside.
        cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/host-ca-certificates.crt" 2>/dev/null || true
        cd "$cwd"
        exec chroot "$root" /usr/bin/env -C "$cwd" "$@"
    ' in_root "$root" "$repo" "$cwd" "$@"
}

ensure() {
    local want have=""
    want=$(wanted_stamp)
    [ -f "$root/.hive-stamp" ] && have=$(cat "$root/.hive-stamp")
    [ "$want" = "$have" ] && return 0

    if [ -n "$have" ] || [ -e "$root" ]; then
        log "package list changed (or an earlier build was cut short): rebuilding $root"
        rm -rf --one-file-system "$root"
    fi
    if ! command -v debootstrap >/dev/null; then
        log "installing debootstrap on the host"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    local t0=$SECONDS tmp=$root.partial
    rm -rf --one-file-system "$tmp"
    mkdir -p "$(dirname "$root")"
    log "debootstrap trixie into $tmp"
    debootstrap --variant=minbase trixie "$tmp" "$mirror" >"$tmp.log" 2>&1 \
        || { tail -20 "$tmp.log" >&2; die "debootstrap failed (log: $tmp.log)"; }
    log "debootstrap took $((SECONDS - t0)) s"
    # No service may start inside the root while packages install; no default PostgreSQL cluster.
    printf '#!/bin/sh\nexit 101\n' >"$tmp/usr/sbin/policy-rc.d"
    chmod 755 "$tmp/usr/sbin/policy-rc.d"
    mkdir -p "$tmp/etc/postgresql-common/createcluster.d"
    echo "create_main_cluster = false" >"$tmp/etc/postgresql-common/createcluster.d/hive.conf"
    local t1=$SECONDS
    # shellcheck disable=SC2046
    root=$tmp in_root_install $(packages) >"$tmp.log" 2>&1 \
        || { tail -30 "$tmp.log" >&2; die "installing packages failed (log: $tmp.log)"; }
    log "packages took $((SECONDS - t1)) s ($(du -sh --one-file-system "$tmp" | cut -f1))"
    mv "$tmp" "$root"
    echo "$want" >"$root/.hive-stamp"
    rm -f "$tmp.log"
}

in_root_install() {
    in_root /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -ec '
        apt-get update
        apt-get install -y --no-install-recommends "$@"
        apt-get clean
    ' install "$@"
}

cmd=${1:-}
shift || true
case "$cmd" in
ensure) ensure ;;
exec)
    [ $# -gt 0 ] || die "exec needs a command"
    ensure
    extra=()
    [ -f /etc/ssl/certs/ca-certificates.crt ] && extra+=(npm_config_cafile=/etc/ssl/host-ca-certificates.crt)
    in_root /usr/bin/env HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "${extra[@]}" "$@"
    ;;
*) die "usage: buildroot.sh ensure | exec CMD..." ;;
esac
