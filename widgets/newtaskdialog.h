// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/task.h"

#include <QDialog>
#include <QSet>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListView;
class QPlainTextEdit;
class QSpinBox;

namespace Hive {

class TaskFilterProxy;
class TaskModel;

// Asks for a new task: prompt, title, agent type, priority, attempts, and the tasks it waits for
// (chosen from the existing ones, searchable). task() is the value to create; its id is empty.
class NewTaskDialog : public QDialog
{
    Q_OBJECT

public:
    NewTaskDialog(TaskModel *tasks, const QStringList &types, QWidget *parent = nullptr);
    ~NewTaskDialog() override;

    Task task() const;
    void setTask(const Task &task); // prefill (duplicate a task)
    QStringList dependencies() const;
    void setDependencies(const QStringList &ids);
    bool isValid() const { return m_problem.isEmpty(); }
    QString problem() const { return m_problem; }

private:
    void validate();

    class CheckableProxy;
    TaskModel *m_tasks;
    QString m_problem;
    QLineEdit *m_title;
    QPlainTextEdit *m_prompt;
    QComboBox *m_type;
    QSpinBox *m_priority;
    QSpinBox *m_attempts;
    QLineEdit *m_depFilter;
    TaskFilterProxy *m_depProxy;
    CheckableProxy *m_checkable;
    QListView *m_deps;
    QLabel *m_depCount;
    QLabel *m_message;
    QDialogButtonBox *m_buttons;
};

} // namespace Hive
