// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/task.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

class QSqlQuery;

namespace Hive {

// The rows of a statement run by Database (a prepared statement kept for reuse). Columns are read
// by name, never by position, so a column list can change without shifting every reader.
// The positions of the columns are looked up once per statement: QSqlQuery::value(name) builds
// the whole QSqlRecord on every call (for QPSQL: every field, its name and type), which made
// reading a task's 20 columns cost 0.3 ms — 40 ms for a page of 100.
struct Rows
{
    explicit Rows(QSqlQuery *q)
        : query(q)
    {}
    QSqlQuery *query;
    bool next();
    QVariant value(const QString &column) const;
    bool isNull(const QString &column) const;

private:
    int indexOf(const QString &column) const;
    mutable QHash<QString, int> m_index;
};

// The columns of a task and of an agent row as the readers below expect them (with names).
extern const QString kTaskColumns;
extern const QString kAgentColumns;
// A task summary's columns (Task::toSummary: the prompt's first characters, the output's last,
// their sizes), read from the columns migration 0005 keeps beside prompt and output: no whole
// prompt or output is read.
extern const QString kTaskSummaryColumns;

Task taskFromRow(const Rows &row);
Task taskSummaryFromRow(const Rows &row); // of kTaskSummaryColumns
Agent agentFromRow(const Rows &row);

// NULL for an empty string (optional text columns).
QVariant nullableText(const QString &s);
// A task's report for a jsonb column (bound as text, cast with ?::jsonb); NULL when there is none.
QVariant reportJson(const std::optional<AgentReport> &report);

} // namespace Hive
