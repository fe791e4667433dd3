// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/task.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QString>

#include <optional>

namespace Hive {

// How a task's command ended, judged from its exit and, for Claude Code, from the stream-json
// "result" event it printed last (tests/claude/FINDINGS.md). Kept apart from Runner so that it can
// be tested without a runner: the verdicts are what users read on the task board and in the API.
class Outcome
{
    Q_DECLARE_TR_FUNCTIONS(Hive::Outcome)

public:
    // The last "result" event among the last lines of stream-json output; nullopt when there is
    // none (not stream-json, or the CLI died before the end).
    struct StreamResult
    {
        AgentReport report;
        std::optional<double> costUsd; // total_cost_usd (cost_usd in older CLIs)
    };
    static std::optional<StreamResult> parseStreamJson(const QByteArray &output);

    struct Exit
    {
        int exitCode = 0;
        bool crashed = false;   // killed by a signal
        bool cancelled = false; // ... because the task was cancelled
        QString workdir;        // to show denied paths relative to it
        QString permissionMode; // the agent's, named in "needs permission" errors
        QByteArray output;      // the captured output (its last line explains a bare exit code)
    };
    struct Verdict
    {
        bool succeeded = false;
        QString error;
        bool retryable = true; // false: another attempt would fail the same way
    };
    static Verdict judge(const Exit &exit, const std::optional<AgentReport> &report);

    // "Anthropic API error 429 (rate limited)"
    static QString apiError(int status);

    // A rate or usage limit the command reported, and when it ends: Claude Code's result with
    // api_error_status 429 (its text may name the reset: "Claude AI usage limit reached|<epoch>",
    // "… resets 3pm (Europe/Berlin)", "resets at 2026-12-01T10:00:00Z"), or any CLI's failing
    // output saying "rate limit" / "limit reached" / HTTP 429 with such a reset or "retry after N
    // s". With no reset in the words: now + kDefaultLimitPauseS. nullopt: no limit was reported.
    struct RateLimit
    {
        QDateTime until;
        QString reason;
    };
    static constexpr int kDefaultLimitPauseS = 60;
    static std::optional<RateLimit> rateLimit(const Exit &exit,
                                              const std::optional<AgentReport> &report,
                                              const QDateTime &now
                                              = QDateTime::currentDateTimeUtc());
    // The reset named in a limit message; nullopt when it names none.
    static std::optional<QDateTime> resetTime(const QString &text, const QDateTime &now);
};

} // namespace Hive
