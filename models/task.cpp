// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/task.h"

#include "models/jsonutil.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Hive {

namespace {
constexpr std::pair<Task::Status, const char *> kStatusNames[] = {
    {Task::Status::Blocked, "blocked"},
    {Task::Status::Queued, "queued"},
    {Task::Status::Assigned, "assigned"},
    {Task::Status::Running, "running"},
    {Task::Status::Succeeded, "succeeded"},
    {Task::Status::Failed, "failed"},
    {Task::Status::Cancelled, "cancelled"},
};

// The size of s in UTF-8, without making the UTF-8 (an output can be megabytes).
qint64 utf8Size(QStringView s)
{
    qint64 n = 0;
    for (qsizetype i = 0; i < s.size(); ++i) {
        const char16_t c = s[i].unicode();
        if (c < 0x80) {
            n += 1;
        } else if (c < 0x800) {
            n += 2;
        } else if (QChar::isHighSurrogate(c) && i + 1 < s.size()
                   && QChar::isLowSurrogate(s[i + 1].unicode())) {
            n += 4;
            ++i;
        } else {
            n += 3;
        }
    }
    return n;
}

// The first (last) n characters, never half a surrogate pair.
QString head(const QString &s, qsizetype n)
{
    if (s.size() <= n)
        return s;
    return s.left(QChar::isHighSurrogate(s.at(n - 1).unicode()) ? n - 1 : n);
}

QString tail(const QString &s, qsizetype n)
{
    if (s.size() <= n)
        return s;
    const qsizetype from = s.size() - n;
    return s.mid(QChar::isLowSurrogate(s.at(from).unicode()) ? from + 1 : from);
}

// What PermissionDenial::target() reads, cut short: a refused Write's input holds the whole file.
constexpr QStringView kTargetKeys[]
    = {u"file_path", u"notebook_path", u"path", u"command", u"pattern", u"url", u"query"};

} // namespace

QString Task::statusName(Status s)
{
    for (const auto &[st, name] : kStatusNames)
        if (st == s)
            return QString::fromLatin1(name);
    return QStringLiteral("unknown");
}

std::optional<Task::Status> Task::statusFromName(QStringView name)
{
    for (const auto &[st, n] : kStatusNames)
        if (name == QLatin1StringView(n))
            return st;
    return std::nullopt;
}

QStringList Task::statusNames()
{
    QStringList out;
    for (const auto &[st, n] : kStatusNames)
        out << QString::fromLatin1(n);
    return out;
}

QString PermissionDenial::target(const QString &workdir) const
{
    for (const auto key : {u"file_path", u"notebook_path", u"path"}) {
        QString path = input.value(key).toString();
        if (path.isEmpty())
            continue;
        const QString base = workdir.endsWith(u'/') ? workdir : workdir + u'/';
        if (!workdir.isEmpty() && path.startsWith(base))
            path = path.mid(base.size());
        return path;
    }
    for (const auto key : {u"command", u"pattern", u"url", u"query"}) {
        const QString v = input.value(key).toString();
        if (!v.isEmpty())
            return v.size() > 120 ? v.left(119) + u'…' : v;
    }
    return {};
}

QJsonObject AgentReport::toJson() const
{
    auto optionalInt = [](const auto &v) {
        return v ? QJsonValue(qint64(*v)) : QJsonValue(QJsonValue::Null);
    };
    QJsonValue usageJson(QJsonValue::Null);
    if (usage)
        usageJson = QJsonObject{{u"input_tokens"_s, usage->inputTokens},
                                {u"output_tokens"_s, usage->outputTokens},
                                {u"cache_creation_input_tokens"_s, usage->cacheCreationTokens},
                                {u"cache_read_input_tokens"_s, usage->cacheReadTokens}};
    QJsonArray denials;
    for (const PermissionDenial &d : permissionDenials)
        denials.append(QJsonObject{{u"tool_name"_s, d.tool}, {u"tool_input"_s, d.input}});
    return QJsonObject{
        {u"answer"_s, Json::nullable(answer)},
        {u"session_id"_s, Json::nullable(sessionId)},
        {u"num_turns"_s, optionalInt(numTurns)},
        {u"model"_s, Json::nullable(model)},
        {u"usage"_s, usageJson},
        {u"is_error"_s, isError},
        {u"subtype"_s, Json::nullable(subtype)},
        {u"terminal_reason"_s, Json::nullable(terminalReason)},
        {u"api_error_status"_s, optionalInt(apiErrorStatus)},
        {u"api_error_type"_s, Json::nullable(apiErrorType)},
        {u"errors"_s, QJsonArray::fromStringList(errors)},
        {u"permission_denials"_s, denials},
    };
}

AgentReport AgentReport::fromJson(const QJsonObject &o)
{
    AgentReport r;
    r.answer = o.value(u"answer").toString();
    r.sessionId = o.value(u"session_id").toString();
    if (o.value(u"num_turns").isDouble())
        r.numTurns = o.value(u"num_turns").toInt();
    r.model = o.value(u"model").toString();
    if (o.value(u"usage").isObject()) {
        const QJsonObject u = o.value(u"usage").toObject();
        r.usage = Usage{u.value(u"input_tokens").toInteger(),
                        u.value(u"output_tokens").toInteger(),
                        u.value(u"cache_creation_input_tokens").toInteger(),
                        u.value(u"cache_read_input_tokens").toInteger()};
    }
    r.isError = o.value(u"is_error").toBool();
    r.subtype = o.value(u"subtype").toString();
    r.terminalReason = o.value(u"terminal_reason").toString();
    if (o.value(u"api_error_status").isDouble())
        r.apiErrorStatus = o.value(u"api_error_status").toInt();
    r.apiErrorType = o.value(u"api_error_type").toString();
    for (const QJsonValue &e : o.value(u"errors").toArray())
        r.errors << (e.isString()
                         ? e.toString()
                         : QString::fromUtf8(
                               QJsonDocument(e.toObject()).toJson(QJsonDocument::Compact)));
    for (const QJsonValue &v : o.value(u"permission_denials").toArray()) {
        const QJsonObject d = v.toObject();
        r.permissionDenials.append(
            {d.value(u"tool_name").toString(), d.value(u"tool_input").toObject()});
    }
    return r;
}

AgentReport AgentReport::fromResultEvent(const QJsonObject &event)
{
    // The event's own names, except: the answer is "result", the model only a key of modelUsage.
    AgentReport r = fromJson(event);
    r.answer = event.value(u"result").toString();
    const QStringList models = event.value(u"modelUsage").toObject().keys();
    if (!models.isEmpty()) {
        // Several models (a subagent on a smaller one): the one that produced most output.
        QString best = models.first();
        qint64 most = -1;
        for (const QString &m : models) {
            const qint64 out = event.value(u"modelUsage")
                                   .toObject()
                                   .value(m)
                                   .toObject()
                                   .value(u"outputTokens")
                                   .toInteger();
            if (out > most) {
                most = out;
                best = m;
            }
        }
        r.model = best;
    }
    return r;
}

QString AgentReport::deniedSummary(const QString &workdir) const
{
    QStringList parts;
    for (const PermissionDenial &d : permissionDenials) {
        const QString target = d.target(workdir);
        const QString part = target.isEmpty() ? d.tool : d.tool + u' ' + target;
        if (!parts.contains(part))
            parts << part;
    }
    return parts.join(u", "_s);
}

QJsonObject TaskResult::toJson(bool summary) const
{
    // The report's fields sit beside exit_code and output (null/empty when nothing was reported),
    // so that every finished task has the same keys.
    QJsonObject o = (report ? *report : AgentReport()).toJson();
    if (!report) {
        o.insert(u"is_error"_s, QJsonValue(QJsonValue::Null));
        o.insert(u"permission_denials"_s, QJsonArray());
    }
    o.insert(u"exit_code"_s, exitCode);
    if (summary) {
        o.remove(u"answer"_s);
        o.insert(u"answer_preview"_s, Json::nullable(report ? report->answer : QString()));
        o.insert(u"answer_bytes"_s, answerBytes);
        o.insert(u"output_tail"_s, output);
        o.insert(u"output_bytes"_s, outputBytes);
    } else {
        o.insert(u"output"_s, output);
    }
    o.insert(u"duration_ms"_s, durationMs);
    o.insert(u"cost_usd"_s, costUsd ? QJsonValue(*costUsd) : QJsonValue(QJsonValue::Null));
    return o;
}

TaskResult TaskResult::fromJson(const QJsonObject &o)
{
    TaskResult r;
    r.exitCode = o.value(u"exit_code").toInt();
    const bool summary = !o.contains(u"output") && o.contains(u"output_tail");
    r.output = o.value(summary ? u"output_tail" : u"output").toString();
    r.durationMs = o.value(u"duration_ms").toInteger();
    if (o.value(u"cost_usd").isDouble())
        r.costUsd = o.value(u"cost_usd").toDouble();
    if (o.value(u"is_error").isBool()) {
        r.report = AgentReport::fromJson(o);
        if (summary)
            r.report->answer = o.value(u"answer_preview").toString();
    }
    if (summary) {
        r.outputBytes = o.value(u"output_bytes").toInteger();
        r.answerBytes = o.value(u"answer_bytes").toInteger();
    }
    return r;
}

TaskResult TaskResult::toSummary() const
{
    TaskResult s = *this;
    s.outputBytes = utf8Size(output);
    s.output = tail(output, Task::kPreviewChars);
    if (s.report) {
        s.answerBytes = utf8Size(report->answer);
        s.report->answer = head(report->answer, Task::kPreviewChars);
        for (PermissionDenial &d : s.report->permissionDenials) {
            QJsonObject small;
            for (const QStringView key : kTargetKeys) {
                const QJsonValue v = d.input.value(key);
                if (v.isString())
                    small.insert(key.toString(), head(v.toString(), Task::kPreviewChars));
            }
            d.input = small;
        }
    }
    return s;
}

QJsonObject Task::toJson() const
{
    QJsonObject o{
        {u"id"_s, id},
        {u"title"_s, title},
        {u"agent_type"_s, agentType},
        {u"priority"_s, priority},
        {u"status"_s, statusName(status)},
        {u"agent_id"_s, Json::nullable(agentId)},
        {u"depends_on"_s, QJsonArray::fromStringList(dependsOn)},
        {u"attempts"_s, attempts},
        {u"max_attempts"_s, maxAttempts},
        {u"created_at"_s, Json::time(createdAt)},
        {u"started_at"_s, Json::time(startedAt)},
        {u"finished_at"_s, Json::time(finishedAt)},
        {u"result"_s, result ? QJsonValue(result->toJson(summary)) : QJsonValue(QJsonValue::Null)},
        {u"error"_s, Json::nullable(error)},
    };
    if (summary) {
        o.insert(u"prompt_preview"_s, prompt);
        o.insert(u"prompt_bytes"_s, promptBytes);
    } else {
        o.insert(u"prompt"_s, prompt);
    }
    return o;
}

Task Task::toSummary() const
{
    if (summary)
        return *this;
    Task s = *this;
    s.summary = true;
    s.promptBytes = utf8Size(prompt);
    s.prompt = head(prompt, kPreviewChars);
    if (result)
        s.result = result->toSummary();
    return s;
}

Task Task::fromJson(const QJsonObject &o)
{
    Task t;
    t.id = o.value(u"id").toString();
    t.title = o.value(u"title").toString();
    t.summary = !o.contains(u"prompt") && o.contains(u"prompt_preview");
    t.prompt = o.value(t.summary ? u"prompt_preview" : u"prompt").toString();
    if (t.summary)
        t.promptBytes = o.value(u"prompt_bytes").toInteger();
    t.agentType = o.value(u"agent_type").toString();
    t.priority = o.value(u"priority").toInt();
    t.status = statusFromName(o.value(u"status").toString()).value_or(Status::Failed);
    t.agentId = o.value(u"agent_id").toString();
    for (const auto &v : o.value(u"depends_on").toArray())
        t.dependsOn << v.toString();
    t.attempts = o.value(u"attempts").toInt();
    t.maxAttempts = o.value(u"max_attempts").toInt();
    t.createdAt = Json::parseTime(o.value(u"created_at"));
    t.startedAt = Json::parseTime(o.value(u"started_at"));
    t.finishedAt = Json::parseTime(o.value(u"finished_at"));
    if (o.value(u"result").isObject())
        t.result = TaskResult::fromJson(o.value(u"result").toObject());
    t.error = o.value(u"error").toString();
    return t;
}

} // namespace Hive
