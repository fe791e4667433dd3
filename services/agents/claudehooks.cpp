// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/claudehooks.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// Claude Code runs a hook command through /bin/sh -c: every word is single-quoted (a quote
// inside becomes '\''), so a data directory with spaces or quotes stays one word.
QString shellQuoted(const QString &word)
{
    return u"'"_s + QString(word).replace(u"'"_s, u"'\\''"_s) + u"'"_s;
}

bool isToolEvent(const QString &event)
{
    return event == u"PreToolUse"_s || event == u"PostToolUse"_s || event == u"PermissionRequest"_s;
}

// "Write (notes.txt)", "Bash (make test)": the tool and what it would touch.
QString toolDescription(const QJsonObject &payload)
{
    const QString tool = payload.value(u"tool_name").toString(u"a tool"_s);
    const QJsonObject input = payload.value(u"tool_input").toObject();
    QString what = input.value(u"file_path").toString();
    if (!what.isEmpty())
        what = QFileInfo(what).fileName();
    if (what.isEmpty())
        what = input.value(u"command").toString().left(80);
    if (what.isEmpty())
        what = input.value(u"url").toString().left(80);
    return what.isEmpty() ? tool : u"%1 (%2)"_s.arg(tool, what);
}

} // namespace

bool ClaudeHooks::isClaude(const QStringList &command)
{
    return !command.isEmpty() && QFileInfo(command.first()).fileName() == u"claude"_s;
}

QStringList ClaudeHooks::events()
{
    return {u"SessionStart"_s,
            u"UserPromptSubmit"_s,
            u"PreToolUse"_s,
            u"PostToolUse"_s,
            u"PermissionRequest"_s,
            u"Notification"_s,
            u"Stop"_s,
            u"StopFailure"_s};
}

Result<QStringList> ClaudeHooks::prepare(const QString &dataDir,
                                         const QString &runnerPath,
                                         const QString &agentId,
                                         const QString &sessionId,
                                         bool resume)
{
    const QString dir = QDir(dataDir).filePath(u"agents/"_s + agentId);
    if (!QDir().mkpath(dir))
        return failure(Error::internal(u"cannot create %1"_s.arg(dir)));
    const QString command = QStringList{shellQuoted(runnerPath),
                                        u"hook"_s,
                                        u"--agent"_s,
                                        shellQuoted(agentId),
                                        u"--data-dir"_s,
                                        shellQuoted(dataDir)}
                                .join(u' ');
    QJsonObject hooks;
    for (const QString &event : events()) {
        QJsonObject entry{
            {u"hooks"_s,
             QJsonArray{QJsonObject{{u"type"_s, u"command"_s}, {u"command"_s, command}}}}};
        if (isToolEvent(event))
            entry.insert(u"matcher"_s, u"*"_s);
        hooks.insert(event, QJsonArray{entry});
    }
    const QString file = QDir(dir).filePath(u"claude-settings.json"_s);
    QSaveFile out(file);
    if (!out.open(QIODevice::WriteOnly)
        || out.write(QJsonDocument(QJsonObject{{u"hooks"_s, hooks}}).toJson()) < 0 || !out.commit())
        return failure(Error::internal(u"cannot write %1: %2"_s.arg(file, out.errorString())));
    return QStringList{
        u"--settings"_s, file, resume ? u"--resume"_s : u"--session-id"_s, sessionId};
}

ClaudeHooks::Reading ClaudeHooks::read(const QJsonObject &payload)
{
    Reading r;
    r.sessionId = payload.value(u"session_id").toString();
    const QString event = payload.value(u"hook_event_name").toString();
    if (event == u"SessionStart"_s || event == u"Stop"_s || event == u"StopFailure"_s) {
        r.status = Agent::Status::Idle;
    } else if (event == u"UserPromptSubmit"_s) {
        r.status = Agent::Status::Busy;
        r.promptSubmitted = true;
    } else if (event == u"PreToolUse"_s || event == u"PostToolUse"_s) {
        r.status = Agent::Status::Busy;
    } else if (event == u"PermissionRequest"_s) {
        r.status = Agent::Status::WaitingInput;
        r.need = u"Claude needs your permission to use %1"_s.arg(toolDescription(payload));
    } else if (event == u"Notification"_s) {
        const QString type = payload.value(u"notification_type").toString();
        const QString message = payload.value(u"message").toString();
        if (type == u"idle_prompt"_s) {
            r.status = Agent::Status::Idle;
        } else if (type == u"permission_prompt"_s || type == u"elicitation_dialog"_s
                   || (type.isEmpty() && !message.isEmpty())) {
            r.status = Agent::Status::WaitingInput;
            r.need = message.isEmpty() ? u"Claude needs your input"_s : message;
        }
    }
    return r;
}

} // namespace Hive
