// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/taskmodel.h"
#include "tests/widgets/modelfixtures.h"
#include "widgets/spawndialog.h"
#include "widgets/taskdetailview.h"

#include <QComboBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRadioButton>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// What Claude Code reported, where the user sees it: the task detail view shows the answer,
// session, model, turns, tokens and the refused tool calls; the spawn dialog offers the
// permission mode for the profiles that have one.
class tst_ClaudeViews : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void detailShowsTheReport();
    void detailShowsDenials();
    void spawnDialogPermissionMode();
};

namespace {
AgentReport report()
{
    AgentReport r;
    r.answer = u"Done. Last tool result: File created successfully"_s;
    r.sessionId = u"2f672582-dbab-426f-8d07-223831026d49"_s;
    r.numTurns = 2;
    r.model = u"claude-opus-5-5"_s;
    r.usage = AgentReport::Usage{22, 29, 444, 6666};
    r.terminalReason = u"completed"_s;
    return r;
}
} // namespace

void tst_ClaudeViews::detailShowsTheReport()
{
    TaskModel model;
    Task t = Test::makeTask(u"write hello"_s, Task::Status::Succeeded);
    t.result = TaskResult{0, u"{\"type\":\"result\"}"_s, 202, 0.0042, report()};
    model.upsert(t);
    TaskDetailView view(&model);
    view.setTaskId(t.id);
    QCOMPARE(view.answerText(), u"Done. Last tool result: File created successfully"_s);
    auto *session = view.findChild<QLabel *>(u"taskSession"_s);
    QVERIFY(session->text().contains(u"claude-opus-5-5"_s));
    QVERIFY(session->text().contains(u"2f672582-dbab-426f-8d07-223831026d49"_s));
    auto *usage = view.findChild<QLabel *>(u"taskUsage"_s);
    QVERIFY2(usage->text().startsWith(u"2 turn"_s), qPrintable(usage->text()));
    QVERIFY(usage->text().contains(u"22 in, 29 out tokens"_s));
    QVERIFY(usage->text().contains(u"444 written"_s));
    QVERIFY(view.findChild<QLabel *>(u"taskDenied"_s)->text().isEmpty());
    QCOMPARE(view.outputText(), u"{\"type\":\"result\"}"_s); // the raw stream stays the output
}

void tst_ClaudeViews::detailShowsDenials()
{
    TaskModel model;
    Task t = Test::makeTask(u"denied"_s, Task::Status::Failed);
    AgentReport r = report();
    r.permissionDenials = {{u"Write"_s, QJsonObject{{u"file_path"_s, u"/ws/hello.txt"_s}}},
                           {u"Bash"_s, QJsonObject{{u"command"_s, u"rm -rf build"_s}}}};
    t.result = TaskResult{0, {}, 10, std::nullopt, r};
    t.error = u"needs permission: Write hello.txt, Bash rm -rf build"_s;
    model.upsert(t);
    TaskDetailView view(&model);
    view.setTaskId(t.id);
    QCOMPARE(view.errorText(), t.error);
    QCOMPARE(view.findChild<QLabel *>(u"taskDenied"_s)->text(),
             u"Write /ws/hello.txt\nBash rm -rf build"_s);
}

void tst_ClaudeViews::spawnDialogPermissionMode()
{
    const QList<SpawnDialog::ProfileChoice> profiles{
        {u"claude"_s, {}, false, true, true, u"acceptEdits"_s},
        {u"aider"_s, {}, false, true, true, {}},
    };
    SpawnDialog d(profiles);
    auto *combo = d.findChild<QComboBox *>(u"permissionCombo"_s);
    QVERIFY(combo);
    QVERIFY(combo->isEnabled());
    QVERIFY(combo->currentText().contains(
        u"acceptEdits"_s));                          // the profile's default, in its own folder
    QCOMPARE(d.request().permissionMode, QString()); // left to the engine
    // In an existing folder the default is to ask.
    for (QRadioButton *b : d.findChildren<QRadioButton *>())
        if (b->text().contains(u"existing"_s))
            b->setChecked(true);
    QVERIFY2(combo->currentText().contains(u"default"_s), qPrintable(combo->currentText()));
    combo->setCurrentIndex(combo->findData(u"acceptEdits"_s));
    QCOMPARE(d.request().permissionMode, u"acceptEdits"_s);
    // A profile without a permission mode: nothing to choose, nothing sent.
    d.setDefaultProfile(u"aider"_s);
    QVERIFY(!combo->isEnabled());
    QCOMPARE(d.request().permissionMode, QString());
    SpawnDialog::Request r;
    r.type = u"dev"_s;
    r.profile = u"claude"_s;
    r.permissionMode = u"plan"_s;
    d.setRequest(r);
    QCOMPARE(d.request().permissionMode, u"plan"_s);
}

QTEST_MAIN(tst_ClaudeViews)
#include "tst_claudeviews.moc"
