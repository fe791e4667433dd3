// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/task.h"
#include "widgets/spawndialog.h"

#include <QHash>
#include <QObject>

namespace Hive {

class SessionController;

// What the user asks of agents and tasks, carried out through the engine's futures: spawn, kill,
// restart (the engine kills and spawns it again under the same name in the same folder; its
// terminal follows the new session), queue, cancel, retry. Answers that no event may bring (Redis
// away) go into the models; failures are reported by errorOccurred() for the window to show. No
// widgets; GUI thread, never waits.
class AgentActions : public QObject
{
    Q_OBJECT

public:
    explicit AgentActions(SessionController *sessions, QObject *parent = nullptr);

    // The profiles (small files in the data directory) and the tmux binary, looked up off the GUI
    // thread: profilesFound() when they are known.
    void findProfiles(const QString &dataDir);
    const QList<SpawnDialog::ProfileChoice> &profiles() const { return m_profiles; }
    QStringList profileNames() const;
    QString tmuxBinary() const { return m_tmuxBinary; }
    // One agent of this profile, of type dev (the tray's quick spawn).
    SpawnDialog::Request quickRequest(const QString &profile) const;

    // One agent per name of the request; openTerminals goes with each spawned().
    void spawn(const SpawnDialog::Request &request, bool openTerminals);
    void kill(const QList<Agent> &agents);
    void restart(const QList<Agent> &agents);
    // The agent's tmux session in the user's own terminal emulator (command: the settings' one).
    void attachExternal(const Agent &agent, const QString &tmuxSocket, const QString &command);
    // A restart of this agent is under way: its stop is not the end of its terminal.
    bool isRestarting(const QString &agentName) const { return m_restarting.contains(agentName); }

    void queue(const Task &task);
    void cancel(const QStringList &taskIds);
    void retry(const QStringList &taskIds);

Q_SIGNALS:
    void profilesFound();
    void spawned(const Hive::Agent &agent, bool openTerminal);
    void killed(const Hive::Agent &agent);
    // The agent that was oldId runs again as agent (same name, new id).
    void restarted(const QString &oldId, const Hive::Agent &agent);
    void queued(const Hive::Task &task);
    // A short line for the status bar once an action is done.
    void finished(const QString &message);
    void errorOccurred(const QString &title, const QString &message);

private:
    SessionController *m_sessions;
    QList<SpawnDialog::ProfileChoice> m_profiles;
    QString m_tmuxBinary;
    QHash<QString, QString> m_restarting; // agent name → the id it had before the restart
};

} // namespace Hive
