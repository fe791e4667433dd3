// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/event.h"

#include "models/jsonutil.h"

#include <QJsonDocument>

namespace Hive {

QJsonObject Event::toJson() const
{
    QJsonObject o{{u"type"_s, type}, {u"at"_s, Json::time(at)}, {u"seq"_s, seq}};
    if (agent)
        o.insert(u"agent"_s, agent->toJson());
    if (task)
        o.insert(u"task"_s, task->toSummary().toJson());
    if (!data.isEmpty())
        o.insert(u"data"_s, data);
    return o;
}

QByteArray Event::toJsonBytes() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Compact);
}

std::optional<Event> Event::fromJson(const QByteArray &json)
{
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    if (!doc.isObject())
        return std::nullopt;
    const QJsonObject o = doc.object();
    Event e;
    e.type = o.value(u"type").toString();
    if (e.type.isEmpty())
        return std::nullopt;
    e.at = Json::parseTime(o.value(u"at"));
    e.seq = o.value(u"seq").toInteger();
    if (o.value(u"agent").isObject())
        e.agent = Agent::fromJson(o.value(u"agent").toObject());
    if (o.value(u"task").isObject())
        e.task = Task::fromJson(o.value(u"task").toObject());
    e.data = o.value(u"data").toObject();
    return e;
}

Event Event::forAgent(const QString &type, const Agent &a)
{
    Event e;
    e.type = type;
    e.at = QDateTime::currentDateTimeUtc();
    e.agent = a;
    return e;
}

Event Event::forTask(const QString &type, const Task &t)
{
    Event e;
    e.type = type;
    e.at = QDateTime::currentDateTimeUtc();
    e.task = t;
    return e;
}

} // namespace Hive
