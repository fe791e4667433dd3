// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/taskdetailview.h"

#include "models/agentmodel.h"
#include "models/taskmodel.h"
#include "widgets/statusbadgedelegate.h"

#include <QFontDatabase>
#include <QFormLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPainter>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

QLabel *valueLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    l->setWordWrap(true);
    return l;
}

QString when(const QDateTime &t)
{
    if (!t.isValid())
        return {};
    const QDateTime local = t.toLocalTime();
    const QString time = QLocale().toString(local.time(), QLocale::ShortFormat);
    return local.date() == QDate::currentDate()
               ? time
               : QLocale().toString(local.date(), QLocale::ShortFormat) + u' ' + time;
}

} // namespace

TaskDetailView::TaskDetailView(const TaskModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_title(new QLabel(this))
    , m_status(new QLabel(this))
    , m_empty(new QLabel(tr("Select a task to see its prompt, result and output."), this))
    , m_body(new QWidget(this))
    , m_form(new QFormLayout)
    , m_id_(valueLabel(m_body))
    , m_type(valueLabel(m_body))
    , m_agent(valueLabel(m_body))
    , m_attempts(valueLabel(m_body))
    , m_times(valueLabel(m_body))
    , m_cost(valueLabel(m_body))
    , m_session(valueLabel(m_body))
    , m_usage(valueLabel(m_body))
    , m_denied(valueLabel(m_body))
    , m_deps(valueLabel(m_body))
    , m_error(valueLabel(m_body))
    , m_texts(new QTabWidget(m_body))
    , m_prompt(new QPlainTextEdit(m_texts))
    , m_output(new QPlainTextEdit(m_texts))
    , m_answer(new QPlainTextEdit(m_texts))
    , m_cancel(new QToolButton(this))
    , m_retry(new QToolButton(this))
{
    setObjectName(u"taskDetail"_s);
    QFont big = m_title->font();
    big.setBold(true);
    big.setPointSizeF(big.pointSizeF() * 1.15);
    m_title->setFont(big);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setObjectName(u"taskDetailStatus"_s);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    QPalette dim = m_empty->palette();
    dim.setColor(QPalette::WindowText, palette().color(QPalette::PlaceholderText));
    m_empty->setPalette(dim);
    QPalette red = m_error->palette();
    red.setColor(QPalette::WindowText, StatusBadgeDelegate::color(Task::Status::Failed));
    m_error->setPalette(red);
    m_error->setObjectName(u"taskError"_s);
    m_denied->setPalette(red);
    m_denied->setObjectName(u"taskDenied"_s);
    m_session->setObjectName(u"taskSession"_s);
    m_usage->setObjectName(u"taskUsage"_s);
    m_id_->setWordWrap(false);

    const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    for (QPlainTextEdit *e : {m_prompt, m_output, m_answer}) {
        e->setReadOnly(true);
        e->setFont(mono);
        e->setTabChangesFocus(true);
        e->setFrameShape(QFrame::NoFrame);
    }
    m_prompt->setObjectName(u"taskPrompt"_s);
    m_prompt->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_output->setObjectName(u"taskOutput"_s);
    m_output->setPlaceholderText(tr("No output yet."));
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_answer->setObjectName(u"taskAnswer"_s);
    m_answer->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    m_answer->setPlaceholderText(tr("The agent gave no answer."));
    m_texts->setDocumentMode(true);
    m_texts->addTab(m_answer, tr("Answer"));
    m_texts->addTab(m_output, tr("Output"));
    m_texts->addTab(m_prompt, tr("Prompt"));

    for (QToolButton *b : {m_cancel, m_retry}) {
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setAutoRaise(true);
    }

    auto *head = new QHBoxLayout;
    head->addWidget(m_status);
    head->addWidget(m_title, 1);
    head->addWidget(m_retry);
    head->addWidget(m_cancel);

    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_form->setLabelAlignment(Qt::AlignRight);
    m_form->setHorizontalSpacing(8);
    m_form->setVerticalSpacing(2);
    m_form->addRow(tr("Id:"), m_id_);
    m_form->addRow(tr("Type:"), m_type);
    m_form->addRow(tr("Agent:"), m_agent);
    m_form->addRow(tr("Attempts:"), m_attempts);
    m_form->addRow(tr("Ran:"), m_times);
    m_form->addRow(tr("Cost:"), m_cost);
    m_form->addRow(tr("Session:"), m_session);
    m_form->addRow(tr("Usage:"), m_usage);
    m_form->addRow(tr("Not permitted:"), m_denied);
    m_form->addRow(tr("Waits for:"), m_deps);
    m_form->addRow(tr("Error:"), m_error);
    auto *facts = new QWidget(m_body);
    facts->setLayout(m_form);
    facts->setMinimumWidth(220);
    facts->setMaximumWidth(340);

    auto *body = new QHBoxLayout(m_body);
    body->setContentsMargins(0, 0, 0, 0);
    body->addWidget(facts, 0, Qt::AlignTop);
    body->addWidget(m_texts, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 2, 2, 2);
    layout->setSpacing(4);
    layout->addLayout(head);
    layout->addWidget(m_body, 1);
    layout->addWidget(m_empty, 1);

    connect(m_model,
            &QAbstractItemModel::dataChanged,
            this,
            [this](const QModelIndex &tl, const QModelIndex &br) {
                const int row = m_model->rowOf(m_id);
                if (row >= tl.row() && row <= br.row())
                    refresh();
            });
    connect(m_model, &QAbstractItemModel::modelReset, this, &TaskDetailView::refresh);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_id.isEmpty() && m_body->isHidden())
            refresh();
    });
    refresh();
}

void TaskDetailView::setActions(QAction *cancel, QAction *retry)
{
    m_cancel->setDefaultAction(cancel);
    m_retry->setDefaultAction(retry);
}

void TaskDetailView::setTaskId(const QString &id)
{
    if (id == m_id)
        return;
    m_id = id;
    m_wanted.clear();
    refresh();
}

QString TaskDetailView::promptText() const
{
    return m_prompt->toPlainText();
}

QString TaskDetailView::outputText() const
{
    return m_output->toPlainText();
}

QString TaskDetailView::statusText() const
{
    return m_status->toolTip();
}

QString TaskDetailView::answerText() const
{
    return m_answer->toPlainText();
}

QString TaskDetailView::errorText() const
{
    return m_error->text();
}

void TaskDetailView::refresh()
{
    const std::optional<Task> found = m_id.isEmpty() ? std::nullopt : m_model->task(m_id);
    m_body->setVisible(found.has_value());
    m_title->setVisible(found.has_value());
    m_status->setVisible(found.has_value());
    m_cancel->setVisible(found.has_value());
    m_retry->setVisible(found.has_value());
    m_empty->setVisible(!found);
    if (!found)
        return;
    const Task &t = *found;
    if (t.summary) {
        const QByteArray summary = QJsonDocument(t.toJson()).toJson(QJsonDocument::Compact);
        if (summary != m_wanted) {
            m_wanted = summary;
            Q_EMIT wholeTaskWanted(t.id);
        }
    }
    m_title->setText(TaskModel::displayTitle(t));
    const QString label = TaskModel::statusLabel(t.status);
    const QSize s = StatusBadgeDelegate::badgeSize(label, font());
    QPixmap pm(s * devicePixelRatioF());
    pm.setDevicePixelRatio(devicePixelRatioF());
    pm.fill(Qt::transparent);
    {
        QPainter p(&pm);
        StatusBadgeDelegate::paintBadge(
            &p, QRect(QPoint(0, 0), s), label, StatusBadgeDelegate::color(t.status), font());
    }
    m_status->setPixmap(pm);
    m_status->setToolTip(label);

    m_id_->setText(t.id);
    m_id_->setToolTip(t.id);
    m_type->setText(tr("%1 · priority %2").arg(t.agentType).arg(t.priority));
    const QString agent
        = m_model->data(m_model->index(m_model->rowOf(t.id), TaskModel::AgentColumn)).toString();
    m_agent->setText(agent.isEmpty() ? tr("none yet") : agent);
    m_attempts->setText(t.result ? tr("%1 of %2 · exit code %3")
                                       .arg(t.attempts)
                                       .arg(t.maxAttempts)
                                       .arg(t.result->exitCode)
                                 : tr("%1 of %2").arg(t.attempts).arg(t.maxAttempts));
    const qint64 ms = TaskModel::durationMs(t);
    const QString duration
        = ms < 0 ? QString() : tr("%1 s").arg(QLocale().toString(double(ms) / 1000.0, 'f', 1));
    if (!t.startedAt.isValid())
        m_times->setText(tr("not yet (queued %1)").arg(when(t.createdAt)));
    else if (!t.finishedAt.isValid())
        m_times->setText(tr("since %1 (%2)").arg(when(t.startedAt), duration));
    else
        m_times->setText(tr("%1 → %2 (%3)").arg(when(t.startedAt), when(t.finishedAt), duration));
    m_times->setToolTip(tr("Created %1").arg(when(t.createdAt)));
    const QString cost = TaskModel::formatCost(t.result ? t.result->costUsd : std::nullopt);
    m_cost->setText(cost.isEmpty() ? tr("not reported") : cost);
    QStringList deps;
    for (const QString &d : t.dependsOn) {
        const std::optional<Task> dep = m_model->task(d);
        deps << (dep ? tr("%1 (%2)").arg(TaskModel::displayTitle(*dep),
                                         TaskModel::statusLabel(dep->status))
                     : d.left(8));
    }
    m_deps->setText(deps.join(u"; "_s));
    m_form->setRowVisible(m_deps, !deps.isEmpty());
    m_error->setText(t.error);
    m_form->setRowVisible(m_error, !t.error.isEmpty());

    // What the agent CLI reported (Claude Code's result event); rows hidden for other CLIs.
    const std::optional<AgentReport> report = t.result ? t.result->report : std::nullopt;
    QString session;
    if (report && !report->sessionId.isEmpty())
        session = report->model.isEmpty() ? report->sessionId
                                          : tr("%1 · %2").arg(report->model, report->sessionId);
    m_session->setText(session);
    m_session->setToolTip(report && !report->terminalReason.isEmpty()
                              ? tr("Ended: %1").arg(report->terminalReason)
                              : QString());
    m_form->setRowVisible(m_session, !session.isEmpty());
    QString usage;
    if (report && (report->numTurns || report->usage)) {
        const QLocale l;
        QStringList parts;
        if (report->numTurns)
            parts << tr("%n turn(s)", nullptr, *report->numTurns);
        if (report->usage)
            parts << tr("%1 in, %2 out tokens")
                         .arg(l.toString(report->usage->inputTokens),
                              l.toString(report->usage->outputTokens))
                  << tr("cache %1 written, %2 read")
                         .arg(l.toString(report->usage->cacheCreationTokens),
                              l.toString(report->usage->cacheReadTokens));
        usage = parts.join(u" · "_s);
    }
    m_usage->setText(usage);
    m_form->setRowVisible(m_usage, !usage.isEmpty());
    QStringList denied;
    if (report) {
        for (const PermissionDenial &d : report->permissionDenials) {
            const QString target = d.target(); // absolute: the agent's folder is not known here
            denied << (target.isEmpty() ? d.tool : tr("%1 %2").arg(d.tool, target));
        }
    }
    denied.removeDuplicates();
    m_denied->setText(denied.join(u'\n'));
    m_form->setRowVisible(m_denied, !denied.isEmpty());
    // A summary's texts are cut short until the whole task is there: said so, not shown as all.
    auto partial = [&t](const QString &text, qint64 bytes, bool atEnd) -> QString {
        if (!t.summary || bytes <= text.toUtf8().size())
            return text;
        const QString more = tr("[… %1 bytes in all, loading …]").arg(bytes);
        return atEnd ? more + u'\n' + text : text + u'\n' + more;
    };
    const QString answer
        = partial(report ? report->answer : QString(), t.result ? t.result->answerBytes : 0, false);
    if (m_answer->toPlainText() != answer)
        m_answer->setPlainText(answer);
    // The answer first when there is one; else the output, which explains what happened.
    const bool hasAnswer = !answer.isEmpty();
    if (m_texts->isTabVisible(0) != hasAnswer) {
        m_texts->setTabVisible(0, hasAnswer);
        m_texts->setCurrentWidget(hasAnswer ? static_cast<QWidget *>(m_answer) : m_output);
    }
    const QString prompt = partial(t.prompt, t.promptBytes, false);
    if (m_prompt->toPlainText() != prompt)
        m_prompt->setPlainText(prompt);
    const QString output = partial(
        t.result ? t.result->output : QString(), t.result ? t.result->outputBytes : 0, true);
    if (m_output->toPlainText() != output) {
        m_output->setPlainText(output);
        m_output->verticalScrollBar()->setValue(m_output->verticalScrollBar()->maximum());
    }
}

bool TaskDetailView::showFound(const QStringList &words, bool inPrompt)
{
    const QList<QPlainTextEdit *> places = inPrompt ? QList<QPlainTextEdit *>{m_prompt}
                                                    : QList<QPlainTextEdit *>{m_answer, m_output};
    for (QPlainTextEdit *edit : places) {
        const int tab = m_texts->indexOf(edit);
        if (tab < 0 || !m_texts->isTabVisible(tab))
            continue;
        QTextCursor first;
        for (const QString &word : words) {
            if (word.isEmpty())
                continue;
            const QTextCursor c = edit->document()->find(word);
            if (!c.isNull() && (first.isNull() || c.position() < first.position()))
                first = c;
        }
        if (first.isNull())
            continue;
        m_texts->setCurrentIndex(tab);
        edit->setTextCursor(first);
        edit->centerCursor();
        return true;
    }
    return false;
}

QString TaskDetailView::selectedText() const
{
    if (auto *edit = qobject_cast<QPlainTextEdit *>(m_texts->currentWidget()))
        return edit->textCursor().selectedText();
    return {};
}

} // namespace Hive
