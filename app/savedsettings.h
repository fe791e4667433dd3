// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QProcessEnvironment>
#include <QStringList>

namespace Hive::SavedSettings {

// The command line with the service settings saved in the Settings dialog (database and Redis
// URLs, API port, tmux socket) put before the user's own flags, for Config::parse: a flag on the
// command line or its environment variable wins over a saved setting. args[0] is the program.
QStringList arguments(const QStringList &args,
                      const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());

} // namespace Hive::SavedSettings
