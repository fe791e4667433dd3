// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/newtaskdialog.h"

#include "models/taskfilterproxy.h"
#include "models/taskmodel.h"
#include "widgets/spawndialog.h"
#include "widgets/statusbadgedelegate.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QIdentityProxyModel>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

// The task list with a check box per task; the checked ids are kept here, not in the tasks.
class NewTaskDialog::CheckableProxy : public QIdentityProxyModel
{
public:
    using QIdentityProxyModel::QIdentityProxyModel;

    Qt::ItemFlags flags(const QModelIndex &index) const override
    {
        return QIdentityProxyModel::flags(index) | Qt::ItemIsUserCheckable;
    }

    QVariant data(const QModelIndex &index, int role) const override
    {
        if (role == Qt::CheckStateRole && index.column() == 0)
            return m_checked.contains(index.data(TaskModel::IdRole).toString()) ? Qt::Checked
                                                                                : Qt::Unchecked;
        if (role == Qt::DisplayRole && index.column() == 0)
            return NewTaskDialog::tr("%1 — %2").arg(
                QIdentityProxyModel::data(index, role).toString(),
                TaskModel::statusLabel(
                    static_cast<Task::Status>(index.data(TaskModel::StatusRole).toInt())));
        return QIdentityProxyModel::data(index, role);
    }

    bool setData(const QModelIndex &index, const QVariant &value, int role) override
    {
        if (role != Qt::CheckStateRole || index.column() != 0)
            return QIdentityProxyModel::setData(index, value, role);
        const QString id = index.data(TaskModel::IdRole).toString();
        if (value.toInt() == Qt::Checked)
            m_checked.insert(id);
        else
            m_checked.remove(id);
        Q_EMIT dataChanged(index, index, {Qt::CheckStateRole});
        return true;
    }

    QSet<QString> m_checked;
};

NewTaskDialog::NewTaskDialog(TaskModel *tasks, const QStringList &types, QWidget *parent)
    : QDialog(parent)
    , m_tasks(tasks)
    , m_title(new QLineEdit(this))
    , m_prompt(new QPlainTextEdit(this))
    , m_type(new QComboBox(this))
    , m_priority(new QSpinBox(this))
    , m_attempts(new QSpinBox(this))
    , m_depFilter(new QLineEdit(this))
    , m_depProxy(new TaskFilterProxy(this))
    , m_checkable(new CheckableProxy(this))
    , m_deps(new QListView(this))
    , m_depCount(new QLabel(this))
    , m_message(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"newTaskDialog"_s);
    setWindowTitle(tr("New Task"));

    m_prompt->setObjectName(u"promptEdit"_s);
    m_prompt->setPlaceholderText(tr("What the agent should do. It gets this text as its prompt."));
    m_prompt->setTabChangesFocus(true);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &NewTaskDialog::validate);
    m_title->setObjectName(u"titleEdit"_s);
    m_title->setPlaceholderText(tr("optional: the prompt's first line"));

    m_type->setObjectName(u"taskTypeEdit"_s);
    m_type->setEditable(true);
    m_type->setInsertPolicy(QComboBox::NoInsert);
    QStringList all = types;
    if (!all.contains(u"dev"_s))
        all.prepend(u"dev"_s);
    m_type->addItems(all);
    m_type->setEditText(all.first());
    m_type->setToolTip(tr("Workers of this type take the task."));
    connect(m_type, &QComboBox::editTextChanged, this, &NewTaskDialog::validate);

    m_priority->setObjectName(u"priorityEdit"_s);
    m_priority->setRange(-1000, 1000);
    m_priority->setToolTip(tr("Higher runs first."));
    m_attempts->setObjectName(u"attemptsEdit"_s);
    m_attempts->setRange(1, 20);
    m_attempts->setValue(3);
    m_attempts->setToolTip(tr("A failed attempt is retried until this many attempts were made."));

    // Dependencies: any task that may still succeed (failed or cancelled ones would fail this one).
    m_depProxy->setSourceModel(tasks);
    m_depProxy->setStatuses({Task::Status::Blocked,
                             Task::Status::Queued,
                             Task::Status::Assigned,
                             Task::Status::Running,
                             Task::Status::Succeeded});
    m_depProxy->sort(TaskModel::CreatedColumn, Qt::DescendingOrder);
    m_checkable->setSourceModel(m_depProxy);
    m_deps->setObjectName(u"dependencyList"_s);
    m_deps->setModel(m_checkable);
    m_deps->setUniformItemSizes(true);
    m_deps->setMinimumHeight(120);
    connect(m_checkable, &QAbstractItemModel::dataChanged, this, [this] {
        const int n = int(m_checkable->m_checked.size());
        m_depCount->setText(n == 0 ? tr("It starts as soon as an agent is free.")
                                   : tr("It waits until %n task(s) succeeded.", nullptr, n));
    });
    m_depFilter->setObjectName(u"dependencyFilter"_s);
    m_depFilter->setPlaceholderText(tr("Search tasks…"));
    m_depFilter->setClearButtonEnabled(true);
    connect(m_depFilter, &QLineEdit::textChanged, m_depProxy, &TaskFilterProxy::setText);
    m_depCount->setText(tr("It starts as soon as an agent is free."));

    m_message->setWordWrap(true);
    QPalette red = m_message->palette();
    red.setColor(QPalette::WindowText, StatusBadgeDelegate::color(Task::Status::Failed));
    m_message->setPalette(red);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Queue"));
    for (QAbstractButton *b : m_buttons->buttons())
        b->setIcon(QIcon());
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (isValid())
            accept();
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->addRow(tr("&Prompt:"), m_prompt);
    form->addRow(tr("T&itle:"), m_title);
    form->addRow(tr("Agent &type:"), m_type);
    auto *numbers = new QHBoxLayout;
    numbers->addWidget(m_priority);
    numbers->addSpacing(12);
    numbers->addWidget(new QLabel(tr("&Attempts:"), this));
    numbers->addWidget(m_attempts);
    numbers->addStretch(1);
    qobject_cast<QLabel *>(numbers->itemAt(2)->widget())->setBuddy(m_attempts);
    auto *priorityLabel = new QLabel(tr("P&riority:"), this);
    priorityLabel->setBuddy(m_priority);
    form->addRow(priorityLabel, numbers);
    auto *depBox = new QVBoxLayout;
    depBox->addWidget(m_depFilter);
    depBox->addWidget(m_deps, 1);
    depBox->addWidget(m_depCount);
    auto *depLabel = new QLabel(tr("&Waits for:"), this);
    depLabel->setBuddy(m_depFilter);
    form->addRow(depLabel, depBox);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form, 1);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);
    setMinimumSize(560, 520);
    validate();
    m_prompt->setFocus();
}

NewTaskDialog::~NewTaskDialog() = default;

QStringList NewTaskDialog::dependencies() const
{
    QStringList ids(m_checkable->m_checked.begin(), m_checkable->m_checked.end());
    ids.sort();
    return ids;
}

void NewTaskDialog::setDependencies(const QStringList &ids)
{
    m_checkable->m_checked = QSet<QString>(ids.begin(), ids.end());
    Q_EMIT m_checkable->dataChanged(m_checkable->index(0, 0),
                                    m_checkable->index(qMax(0, m_checkable->rowCount() - 1), 0),
                                    {Qt::CheckStateRole});
}

Task NewTaskDialog::task() const
{
    Task t;
    t.prompt = m_prompt->toPlainText().trimmed();
    t.title = m_title->text().trimmed();
    if (t.title.isEmpty())
        t.title = TaskModel::displayTitle(t);
    t.agentType = m_type->currentText().trimmed();
    t.priority = m_priority->value();
    t.maxAttempts = m_attempts->value();
    t.dependsOn = dependencies();
    return t;
}

void NewTaskDialog::setTask(const Task &task)
{
    m_prompt->setPlainText(task.prompt);
    m_title->setText(task.title);
    m_type->setEditText(task.agentType);
    m_priority->setValue(task.priority);
    m_attempts->setValue(task.maxAttempts);
    setDependencies(task.dependsOn);
}

void NewTaskDialog::validate()
{
    QString problem;
    const QString type = m_type->currentText().trimmed();
    if (m_prompt->toPlainText().trimmed().isEmpty())
        problem = tr("Write the prompt.");
    else if (!SpawnDialog::isValidType(type))
        problem
            = tr("The agent type may have lower-case letters, digits, '_' and '-' (at most 32).");
    m_problem = problem;
    m_message->setText(problem);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
}

} // namespace Hive
