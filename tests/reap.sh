#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Stops every process a test left behind under the test root (a test that crashed skips its
# cleanup): tmux servers on sockets named hivetest-<root's name>-* (Test::tmuxSocketName), PostgreSQL
# and Redis servers of the root. Another checkout's tests, running at the same time, are left alone.
root=${1:?test root}
for sock in /tmp/tmux-"$(id -u)"/hivetest-"$(basename -- "$root")"-*; do
    [ -S "$sock" ] && tmux -S "$sock" kill-server 2>/dev/null
done
pkill -f -- "$root/" 2>/dev/null
sleep 0.5
pkill -9 -f -- "$root/" 2>/dev/null
rm -rf -- "$root"
exit 0
