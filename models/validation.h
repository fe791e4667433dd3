// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QString>

// The rules every layer checks names against (the spawn dialog as the user types, the API on a
// request body, the orchestrator before tmux sees a name): written once, here.
namespace Hive::Validation {

// An agent type ("dev", "review"): lower-case letters, digits, '_' and '-', 1 to 32, starting
// with a letter or digit. It names Redis streams, so it stays plain.
bool isAgentType(const QString &type);
QString agentTypeRule();
QString agentTypePattern(); // the rule as a regular expression (for openapi.json)

// An agent's name, which is also its tmux session's name: letters, digits, '_' and '-', 1 to 64,
// starting with a letter or digit (tmux gives '.' and ':' a meaning of their own).
bool isAgentName(const QString &name);
QString agentNameRule();

// A tmux socket (-L) or a profile name: letters, digits, '_', '.' and '-', 1 to 64, starting with
// a letter or digit (it becomes a file name).
bool isFileName(const QString &name);
QString fileNameRule();

bool isUuid(const QString &id);

// A key typed into a pane by name (tmux send-keys without -l): arrows, Enter, Escape, Tab,
// Space, BSpace, Home, End, PageUp/PageDown, a digit or letter, C-<letter>.
bool isKeyName(const QString &key);
QString keyNameRule();

} // namespace Hive::Validation
