// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// The commands of TmuxController (the control client is in tmuxcontroller.cpp).
#include "services/agents/tmuxcontroller.h"

#include "models/validation.h"
#include "services/agents/tmuxcontroller_p.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace Hive {

using namespace TmuxDetail;

QString TmuxDetail::errorText(const QStringList &lines, const QString &fallback)
{
    QStringList nonEmpty;
    for (const QString &l : lines) {
        if (!l.trimmed().isEmpty())
            nonEmpty << l.trimmed();
    }
    return nonEmpty.isEmpty() ? fallback : nonEmpty.join(u"; "_s);
}

QFuture<Result<QStringList>> TmuxController::command(const QStringList &argv)
{
    if (argv.isEmpty())
        return failed<QStringList>(u"tmux: no command given"_s);
    for (const QString &arg : argv) {
        if (!isTransmittable(arg))
            return failed<QStringList>(
                u"tmux: a command argument cannot contain a newline or NUL character"_s);
    }
    Promised<Result<QStringList>> promise;
    submit(argv, [promise, name = argv.first()](const Reply &r) {
        switch (r.status) {
        case Reply::Ok:
            promise.finish(r.lines);
            break;
        case Reply::Failed:
            promise.finish(failure(u"tmux: "_s + errorText(r.lines, name + u" failed"_s)));
            break;
        case Reply::Lost:
            promise.finish(failure(errorText(r.lines, u"tmux control client lost"_s)));
            break;
        }
    });
    return promise.future();
}

// tmux runs a one-element command through `default-shell -c` (the user's shell, whatever that
// is) and only several elements directly with execvp. So a lone element goes through
// /usr/bin/env, which exec's it as it is: no word splitting, no $(…), and the environment passes
// untouched. env would take a lone element containing '=' for an assignment; that one (a path
// like /opt/a=b/tool) goes through /bin/sh as "$0" of `exec "$0"` instead, still never parsed.
static QStringList directArgv(const QStringList &command)
{
    if (command.size() != 1)
        return command;
    if (command.first().contains(u'='))
        return {u"/bin/sh"_s, u"-c"_s, u"exec \"$0\""_s, command.first()};
    return {u"/usr/bin/env"_s, u"--"_s, command.first()}; // "--": a program named "-x" is no option
}

QFuture<Result<>> TmuxController::newSession(const SessionSpec &spec)
{
    if (!isValidSessionName(spec.name))
        return failed<void>(u"invalid tmux session name: \"%1\" (%2)"_s.arg(
            spec.name, Validation::agentNameRule()));
    if (!spec.command.isEmpty() && spec.command.first().isEmpty())
        return failed<void>(
            u"the command of session %1 has an empty program name"_s.arg(spec.name));
    for (const QString &arg : spec.command) {
        if (!isTransmittable(arg))
            return failed<void>(u"the command of session %1 contains a newline or NUL character, "
                                "which tmux cannot pass on"_s.arg(spec.name));
    }
    if (!isTransmittable(spec.workdir))
        return failed<void>(
            u"the working directory of session %1 contains a newline"_s.arg(spec.name));
    if (!spec.workdir.isEmpty() && !QFileInfo(spec.workdir).isDir())
        // tmux itself would fall back to the home directory without a word.
        return failed<void>(
            u"working directory of session %1 does not exist: %2"_s.arg(spec.name, spec.workdir));
    if (spec.width < 1 || spec.height < 1)
        return failed<void>(u"invalid size for session %1: %2x%3"_s.arg(spec.name)
                                .arg(spec.width)
                                .arg(spec.height));

    QStringList argv{u"new-session"_s,
                     u"-d"_s,
                     u"-P"_s, // prints the pane's pid (below)
                     u"-F"_s,
                     u"#{pane_pid}"_s,
                     u"-s"_s,
                     spec.name,
                     u"-x"_s,
                     QString::number(spec.width),
                     u"-y"_s,
                     QString::number(spec.height)};
    if (!spec.workdir.isEmpty())
        argv << u"-c"_s << formatEscaped(QFileInfo(spec.workdir).absoluteFilePath());
    QStringList keys = spec.env.keys();
    keys.sort();
    for (const QString &key : std::as_const(keys)) {
        const QString &value = spec.env.value(key);
        if (key.isEmpty() || key.contains(u'=') || !isTransmittable(key) || !isTransmittable(value))
            return failed<void>(
                u"invalid environment variable for session %1: %2"_s.arg(spec.name, key));
        argv << u"-e"_s << key + u'=' + value;
    }
    if (!spec.command.isEmpty())
        argv << u"--"_s << directArgv(spec.command);

    Promised<Result<>> promise;
    submit(argv, [this, promise, name = spec.name](const Reply &r) {
        if (r.status == Reply::Ok) {
            bool ok = false;
            const qint64 pid = r.lines.value(0).trimmed().toLongLong(&ok);
            if (ok && pid > 0)
                m_startedPids.insert(name, pid);
            promise.finish({});
        } else if (r.status == Reply::Failed)
            promise.finish(failure(u"tmux: "_s + errorText(r.lines, u"new-session failed"_s)));
        else
            promise.finish(failure(errorText(r.lines, u"tmux control client lost"_s)));
    });
    return promise.future();
}

QFuture<Result<>> TmuxController::killSession(const QString &name)
{
    if (!isValidSessionName(name))
        return failed<void>(u"invalid tmux session name: \"%1\""_s.arg(name));
    return command({u"kill-session"_s, u"-t"_s, u'=' + name})
        .then([](const Result<QStringList> &r) -> Result<> {
            if (!r)
                return failure(r.error());
            return {};
        });
}

QFuture<Result<QList<TmuxController::SessionInfo>>> TmuxController::listSessions()
{
    // A tab separates the fields; it cannot occur in a session name of ours.
    const QString format = u"#{session_name}\t#{pane_pid}\t#{pane_dead}\t#{session_created}"_s;
    return command({u"list-sessions"_s, u"-F"_s, format})
        .then([](const Result<QStringList> &r) -> Result<QList<SessionInfo>> {
            if (!r)
                return failure(r.error());
            QList<SessionInfo> sessions;
            for (const QString &line : *r) {
                const QStringList f = line.split(u'\t');
                if (f.size() != 4 || f.at(0) == s_controlSession)
                    continue;
                sessions.append(
                    {f.at(0), f.at(1).toLongLong(), f.at(2) == u"1"_s, f.at(3).toLongLong()});
            }
            return sessions;
        });
}

QFuture<Result<bool>> TmuxController::hasSession(const QString &name)
{
    if (!isValidSessionName(name))
        return QtFuture::makeReadyValueFuture(Result<bool>(false));
    Promised<Result<bool>> promise;
    submit({u"has-session"_s, u"-t"_s, u'=' + name}, [promise](const Reply &r) {
        if (r.status == Reply::Lost)
            promise.finish(failure(errorText(r.lines, u"tmux control client lost"_s)));
        else
            promise.finish(r.status == Reply::Ok); // tmux's error: can't find session
    });
    return promise.future();
}

QFuture<Result<QString>> TmuxController::capturePane(const QString &name, int lines)
{
    if (!isValidSessionName(name))
        return failed<QString>(u"invalid tmux session name: \"%1\""_s.arg(name));
    lines = std::max(lines, 1);
    return command({u"capture-pane"_s,
                    u"-p"_s,
                    u"-J"_s,
                    u"-t"_s,
                    paneTarget(name),
                    u"-S"_s,
                    QString::number(-lines)})
        .then([lines](const Result<QStringList> &r) -> Result<QString> {
            if (!r)
                return failure(r.error());
            QStringList out = *r;
            while (!out.isEmpty() && out.last().trimmed().isEmpty())
                out.removeLast();
            if (out.size() > lines)
                out = out.mid(out.size() - lines);
            return out.join(u'\n');
        });
}

QFuture<Result<>> TmuxController::sendText(const QString &name, const QString &text, bool enter)
{
    if (!isValidSessionName(name))
        return failed<void>(u"invalid tmux session name: \"%1\""_s.arg(name));
    if (text.contains(QChar(0)))
        return failed<void>(u"text for session %1 contains a NUL character"_s.arg(name));

    // A control-mode command is one line, so each line of text is typed on its own and the
    // newlines between become Enter keys.
    QString normalized = text;
    normalized.replace(u"\r\n"_s, u"\n"_s);
    const QStringList pieces = normalized.split(u'\n');
    QList<QStringList> commands;
    for (qsizetype i = 0; i < pieces.size(); ++i) {
        if (i > 0)
            commands.append({u"send-keys"_s, u"-t"_s, paneTarget(name), u"Enter"_s});
        if (!pieces.at(i).isEmpty())
            commands.append(
                {u"send-keys"_s, u"-t"_s, paneTarget(name), u"-l"_s, u"--"_s, pieces.at(i)});
    }
    if (enter)
        commands.append({u"send-keys"_s, u"-t"_s, paneTarget(name), u"Enter"_s});

    return runAll(commands);
}

QFuture<Result<>> TmuxController::sendKeys(const QString &name, const QStringList &keys)
{
    if (!isValidSessionName(name))
        return failed<void>(u"invalid tmux session name: \"%1\""_s.arg(name));
    QList<QStringList> commands;
    for (const QString &key : keys) {
        if (!Validation::isKeyName(key))
            return failed<void>(
                u"keys: '%1' is not a key name (%2)"_s.arg(key, Validation::keyNameRule()));
        commands.append({u"send-keys"_s, u"-t"_s, paneTarget(name), key});
    }
    return runAll(commands);
}

QFuture<Result<>> TmuxController::runAll(const QList<QStringList> &commands)
{
    if (commands.isEmpty())
        return QtFuture::makeReadyValueFuture(Result<>());
    // Replies come in order: the last one finishes the future with the first error, if any.
    Promised<Result<>> promise;
    auto firstError = std::make_shared<QString>();
    for (qsizetype i = 0; i < commands.size(); ++i) {
        const bool last = i == commands.size() - 1;
        submit(commands.at(i), [promise, firstError, last](const Reply &r) {
            if (r.status != Reply::Ok && firstError->isEmpty()) {
                *firstError = r.status == Reply::Failed
                                  ? u"tmux: "_s + errorText(r.lines, u"send-keys failed"_s)
                                  : errorText(r.lines, u"tmux control client lost"_s);
            }
            if (!last)
                return;
            if (firstError->isEmpty())
                promise.finish({});
            else
                promise.finish(failure(*firstError));
        });
    }
    return promise.future();
}

QFuture<Result<>> TmuxController::pipePaneToFile(const QString &name, const QString &logFile)
{
    if (!isValidSessionName(name))
        return failed<void>(u"invalid tmux session name: \"%1\""_s.arg(name));
    if (logFile.isEmpty() || !isTransmittable(logFile))
        return failed<void>(u"invalid log file name for session %1: \"%2\""_s.arg(name, logFile));
    const QFileInfo file(logFile);
    if (!QDir().mkpath(file.absolutePath()))
        return failed<void>(
            u"cannot create the folder for log file %1"_s.arg(file.absoluteFilePath()));

    // The one command tmux runs through /bin/sh by design: the path is quoted for sh, the whole
    // is escaped for tmux's format expansion, and quote() then protects it from tmux's parser.
    const QString shellCommand = u"exec cat >> "_s + shellQuoted(file.absoluteFilePath());
    return command(
               {u"pipe-pane"_s, u"-o"_s, u"-t"_s, paneTarget(name), formatEscaped(shellCommand)})
        .then([](const Result<QStringList> &r) -> Result<> {
            if (!r)
                return failure(r.error());
            return {};
        });
}

} // namespace Hive
