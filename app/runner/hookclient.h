// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QByteArray>
#include <QString>

namespace Hive::HookClient {

// `hive-runner hook --agent ID --data-dir DIR`: what Claude Code's hooks run (the settings file
// the orchestrator writes). Reads the hook's JSON from stdin and hands it to the app: POST
// /api/v1/agents/ID/hooks over <data-dir>/api.sock (mode 0600, so no token). It never holds
// Claude up: it gives up after two seconds and always exits 0 (a hook's exit code 2 would block
// Claude's action). Plain POSIX sockets: a hook runs often, so it starts no Qt event loop.
int run(int argc, char *argv[]);

// The HTTP request it sends (for tests).
QByteArray request(const QString &agentId, const QByteArray &payload);

} // namespace Hive::HookClient
