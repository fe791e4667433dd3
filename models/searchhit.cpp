// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/searchhit.h"
#include "models/jsonutil.h"

#include <QJsonArray>

namespace Hive {

QString SearchHit::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Prompt:
        return u"prompt"_s;
    case Kind::Answer:
        return u"answer"_s;
    case Kind::Log:
        return u"log"_s;
    case Kind::Task:
        return u"task"_s;
    }
    return {};
}

std::optional<SearchHit::Kind> SearchHit::kindFromName(const QString &name)
{
    for (Kind k : {Kind::Prompt, Kind::Answer, Kind::Log, Kind::Task})
        if (kindName(k) == name)
            return k;
    return std::nullopt;
}

void SearchHit::setMarkedSnippet(const QString &marked)
{
    snippet.clear();
    matches.clear();
    snippet.reserve(marked.size());
    qsizetype start = -1;
    for (const QChar c : marked) {
        if (c == kStartMark) {
            start = snippet.size();
        } else if (c == kStopMark) {
            if (start >= 0 && snippet.size() > start)
                matches.append({start, snippet.size() - start});
            start = -1;
        } else {
            snippet.append(c);
        }
    }
}

namespace {

// The number of code points in s before UTF-16 position pos.
qsizetype codePoints(const QString &s, qsizetype pos)
{
    qsizetype n = 0;
    for (qsizetype i = 0; i < pos && i < s.size(); ++i)
        if (!s.at(i).isLowSurrogate())
            ++n;
    return n;
}

} // namespace

QJsonObject SearchHit::toJson() const
{
    QJsonArray spans;
    for (const Span &m : matches) {
        const qsizetype from = codePoints(snippet, m.start);
        const qsizetype to = codePoints(snippet, m.start + m.length);
        spans.append(QJsonArray{qint64(from), qint64(to - from)});
    }
    return QJsonObject{
        {u"kind"_s, kindName(kind)},
        {u"task_id"_s, Json::nullable(taskId)},
        {u"agent_id"_s, Json::nullable(agentId)},
        {u"agent_name"_s, Json::nullable(agentName)},
        {u"title"_s, title},
        {u"snippet"_s, snippet},
        {u"matches"_s, spans},
        {u"score"_s, score},
        {u"at"_s, Json::time(at)},
        {u"log_id"_s, logId > 0 ? QJsonValue(logId) : QJsonValue(QJsonValue::Null)},
    };
}

} // namespace Hive
