// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

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

    // Placeholders {prompt}, {workdir}, {task_id}, {agent_id} (and {shell}) replaced element by
    // element; never joined into a shell line.
    QStringList expand(const QHash<QString, QString> &values) const;
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
};

} // namespace Hive
