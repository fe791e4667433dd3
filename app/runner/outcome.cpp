// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/runner/outcome.h"

#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// The last line with something on it, shortened: what a CLI says last before a bare exit code
// ("--dangerously-skip-permissions cannot be used with root/sudo privileges ...").
QString lastLine(const QByteArray &output)
{
    const QList<QByteArray> lines = output.trimmed().split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        const QString line = QString::fromUtf8(it->trimmed());
        if (!line.isEmpty())
            return line.size() > 300 ? line.left(299) + u'…' : line;
    }
    return {};
}

} // namespace

std::optional<Outcome::StreamResult> Outcome::parseStreamJson(const QByteArray &output)
{
    qsizetype end = output.size();
    // The result event is the last line but for what the CLI may print after it on stderr.
    for (int n = 0; n < 50 && end > 0; ++n) {
        const qsizetype start = output.lastIndexOf('\n', end - 1) + 1;
        const QByteArray line = output.mid(start, end - start).trimmed();
        end = start - 1;
        if (!line.startsWith('{'))
            continue;
        const QJsonObject o = QJsonDocument::fromJson(line).object();
        if (o.value(u"type").toString() != u"result"_s)
            continue;
        StreamResult r{AgentReport::fromResultEvent(o), std::nullopt};
        for (const auto key : {u"total_cost_usd", u"cost_usd"}) {
            if (o.value(key).isDouble()) {
                r.costUsd = o.value(key).toDouble();
                break;
            }
        }
        return r;
    }
    return std::nullopt;
}

QString Outcome::apiError(int status)
{
    QString kind;
    switch (status) {
    case 400:
        kind = tr("bad request");
        break;
    case 401:
        kind = tr("authentication failed");
        break;
    case 403:
        kind = tr("permission denied");
        break;
    case 404:
        kind = tr("not found");
        break;
    case 413:
        kind = tr("request too large");
        break;
    case 429:
        kind = tr("rate limited");
        break;
    case 500:
        kind = tr("server error");
        break;
    case 529:
        kind = tr("overloaded");
        break;
    default:
        break;
    }
    return kind.isEmpty() ? tr("Anthropic API error %1").arg(status)
                          : tr("Anthropic API error %1 (%2)").arg(status).arg(kind);
}

Outcome::Verdict Outcome::judge(const Exit &exit, const std::optional<AgentReport> &report)
{
    Verdict v;
    if (exit.crashed) {
        v.error = exit.cancelled ? tr("cancelled") : tr("the command crashed");
        return v;
    }
    if (report && report->isError) {
        // What the CLI says it was: an API error after its own retries, the turn limit, ...
        const QString detail
            = !report->answer.isEmpty() ? report->answer : report->errors.join(u"; "_s);
        if (report->apiErrorStatus)
            v.error = detail.isEmpty()
                          ? apiError(*report->apiErrorStatus)
                          : tr("%1: %2").arg(apiError(*report->apiErrorStatus), detail);
        else if (report->terminalReason == u"max_turns"_s
                 || report->subtype == u"error_max_turns"_s)
            v.error = tr("stopped at the maximum number of turns (%1)").arg(detail);
        else {
            // "success" is no kind of error (the CLI keeps that subtype for some errors).
            const QString kind = !report->terminalReason.isEmpty() ? report->terminalReason
                                 : report->subtype != u"success"_s ? report->subtype
                                                                   : QString();
            const QString what = kind.isEmpty() ? tr("the agent reported an error")
                                                : tr("the agent reported an error (%1)").arg(kind);
            v.error = detail.isEmpty() ? what : tr("%1: %2").arg(what, detail);
        }
        return v;
    }
    if (report && !report->permissionDenials.isEmpty()) {
        // Claude Code in print mode cannot ask: it refuses, tells the model, and ends
        // "successfully". The work was not done, and would not be on another attempt with the same
        // mode.
        v.error = exit.permissionMode.isEmpty()
                      ? tr("needs permission: %1").arg(report->deniedSummary(exit.workdir))
                      : tr("needs permission: %1 (the agent's permission mode is %2; acceptEdits "
                           "lets it edit files in its folder)")
                            .arg(report->deniedSummary(exit.workdir), exit.permissionMode);
        v.retryable = false;
        return v;
    }
    if (exit.exitCode != 0) {
        const QString last = report ? QString() : lastLine(exit.output);
        v.error = last.isEmpty()
                      ? tr("the command exited with code %1").arg(exit.exitCode)
                      : tr("the command exited with code %1: %2").arg(exit.exitCode).arg(last);
        return v;
    }
    v.succeeded = true;
    return v;
}

} // namespace Hive
