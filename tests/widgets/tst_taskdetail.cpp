// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/taskmodel.h"
#include "tests/widgets/modelfixtures.h"
#include "widgets/taskdetailview.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// The task detail view over a task that came with an event: a summary (the prompt's start, the
// output's end). It shows what it has, says it is not all, asks for the whole task once for each
// state of it, and shows all of it once the whole task is in the model.
class tst_TaskDetail : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summaryAsksForTheWholeTask();
};

void tst_TaskDetail::summaryAsksForTheWholeTask()
{
    TaskModel model;
    Task whole = Test::makeTask(u"long one"_s, Task::Status::Succeeded);
    whole.prompt = u"first line\n"_s + QString(5000, u'p');
    AgentReport report;
    report.answer = QString(3000, u'a');
    whole.result = TaskResult{0, QString(9000, u'o') + u"\nlast line"_s, 10, std::nullopt, report};
    model.upsert(whole.toSummary());

    TaskDetailView view(&model);
    QSignalSpy wanted(&view, &TaskDetailView::wholeTaskWanted);
    view.setTaskId(whole.id);
    QCOMPARE(wanted.size(), 1);
    QCOMPARE(wanted.first().at(0).toString(), whole.id);
    // What there is, said to be not all.
    QVERIFY(view.promptText().startsWith(whole.prompt.left(Task::kPreviewChars)));
    QVERIFY2(view.promptText().contains(u"5011 bytes in all"_s), qPrintable(view.promptText()));
    QVERIFY(view.outputText().endsWith(u"\nlast line"_s));
    QVERIFY(view.outputText().size() < 400);
    QVERIFY(view.answerText().startsWith(QString(Task::kPreviewChars, u'a')));

    // The same summary again (a refresh, an event that changed nothing of it): not asked again.
    model.upsert(whole.toSummary());
    QCOMPARE(wanted.size(), 1);

    // The whole task, put into the model by whoever fetched it.
    model.upsert(whole);
    QCOMPARE(view.promptText(), whole.prompt);
    QCOMPARE(view.outputText(), whole.result->output);
    QCOMPARE(view.answerText(), report.answer);
    QCOMPARE(wanted.size(), 1);

    // A newer state comes with an event: asked for again.
    Task retried = whole;
    retried.status = Task::Status::Queued;
    retried.attempts = 1;
    model.upsert(retried.toSummary());
    QCOMPARE(wanted.size(), 2);
    // Another task, then this one again: asked for again.
    view.setTaskId({});
    view.setTaskId(whole.id);
    QCOMPARE(wanted.size(), 3);
}

QTEST_MAIN(tst_TaskDetail)
#include "tst_taskdetail.moc"
