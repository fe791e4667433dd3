// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/runner/outcome.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTimeZone>

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

std::optional<QDateTime> Outcome::resetTime(const QString &text, const QDateTime &now)
{
    // Claude Code 1.x and the API's own usage-limit message: "...limit reached|1796065133".
    static const QRegularExpression epoch(u"limit reached\\|(\\d{9,11})"_s,
                                          QRegularExpression::CaseInsensitiveOption);
    if (const auto m = epoch.match(text); m.hasMatch())
        return QDateTime::fromSecsSinceEpoch(m.captured(1).toLongLong(), QTimeZone::UTC);
    static const QRegularExpression iso(
        u"resets?\\s+(?:at\\s+)?(\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d(?::\\d\\d)?(?:\\.\\d+)?(?:Z|[+-]\\d\\d:?\\d\\d)?)"_s,
        QRegularExpression::CaseInsensitiveOption);
    if (const auto m = iso.match(text); m.hasMatch()) {
        QString t = m.captured(1);
        t.replace(u' ', u'T');
        QDateTime d = QDateTime::fromString(t, Qt::ISODateWithMs);
        if (!d.isValid())
            d = QDateTime::fromString(t, Qt::ISODate);
        if (d.isValid())
            return d.toUTC();
    }
    // "resets 3pm", "resets at 15:30", "resets 5am (Europe/Berlin)": the next such time.
    static const QRegularExpression clock(
        u"resets?\\s+(?:at\\s+)?(\\d{1,2})(?::(\\d\\d))?\\s*(am|pm)?(?:\\s*\\(([A-Za-z_/+-]+)\\))?"_s,
        QRegularExpression::CaseInsensitiveOption);
    if (const auto m = clock.match(text); m.hasMatch() && (m.hasCaptured(2) || m.hasCaptured(3))) {
        int h = m.captured(1).toInt();
        const int min = m.captured(2).toInt();
        const QString ampm = m.captured(3).toLower();
        if (ampm == u"pm"_s && h < 12)
            h += 12;
        else if (ampm == u"am"_s && h == 12)
            h = 0;
        if (h < 24 && min < 60) {
            const QTimeZone zone = m.hasCaptured(4) ? QTimeZone(m.captured(4).toUtf8())
                                                    : QTimeZone::systemTimeZone();
            const QTimeZone tz = zone.isValid() ? zone : QTimeZone::systemTimeZone();
            const QDateTime local = now.toTimeZone(tz);
            QDateTime at(local.date(), QTime(h, min), tz);
            if (at <= now)
                at = at.addDays(1);
            return at.toUTC();
        }
    }
    static const QRegularExpression after(
        u"(?:retry[- ]after|try again in)[:\\s]+(\\d+)\\s*(s|sec|seconds?|m|min|minutes?|h|hours?)?\\b"_s,
        QRegularExpression::CaseInsensitiveOption);
    if (const auto m = after.match(text); m.hasMatch()) {
        const QString unit = m.captured(2).toLower();
        const qint64 n = m.captured(1).toLongLong();
        const qint64 secs = unit.startsWith(u'h') ? n * 3600 : unit.startsWith(u'm') ? n * 60 : n;
        return now.addSecs(secs);
    }
    return std::nullopt;
}

std::optional<Outcome::RateLimit>
Outcome::rateLimit(const Exit &exit, const std::optional<AgentReport> &report, const QDateTime &now)
{
    if (exit.cancelled || exit.crashed)
        return std::nullopt;
    QString said;
    if (report) {
        if (!report->isError)
            return std::nullopt;
        said = !report->answer.isEmpty() ? report->answer : report->errors.join(u"; "_s);
        const bool limited
            = report->apiErrorStatus == 429 || report->apiErrorType == u"rate_limit_error"_s;
        if (!limited)
            return std::nullopt;
    } else {
        if (exit.exitCode == 0)
            return std::nullopt;
        // Another CLI: its last words (the end of the output) say so.
        said = QString::fromUtf8(exit.output.right(4096));
        static const QRegularExpression limit(
            u"rate[ -]limit|usage limit|limit reached|hit your [a-z ]*limit|\\b429\\b"_s,
            QRegularExpression::CaseInsensitiveOption);
        if (!limit.match(said).hasMatch())
            return std::nullopt;
        said = lastLine(exit.output.right(4096));
    }
    RateLimit r;
    r.reason = said.size() > 200 ? said.left(199) + u'…' : said;
    if (r.reason.isEmpty())
        r.reason = apiError(429);
    auto until = resetTime(said, now);
    if (!until && !report)
        until = resetTime(QString::fromUtf8(exit.output.right(4096)), now);
    // A reset in the past, or absurdly far: the default pause / at most a week.
    if (!until || *until <= now)
        until = now.addSecs(kDefaultLimitPauseS);
    r.until = std::min(*until, now.addDays(7));
    return r;
}

} // namespace Hive
