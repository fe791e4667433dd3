// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/tmuxcontroller.h"

#include "models/validation.h"
#include "services/agents/tmuxcontroller_p.h"

#include "services/core/logging.h"
#include "services/core/process.h"

#include <QDir>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QPromise>
#include <QTimer>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace Hive {

using namespace TmuxDetail;

TmuxController::TmuxController(const QString &socketName, QObject *parent)
    : QObject(parent)
    , m_socket(socketName)
{}

TmuxController::~TmuxController()
{
    if (m_client) {
        m_client->disconnect(this);
        // End of input makes a control client detach; the session and the server stay.
        m_client->closeWriteChannel();
        if (!m_client->waitForFinished(500))
            m_client->kill();
        m_client->waitForFinished(500);
    }
    QQueue<Pending> pending;
    pending.swap(m_inFlight);
    pending.append(m_waiting);
    m_waiting.clear();
    for (const Pending &p : std::as_const(pending))
        p.done({Reply::Lost, {u"tmux: the controller was shut down"_s}});
}

QString TmuxController::tmuxBinary()
{
    return Process::findExecutable(u"tmux"_s,
                                   {u"/opt/homebrew/bin"_s, u"/usr/local/bin"_s, u"/usr/bin"_s});
}

bool TmuxController::isValidSessionName(const QString &name)
{
    return Validation::isAgentName(name);
}

// Single quotes are the one tmux quoting with no expansion inside ($VAR, ~, \ escapes and the
// ';' separator all stay literal); a single quote itself closes the quote, is given escaped and
// reopens it: it's → 'it'\''s'. Words made only of harmless characters go bare, which keeps the
// command lines in the log readable. '#' and '=' are not harmless: a word starting with '#' is a
// comment, and NAME=VALUE as a first word is an assignment.
QString TmuxController::quote(const QString &arg)
{
    const auto harmless = [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
               || QStringView(u"_-./:@,+").contains(c);
    };
    if (!arg.isEmpty() && std::all_of(arg.begin(), arg.end(), harmless))
        return arg;
    QString out;
    out.reserve(arg.size() + 2);
    out += u'\'';
    for (const QChar c : arg) {
        if (c == u'\'')
            out += u"'\\''"_s;
        else
            out += c;
    }
    out += u'\'';
    return out;
}

// ---- the control client -------------------------------------------------------------------

void TmuxController::ensureClient()
{
    if (m_client)
        return;
    const QString tmux = tmuxBinary();
    if (tmux.isEmpty()) {
        failAll(u"tmux is not installed"_s);
        return;
    }
    m_buffer.clear();
    m_inBlock = false;
    m_ready = false;
    m_exiting = false;
    m_blockLines.clear();
    m_lastError.clear();

    m_client = new QProcess(this);
    m_client->setProgram(tmux);
    // -u: the client is UTF-8 whatever the locale says, otherwise tmux replaces every non-ASCII
    // character of a reply with '_'. new-session -A attaches to the control session when it
    // exists and creates it (and the server) when not; -f no-output: no %output for its pane.
    // Its pane idles in `cat -` (two argv elements: exec'd directly, not through a shell).
    m_client->setArguments({u"-u"_s,
                            u"-L"_s,
                            m_socket,
                            u"-C"_s,
                            u"new-session"_s,
                            u"-A"_s,
                            u"-f"_s,
                            u"no-output"_s,
                            u"-s"_s,
                            s_controlSession,
                            u"-x"_s,
                            u"80"_s,
                            u"-y"_s,
                            u"24"_s,
                            u"--"_s,
                            u"cat"_s,
                            u"-"_s});
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"TMUX"_s); // when the app itself runs inside tmux
    env.remove(u"TMUX_PANE"_s);
    m_client->setProcessEnvironment(env);
    m_client->setWorkingDirectory(QDir::homePath());
    connect(m_client, &QProcess::readyReadStandardOutput, this, &TmuxController::onReadyRead);
    connect(m_client, &QProcess::finished, this, &TmuxController::onFinished);
    connect(m_client, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            m_lastError = m_client->errorString();
            onFinished();
        }
    });
    tmuxLog()->debug("starting the control client on socket {}", m_socket);
    m_client->start();
    // A client that never answers its attach would hold every command forever.
    QTimer::singleShot(s_startTimeoutMs, m_client, [this, client = m_client] {
        if (m_client == client && !m_ready) {
            m_lastError = u"no answer from tmux within %1 s"_s.arg(s_startTimeoutMs / 1000);
            m_client->kill();
        }
    });
}

void TmuxController::submit(const QStringList &argv, std::function<void(const Reply &)> done)
{
    QString line;
    for (const QString &arg : argv) {
        if (!line.isEmpty())
            line += u' ';
        line += quote(arg);
    }
    Pending p{line.toUtf8() + '\n', std::move(done)};
    if (m_client && m_ready && !m_exiting) {
        m_client->write(p.line);
        m_inFlight.enqueue(std::move(p));
        return;
    }
    m_waiting.enqueue(std::move(p));
    if (!m_exiting)
        ensureClient();
}

// Called once the attach is answered: our own settings first, then whatever waited.
void TmuxController::sendNext()
{
    if (!m_client || !m_ready || m_exiting)
        return;
    QByteArray out;
    // The private server's behaviour the orchestrator relies on, whatever the user's tmux.conf
    // says: a session ends with its command (that is how a dead runner shows), detached sessions
    // stay, and the server outlives the app's control client.
    static const QList<QStringList> settings{
        {u"set-option"_s, u"-gw"_s, u"remain-on-exit"_s, u"off"_s},
        {u"set-option"_s, u"-g"_s, u"destroy-unattached"_s, u"off"_s},
        {u"set-option"_s, u"-s"_s, u"exit-unattached"_s, u"off"_s},
    };
    for (const QStringList &argv : settings) {
        Pending p{argv.join(u' ').toUtf8() + '\n', [argv](const Reply &r) {
                      if (r.status == Reply::Failed)
                          tmuxLog()->warn(
                              "tmux refused {}: {}", argv.join(u' '), r.lines.join(u"; "_s));
                  }};
        out += p.line;
        m_inFlight.enqueue(std::move(p));
    }
    while (!m_waiting.isEmpty()) {
        Pending p = m_waiting.dequeue();
        out += p.line;
        m_inFlight.enqueue(std::move(p));
    }
    if (!out.isEmpty())
        m_client->write(out);
}

void TmuxController::onReadyRead()
{
    if (!m_client)
        return;
    m_buffer += m_client->readAllStandardOutput();
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = m_buffer.indexOf('\n', start);
        if (nl < 0)
            break;
        const QByteArray line = m_buffer.mid(start, nl - start);
        start = nl + 1;
        handleLine(line);
        if (!m_client) // a reply's callback may have ended everything
            return;
    }
    m_buffer.remove(0, start);
    if (m_sessionsChanged) {
        m_sessionsChanged = false;
        Q_EMIT sessionsChanged();
    }
}

void TmuxController::handleLine(const QByteArray &line)
{
    if (m_inBlock) {
        // The closing guard repeats the opening one exactly, so a line of output that merely looks
        // like "%end …" does not end the block.
        const bool end = line.startsWith("%end ") && line.mid(5) == m_blockGuard;
        const bool error = line.startsWith("%error ") && line.mid(7) == m_blockGuard;
        if (!end && !error) {
            m_blockLines << QString::fromUtf8(line);
            return;
        }
        m_inBlock = false;
        const Reply reply{error ? Reply::Failed : Reply::Ok, std::exchange(m_blockLines, {})};
        if (!m_ready) {
            // The first block answers the new-session/attach of the command line (flags 0), not
            // anything we wrote: only now are commands sent, so nothing is mis-assigned.
            m_ready = true;
            if (error) {
                m_lastError = reply.lines.join(u"; "_s);
                tmuxLog()->warn("tmux control client could not attach: {}", m_lastError);
            }
            sendNext();
            return;
        }
        if (!m_blockFromUs) {
            // Hooks and the like run for our client without coming from its input.
            tmuxLog()->debug("tmux block not from our input: {}", reply.lines.join(u"; "_s));
            return;
        }
        if (m_inFlight.isEmpty()) {
            tmuxLog()->warn("tmux reply with no command waiting for it: {}",
                            reply.lines.join(u"; "_s));
            return;
        }
        const Pending p = m_inFlight.dequeue();
        if (reply.status == Reply::Failed)
            tmuxLog()->debug("tmux refused {}: {}", p.line.trimmed(), reply.lines.join(u"; "_s));
        p.done(reply);
        return;
    }
    if (line.startsWith("%begin ")) {
        // %begin <time> <command number> <flags>; flags bit 1: the command came from our input.
        m_inBlock = true;
        m_blockGuard = line.mid(7);
        const QList<QByteArray> fields = m_blockGuard.split(' ');
        m_blockFromUs = fields.size() >= 3 && (fields.at(2).toInt() & 1);
        m_blockLines.clear();
        return;
    }
    if (line.startsWith("%sessions-changed") || line.startsWith("%session-renamed")
        || line.startsWith("%unlinked-window-close") || line.startsWith("%window-close")
        || line.startsWith("%session-closed")) {
        m_sessionsChanged = true;
        return;
    }
    if (line.startsWith("%exit")) {
        // The client goes away (server killed, control session destroyed): nothing written from
        // now on would be answered, so new commands wait for the next client.
        m_exiting = true;
        const QByteArray reason = line.mid(5).trimmed();
        if (!reason.isEmpty())
            m_lastError = QString::fromUtf8(reason);
        tmuxLog()->debug("tmux control client exits: {}", reason);
        return;
    }
    if (line.startsWith("%config-error ") || line.startsWith("%message ")) {
        tmuxLog()->warn("tmux: {}", line.mid(line.indexOf(' ') + 1));
        return;
    }
    // Other notifications (%output is turned off, %window-add, %layout-change, …) do not concern
    // sessions as a whole.
}

void TmuxController::onFinished()
{
    if (!m_client)
        return;
    onReadyRead(); // replies that arrived just before the end are still answers
    if (!m_client)
        return;
    QProcess *client = m_client;
    m_client = nullptr;
    client->disconnect(this);
    const QString stderrText = QString::fromLocal8Bit(client->readAllStandardError()).trimmed();
    client->deleteLater();

    const bool wasReady = m_ready;
    QString message = wasReady
                          ? u"tmux: lost the connection to the server (socket %1)"_s.arg(m_socket)
                          : u"tmux: cannot start a control client (socket %1)"_s.arg(m_socket);
    if (!m_lastError.isEmpty())
        message += u": "_s + m_lastError;
    else if (!stderrText.isEmpty())
        message += u": "_s + stderrText;
    tmuxLog()->warn("{}", message);

    m_buffer.clear();
    m_inBlock = false;
    m_ready = false;
    m_exiting = false;
    m_blockLines.clear();

    QQueue<Pending> lost;
    lost.swap(m_inFlight);
    if (!wasReady) {
        // It never got as far as attaching: the commands that waited for it would only start
        // another client that fails the same way.
        lost.append(m_waiting);
        m_waiting.clear();
    }
    Q_EMIT controlClientLost(message);
    for (const Pending &p : std::as_const(lost))
        p.done({Reply::Lost, {message}});
    // Commands submitted after %exit waited for this moment: a new client (and server) for them.
    if (!m_waiting.isEmpty())
        ensureClient();
}

void TmuxController::failAll(const QString &message)
{
    QQueue<Pending> lost;
    lost.swap(m_inFlight);
    lost.append(m_waiting);
    m_waiting.clear();
    tmuxLog()->warn("{}", message);
    Q_EMIT controlClientLost(message);
    for (const Pending &p : std::as_const(lost))
        p.done({Reply::Lost, {message}});
}

} // namespace Hive
