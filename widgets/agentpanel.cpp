// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/agentpanel.h"

#include "models/agentfilterproxy.h"
#include "models/agentmodel.h"
#include "widgets/icons.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/statusbadgedelegate.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

AgentPanel::AgentPanel(AgentModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new AgentFilterProxy(this))
    , m_view(new PlaceholderTreeView(this))
    , m_filter(new QLineEdit(this))
    , m_statusFilter(new QComboBox(this))
    , m_typeFilter(new QComboBox(this))
    , m_tick(new QTimer(this))
{
    m_proxy->setSourceModel(model);

    m_filter->setObjectName(u"agentFilter"_s);
    m_filter->setPlaceholderText(tr("Filter agents…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->addAction(Icons::get(u"search"_s), QLineEdit::LeadingPosition);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &AgentFilterProxy::setText);

    m_statusFilter->setObjectName(u"agentStatusFilter"_s);
    m_statusFilter->setToolTip(tr("Show agents in this state"));
    m_statusFilter->addItem(tr("All states"), -1);
    for (Agent::Status s : {Agent::Status::Starting,
                            Agent::Status::Idle,
                            Agent::Status::Busy,
                            Agent::Status::WaitingInput,
                            Agent::Status::Lost})
        m_statusFilter->addItem(AgentModel::statusLabel(s), int(s));
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] {
        const int s = m_statusFilter->currentData().toInt();
        m_proxy->setStatuses(s < 0 ? QSet<Agent::Status>{}
                                   : QSet<Agent::Status>{static_cast<Agent::Status>(s)});
    });

    m_typeFilter->setObjectName(u"agentTypeFilter"_s);
    m_typeFilter->setToolTip(tr("Show agents of this type"));
    m_typeFilter->addItem(tr("All types"), QString());
    connect(m_typeFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_proxy->setAgentType(m_typeFilter->currentData().toString());
    });

    m_view->setObjectName(u"agentView"_s);
    m_view->setModel(m_proxy);
    m_view->setItemDelegateForColumn(
        AgentModel::StatusColumn,
        new StatusBadgeDelegate(StatusBadgeDelegate::Kind::Agent, AgentModel::StatusRole, m_view));
    m_view->sortByColumn(AgentModel::NameColumn, Qt::AscendingOrder);
    m_view->setPlaceholderText(
        tr("No agents yet.\nSpawn one with %1.")
            .arg(QKeySequence(QKeySequence::New).toString(QKeySequence::NativeText)));
    // Name, type, profile, uptime, the status badge, then the current task — or, for an agent
    // waiting for input, what it waits for: last, so that it takes the width the panel has left
    // and reads on from the badge.
    QHeaderView *header = m_view->header();
    header->moveSection(header->visualIndex(AgentModel::UptimeColumn),
                        header->visualIndex(AgentModel::StatusColumn));
    header->resizeSection(AgentModel::NameColumn, 110);
    header->resizeSection(AgentModel::TypeColumn, 50);
    header->resizeSection(AgentModel::ProfileColumn, 95);
    header->resizeSection(AgentModel::UptimeColumn, 70);
    header->resizeSection(AgentModel::StatusColumn, 130);
    header->resizeSection(AgentModel::TaskColumn, 140);
    // CPU and memory (the agent's process tree) after the uptime, before the badge.
    for (const int c : {AgentModel::CpuColumn, AgentModel::MemoryColumn})
        header->moveSection(header->visualIndex(c), header->visualIndex(AgentModel::StatusColumn));
    header->resizeSection(AgentModel::CpuColumn, 50);
    header->resizeSection(AgentModel::MemoryColumn, 70);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &) {
        if (m_openTerminal->isEnabled())
            m_openTerminal->trigger();
    });
    connect(m_view, &QWidget::customContextMenuRequested, this, &AgentPanel::showContextMenu);
    connect(m_view->selectionModel(),
            &QItemSelectionModel::selectionChanged,
            this,
            &AgentPanel::updateActions);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        Q_EMIT currentAgentChanged(currentAgentId());
    });
    // A status change of a selected agent changes what can be done with it.
    connect(m_proxy, &QAbstractItemModel::dataChanged, this, &AgentPanel::updateActions);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &AgentPanel::updateActions);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &AgentPanel::updateActions);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &AgentPanel::updateTypeFilter);
    connect(m_model, &QAbstractItemModel::modelReset, this, &AgentPanel::updateTypeFilter);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &AgentPanel::updateTypeFilter);

    m_spawn = new QAction(Icons::get(u"spawn"_s), tr("&Spawn Agent…"), this);
    m_spawn->setObjectName(u"spawnAgent"_s);
    m_spawn->setShortcut(QKeySequence::New);
    m_spawn->setToolTip(tr("Start new agents in their own tmux sessions"));
    connect(m_spawn, &QAction::triggered, this, &AgentPanel::spawnRequested);

    m_kill = new QAction(Icons::get(u"kill"_s), tr("&Kill Agent…"), this);
    m_kill->setObjectName(u"killAgent"_s);
    m_kill->setShortcut(QKeySequence::Delete);
    m_kill->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_kill->setToolTip(
        tr("Close the selected agents' tmux sessions; their running tasks go back to the queue"));
    connect(m_kill, &QAction::triggered, this, &AgentPanel::confirmKill);
    // The list's own Delete key (the shortcut above is bound to this panel).
    addAction(m_kill);

    m_restart = new QAction(Icons::get(u"restart"_s), tr("&Restart Agent"), this);
    m_restart->setObjectName(u"restartAgent"_s);
    m_restart->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_restart->setToolTip(
        tr("Kill the selected agents and spawn them again with the same name, type, "
           "profile and working directory"));
    connect(m_restart, &QAction::triggered, this, &AgentPanel::confirmRestart);

    m_openTerminal = new QAction(Icons::get(u"terminal"_s), tr("&Open Terminal"), this);
    m_openTerminal->setObjectName(u"openTerminal"_s);
    m_openTerminal->setShortcut(QKeySequence::Open);
    m_openTerminal->setToolTip(tr("Watch the selected agents in embedded terminals (Enter)"));
    connect(m_openTerminal, &QAction::triggered, this, [this] {
        QList<Agent> alive;
        for (const Agent &a : selectedAgents())
            if (a.isAlive())
                alive << a;
        if (!alive.isEmpty())
            Q_EMIT openTerminalRequested(alive);
    });

    m_attachExternal
        = new QAction(Icons::get(u"attach-external"_s), tr("Attach in E&xternal Terminal"), this);
    m_attachExternal->setObjectName(u"attachExternal"_s);
    m_attachExternal->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    m_attachExternal->setToolTip(tr("Open the agent's tmux session in your terminal emulator"));
    connect(m_attachExternal, &QAction::triggered, this, [this] {
        const QList<Agent> sel = selectedAgents();
        if (sel.size() == 1 && sel.first().isAlive())
            Q_EMIT attachExternalRequested(sel.first());
    });

    m_focusFilter = new QAction(tr("Filter Agents"), this);
    m_focusFilter->setShortcut(QKeySequence::Find);
    m_focusFilter->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_focusFilter, &QAction::triggered, this, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    addAction(m_focusFilter);

    // Down from the filter goes to the list: the panel works from the keyboard alone.
    m_filter->installEventFilter(this);
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        m_view->setFocus(Qt::TabFocusReason);
        if (!m_view->currentIndex().isValid() && m_proxy->rowCount() > 0)
            m_view->setCurrentIndex(m_proxy->index(0, 0));
    });

    auto *filters = new QHBoxLayout;
    filters->setContentsMargins(0, 0, 0, 0);
    filters->setSpacing(4);
    filters->addWidget(m_filter, 1);
    filters->addWidget(m_statusFilter);
    filters->addWidget(m_typeFilter);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->setSpacing(4);
    layout->addLayout(filters);
    layout->addWidget(m_view, 1);
    setFocusProxy(m_view);

    // Uptimes move on while the list is visible.
    m_tick->setInterval(1000);
    connect(m_tick, &QTimer::timeout, this, [this] {
        if (isVisible())
            m_model->refreshUptime();
    });
    m_tick->start();
    updateActions();
}

AgentPanel::~AgentPanel() = default;

QList<QAction *> AgentPanel::actions() const
{
    return {m_spawn, m_kill, m_restart, m_openTerminal, m_attachExternal};
}

void AgentPanel::setReady(bool ready)
{
    m_ready = ready;
    updateActions();
}

QList<Agent> AgentPanel::selectedAgents() const
{
    QList<Agent> out;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &i : rows)
        out << m_proxy->agentAt(i.row());
    return out;
}

void AgentPanel::selectAgent(const QString &id)
{
    const int row = m_model->rowOf(id);
    if (row < 0)
        return;
    const QModelIndex i = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!i.isValid())
        return;
    m_view->selectionModel()->setCurrentIndex(
        i, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(i);
}

QString AgentPanel::currentAgentId() const
{
    const QModelIndex i = m_view->currentIndex();
    return i.isValid() ? m_proxy->agentAt(i.row()).id : QString();
}

bool AgentPanel::eventFilter(QObject *watched, QEvent *event)
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
    return QWidget::eventFilter(watched, event);
}

void AgentPanel::updateActions()
{
    const QList<Agent> sel = selectedAgents();
    int alive = 0;
    for (const Agent &a : sel)
        alive += a.isAlive() ? 1 : 0;
    m_spawn->setEnabled(m_ready);
    m_kill->setEnabled(m_ready && !sel.isEmpty());
    m_restart->setEnabled(m_ready && !sel.isEmpty());
    m_openTerminal->setEnabled(alive > 0);
    m_attachExternal->setEnabled(sel.size() == 1 && alive == 1);
    // Killing a lost agent only takes it off the list.
    const bool onlyLost = !sel.isEmpty() && alive == 0;
    m_kill->setText(onlyLost ? tr("&Remove Lost Agent…") : tr("&Kill Agent…"));
}

void AgentPanel::updateTypeFilter()
{
    const QString current = m_typeFilter->currentData().toString();
    const QStringList types = m_model->types();
    QStringList shown;
    for (int i = 1; i < m_typeFilter->count(); ++i)
        shown << m_typeFilter->itemData(i).toString();
    if (shown == types)
        return;
    QSignalBlocker block(m_typeFilter);
    while (m_typeFilter->count() > 1)
        m_typeFilter->removeItem(1);
    for (const QString &t : types)
        m_typeFilter->addItem(t, t);
    const int i = m_typeFilter->findData(current);
    m_typeFilter->setCurrentIndex(i < 0 ? 0 : i);
    if (i < 0)
        m_proxy->setAgentType({});
}

void AgentPanel::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    menu.addAction(m_openTerminal);
    menu.addAction(m_attachExternal);
    for (QAction *a : std::as_const(m_contextActions))
        menu.addAction(a);
    menu.addSeparator();
    menu.addAction(m_restart);
    menu.addAction(m_kill);
    menu.addSeparator();
    menu.addAction(m_spawn);
    menu.exec(m_view->viewport()->mapToGlobal(pos));
}

QString AgentPanel::killQuestion(const QList<Agent> &agents)
{
    bool anyAlive = false;
    for (const Agent &a : agents)
        anyAlive = anyAlive || a.isAlive();
    if (!anyAlive)
        return agents.size() == 1
                   ? tr("Remove the lost agent %1 from the list?").arg(agents.first().name)
                   : tr("Remove %n lost agents from the list?", nullptr, int(agents.size()));
    return agents.size() == 1 ? tr("Kill agent %1?").arg(agents.first().name)
                              : tr("Kill %n agents?", nullptr, int(agents.size()));
}

QString AgentPanel::killConsequence(const QList<Agent> &agents)
{
    int running = 0;
    for (const Agent &a : agents)
        running += a.isAlive() && !a.currentTaskId.isEmpty() ? 1 : 0;
    QString text
        = tr("The tmux session is closed and the agent stops. Its working directory stays.");
    if (running > 0)
        text += u"\n\n"_s
                + tr("Its running task goes back to the queue, for another agent of the same type.",
                     nullptr,
                     running);
    else
        text += u"\n\n"_s + tr("A task it is running goes back to the queue.");
    return text;
}

void AgentPanel::confirmKill()
{
    const QList<Agent> sel = selectedAgents();
    if (sel.isEmpty() || !m_ready)
        return;
    if (m_killNote) {
        // The note needs git (off this thread): the question waits for it.
        m_killNote(sel).then(this, [this, sel](const QString &note) { askKill(sel, note); });
        return;
    }
    askKill(sel, {});
}

void AgentPanel::askKill(const QList<Agent> &sel, const QString &note)
{
    if (!m_confirmKill && note.isEmpty()) {
        Q_EMIT killRequested(sel);
        return;
    }
    auto *box = new QMessageBox(
        QMessageBox::Warning, tr("Kill Agent"), killQuestion(sel), QMessageBox::NoButton, window());
    box->setObjectName(u"killConfirmation"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(note.isEmpty() ? killConsequence(sel)
                                           : note + u"\n\n"_s + killConsequence(sel));
    QPushButton *kill = box->addButton(tr("&Kill"), QMessageBox::DestructiveRole);
    QPushButton *cancel = box->addButton(tr("Cancel"), QMessageBox::RejectRole);
    box->setDefaultButton(cancel);
    box->setEscapeButton(cancel);
    connect(box, &QMessageBox::finished, this, [this, box, kill, sel] {
        if (box->clickedButton() == kill)
            Q_EMIT killRequested(sel);
    });
    box->open();
}

void AgentPanel::confirmRestart()
{
    const QList<Agent> sel = selectedAgents();
    if (sel.isEmpty() || !m_ready)
        return;
    bool busy = false;
    for (const Agent &a : sel)
        busy = busy || (a.isAlive() && !a.currentTaskId.isEmpty());
    if (!busy || !m_confirmKill) {
        Q_EMIT restartRequested(sel);
        return;
    }
    auto *box
        = new QMessageBox(QMessageBox::Question,
                          tr("Restart Agent"),
                          sel.size() == 1 ? tr("Restart agent %1?").arg(sel.first().name)
                                          : tr("Restart %n agents?", nullptr, int(sel.size())),
                          QMessageBox::NoButton,
                          window());
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("It is working on a task: the task goes back to the queue."));
    QPushButton *restart = box->addButton(tr("&Restart"), QMessageBox::AcceptRole);
    QPushButton *cancel = box->addButton(tr("Cancel"), QMessageBox::RejectRole);
    box->setEscapeButton(cancel);
    connect(box, &QMessageBox::finished, this, [this, box, restart, sel] {
        if (box->clickedButton() == restart)
            Q_EMIT restartRequested(sel);
    });
    box->open();
}

AgentPanel::ViewState AgentPanel::viewState() const
{
    return {m_view->header()->saveState(), m_statusFilter->currentIndex()};
}

void AgentPanel::restoreViewState(const ViewState &state)
{
    if (!state.header.isEmpty())
        m_view->header()->restoreState(state.header);
    if (state.statusFilter >= 0 && state.statusFilter < m_statusFilter->count())
        m_statusFilter->setCurrentIndex(state.statusFilter);
}

} // namespace Hive
