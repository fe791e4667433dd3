#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: Agent Hive contributors
#
# A plain tmux replica of bench_panes' load, without the app: 50 sessions printing a line every
# 80 ms, each piped to a file (pipe-pane), a control client (-C, -f no-output) sending 50
# capture-pane every 500 ms; prints the server's CPU over 10 s. Run inside packaging/hive-env.
#   tmux_replica.sh before   the sessions are created before the control client attaches
#   tmux_replica.sh after    after it attached (as the app does)
# NOPIPE=1: no pipe-pane; NOCAPTURE=1: no capture-pane.
order=${1:-after}
S=replica$$; D=$(mktemp -d)
script='exec 9<> <(:); i=0; while :; do i=$((i+1)); printf "%s line %d: the quick brown fox jumps over the lazy dog 0123456789 abcdefghij\n" "$N" "$i"; read -t 0.080 -u 9; done'
sessions() {
    for i in $(seq -w 0 49); do
        tmux -L $S new-session -d -s p$i -x 200 -y 50 -e N=p$i -- /bin/bash -c "$script" printer
        [ -n "${NOPIPE:-}" ] || tmux -L $S pipe-pane -o -t "=p$i:" "cat >> $D/p$i.log"
    done
}
tmux -L $S new-session -d -s ctl -x 80 -y 24 cat
[ "$order" = before ] && sessions
mkfifo $D/in
(
    sleep 2
    end=$((SECONDS + 14))
    while [ $SECONDS -lt $end ]; do
        [ -n "${NOCAPTURE:-}" ] || for i in $(seq -w 0 49); do echo "capture-pane -p -J -t =p$i: -S -60"; done
        sleep 0.5
    done
) >$D/in &
feeder=$!
tmux -u -L $S -C attach -f no-output -t ctl <$D/in >$D/ctl.out 2>&1 &
sleep 1
[ "$order" = after ] && sessions
sleep 2
pid=$(tmux -L $S display-message -p '#{pid}')
ticks() { sed 's/.*) //' /proc/$1/stat | awk '{print $12+$13}'; }
t0=$(ticks $pid); sleep 10; t1=$(ticks $pid)
echo "sessions created $order the control client attached: tmux server CPU $(((t1 - t0) / 10)).$(((t1 - t0) % 10)) %"
wait $feeder
tmux -L $S kill-server
rm -rf "$D"
