// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/agent.h"

#include <QFont>
#include <QFrame>
#include <QPointer>

#include <qtermwidget.h>

class QLabel;
class QPushButton;
class QStackedWidget;
class QToolButton;

namespace Hive {

// One agent's terminal: a QTermWidget running `tmux -L SOCKET attach -t =NAME` (with -r while
// only watching), built unstarted and started once program, arguments, working directory and
// environment are set (as qterminal's TermWidget). Closing or deleting the pane ends only the
// attach client: the agent's session runs on. A header shows the agent, its status and whether
// the keyboard goes to the agent; a message page replaces the terminal when tmux is missing or the
// client ended. A suspended pane (one the user cannot see: a page of the grid not shown, a tab
// behind another) has no attach client and no terminal widget at all: it attaches again, and tmux
// redraws the agent's screen, when it is resumed. The embedded client turns the session's tmux
// status line off: the pane's header says what it said. GUI thread.
class TerminalPane : public QFrame
{
    Q_OBJECT

public:
    struct Target
    {
        QString agentId;
        QString agentName;
        QString session; // tmux session name
        QString socket;  // tmux -L
        QString tmuxBinary;
        QString workdir;
        bool interactive = false;
    };

    TerminalPane(const Target &target,
                 bool readOnly,
                 QWidget *parent = nullptr,
                 bool suspended = false);
    ~TerminalPane() override;

    const Target &target() const { return m_target; }
    QString agentId() const { return m_target.agentId; }
    QString agentName() const { return m_target.agentName; }
    // Points the pane at another agent of the same session name (after a restart) and reattaches.
    void retarget(const Target &target);

    bool isReadOnly() const { return m_readOnly; }
    void setReadOnly(bool readOnly); // reattaches with or without -r
    bool isAttached() const { return m_attached; }
    void reattach();
    // Detaches the client while the pane cannot be seen; resuming attaches again.
    void setSuspended(bool suspended);
    bool isSuspended() const { return m_suspended; }

    void setStatus(Agent::Status status);
    Agent::Status status() const { return m_status; }
    // The agent's session is gone (killed, lost): the pane says so instead of reattaching.
    void setEnded(const QString &message);

    void setCurrent(bool current); // highlighted in the grid
    bool isCurrent() const { return m_current; }
    void setHeaderVisible(bool visible);

    QTermWidget *terminal() const { return m_term; }
    // What the terminal shows (history and screen), as plain text.
    QString screenText() const;
    QString errorText() const;
    // The tmux argv after the binary (for tests and the external terminal).
    static QStringList attachArguments(const Target &target, bool readOnly);
    // What the attach client gets in its environment besides the app's own.
    static QStringList attachEnvironment();

    void setTerminalFont(const QFont &font);
    QFont terminalFont() const { return m_font; }
    void setColorScheme(const QString &scheme);
    void zoomIn();
    void zoomOut();
    void copy();
    void paste();
    void toggleSearch();

    static QFont defaultFont();
    static QString defaultColorScheme() { return QStringLiteral("Linux"); }

Q_SIGNALS:
    void readOnlyChanged(bool readOnly);
    void attachedChanged(bool attached);
    void activated(); // the terminal got the focus (the grid follows it)
    void closeRequested();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void start();
    void stop();
    void showMessage(const QString &text, bool canReattach);
    void updateHeader();

    Target m_target;
    bool m_readOnly;
    bool m_attached = false;
    bool m_current = false;
    bool m_ended = false;
    bool m_suspended = false;
    Agent::Status m_status = Agent::Status::Starting;
    QFont m_font;
    QString m_scheme;
    QStackedWidget *m_stack;
    QWidget *m_header;
    QLabel *m_title;
    QLabel *m_badge;
    QLabel *m_mode;
    QToolButton *m_keyboard;
    QToolButton *m_close;
    QWidget *m_messagePage;
    QLabel *m_message;
    QPushButton *m_reattach;
    QPointer<QTermWidget> m_term;
};

} // namespace Hive
