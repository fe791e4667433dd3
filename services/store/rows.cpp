// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/rows.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QSqlRecord>

using namespace Qt::StringLiterals;

namespace Hive {

const QString kTaskColumns
    = u"id::text AS id, title, prompt, agent_type, priority, status, agent_id::text AS agent_id, "
      "array_to_string(depends_on, ',') AS depends_on, attempts, max_attempts, created_at, "
      "started_at, finished_at, exit_code, output, duration_ms, cost_usd, report::text AS report, error"_s;
// A summary's: the generated columns of migration 0005 under the names taskFromRow reads.
const QString kTaskSummaryColumns
    = u"id::text AS id, title, prompt_preview AS prompt, prompt_bytes, agent_type, priority, "
      "status, agent_id::text AS agent_id, array_to_string(depends_on, ',') AS depends_on, "
      "attempts, max_attempts, created_at, started_at, finished_at, exit_code, "
      "output_tail AS output, output_bytes, duration_ms, cost_usd, report::text AS report, error"_s;
const QString kAgentColumns
    = u"id::text AS id, name, type, profile, interactive, status, tmux_session, "
      "workdir, permission_mode, current_task_id::text AS current_task_id, created_at, "
      "last_heartbeat, need, "
      "session_id, paused, team_id::text AS team_id, team"_s;

bool Rows::next()
{
    return query->next();
}

int Rows::indexOf(const QString &column) const
{
    if (m_index.isEmpty()) {
        const QSqlRecord record = query->record();
        for (int i = 0; i < record.count(); ++i)
            m_index.insert(record.fieldName(i), i);
    }
    return m_index.value(column, -1);
}

QVariant Rows::value(const QString &column) const
{
    const int i = indexOf(column);
    if (i < 0)
        return query->value(column); // its warning, and an invalid QVariant
    return query->value(i);
}

bool Rows::isNull(const QString &column) const
{
    const int i = indexOf(column);
    if (i < 0)
        return query->isNull(column);
    return query->isNull(i);
}

QVariant nullableText(const QString &s)
{
    return s.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(s);
}

QVariant reportJson(const std::optional<AgentReport> &report)
{
    if (!report)
        return QVariant(QMetaType::fromType<QString>());
    return QString::fromUtf8(QJsonDocument(report->toJson()).toJson(QJsonDocument::Compact));
}

Task taskFromRow(const Rows &q)
{
    Task t;
    t.id = q.value(u"id"_s).toString();
    t.title = q.value(u"title"_s).toString();
    t.prompt = q.value(u"prompt"_s).toString();
    t.agentType = q.value(u"agent_type"_s).toString();
    t.priority = q.value(u"priority"_s).toInt();
    t.status = Task::statusFromName(q.value(u"status"_s).toString()).value_or(Task::Status::Failed);
    t.agentId = q.value(u"agent_id"_s).toString();
    const QString deps = q.value(u"depends_on"_s).toString();
    if (!deps.isEmpty())
        t.dependsOn = deps.split(u',');
    t.attempts = q.value(u"attempts"_s).toInt();
    t.maxAttempts = q.value(u"max_attempts"_s).toInt();
    t.createdAt = q.value(u"created_at"_s).toDateTime();
    t.startedAt = q.value(u"started_at"_s).toDateTime();
    t.finishedAt = q.value(u"finished_at"_s).toDateTime();
    if (!q.isNull(u"exit_code"_s)) {
        TaskResult r;
        r.exitCode = q.value(u"exit_code"_s).toInt();
        r.output = q.value(u"output"_s).toString();
        r.durationMs = q.value(u"duration_ms"_s).toLongLong();
        if (!q.isNull(u"cost_usd"_s))
            r.costUsd = q.value(u"cost_usd"_s).toDouble();
        if (!q.isNull(u"report"_s))
            r.report = AgentReport::fromJson(
                QJsonDocument::fromJson(q.value(u"report"_s).toByteArray()).object());
        t.result = r;
    }
    t.error = q.value(u"error"_s).toString();
    return t;
}

Task taskSummaryFromRow(const Rows &q)
{
    // The columns hold at least the characters a summary keeps (PostgreSQL counts code points,
    // QString UTF-16 units): cut again here, the summary is the same as Task::toSummary() of the
    // whole task, and an event's summary of an unchanged task compares equal.
    Task s = taskFromRow(q).toSummary();
    s.promptBytes = q.value(u"prompt_bytes"_s).toLongLong();
    if (s.result)
        s.result->outputBytes = q.value(u"output_bytes"_s).toLongLong();
    return s;
}

Agent agentFromRow(const Rows &q)
{
    Agent a;
    a.id = q.value(u"id"_s).toString();
    a.name = q.value(u"name"_s).toString();
    a.type = q.value(u"type"_s).toString();
    a.profile = q.value(u"profile"_s).toString();
    a.interactive = q.value(u"interactive"_s).toBool();
    a.status = Agent::statusFromName(q.value(u"status"_s).toString()).value_or(Agent::Status::Lost);
    a.tmuxSession = q.value(u"tmux_session"_s).toString();
    a.workdir = q.value(u"workdir"_s).toString();
    a.permissionMode = q.value(u"permission_mode"_s).toString();
    a.currentTaskId = q.value(u"current_task_id"_s).toString();
    a.createdAt = q.value(u"created_at"_s).toDateTime();
    a.lastHeartbeat = q.value(u"last_heartbeat"_s).toDateTime();
    a.need = q.value(u"need"_s).toString();
    a.sessionId = q.value(u"session_id"_s).toString();
    a.paused = q.value(u"paused"_s).toBool();
    a.teamId = q.value(u"team_id"_s).toString();
    a.team = q.value(u"team"_s).toString();
    return a;
}

} // namespace Hive
