// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "widgets/agentpanel.h"
#include "widgets/settingsdialog.h"
#include "widgets/taskboard.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QStringList>

#include <memory>

class QSettings;

namespace Hive {

struct Config;

// Everything the app keeps between runs, typed: the window's layout, the Settings dialog's values,
// the service settings read by the next start, lost agents taken off the list, notices already
// shown. The only place that opens QSettings (the application's file, named by main() before the
// first use; tests isolate it with QStandardPaths::setTestModeEnabled or XDG_CONFIG_HOME). Widgets
// get and give plain values. GUI thread (main() reads the service settings before the app exists).
class Settings
{
public:
    Settings();
    // Another file (INI), e.g. a test writing the settings of an app it starts.
    explicit Settings(const QString &fileName);
    ~Settings();
    Settings(const Settings &) = delete;
    Settings &operator=(const Settings &) = delete;

    // The command line with the saved service settings (database and Redis URLs, API port, tmux
    // socket) put before the user's own flags, for Config::parse: a flag on the command line, or
    // its environment variable, wins over a saved setting. args[0] is the program.
    QStringList arguments(const QStringList &args,
                          const QProcessEnvironment &env
                          = QProcessEnvironment::systemEnvironment()) const;

    // The dialog's values: stored ones over what the app runs with now.
    SettingsDialog::Values values(const Config &running) const;
    // The service settings are stored only where they differ from what the dialog showed (shown):
    // a flag given for one run does not become permanent because the font was changed.
    void setValues(const SettingsDialog::Values &values, const SettingsDialog::Values &shown);
    void setTerminalFont(const QFont &font);
    void setColorScheme(const QString &scheme);

    QByteArray windowGeometry() const;
    QByteArray windowState() const;
    void setWindowLayout(const QByteArray &geometry, const QByteArray &state);
    bool terminalGrid() const;
    void setTerminalGrid(bool grid);
    AgentPanel::ViewState agentPanel() const;
    void setAgentPanel(const AgentPanel::ViewState &state);
    TaskBoard::ViewState taskBoard() const;
    void setTaskBoard(const TaskBoard::ViewState &state);

    QStringList dismissedAgents() const;
    void setDismissedAgents(const QStringList &agentIds);
    // The tray notice "still running" after the first close.
    bool closeNoticeShown() const;
    void setCloseNoticeShown(bool shown);

private:
    std::unique_ptr<QSettings> m_store;
};

} // namespace Hive
