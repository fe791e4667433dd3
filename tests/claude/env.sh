# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: Agent Hive contributors
#
# Source it (bash) to run the real Claude Code CLI offline against the stand-in API:
#
#   . tests/claude/env.sh [DIR]     # DIR: scratch folder (default: a new one under /tmp)
#   "$CLAUDE" -p --output-format stream-json --verbose -- "hello"
#   claude_seed_config              # skip the first-run screens (not the folder-trust question)
#   standin_stop                    # stop the stand-in
#
# Sets CLAUDE (the pinned CLI, installed by install.sh if needed), STANDIN_DIR, STANDIN_PID,
# STANDIN_PORT, STANDIN_LOG (JSON lines, one per request) and the environment below. Nothing
# leaves the machine: the API is the stand-in, and HTTPS_PROXY points at it too, so that any other
# connection the CLI attempts is logged ("method": "CONNECT") and refused.

_claude_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STANDIN_DIR=${1:-$(mktemp -d /tmp/claude-standin.XXXXXX)}
mkdir -p "$STANDIN_DIR/config"
CLAUDE=$("$_claude_here/install.sh") || return 1
STANDIN_LOG=$STANDIN_DIR/requests.jsonl
rm -f "$STANDIN_DIR/port"
python3 "$_claude_here/standin-api.py" --port 0 --port-file "$STANDIN_DIR/port" --log "$STANDIN_LOG" \
    >/dev/null 2>"$STANDIN_DIR/standin.err" &
STANDIN_PID=$!
for _i in $(seq 100); do [ -s "$STANDIN_DIR/port" ] && break; sleep 0.05; done
STANDIN_PORT=$(cat "$STANDIN_DIR/port") || return 1
export CLAUDE STANDIN_DIR STANDIN_PID STANDIN_PORT STANDIN_LOG

export ANTHROPIC_BASE_URL=http://127.0.0.1:$STANDIN_PORT
export ANTHROPIC_API_KEY=sk-ant-api03-standin-not-a-real-key-0000000000000000000000
export CLAUDE_CONFIG_DIR=$STANDIN_DIR/config        # settings, .claude.json, transcripts
export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1   # = the four DISABLE_* below, and more
export DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1 DISABLE_ERROR_REPORTING=1 DISABLE_BUG_COMMAND=1
export CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY=1 CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL=1
export HTTPS_PROXY=http://127.0.0.1:$STANDIN_PORT HTTP_PROXY=http://127.0.0.1:$STANDIN_PORT
export NO_PROXY=127.0.0.1,localhost
unset ANTHROPIC_AUTH_TOKEN CLAUDE_CODE_USE_BEDROCK CLAUDE_CODE_USE_VERTEX

standin_stop() { kill "$STANDIN_PID" 2>/dev/null; wait "$STANDIN_PID" 2>/dev/null; return 0; }

# Pre-seeds $CLAUDE_CONFIG_DIR/.claude.json so that interactive mode starts without the theme
# picker, onboarding and "use this API key?" screens; the folder-trust question still appears
# unless a trusted folder is given: claude_seed_config [TRUSTED_DIR...]
claude_seed_config() {
    python3 - "$CLAUDE_CONFIG_DIR/.claude.json" "$ANTHROPIC_API_KEY" "$@" <<'EOF'
import json, os, sys
path, key, trusted = sys.argv[1], sys.argv[2], sys.argv[3:]
cfg = json.load(open(path)) if os.path.exists(path) else {}
cfg.update(hasCompletedOnboarding=True, theme="dark", numStartups=1,
           customApiKeyResponses={"approved": [key[-20:]], "rejected": []})
for d in trusted:
    cfg.setdefault("projects", {}).setdefault(os.path.realpath(d), {})["hasTrustDialogAccepted"] = True
json.dump(cfg, open(path, "w"), indent=2)
EOF
}
