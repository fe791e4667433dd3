// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/agents/spawnrequest.h"
#include "services/core/result.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace Hive {

// An agent profile (ARCHITECTURE.md): the command as an argv template, its environment, and
// whether it runs interactively. Built-in ones come from resources (":/profiles"), the user's from
// <data-dir>/profiles/NAME.json and override a built-in one of the same name.
struct Profile
{
    QString name;
    QString description;
    QStringList command;
    bool interactive = false;
    QHash<QString, QString> env;
    bool builtin = true;
    // The default of {permission_mode} ("permission_mode" in the JSON) for an agent that works in
    // a folder or worktree of its own; empty when the command has no {permission_mode}.
    QString permissionMode;

    // Placeholders {prompt}, {workdir}, {task_id}, {agent_id}, {permission_mode} (and {shell})
    // replaced element by element; never joined into a shell line. {permission_mode} not given:
    // the profile's default.
    QStringList expand(const QHash<QString, QString> &values) const;
    bool takesPermissionMode() const;
};

class Profiles
{
public:
    static Result<Profile> load(const QString &name, const QString &dataDir);
    static QList<Profile> all(const QString &dataDir); // sorted by name, user's overriding built-in
    static Result<Profile> parse(const QByteArray &json, const QString &origin);
    static QString defaultName(bool interactive)
    {
        return interactive ? QStringLiteral("claude-interactive") : QStringLiteral("claude");
    }

    // The values of Claude Code's --permission-mode (2.1: "manual" and "default" are the same).
    static QStringList permissionModes();
    // The permission mode an agent of this profile is spawned with: the one asked for, else the
    // profile's default where the agent has a folder or worktree of its own (under
    // <dataDir>/workspace), else "default" (never more than asking, in someone's own folder).
    // Empty for a profile without {permission_mode}. Refused: an unknown mode, a mode for a profile
    // that cannot take one, and bypassPermissions as root, which Claude Code itself refuses
    // ("--dangerously-skip-permissions cannot be used with root/sudo privileges") unless
    // IS_SANDBOX=1 is in the profile's or the app's environment: every task would fail otherwise.
    static Result<QString>
    permissionModeFor(const Profile &profile, const SpawnRequest &request, const QString &dataDir);
};

} // namespace Hive
