// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/taskboard.h"

#include "models/taskfilterproxy.h"
#include "models/taskmodel.h"
#include "widgets/icons.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/statusbadgedelegate.h"
#include "widgets/taskdetailview.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QScrollBar>
#include <QSplitter>
#include <QTabBar>
#include <QTimer>
#include <QVBoxLayout>
#include <QWheelEvent>

using namespace Qt::StringLiterals;

namespace Hive {

TaskBoard::TaskBoard(TaskModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new TaskFilterProxy(this))
    , m_tabs(new QTabBar(this))
    , m_typeFilter(new QComboBox(this))
    , m_filter(new QLineEdit(this))
    , m_view(new PlaceholderTreeView(this))
    , m_detail(new TaskDetailView(model, this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_tick(new QTimer(this))
{
    m_proxy->setSourceModel(model);

    m_tabs->setObjectName(u"taskStateTabs"_s);
    m_tabs->setDrawBase(false);
    m_tabs->setExpanding(false);
    for (int i = 0; i <= int(Tab::Cancelled); ++i)
        m_tabs->addTab(QString());
    connect(m_tabs, &QTabBar::currentChanged, this, [this](int i) {
        m_proxy->setStatuses(statusesOf(static_cast<Tab>(i)));
        updateActions();
    });

    m_typeFilter->setObjectName(u"taskTypeFilter"_s);
    m_typeFilter->setToolTip(tr("Show tasks for agents of this type"));
    m_typeFilter->addItem(tr("All types"), QString());
    connect(m_typeFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setAgentType(m_typeFilter->currentData().toString());
    });

    m_filter->setObjectName(u"taskFilter"_s);
    m_filter->setPlaceholderText(tr("Search tasks…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->addAction(Icons::get(u"search"_s), QLineEdit::LeadingPosition);
    m_filter->installEventFilter(this);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &TaskFilterProxy::setText);
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        m_view->setFocus(Qt::TabFocusReason);
        if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
            m_view->setCurrentIndex(m_proxy->index(0, 0));
    });

    m_view->setObjectName(u"taskView"_s);
    m_view->setModel(m_proxy);
    // Older tasks when the list is scrolled to its end (or the wheel turns down there: a short
    // list has nothing to scroll).
    connect(m_view->verticalScrollBar(), &QScrollBar::valueChanged, this, [this](int value) {
        if (value > 0 && value == m_view->verticalScrollBar()->maximum())
            m_model->fetchOlder();
    });
    m_view->viewport()->installEventFilter(this);
    m_view->setItemDelegateForColumn(
        TaskModel::StatusColumn,
        new StatusBadgeDelegate(StatusBadgeDelegate::Kind::Task, TaskModel::StatusRole, m_view));
    m_view->sortByColumn(TaskModel::CreatedColumn, Qt::DescendingOrder);
    m_view->setPlaceholderText(
        tr("No tasks here.\nQueue one with %1.")
            .arg(QKeySequence(Qt::CTRL | Qt::Key_T).toString(QKeySequence::NativeText)));
    QHeaderView *h = m_view->header();
    h->resizeSection(TaskModel::TitleColumn, 260);
    h->resizeSection(TaskModel::StatusColumn, 100);
    h->resizeSection(TaskModel::TypeColumn, 60);
    h->resizeSection(TaskModel::PriorityColumn, 60);
    h->resizeSection(TaskModel::AgentColumn, 90);
    h->resizeSection(TaskModel::AttemptsColumn, 70);
    h->resizeSection(TaskModel::CreatedColumn, 120);
    h->resizeSection(TaskModel::DurationColumn, 80);
    connect(m_view, &QWidget::customContextMenuRequested, this, &TaskBoard::showContextMenu);
    connect(m_view->selectionModel(),
            &QItemSelectionModel::selectionChanged,
            this,
            &TaskBoard::updateActions);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        m_detail->setTaskId(currentTaskId());
    });
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, &TaskBoard::updateActions);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TaskBoard::updateActions);
    connect(m_model, &TaskModel::countsChanged, this, &TaskBoard::updateCounts);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &TaskBoard::updateTypes);
    connect(m_model, &QAbstractItemModel::modelReset, this, &TaskBoard::updateTypes);

    m_new = new QAction(Icons::get(u"task-new"_s), tr("&New Task…"), this);
    m_new->setObjectName(u"newTask"_s);
    m_new->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    m_new->setToolTip(tr("Queue a prompt for the agents of a type"));
    connect(m_new, &QAction::triggered, this, &TaskBoard::newTaskRequested);

    m_cancel = new QAction(Icons::get(u"task-cancel"_s), tr("&Cancel Task"), this);
    m_cancel->setObjectName(u"cancelTask"_s);
    m_cancel->setShortcut(QKeySequence::Delete);
    m_cancel->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_cancel->setToolTip(tr("Cancel the selected tasks; a running one is stopped"));
    connect(m_cancel, &QAction::triggered, this, [this] {
        QStringList ids;
        for (const Task &t : selectedTasks())
            if (!t.isFinished())
                ids << t.id;
        if (!ids.isEmpty())
            Q_EMIT cancelRequested(ids);
    });
    addAction(m_cancel);

    m_retry = new QAction(Icons::get(u"task-retry"_s), tr("Re&try Task"), this);
    m_retry->setObjectName(u"retryTask"_s);
    m_retry->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_retry->setToolTip(tr("Queue the selected failed or cancelled tasks again"));
    connect(m_retry, &QAction::triggered, this, [this] {
        QStringList ids;
        for (const Task &t : selectedTasks())
            if (t.status == Task::Status::Failed || t.status == Task::Status::Cancelled)
                ids << t.id;
        if (!ids.isEmpty())
            Q_EMIT retryRequested(ids);
    });

    m_focusFilter = new QAction(tr("Search Tasks"), this);
    m_focusFilter->setShortcut(QKeySequence::Find);
    m_focusFilter->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_focusFilter, &QAction::triggered, this, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    addAction(m_focusFilter);
    m_detail->setActions(m_cancel, m_retry);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->setSpacing(6);
    top->addWidget(m_tabs);
    top->addStretch(1);
    top->addWidget(m_typeFilter);
    top->addWidget(m_filter);
    m_filter->setMinimumWidth(200);

    auto *left = new QWidget(m_splitter);
    auto *ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    ll->addWidget(m_view);
    m_splitter->addWidget(left);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setSizes({3000, 2000});
    m_splitter->setChildrenCollapsible(false);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(top);
    layout->addWidget(m_splitter, 1);
    setFocusProxy(m_view);

    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        if (isVisible()
            && (m_model->count(Task::Status::Running) + m_model->count(Task::Status::Assigned)) > 0)
            m_model->refreshRunning();
    });
    m_tick->start();
    updateCounts();
    updateActions();
}

TaskBoard::~TaskBoard() = default;

QSet<Task::Status> TaskBoard::statusesOf(Tab tab)
{
    switch (tab) {
    case Tab::All:
        return {};
    case Tab::Blocked:
        return {Task::Status::Blocked};
    case Tab::Queued:
        return {Task::Status::Queued};
    case Tab::Running:
        return {Task::Status::Assigned, Task::Status::Running};
    case Tab::Succeeded:
        return {Task::Status::Succeeded};
    case Tab::Failed:
        return {Task::Status::Failed};
    case Tab::Cancelled:
        return {Task::Status::Cancelled};
    }
    return {};
}

void TaskBoard::setReady(bool ready)
{
    m_ready = ready;
    updateActions();
}

void TaskBoard::setCurrentTab(Tab tab)
{
    m_tabs->setCurrentIndex(int(tab));
}

TaskBoard::Tab TaskBoard::currentTab() const
{
    return static_cast<Tab>(qMax(0, m_tabs->currentIndex()));
}

QList<Task> TaskBoard::selectedTasks() const
{
    QList<Task> out;
    for (const QModelIndex &i : m_view->selectionModel()->selectedRows())
        out << m_proxy->taskAt(i.row());
    return out;
}

void TaskBoard::selectTask(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    QModelIndex i = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!i.isValid()) {
        // Not in this tab: show every task.
        setCurrentTab(Tab::All);
        i = m_proxy->mapFromSource(m_model->index(row, 0));
    }
    if (!i.isValid())
        return;
    m_view->selectionModel()->setCurrentIndex(
        i, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(i);
}

QString TaskBoard::currentTaskId() const
{
    const QModelIndex i = m_view->currentIndex();
    return i.isValid() ? m_proxy->taskAt(i.row()).id : QString();
}

void TaskBoard::updateActions()
{
    bool cancellable = false;
    bool retryable = false;
    for (const Task &t : selectedTasks()) {
        cancellable = cancellable || !t.isFinished();
        retryable
            = retryable || t.status == Task::Status::Failed || t.status == Task::Status::Cancelled;
    }
    m_new->setEnabled(m_ready);
    m_cancel->setEnabled(m_ready && cancellable);
    m_retry->setEnabled(m_ready && retryable);
}

void TaskBoard::updateCounts()
{
    auto label = [](const QString &name, int n) {
        return n > 0 ? tr("%1 (%2)").arg(name).arg(n) : name;
    };
    const int running
        = m_model->count(Task::Status::Running) + m_model->count(Task::Status::Assigned);
    m_tabs->setTabText(int(Tab::All), label(tr("All"), m_model->rowCount()));
    m_tabs->setTabText(int(Tab::Blocked),
                       label(tr("Blocked"), m_model->count(Task::Status::Blocked)));
    m_tabs->setTabText(int(Tab::Queued), label(tr("Queued"), m_model->count(Task::Status::Queued)));
    m_tabs->setTabText(int(Tab::Running), label(tr("Running"), running));
    m_tabs->setTabText(int(Tab::Succeeded),
                       label(tr("Succeeded"), m_model->count(Task::Status::Succeeded)));
    m_tabs->setTabText(int(Tab::Failed), label(tr("Failed"), m_model->count(Task::Status::Failed)));
    m_tabs->setTabText(int(Tab::Cancelled),
                       label(tr("Cancelled"), m_model->count(Task::Status::Cancelled)));
    updateActions();
}

void TaskBoard::updateTypes()
{
    const QStringList types = m_model->types();
    if (types.size() == m_typeFilter->count() - 1)
        return;
    const QString current = m_typeFilter->currentData().toString();
    QSignalBlocker block(m_typeFilter);
    while (m_typeFilter->count() > 1)
        m_typeFilter->removeItem(1);
    for (const QString &t : types)
        m_typeFilter->addItem(t, t);
    const int i = m_typeFilter->findData(current);
    m_typeFilter->setCurrentIndex(i < 0 ? 0 : i);
}

void TaskBoard::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(m_retry);
    menu.addAction(m_cancel);
    menu.addSeparator();
    menu.addAction(m_new);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

bool TaskBoard::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_filter && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        if (key->key() == Qt::Key_Down && m_proxy->rowCount() > 0) {
            m_view->setFocus(Qt::TabFocusReason);
            if (!m_view->currentIndex().isValid())
                m_view->setCurrentIndex(m_proxy->index(0, 0));
            return true;
        }
    }
    if (watched == m_view->viewport() && event->type() == QEvent::Wheel
        && static_cast<QWheelEvent *>(event)->angleDelta().y() < 0
        && m_view->verticalScrollBar()->value() == m_view->verticalScrollBar()->maximum())
        m_model->fetchOlder();
    return QWidget::eventFilter(watched, event);
}

TaskBoard::ViewState TaskBoard::viewState() const
{
    return {m_view->header()->saveState(), m_splitter->saveState(), m_tabs->currentIndex()};
}

void TaskBoard::restoreViewState(const ViewState &state)
{
    if (!state.header.isEmpty())
        m_view->header()->restoreState(state.header);
    if (!state.splitter.isEmpty())
        m_splitter->restoreState(state.splitter);
    if (state.tab >= 0 && state.tab < m_tabs->count())
        m_tabs->setCurrentIndex(state.tab);
}

} // namespace Hive
