// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "services/core/result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace Hive {

// Claude Code as an interactive agent: its own hooks tell the app what it does. At spawn the agent
// gets `--settings <data-dir>/agents/<id>/claude-settings.json` (the user's ~/.claude is never
// touched) whose hooks run `hive-runner hook`, which hands each payload to the app; read() turns a
// payload into the agent's state. Also its conversation: `--session-id` at spawn, `--resume` after.
class ClaudeHooks
{
public:
    // Whether a profile's program is Claude Code (its hooks and session ids apply).
    static bool isClaude(const QStringList &command);

    // The hook events the settings file asks for.
    static QStringList events();

    // Writes the settings file for agentId and returns the arguments to put after the program:
    // --settings FILE, then --resume SESSION (a conversation to continue) or --session-id SESSION.
    static Result<QStringList> prepare(const QString &dataDir,
                                       const QString &runnerPath,
                                       const QString &agentId,
                                       const QString &sessionId,
                                       bool resume);

    // What one hook payload says.
    struct Reading
    {
        std::optional<Agent::Status> status; // none: the payload changes nothing
        QString need;                        // with WaitingInput: what it waits for, in words
        QString sessionId;                   // the conversation the payload belongs to
        bool promptSubmitted = false;        // UserPromptSubmit: typed text reached Claude
    };
    static Reading read(const QJsonObject &payload);
};

} // namespace Hive
