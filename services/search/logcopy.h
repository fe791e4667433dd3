// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QString>

namespace Hive {

class Database;

// Copies what was appended to the agents' terminal logs (<logsDir>/<agent name>.log, written by
// tmux pipe-pane) into agent_logs, cleaned and in chunks, so that search finds it. Runs in the
// store's thread (it reads at most maxBytes of each file a call). Returns the chunks added.
Result<int> copyLogs(Database &db, const QString &logsDir, qint64 maxBytes = 256 * 1024);

} // namespace Hive
