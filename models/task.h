// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

namespace Hive {

// A tool call the agent CLI refused because its permission mode did not allow it (Claude Code's
// permission_denials): the tool and its input as the model asked for them.
struct PermissionDenial
{
    QString tool;      // "Write", "Bash", "Read" ...
    QJsonObject input; // {"file_path": ..., "content": ...}, {"command": ...}

    // What it wanted to touch: the file, command, pattern or URL; file paths inside workdir are
    // shown relative to it. Empty when the input names none of these.
    QString target(const QString &workdir = {}) const;
};

// What the agent CLI itself said about its run, from Claude Code's stream-json "result" event (see
// tests/claude/FINDINGS.md). Stored as it is serialised here (tasks.report, task_runs.report).
struct AgentReport
{
    QString answer; // the final answer text ("result"); empty when it stopped without one
    QString sessionId;
    std::optional<int> numTurns;
    QString model; // the key of modelUsage (the result event has no top-level model field)
    struct Usage
    {
        qint64 inputTokens = 0;
        qint64 outputTokens = 0;
        qint64 cacheCreationTokens = 0;
        qint64 cacheReadTokens = 0;
    };
    std::optional<Usage> usage;
    // The CLI's own verdict. subtype stays "success" even for API errors; is_error and
    // terminal_reason ("completed", "max_turns", "api_error" ...) say what happened.
    bool isError = false;
    QString subtype;
    QString terminalReason;
    std::optional<int> apiErrorStatus; // HTTP status of the API error that ended the run (429 ...)
    QString apiErrorType;              // "rate_limit_error", "overloaded_error" ...
    QStringList errors; // "errors" of error results ("Reached maximum number of turns (1)")
    QList<PermissionDenial> permissionDenials;

    QJsonObject toJson() const;
    static AgentReport fromJson(const QJsonObject &o);
    // From the stream-json result event itself.
    static AgentReport fromResultEvent(const QJsonObject &event);
    // "Write hello.txt, Bash rm -rf build": the refused calls, for an error message.
    QString deniedSummary(const QString &workdir = {}) const;
};

// The outcome of a finished task (its last attempt).
struct TaskResult
{
    int exitCode = 0;
    QString output; // the raw output (for Claude Code: the stream-json lines), the log
    qint64 durationMs = 0;
    std::optional<double> costUsd;
    std::optional<AgentReport> report; // absent when the command reported nothing
    // In a summary (Task::summary): the whole output's and answer's size in bytes (UTF-8); output
    // then holds only the output's last characters and report->answer the answer's first ones.
    qint64 outputBytes = 0;
    qint64 answerBytes = 0;

    // summary: the shape events carry ("output_tail", "output_bytes", "answer_preview",
    // "answer_bytes" instead of "output" and "answer"; permission denials with only what names
    // their target).
    QJsonObject toJson(bool summary = false) const;
    static TaskResult fromJson(const QJsonObject &o); // either shape
    TaskResult toSummary() const;
};

// One unit of work: a prompt for an agent of a type. A plain value.
struct Task
{
    enum class Status { Blocked, Queued, Assigned, Running, Succeeded, Failed, Cancelled };

    QString id;
    QString title;
    QString prompt;
    QString agentType;
    int priority = 0;
    Status status = Status::Queued;
    QString agentId;
    QStringList dependsOn;
    int attempts = 0;
    int maxAttempts = 3;
    QDateTime createdAt;
    QDateTime startedAt;
    QDateTime finishedAt;
    std::optional<TaskResult> result;
    QString error; // why it failed, when it failed without running (dependency, attempts, start)
    // A summary is the task as events carry it: every small field, but of the prompt only its
    // first kPreviewChars characters (in prompt) and its size (promptBytes), of the output only
    // its last ones (see TaskResult). Events carry what changed, not megabytes of prompt and
    // output; the whole task is Engine::task() (GET /api/v1/tasks/{id}).
    bool summary = false;
    qint64 promptBytes = 0; // a summary's: the whole prompt's size in bytes (UTF-8)
    static constexpr qsizetype kPreviewChars = 200;

    // The whole task; a summary as a summary ("prompt_preview" and "prompt_bytes" instead of
    // "prompt", the result's shape of TaskResult::toJson(true)).
    QJsonObject toJson() const;
    static Task fromJson(const QJsonObject &o); // either shape
    Task toSummary() const;                     // itself when it is one already

    static QString statusName(Status s);
    static std::optional<Status> statusFromName(QStringView name);
    static QStringList statusNames();
    bool isFinished() const
    {
        return status == Status::Succeeded || status == Status::Failed
               || status == Status::Cancelled;
    }
};

} // namespace Hive

Q_DECLARE_METATYPE(Hive::Task)
