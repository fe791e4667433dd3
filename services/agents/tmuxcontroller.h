// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QByteArray>
#include <QFuture>
#include <QHash>
#include <QObject>
#include <QProcess>
#include <QQueue>
#include <QString>
#include <QStringList>

#include <functional>

namespace Hive {

// Talks to the private tmux server (`tmux -L <socket>`) through one control-mode client
// (`tmux -C`), so that a command costs a line on a pipe rather than a process (50 new-session +
// 50 capture-pane took 0.6 s this way, against 2.2 s with a process each). Lives in the thread
// that created it (the orchestrator's); every method is asynchronous and returns a QFuture that
// finishes in that thread. The control client is started on first use and again after it died
// (tmux server killed). Arguments are quoted for tmux's own parser; nothing goes through a shell.
class TmuxController : public QObject
{
    Q_OBJECT

public:
    explicit TmuxController(const QString &socketName, QObject *parent = nullptr);
    ~TmuxController() override;

    struct SessionSpec
    {
        QString name;        // must satisfy isValidSessionName()
        QStringList command; // argv, run without a shell (execvp by tmux)
        QString workdir;
        QHash<QString, QString> env; // set in the session's environment (-e K=V)
        int width = 200;
        int height = 50;
    };

    struct SessionInfo
    {
        QString name;
        qint64 panePid = 0;
        bool paneDead = false;
        qint64 createdAt = 0; // seconds since epoch
    };

    QString socketName() const { return m_socket; }
    static QString tmuxBinary(); // full path of tmux, or empty when not installed

    // Letters, digits, '_' and '-', 1-64 characters, starting with a letter or digit: what tmux
    // keeps as is in a session name and in a target.
    static bool isValidSessionName(const QString &name);
    // A target naming exactly that session's active pane: "=NAME:" (plain "=NAME" fails for
    // capture-pane).
    static QString paneTarget(const QString &session) { return u'=' + session + u':'; }

    QFuture<Result<>> newSession(const SessionSpec &spec);
    // The pid of the pane's process as the session was made by newSession (0: not known), so that
    // what it ran can be waited for even when the session ends before anyone listed it.
    qint64 takeStartedPanePid(const QString &name) { return m_startedPids.take(name); }
    QFuture<Result<>> killSession(const QString &name);
    QFuture<Result<QList<SessionInfo>>> listSessions(); // without the control client's own session
    QFuture<Result<bool>> hasSession(const QString &name);
    // The last `lines` lines of the pane (plain text, joined wrapped lines, trailing blanks
    // trimmed).
    QFuture<Result<QString>> capturePane(const QString &name, int lines = 200);
    // Typed literally (send-keys -l), then Enter when asked. Newlines in text become Enter keys.
    QFuture<Result<>> sendText(const QString &name, const QString &text, bool enter);
    // Keys by name (Validation::isKeyName: Enter, Down, C-c, …), for menus that take no text.
    QFuture<Result<>> sendKeys(const QString &name, const QStringList &keys);
    // Appends everything the pane prints to logFile (pipe-pane -o, `cat >> 'file'`).
    QFuture<Result<>> pipePaneToFile(const QString &name, const QString &logFile);
    // Any tmux command, argv-style, each argument quoted; the output lines on success.
    QFuture<Result<QStringList>> command(const QStringList &argv);

    // Quotes one argument for tmux's command parser (single quotes, '\'' for a quote).
    static QString quote(const QString &arg);

Q_SIGNALS:
    // A session was created or closed (tmux %sessions-changed): time to reconcile.
    void sessionsChanged();
    // The control client died or could not start; pending commands fail with this message.
    void controlClientLost(const QString &message);

private:
    QHash<QString, qint64> m_startedPids; // session → its pane's pid at newSession
    QFuture<Result<>> runAll(const QList<QStringList> &commands);
    struct Reply
    {
        // Failed: tmux answered %error (lines = its message). Lost: no answer, the control client
        // died or could not start (lines = our message).
        enum Status { Ok, Failed, Lost } status = Ok;
        QStringList lines;
    };
    struct Pending
    {
        QByteArray line;
        std::function<void(const Reply &)> done;
    };

    void ensureClient();
    void onReadyRead();
    void onFinished();
    void failAll(const QString &message);
    void sendNext();
    void submit(const QStringList &argv, std::function<void(const Reply &)> done);
    void handleLine(const QByteArray &line);

    QString m_socket;
    QProcess *m_client = nullptr;
    QByteArray m_buffer;
    QQueue<Pending> m_waiting;  // not yet written
    QQueue<Pending> m_inFlight; // written, waiting for %begin…%end
    bool m_inBlock = false;
    bool m_ready = false;           // initial %begin/%end of the attach consumed
    bool m_exiting = false;         // %exit seen: new commands wait for the next client
    bool m_sessionsChanged = false; // coalesces the notifications of one read
    QByteArray m_blockGuard;        // "<time> <number> <flags>" of the open %begin
    bool m_blockFromUs = false;     // flags bit 1: the block answers a line we wrote
    QString m_lastError;            // tmux's words on why the client is going away
    QStringList m_blockLines;
};

} // namespace Hive
