// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/task.h"

#include <QWidget>

class QAction;
class QComboBox;
class QLineEdit;
class QSplitter;
class QTabBar;
class QTimer;

namespace Hive {

class PlaceholderTreeView;
class TaskDetailView;
class TaskFilterProxy;
class TaskModel;

// The task board: state tabs with counts (all, blocked, queued, running, succeeded, failed,
// cancelled), a type filter and a search, the sortable task table, and the detail of the current
// task. Its actions (new task, cancel, retry) only emit requests. GUI thread.
class TaskBoard : public QWidget
{
    Q_OBJECT

public:
    enum class Tab { All, Blocked, Queued, Running, Succeeded, Failed, Cancelled };

    explicit TaskBoard(TaskModel *model, QWidget *parent = nullptr);
    ~TaskBoard() override;

    void setReady(bool ready);
    void setCurrentTab(Tab tab);
    Tab currentTab() const;
    QList<Task> selectedTasks() const;
    void selectTask(const QString &id);
    QString currentTaskId() const;

    QAction *newTaskAction() const { return m_new; }
    QAction *cancelAction() const { return m_cancel; }
    QAction *retryAction() const { return m_retry; }
    QList<QAction *> actions() const { return {m_new, m_cancel, m_retry}; }

    PlaceholderTreeView *view() const { return m_view; }
    TaskFilterProxy *proxy() const { return m_proxy; }
    TaskDetailView *detail() const { return m_detail; }
    QTabBar *tabBar() const { return m_tabs; }
    QLineEdit *filterEdit() const { return m_filter; }

    // What the app keeps of the board between runs (columns, the detail's share, the tab).
    struct ViewState
    {
        QByteArray header;
        QByteArray splitter;
        int tab = 0;
    };
    ViewState viewState() const;
    void restoreViewState(const ViewState &state);

    static QSet<Task::Status> statusesOf(Tab tab);

Q_SIGNALS:
    void newTaskRequested();
    void cancelRequested(const QStringList &taskIds);
    void retryRequested(const QStringList &taskIds);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void updateActions();
    void updateCounts();
    void updateTypes();
    void showContextMenu(const QPoint &pos);

    TaskModel *m_model;
    TaskFilterProxy *m_proxy;
    QTabBar *m_tabs;
    QComboBox *m_typeFilter;
    QLineEdit *m_filter;
    PlaceholderTreeView *m_view;
    TaskDetailView *m_detail;
    QSplitter *m_splitter;
    QTimer *m_tick;
    QAction *m_new;
    QAction *m_cancel;
    QAction *m_retry;
    QAction *m_focusFilter;
    bool m_ready = false;
};

} // namespace Hive
