// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/task.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include <optional>

namespace Hive {

// A state change, as stored in the events table and published to the GUI and WebSocket clients:
// {"type":"task.succeeded","at":"…","seq":N,"task":{…}} (or "agent":{…}). What changed, not the
// megabytes around it: the task is always written as a summary (Task::toSummary: the prompt's
// start, the output's end and their sizes); the agent has no big fields.
struct Event
{
    qint64 seq = 0; // events.id: increasing, in commit order (see Database::events)
    QString type;
    QDateTime at;
    std::optional<Agent> agent;
    std::optional<Task> task;
    // What an event about neither one agent nor one task says (budget.warning, profile.limited):
    // written as "data" when not empty.
    QJsonObject data;

    bool isAgentEvent() const { return agent.has_value(); }
    QJsonObject toJson() const;
    QByteArray toJsonBytes() const;
    static std::optional<Event> fromJson(const QByteArray &json);

    static Event forAgent(const QString &type, const Agent &a);
    static Event forTask(const QString &type, const Task &t);
};

} // namespace Hive

Q_DECLARE_METATYPE(Hive::Event)
