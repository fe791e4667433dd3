// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QDialog>
#include <QStringList>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace Hive {

// A piece of an agent's terminal log that a search found, with the words found highlighted and
// the first of them scrolled into view. "Open Terminal" asks the window for the agent's live
// terminal (enabled while the agent lives). GUI thread.
class LogChunkDialog : public QDialog
{
    Q_OBJECT

public:
    explicit LogChunkDialog(QWidget *parent = nullptr);

    void setLoading(const QString &agentName);
    void setText(const QString &agentName,
                 qint64 byteOffset,
                 const QString &text,
                 const QStringList &words);
    void setError(const QString &message);
    void setAgentAlive(bool alive);

    QPlainTextEdit *editor() const { return m_text; }
    int highlightCount() const;

Q_SIGNALS:
    void openTerminalRequested();

private:
    QLabel *m_heading;
    QPlainTextEdit *m_text;
    QPushButton *m_terminal;
};

} // namespace Hive
