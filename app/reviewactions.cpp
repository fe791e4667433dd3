// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/reviewactions.h"

#include "app/sessioncontroller.h"
#include "services/agents/gitreview.h"
#include "services/engine.h"
#include "widgets/agentpanel.h"
#include "widgets/diffview.h"
#include "widgets/placeholdertreeview.h"

#include <QAction>
#include <QDialog>
#include <QItemSelectionModel>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Hive {

ReviewActions::ReviewActions(SessionController *sessions, QWidget *window)
    : QObject(window)
    , m_sessions(sessions)
    , m_window(window)
    , m_showChanges(new QAction(tr("Show &Changes…"), this))
{
    m_showChanges->setObjectName(u"showChanges"_s);
    m_showChanges->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    m_showChanges->setToolTip(tr("What the selected agent changed in its folder since it started, "
                                 "and merging its branch"));
    m_showChanges->setEnabled(false);
    connect(m_showChanges, &QAction::triggered, this, [this] {
        if (!m_current.id.isEmpty())
            showChanges(m_current);
    });
}

void ReviewActions::attach(AgentPanel *panel)
{
    panel->addContextAction(m_showChanges);
    panel->addAction(m_showChanges);
    panel->setKillNote([this](const QList<Agent> &agents) { return killNote(agents); });
    auto follow = [this, panel] {
        const QList<Agent> selected = panel->selectedAgents();
        setCurrentAgent(selected.size() == 1 ? selected.first() : Agent());
    };
    connect(panel, &AgentPanel::currentAgentChanged, this, follow);
    connect(panel->view()->selectionModel(), &QItemSelectionModel::selectionChanged, this, follow);
}

void ReviewActions::setCurrentAgent(const Agent &agent)
{
    m_current = agent;
    m_showChanges->setEnabled(!agent.id.isEmpty() && m_sessions->engine());
}

void ReviewActions::connectEngine()
{
    Engine *engine = m_sessions->engine();
    if (m_engineConnected || !engine)
        return;
    m_engineConnected = true;
    // Once a task's changed files are recorded, its agent's diff view shows the new state.
    connect(&engine->review(),
            &GitReview::taskRecorded,
            this,
            [this](const QString &, const QString &agentId) {
                if (m_dialogs.value(agentId))
                    refresh(agentId);
            });
}

DiffView *ReviewActions::viewOf(const QString &agentId) const
{
    const QPointer<QDialog> dialog = m_dialogs.value(agentId);
    return dialog ? dialog->findChild<DiffView *>() : nullptr;
}

void ReviewActions::showChanges(const Agent &agent)
{
    if (!m_sessions->engine())
        return;
    connectEngine();
    QPointer<QDialog> dialog = m_dialogs.value(agent.id);
    if (!dialog) {
        dialog = new QDialog(m_window);
        dialog->setObjectName(u"diffDialog"_s);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Changes of %1").arg(agent.name));
        dialog->resize(1000, 640);
        auto *view = new DiffView(dialog);
        auto *layout = new QVBoxLayout(dialog);
        layout->setContentsMargins(6, 6, 6, 6);
        layout->addWidget(view);
        const QString id = agent.id;
        connect(view, &DiffView::refreshRequested, this, [this, id] { refresh(id); });
        connect(view, &DiffView::mergeRequested, this, [this, id] { merge(id); });
        m_dialogs.insert(agent.id, dialog);
    }
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    refresh(agent.id);
}

void ReviewActions::refresh(const QString &agentId)
{
    Engine *engine = m_sessions->engine();
    DiffView *view = viewOf(agentId);
    if (!engine || !view)
        return;
    view->setBusy(true);
    engine->review().diff(agentId).then(this, [this, agentId](Result<WorkspaceDiff> d) {
        DiffView *view = viewOf(agentId);
        if (!view)
            return;
        view->setBusy(false);
        if (d)
            view->setDiff(*d);
        else
            view->setError(d.error().message);
    });
}

void ReviewActions::merge(const QString &agentId)
{
    Engine *engine = m_sessions->engine();
    DiffView *view = viewOf(agentId);
    if (!engine || !view)
        return;
    const WorkspaceDiff &d = view->diff();
    auto *box = new QMessageBox(QMessageBox::Question,
                                tr("Merge"),
                                tr("Merge %1 into %2?").arg(d.branch, d.baseBranch),
                                QMessageBox::NoButton,
                                view->window());
    box->setObjectName(u"mergeConfirmation"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QString info = tr("%n commit(s) of the agent are brought into %1: a fast-forward when %1 has "
                      "not moved since, else a merge commit. A conflict changes nothing.",
                      nullptr,
                      d.commitsAhead)
                       .arg(d.baseBranch);
    if (d.uncommittedFiles > 0)
        info += u"\n\n"_s
                + tr("%n uncommitted file(s) in the agent's folder are not merged.",
                     nullptr,
                     d.uncommittedFiles);
    box->setInformativeText(info);
    QPushButton *yes = box->addButton(tr("&Merge"), QMessageBox::AcceptRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(yes);
    connect(box, &QMessageBox::finished, this, [this, box, yes, agentId] {
        if (box->clickedButton() != yes)
            return;
        Engine *engine = m_sessions->engine();
        if (!engine)
            return;
        if (DiffView *v = viewOf(agentId))
            v->setBusy(true);
        engine->review().merge(agentId).then(this, [this, agentId](Result<MergeResult> m) {
            DiffView *v = viewOf(agentId);
            if (!v)
                return;
            if (!m)
                v->setNote(tr("Not merged: %1").arg(m.error().message));
            else if (m->kind == u"up-to-date"_s)
                v->setNote(tr("%1 already has every commit of %2.").arg(m->baseBranch, m->branch));
            else
                v->setNote(
                    tr("Merged %1 into %2 (%3): %4.")
                        .arg(m->branch,
                             m->baseBranch,
                             m->kind == u"merge"_s ? tr("a merge commit") : tr("fast-forward"),
                             m->commit.left(10)));
            refresh(agentId);
        });
    });
    box->open();
}

QFuture<QString> ReviewActions::killNote(const QList<Agent> &agents)
{
    Engine *engine = m_sessions->engine();
    QList<QFuture<Result<WorkspaceDiff>>> diffs;
    if (engine)
        for (const Agent &a : agents)
            if (a.isAlive() || agents.size() == 1)
                diffs.append(engine->review().diff(a.id));
    if (diffs.isEmpty())
        return QtFuture::makeReadyValueFuture(QString());
    return QtFuture::whenAll(diffs.begin(), diffs.end())
        .then(this, [](const QList<QFuture<Result<WorkspaceDiff>>> &done) -> QString {
            QStringList lines;
            for (const auto &f : done) {
                if (f.resultCount() == 0)
                    continue;
                const Result<WorkspaceDiff> d = f.result();
                if (!d || !d->hasUnmergedWork())
                    continue;
                QString line
                    = d->branch.isEmpty()
                          ? tr("%1 has %n uncommitted file(s) in %2.", nullptr, d->uncommittedFiles)
                                .arg(d->agentName, d->workdir)
                          : tr("%1 has %2 and %3 on %4 (%5 in %6).")
                                .arg(d->agentName,
                                     tr("%n unmerged commit(s)", nullptr, d->unmergedCommits),
                                     tr("%n uncommitted file(s)", nullptr, d->uncommittedFiles),
                                     d->branch,
                                     tr("%n file(s) changed", nullptr, int(d->files.size())),
                                     d->workdir);
                lines << line;
            }
            if (lines.isEmpty())
                return QString();
            return lines.join(u'\n') + u"\n"_s
                   + tr("Killing keeps the worktree and its branch: merge them from Show Changes, "
                        "or remove them later over the API with the agent's name.");
        });
}

} // namespace Hive
