// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace Hive {

// One answer of a search (GET /api/v1/search, the window's search panel): where the text was
// found (a task's prompt, a task's answer, a line of an agent's terminal log, or — for a
// semantic search — a task as a whole), a snippet around it and where the words hit in it.
struct SearchHit
{
    enum class Kind { Prompt, Answer, Log, Task };
    // Where a hit's words are in the snippet, in UTF-16 code units (QString positions).
    struct Span
    {
        qsizetype start = 0;
        qsizetype length = 0;
        bool operator==(const Span &) const = default;
    };

    Kind kind = Kind::Prompt;
    QString taskId;    // prompt, answer, task
    QString agentId;   // log (and the task's agent when it has one)
    QString title;     // the task's title, or the agent's name for a log
    QString agentName; // the agent's name when there is one
    QString snippet;   // plain text
    QList<Span> matches;
    double score = 0; // higher is better; ranks of different kinds are roughly comparable
    QDateTime at;
    qint64 logId = 0; // agent_logs.id of a log hit

    static QString kindName(Kind kind);
    static std::optional<Kind> kindFromName(const QString &name);

    // A snippet from PostgreSQL's ts_headline with the start/stop markers below: the markers
    // removed and their places kept in matches.
    static constexpr QChar kStartMark = QChar(0x01);
    static constexpr QChar kStopMark = QChar(0x02);
    void setMarkedSnippet(const QString &marked);

    // The API's shape; "matches" as [start, length] pairs in Unicode code points (as Python and
    // most JSON clients count), not UTF-16.
    QJsonObject toJson() const;
};

} // namespace Hive

Q_DECLARE_METATYPE(Hive::SearchHit)
