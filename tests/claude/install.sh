#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: Agent Hive contributors
#
# Installs the pinned Claude Code CLI (npm package @anthropic-ai/claude-code) for the tests and
# prints the absolute path of its `claude` executable on stdout (nothing else goes to stdout).
#
#   tests/claude/install.sh            # run it inside the build environment: packaging/hive-env
#
# Goes to ${XDG_CACHE_HOME:-$HOME/.cache}/agenthive/claude-code-<version> (npm --prefix); a second
# run only checks `claude --version` (a few milliseconds). Fails loudly (exit 1, reason on stderr)
# when the CLI cannot be installed or does not run: tests that need it must fail, not skip.
#
# What the package does: @anthropic-ai/claude-code ships bin/claude.exe as a small stub, and one
# optional dependency per platform (@anthropic-ai/claude-code-linux-x64, ...-darwin-arm64, ...)
# holding the native binary (about 400 MB). Its postinstall script (install.cjs) hard-links that
# binary over bin/claude.exe. npm may skip postinstall scripts (ignore-scripts, npm >= 11
# "allowScripts"), so this script installs with --ignore-scripts and runs install.cjs itself,
# then links the binary by hand if that did not work either.
set -euo pipefail

version=${HIVE_CLAUDE_CODE_VERSION:-2.1.332}
pkg=@anthropic-ai/claude-code
cache=${XDG_CACHE_HOME:-$HOME/.cache}/agenthive
dest=$cache/claude-code-$version
exe=$dest/node_modules/.bin/claude

die() { echo "claude install: $*" >&2; exit 1; }
log() { echo "claude install: $*" >&2; }

# The CLI answers --version without network or config; a scratch config dir keeps ~/.claude clean.
works() {
    local out
    out=$(CLAUDE_CONFIG_DIR=$(mktemp -d) DISABLE_AUTOUPDATER=1 "$1" --version 2>&1) || return 1
    [ "$out" = "$version (Claude Code)" ]
}

if [ -x "$exe" ] && works "$exe"; then
    echo "$exe"
    exit 0
fi

command -v npm >/dev/null || die "npm is not installed (Debian: apt-get install npm; it is in the build root)"
command -v node >/dev/null || die "node is not installed"

case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) platform=linux-arm64 ;;
    Darwin-x86_64) platform=darwin-x64 ;;
    Darwin-arm64) platform=darwin-arm64 ;;
    *) die "no Claude Code binary for $(uname -s) $(uname -m)" ;;
esac
if [ "$(uname -s)" = Linux ] && ldd --version 2>&1 | grep -qi musl; then platform=$platform-musl; fi

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.claude-code-$version.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
log "installing $pkg@$version into $dest (about 100 MB download, 400 MB on disk)"
t0=$SECONDS
# Only this platform's binary (--omit=optional drops the other seven, which npm 9 would fetch);
# a private npm cache, removed afterwards, so that ~/.npm does not keep another 350 MB.
npm install --prefix "$tmp" --cache "$tmp/.npm-cache" --ignore-scripts --omit=optional \
    --no-audit --no-fund --no-save --loglevel=error "$pkg@$version" "$pkg-$platform@$version" >&2 \
    || die "npm install $pkg@$version failed (is the npm registry reachable? npm config get registry)"

rm -rf "$tmp/.npm-cache"
top=$tmp/node_modules/$pkg
native=$tmp/node_modules/$pkg-$platform/claude
[ -f "$native" ] || die "npm did not install the native binary $pkg-$platform/claude"
# The package's own postinstall step, then the same by hand if it left the stub in place.
(cd "$top" && node install.cjs >&2) || log "install.cjs failed; placing the binary by hand"
if ! cmp -s "$native" "$top/bin/claude.exe"; then
    rm -f "$top/bin/claude.exe"
    ln "$native" "$top/bin/claude.exe" 2>/dev/null || cp "$native" "$top/bin/claude.exe"
    chmod 755 "$top/bin/claude.exe"
fi
[ -L "$tmp/node_modules/.bin/claude" ] || ln -sf "../$pkg/bin/claude.exe" "$tmp/node_modules/.bin/claude"
works "$tmp/node_modules/.bin/claude" \
    || die "the installed claude does not run: $("$tmp/node_modules/.bin/claude" --version 2>&1 | head -5)"

# Move into place; a broken earlier installation is replaced.
rm -rf "$dest"
mv "$tmp" "$dest" || die "could not move the installation to $dest"
trap - EXIT
works "$exe" || die "$exe does not run"
log "installed in $((SECONDS - t0)) s"
echo "$exe"
