// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/savedsettings.h"

#include <QSettings>

using namespace Qt::StringLiterals;

namespace Hive::SavedSettings {

QStringList arguments(const QStringList &args, const QProcessEnvironment &env)
{
    if (args.isEmpty())
        return args;
    // The same file as QSettings() once main() has named the application.
    const QSettings settings(u"agenthive"_s, u"agenthive"_s);
    struct Saved
    {
        QString key;
        QString flag;
        QString envVar;
    };
    const Saved saved[] = {
        {u"settings/databaseUrl"_s, u"--database-url"_s, u"HIVE_DATABASE_URL"_s},
        {u"settings/redisUrl"_s, u"--redis-url"_s, u"HIVE_REDIS_URL"_s},
        {u"settings/apiPort"_s, u"--api-port"_s, {}},
        {u"settings/tmuxSocket"_s, u"--tmux-socket"_s, {}},
    };
    QStringList extra;
    for (const Saved &s : saved) {
        const QString value = settings.value(s.key).toString();
        if (value.isEmpty())
            continue;
        if (!s.envVar.isEmpty() && env.contains(s.envVar))
            continue;
        bool given = false;
        for (const QString &a : args)
            given = given || a == s.flag || a.startsWith(s.flag + u'=');
        if (!given)
            extra << s.flag + u'=' + value;
    }
    QStringList out{args.first()};
    out << extra << args.mid(1);
    return out;
}

} // namespace Hive::SavedSettings
