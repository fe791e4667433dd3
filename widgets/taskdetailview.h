// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/task.h"

#include <QWidget>

class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QToolButton;
class QAction;

namespace Hive {

class TaskModel;

// Everything about one task: prompt, status, agent, attempts, times, duration, cost, error and the
// output of its last attempt, and what the agent CLI reported (answer, session, model, turns,
// tokens, the tool calls it was not permitted), kept current as the model changes. Cancel and retry
// are the board's actions, shown as buttons here. A task that came with an event is a summary
// (Task::summary: the prompt's start, the output's end): the view shows what it has and asks for
// the whole task (wholeTaskWanted), once for each state of it. GUI thread.
class TaskDetailView : public QWidget
{
    Q_OBJECT

public:
    explicit TaskDetailView(const TaskModel *model, QWidget *parent = nullptr);

    void setTaskId(const QString &id); // empty: nothing selected
    QString taskId() const { return m_id; }
    void setActions(QAction *cancel, QAction *retry);

    // Shows where a search found words: the prompt's tab, or the answer's (or the output's, when
    // the answer does not have them), with the first of them selected and scrolled into view.
    // False when none of the words is in that text.
    bool showFound(const QStringList &words, bool inPrompt);
    QString selectedText() const;

    QString outputText() const;
    QString statusText() const;
    QString answerText() const;
    QString errorText() const;
    QString promptText() const;

Q_SIGNALS:
    // The task shown is a summary: whoever can should put the whole task into the model.
    void wholeTaskWanted(const QString &id);

private:
    void refresh();

    const TaskModel *m_model;
    QString m_id;
    QByteArray m_wanted; // the summary the whole task was last asked for
    QLabel *m_title;
    QLabel *m_status;
    QLabel *m_empty;
    QWidget *m_body;
    QFormLayout *m_form;
    QLabel *m_id_;
    QLabel *m_type;
    QLabel *m_agent;
    QLabel *m_attempts;
    QLabel *m_times;
    QLabel *m_cost;
    QLabel *m_session;
    QLabel *m_usage;
    QLabel *m_denied;
    QLabel *m_deps;
    QLabel *m_error;
    QTabWidget *m_texts;
    QPlainTextEdit *m_prompt;
    QPlainTextEdit *m_output;
    QPlainTextEdit *m_answer;
    QToolButton *m_cancel;
    QToolButton *m_retry;
};

} // namespace Hive
