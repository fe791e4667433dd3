// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace Hive {

// What a client asks for when it spawns an agent (the spawn dialog, POST /api/v1/agents).
struct SpawnRequest
{
    QString type = QStringLiteral("dev");
    QString name;       // empty: <type>-<4 hex>
    QString profile;    // empty: claude (worker) or claude-interactive
    QString workdir;    // an existing folder to work in
    QString repository; // a git repository: the agent gets a worktree on branch hive/<name>
    std::optional<bool> interactive; // empty: as the profile says
    // Claude Code's --permission-mode (Profiles::permissionModes()); empty: the profile's default
    // in a folder of the agent's own (acceptEdits for the claude worker), "default" elsewhere.
    QString permissionMode;
    QString resumeSession; // a conversation to continue (Claude Code's session id)
    QString reviveId;      // start this stopped agent again (its row, id and folder) instead
    QString teamId;        // the team it belongs to (Orchestrator::spawnTeam)
    QString team;          // that team's name
};

// Something typed into an interactive agent: literal text (send-keys -l), then Enter, then keys by
// name (Up, Down, Enter, Escape, Tab, C-c, digits …) for menus that do not take text.
struct InputRequest
{
    QString text;
    bool enter = false;
    QStringList keys;
    int ackTimeoutMs = 5000; // how long to wait for Claude Code to say it got the prompt
};

// Whether the typed prompt reached the agent: true or false for an agent whose hooks tell
// (Claude Code's UserPromptSubmit), empty where nothing can tell.
struct InputAck
{
    std::optional<bool> accepted;
};

} // namespace Hive
