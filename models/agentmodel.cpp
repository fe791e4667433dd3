// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/agentmodel.h"

#include "models/event.h"
#include "models/taskmodel.h"

#include <QFont>
#include <QSet>

using namespace Qt::StringLiterals;

namespace Hive {

AgentModel::AgentModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

AgentModel::~AgentModel() = default;

int AgentModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_agents.size());
}

int AgentModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString AgentModel::statusLabel(Agent::Status status)
{
    switch (status) {
    case Agent::Status::Starting:
        return tr("Starting");
    case Agent::Status::Idle:
        return tr("Idle");
    case Agent::Status::Busy:
        return tr("Working");
    case Agent::Status::WaitingInput:
        return tr("Waiting for input");
    case Agent::Status::Stopped:
        return tr("Stopped");
    case Agent::Status::Lost:
        return tr("Lost");
    }
    return {};
}

QString AgentModel::formatDuration(qint64 seconds)
{
    if (seconds < 0)
        return {};
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60, 2, 10, QChar(u'0'));
    if (seconds < 86400)
        return tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60, 2, 10, QChar(u'0'));
    return tr("%1 d %2 h").arg(seconds / 86400).arg((seconds % 86400) / 3600);
}

QString AgentModel::currentTaskText(const Agent &a) const
{
    if (a.currentTaskId.isEmpty())
        return {};
    if (m_tasks) {
        const int row = m_tasks->rowOf(a.currentTaskId);
        if (row >= 0)
            return TaskModel::displayTitle(m_tasks->at(row));
    }
    return a.currentTaskId.left(8);
}

QVariant AgentModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Agent &a = m_agents.at(index.row());
    const qint64 uptime = a.createdAt.isValid() && a.isAlive()
                              ? a.createdAt.secsTo(QDateTime::currentDateTimeUtc())
                              : -1;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return a.name;
        case TypeColumn:
            return a.type;
        case ProfileColumn:
            return a.profile;
        case StatusColumn:
            return a.paused && a.isAlive() ? tr("%1 · paused").arg(statusLabel(a.status))
                                           : statusLabel(a.status);
        case TaskColumn:
            return showsNeed(a) ? a.need : currentTaskText(a);
        case UptimeColumn:
            return formatDuration(uptime);
        case CpuColumn:
            if (const auto u = usage(a))
                return u"%1 %"_s.arg(u->cpuPercent, 0, 'f', 0);
            return QString();
        case MemoryColumn:
            if (const auto u = usage(a))
                return formatBytes(u->rssBytes);
            return QString();
        case TeamColumn:
            return a.team;
        }
        break;
    case Qt::ToolTipRole:
        switch (index.column()) {
        case NameColumn:
        case ProfileColumn:
            return tr("%1 (%2)\nWorking directory: %3\ntmux session: %4")
                .arg(a.name,
                     a.interactive ? tr("interactive: you type to it") : tr("worker: takes tasks"),
                     a.workdir,
                     a.tmuxSession);
        case TaskColumn:
            if (showsNeed(a))
                return tr("%1 is waiting for you: %2").arg(a.name, a.need);
            return a.currentTaskId;
        case StatusColumn: {
            QStringList lines;
            if (showsNeed(a))
                lines << tr("Waiting for: %1").arg(a.need);
            if (a.lastHeartbeat.isValid())
                lines << tr("Last heartbeat: %1")
                             .arg(QLocale().toString(a.lastHeartbeat.toLocalTime(),
                                                     QLocale::ShortFormat));
            return lines.isEmpty() ? QVariant() : QVariant(lines.join(u'\n'));
        }
        }
        break;
    case Qt::FontRole:
        // The need, in place of a task: set apart from task titles.
        if (index.column() == TaskColumn && showsNeed(a)) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        break;
    case Qt::TextAlignmentRole:
        if (index.column() == UptimeColumn || index.column() == CpuColumn
            || index.column() == MemoryColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case SortRole:
        switch (index.column()) {
        case StatusColumn:
            return int(a.status);
        case UptimeColumn:
            return uptime;
        case CpuColumn:
            return usage(a) ? usage(a)->cpuPercent : -1.0;
        case MemoryColumn:
            return usage(a) ? usage(a)->rssBytes : qint64(-1);
        case TaskColumn:
            return data(index, Qt::DisplayRole).toString().toLower();
        default:
            return data(index, Qt::DisplayRole).toString().toLower();
        }
    case AgentRole:
        return QVariant::fromValue(a);
    case IdRole:
        return a.id;
    case StatusRole:
        return int(a.status);
    case InteractiveRole:
        return a.interactive;
    case AliveRole:
        return a.isAlive();
    case NeedRole:
        return a.status == Agent::Status::WaitingInput ? a.need : QString();
    }
    return {};
}

QVariant AgentModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn:
        return tr("Name");
    case TypeColumn:
        return tr("Type");
    case ProfileColumn:
        return tr("Profile");
    case StatusColumn:
        return tr("Status");
    case TaskColumn:
        return tr("Current task");
    case UptimeColumn:
        return tr("Uptime");
    case CpuColumn:
        return tr("CPU");
    case MemoryColumn:
        return tr("Memory");
    case TeamColumn:
        return tr("Team");
    }
    return {};
}

void AgentModel::setAgents(const QList<Agent> &agents)
{
    beginResetModel();
    m_agents.clear();
    m_rows.clear();
    for (const Agent &a : agents) {
        m_names.insert(a.id, a.name);
        if (a.status == Agent::Status::Stopped || m_rows.contains(a.id))
            continue;
        m_rows.insert(a.id, int(m_agents.size()));
        m_agents << a;
    }
    endResetModel();
    recount();
}

bool AgentModel::upsert(const Agent &agent)
{
    m_names.insert(agent.id, agent.name);
    const int row = rowOf(agent.id);
    if (agent.status == Agent::Status::Stopped) {
        if (row >= 0) {
            const Agent::Status previous = m_agents.at(row).status;
            remove(agent.id);
            Q_EMIT agentStatusChanged(agent, previous);
        }
        return row >= 0;
    }
    if (row < 0) {
        const int at = int(m_agents.size());
        beginInsertRows({}, at, at);
        m_agents << agent;
        m_rows.insert(agent.id, at);
        endInsertRows();
        m_counts[int(agent.status)] += 1;
        Q_EMIT countsChanged();
        return true;
    }
    const Agent::Status previous = m_agents.at(row).status;
    const QString previousNeed = m_agents.at(row).need;
    m_agents[row] = agent;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (previous != agent.status) {
        m_counts[int(previous)] -= 1;
        m_counts[int(agent.status)] += 1;
        Q_EMIT countsChanged();
        Q_EMIT agentStatusChanged(agent, previous);
    } else if (previousNeed != agent.need) {
        Q_EMIT agentNeedChanged(agent, previousNeed);
    }
    return true;
}

bool AgentModel::remove(const QString &id)
{
    const int row = rowOf(id);
    if (row < 0)
        return false;
    beginRemoveRows({}, row, row);
    m_counts[int(m_agents.at(row).status)] -= 1;
    m_agents.removeAt(row);
    m_rows.remove(id);
    reindexFrom(row);
    endRemoveRows();
    Q_EMIT countsChanged();
    return true;
}

bool AgentModel::applyEvent(const Event &event)
{
    if (!event.agent || !event.type.startsWith(u"agent."_s))
        return false;
    if (event.type == u"agent.killed"_s) {
        Agent a = *event.agent;
        a.status = Agent::Status::Stopped;
        return upsert(a);
    }
    return upsert(*event.agent);
}

std::optional<Agent> AgentModel::agent(const QString &id) const
{
    const int row = rowOf(id);
    if (row < 0)
        return std::nullopt;
    return m_agents.at(row);
}

QStringList AgentModel::types() const
{
    QSet<QString> seen;
    QStringList out;
    for (const Agent &a : m_agents)
        if (!seen.contains(a.type)) {
            seen.insert(a.type);
            out << a.type;
        }
    out.sort();
    return out;
}

void AgentModel::setTaskModel(const TaskModel *tasks)
{
    if (m_tasks)
        disconnect(m_tasks, nullptr, this, nullptr);
    m_tasks = tasks;
    if (!m_tasks)
        return;
    // A full task load may name the tasks agents are running.
    connect(m_tasks, &QAbstractItemModel::modelReset, this, [this] {
        if (!m_agents.isEmpty())
            Q_EMIT dataChanged(index(0, TaskColumn), index(int(m_agents.size()) - 1, TaskColumn));
    });
}

void AgentModel::refreshUptime()
{
    if (!m_agents.isEmpty())
        Q_EMIT dataChanged(index(0, UptimeColumn),
                           index(int(m_agents.size()) - 1, UptimeColumn),
                           {Qt::DisplayRole, SortRole});
}

void AgentModel::setUsage(const QHash<QString, Usage> &bySession)
{
    m_usage = bySession;
    if (!m_agents.isEmpty())
        Q_EMIT dataChanged(index(0, CpuColumn),
                           index(int(m_agents.size()) - 1, MemoryColumn),
                           {Qt::DisplayRole, SortRole});
}

std::optional<AgentModel::Usage> AgentModel::usage(const Agent &a) const
{
    if (!a.isAlive())
        return std::nullopt;
    const auto it = m_usage.constFind(a.tmuxSession);
    if (it == m_usage.cend())
        return std::nullopt;
    return *it;
}

QString AgentModel::formatBytes(qint64 bytes)
{
    if (bytes >= qint64(1) << 30)
        return tr("%1 GiB").arg(double(bytes) / double(qint64(1) << 30), 0, 'f', 1);
    if (bytes >= 1 << 20)
        return tr("%1 MiB").arg(double(bytes) / double(1 << 20), 0, 'f', 0);
    return tr("%1 KiB").arg(bytes / 1024);
}

void AgentModel::reindexFrom(int row)
{
    for (int r = row; r < m_agents.size(); ++r)
        m_rows[m_agents.at(r).id] = r;
}

void AgentModel::recount()
{
    m_counts.clear();
    for (const Agent &a : std::as_const(m_agents))
        m_counts[int(a.status)] += 1;
    Q_EMIT countsChanged();
}

} // namespace Hive
