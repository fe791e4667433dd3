// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace Hive {

// Opens an agent's tmux session in the user's own terminal emulator: the command from the settings,
// else $TERMINAL, x-terminal-emulator, gnome-terminal, konsole, xfce4-terminal, kitty, alacritty,
// wezterm, foot or xterm (Terminal.app through osascript on macOS). Started detached, argv only,
// never through a shell.
class ExternalTerminal
{
    Q_DECLARE_TR_FUNCTIONS(Hive::ExternalTerminal)

public:
    struct Launch
    {
        QString program;
        QStringList arguments;
    };

    // What would be run (empty program: no terminal emulator found).
    static Launch plan(const QString &tmuxBinary,
                       const QString &socket,
                       const QString &session,
                       const QString &preferred = {});
    static Result<> open(const QString &tmuxBinary,
                         const QString &socket,
                         const QString &session,
                         const QString &preferred = {});
};

} // namespace Hive
