// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"
#include "models/task.h"

#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

class QSqlQuery;

namespace Hive {

// The rows of a statement run by Database (a prepared statement kept for reuse). Columns are read
// by name, never by position, so a column list can change without shifting every reader.
struct Rows
{
    QSqlQuery *query;
    bool next();
    QVariant value(const QString &column) const;
    bool isNull(const QString &column) const;

    // QSqlQuery::value(name) asks the driver for the whole record (every field, its QVariant) at
    // each call: a row of 20 columns read by name cost 20 records. The names, read once.
    int indexOf(const QString &column) const;
    mutable QStringList m_columns;
};

// The columns of a task and of an agent row as the readers below expect them (with names).
extern const QString kTaskColumns;
extern const QString kAgentColumns;

Task taskFromRow(const Rows &row);
Agent agentFromRow(const Rows &row);

// NULL for an empty string (optional text columns).
QVariant nullableText(const QString &s);
// A task's report for a jsonb column (bound as text, cast with ?::jsonb); NULL when there is none.
QVariant reportJson(const std::optional<AgentReport> &report);

} // namespace Hive
