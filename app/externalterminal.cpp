// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/externalterminal.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// How each emulator takes the program to run.
QStringList runFlag(const QString &program)
{
    const QString name = QFileInfo(program).fileName();
    if (name == u"gnome-terminal"_s || name == u"ptyxis"_s)
        return {u"--"_s};
    if (name == u"xfce4-terminal"_s)
        return {u"-x"_s};
    if (name == u"wezterm"_s)
        return {u"start"_s, u"--"_s};
    if (name == u"kitty"_s || name == u"foot"_s)
        return {};
    return {u"-e"_s}; // x-terminal-emulator, xterm, konsole, alacritty, urxvt, st, $TERMINAL
}

} // namespace

ExternalTerminal::Launch ExternalTerminal::plan(const QString &tmuxBinary,
                                                const QString &socket,
                                                const QString &session,
                                                const QString &preferred)
{
    const QString tmux = tmuxBinary.isEmpty() ? u"tmux"_s : tmuxBinary;
    const QStringList attach{tmux, u"-L"_s, socket, u"attach-session"_s, u"-t"_s, u"="_s + session};
#ifdef Q_OS_MACOS
    if (preferred.isEmpty()) {
        // Terminal.app runs a command only through AppleScript's "do script". The socket and
        // session names are restricted to [A-Za-z0-9_.-], so quoting them is safe.
        QStringList quoted;
        for (const QString &a : attach)
            quoted << u"'"_s + QString(a).replace(u"'"_s, u"'\\''"_s) + u"'"_s;
        const QString script = u"tell application \"Terminal\" to do script \"%1\""_s.arg(
            quoted.join(u' ').replace(u"\\"_s, u"\\\\"_s).replace(u"\""_s, u"\\\""_s));
        return {u"osascript"_s,
                {u"-e"_s, script, u"-e"_s, u"tell application \"Terminal\" to activate"_s}};
    }
#endif
    if (!preferred.trimmed().isEmpty()) {
        QStringList argv = QProcess::splitCommand(preferred);
        if (!argv.isEmpty()) {
            const QString program = argv.takeFirst();
            const QString path = QStandardPaths::findExecutable(program);
            if (!path.isEmpty())
                return {path, argv + attach};
        }
    }
    QStringList candidates;
    const QString env = qEnvironmentVariable("TERMINAL");
    if (!env.isEmpty())
        candidates << env;
    candidates << u"x-terminal-emulator"_s << u"gnome-terminal"_s << u"konsole"_s
               << u"xfce4-terminal"_s << u"kitty"_s << u"alacritty"_s << u"wezterm"_s << u"foot"_s
               << u"xterm"_s;
    for (const QString &c : std::as_const(candidates)) {
        const QString path = QStandardPaths::findExecutable(c);
        if (!path.isEmpty())
            return {path, runFlag(c) + attach};
    }
    return {};
}

Result<> ExternalTerminal::open(const QString &tmuxBinary,
                                const QString &socket,
                                const QString &session,
                                const QString &preferred)
{
    const Launch l = plan(tmuxBinary, socket, session, preferred);
    if (l.program.isEmpty())
        return failure(tr(
            "No terminal emulator was found. Set one in Settings → Terminal → External terminal."));
    QProcess p;
    p.setProgram(l.program);
    p.setArguments(l.arguments);
    // The terminal must not think it runs inside the app's tmux (if any).
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"TMUX"_s);
    env.remove(u"TMUX_PANE"_s);
    p.setProcessEnvironment(env);
    if (!p.startDetached())
        return failure(tr("%1 could not be started.").arg(l.program));
    return {};
}

} // namespace Hive
