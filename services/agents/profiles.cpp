// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/profiles.h"
#include "models/validation.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRegularExpression>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace Hive {

QStringList Profile::expand(const QHash<QString, QString> &values) const
{
    QHash<QString, QString> all = values;
    if (!all.contains(u"shell"_s)) {
        QString shell = qEnvironmentVariable("SHELL");
        all.insert(u"shell"_s, shell.isEmpty() ? u"/bin/sh"_s : shell);
    }
    if (all.value(u"permission_mode"_s).isEmpty())
        all.insert(u"permission_mode"_s, permissionMode);
    QStringList out;
    out.reserve(command.size());
    static const QRegularExpression placeholder(
        u"\\{(prompt|workdir|task_id|agent_id|permission_mode|shell)\\}"_s);
    for (const QString &arg : command) {
        QString result;
        qsizetype last = 0;
        auto it = placeholder.globalMatch(arg);
        while (it.hasNext()) {
            const auto m = it.next();
            result += arg.mid(last, m.capturedStart() - last);
            result += all.value(m.captured(1));
            last = m.capturedEnd();
        }
        result += arg.mid(last);
        out << result;
    }
    return out;
}

bool Profile::takesPermissionMode() const
{
    return std::any_of(command.cbegin(), command.cend(), [](const QString &a) {
        return a.contains(u"{permission_mode}"_s);
    });
}

QStringList Profiles::permissionModes()
{
    return {u"default"_s,
            u"acceptEdits"_s,
            u"plan"_s,
            u"bypassPermissions"_s,
            u"auto"_s,
            u"dontAsk"_s,
            u"manual"_s};
}

Result<QString> Profiles::permissionModeFor(const Profile &profile,
                                            const SpawnRequest &request,
                                            const QString &dataDir)
{
    if (!profile.takesPermissionMode()) {
        if (!request.permissionMode.isEmpty())
            return failure(Error::invalid(
                u"permission_mode: profile '%1' has no permission mode (its command has no {permission_mode})"_s
                    .arg(profile.name)));
        return QString();
    }
    if (!request.permissionMode.isEmpty() && !permissionModes().contains(request.permissionMode))
        return failure(Error::invalid(u"permission_mode: '%1' is not one of %2"_s.arg(
            request.permissionMode, permissionModes().join(u", "_s))));
    QString mode = request.permissionMode;
    if (mode.isEmpty()) {
        // Its own folder: a fresh one, a worktree, or (restart) the folder it had under workspace/.
        const QString workspace
            = QDir(QDir(dataDir).filePath(u"workspace"_s)).absolutePath() + u'/';
        const bool own = request.workdir.isEmpty()
                         || QDir(request.workdir).absolutePath().startsWith(workspace);
        // Elsewhere the user's files are at stake: ask (which a worker cannot: the task fails
        // with "needs permission"), unless the profile is stricter still.
        static const QStringList permissive{u"acceptEdits"_s, u"auto"_s, u"bypassPermissions"_s};
        mode = own || !permissive.contains(profile.permissionMode) ? profile.permissionMode
                                                                   : u"default"_s;
    }
    if (mode == u"bypassPermissions"_s) {
#ifdef Q_OS_UNIX
        const bool root = geteuid() == 0;
#else
        const bool root = false;
#endif
        const QString sandbox = profile.env.contains(u"IS_SANDBOX"_s)
                                    ? profile.env.value(u"IS_SANDBOX"_s)
                                    : qEnvironmentVariable("IS_SANDBOX");
        if (root && sandbox != u"1"_s)
            return failure(Error::invalid(
                u"permission_mode: Claude Code refuses bypassPermissions when run as root "
                u"(\"--dangerously-skip-permissions "
                "cannot be used with root/sudo privileges\"), so every task would fail. Run Agent "
                "Hive as a normal user, "
                "or choose acceptEdits; on a throwaway sandbox machine, IS_SANDBOX=1 in the profile's \"env\" allows it."_s));
    }
    return mode;
}

Result<Profile> Profiles::parse(const QByteArray &json, const QString &origin)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (!doc.isObject())
        return failure(u"%1: not a JSON object (%2)"_s.arg(origin, err.errorString()));
    const QJsonObject o = doc.object();
    Profile p;
    p.name = o.value(u"name").toString();
    p.description = o.value(u"description").toString();
    p.interactive = o.value(u"interactive").toBool();
    const QJsonValue cmd = o.value(u"command");
    if (!cmd.isArray() || cmd.toArray().isEmpty())
        return failure(u"%1: \"command\" must be a non-empty array of strings"_s.arg(origin));
    for (const QJsonValue &v : cmd.toArray()) {
        if (!v.isString())
            return failure(u"%1: \"command\" must be a non-empty array of strings"_s.arg(origin));
        p.command << v.toString();
    }
    const QJsonValue mode = o.value(u"permission_mode");
    if (!mode.isUndefined() && !mode.isNull()) {
        if (!permissionModes().contains(mode.toString()))
            return failure(u"%1: \"permission_mode\" must be one of %2"_s.arg(
                origin, permissionModes().join(u", "_s)));
        p.permissionMode = mode.toString();
    }
    if (p.takesPermissionMode() && p.permissionMode.isEmpty())
        p.permissionMode = u"default"_s; // {permission_mode} must never expand to an empty argument
    const QJsonObject env = o.value(u"env").toObject();
    for (auto it = env.begin(); it != env.end(); ++it) {
        if (!it.value().isString())
            return failure(u"%1: env.%2 must be a string"_s.arg(origin, it.key()));
        p.env.insert(it.key(), it.value().toString());
    }
    return p;
}

Result<Profile> Profiles::load(const QString &name, const QString &dataDir)
{
    if (!Validation::isFileName(name))
        return failure(Error::invalid(u"profile: '%1' is not a valid profile name (%2)"_s.arg(
            name, Validation::fileNameRule())));
    for (const auto &[path, builtin] :
         {std::pair{QDir(dataDir).filePath(u"profiles/%1.json"_s.arg(name)), false},
          std::pair{u":/profiles/%1.json"_s.arg(name), true}}) {
        QFile f(path);
        if (!f.exists())
            continue;
        if (!f.open(QIODevice::ReadOnly))
            return failure(u"profile: cannot read %1"_s.arg(path));
        auto p = parse(f.readAll(), path);
        if (p) {
            p->name = name;
            p->builtin = builtin;
        }
        return p;
    }
    return failure(u"profile: no profile named '%1'"_s.arg(name));
}

QList<Profile> Profiles::all(const QString &dataDir)
{
    QMap<QString, Profile> byName;
    for (const QString &dir : {u":/profiles"_s, QDir(dataDir).filePath(u"profiles"_s)}) {
        for (const QString &file : QDir(dir).entryList({u"*.json"_s}, QDir::Files, QDir::Name)) {
            const QString name = file.chopped(5);
            if (auto p = load(name, dataDir))
                byName.insert(name, *p);
        }
    }
    return byName.values();
}

} // namespace Hive
