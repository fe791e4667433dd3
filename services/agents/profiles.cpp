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

using namespace Qt::StringLiterals;

namespace Hive {

QStringList Profile::expand(const QHash<QString, QString> &values) const
{
    QHash<QString, QString> all = values;
    if (!all.contains(u"shell"_s)) {
        QString shell = qEnvironmentVariable("SHELL");
        all.insert(u"shell"_s, shell.isEmpty() ? u"/bin/sh"_s : shell);
    }
    QStringList out;
    out.reserve(command.size());
    static const QRegularExpression placeholder(u"\\{(prompt|workdir|task_id|agent_id|shell)\\}"_s);
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
        return failure(Error::invalid(u"profile: '%1' is not a valid profile name (%2)"_s.arg(name, Validation::fileNameRule())));
    for (const auto &[path, builtin] : {std::pair{QDir(dataDir).filePath(u"profiles/%1.json"_s.arg(name)), false},
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
