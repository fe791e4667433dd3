// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/application.h"
#include "app/mainwindow.h"
#include "models/agentfilterproxy.h"
#include "models/agentmodel.h"
#include "services/core/config.h"
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"
#include "tests/gui/guitest.h"
#include "widgets/agentpanel.h"
#include "widgets/diffview.h"
#include "widgets/placeholdertreeview.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDeadlineTimer>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;

// The diff view and the guards of the window, end to end: an agent in a worktree of a real
// repository changes files; Show Changes (its context menu) shows them, files left and a coloured
// diff right, refreshed when one of its tasks ends; Merge brings its branch into main; killing it
// with unmerged work asks, saying how much, and keeps the work. Screenshots in
// build/test-screens/review/.
class tst_Review : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void showsTheChanges();
    void refreshesWhenATaskEnds();
    void mergesFromTheView();
    void killAsksAndKeepsTheWork();

private:
    void shot(const QString &name);
    static QString git(const QString &dir, const QStringList &args);
    static void write(const QString &path, const QByteArray &text);
    void selectAgent(const QString &id);
    DiffView *diffView() const;

    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Application> m_app;
    MainWindow *m_window = nullptr;
    QString m_shots;
    int m_shot = 0;
    QString m_repo;
    QString m_agentId;
    QString m_worktree;
};

void tst_Review::shot(const QString &name)
{
    const QString file
        = QDir(m_shots).filePath(u"%1-%2.png"_s.arg(++m_shot, 2, 10, QChar(u'0')).arg(name));
    QVERIFY2(Test::saveScreenshot(file), qPrintable(file));
}

QString tst_Review::git(const QString &dir, const QStringList &args)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"GIT_AUTHOR_NAME"_s, u"Tester"_s);
    env.insert(u"GIT_AUTHOR_EMAIL"_s, u"tester@example.com"_s);
    env.insert(u"GIT_COMMITTER_NAME"_s, u"Tester"_s);
    env.insert(u"GIT_COMMITTER_EMAIL"_s, u"tester@example.com"_s);
    p.setProcessEnvironment(env);
    p.start(u"git"_s, QStringList{u"-C"_s, dir} + args);
    p.waitForFinished(30000);
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

void tst_Review::write(const QString &path, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

void tst_Review::selectAgent(const QString &id)
{
    AgentPanel *panel = m_window->agentPanel();
    PlaceholderTreeView *view = panel->view();
    QModelIndex idx;
    QTRY_VERIFY_WITH_TIMEOUT((idx = panel->proxy()->mapFromSource(m_window->agentModel()->index(
                                  m_window->agentModel()->rowOf(id), 0)))
                                 .isValid(),
                             20000);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(idx).center());
    QCOMPARE(panel->selectedAgents().size(), 1);
}

DiffView *tst_Review::diffView() const
{
    for (QDialog *d : m_window->findChildren<QDialog *>(u"diffDialog"_s))
        if (d->isVisible())
            return d->findChild<DiffView *>();
    return nullptr;
}

void tst_Review::initTestCase()
{
    m_shots = QStringLiteral(HIVE_SCREENS_DIR) + u"/review"_s;
    QDir(m_shots).removeRecursively();
    QVERIFY(QDir().mkpath(m_shots));
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    QVERIFY(Test::writeAgentProfile(
        m_fx->dir(), u"fake"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s}, false));

    Config c;
    c.dataDir = m_fx->dir();
    c.databaseUrl = m_fx->databaseUrl();
    c.redisUrl = m_fx->redisUrl();
    c.tmuxSocket = m_fx->tmuxSocket();
    c.apiPort = 0;
    m_app = std::make_unique<Application>(c, false);
    m_app->setRunnerPath(Test::HiveFixture::binDir() + u"/hive-runner"_s);
    QVERIFY_OK(m_app->lockDataDir());
    m_app->start();
    m_window = m_app->window();
    QVERIFY(m_window);
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    m_window->setGeometry(QGuiApplication::primaryScreen()->geometry());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->isLoaded(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->agentPanel()->spawnAction()->isEnabled(), 10000);

    // A small project with history, and an agent in a worktree of it.
    m_repo = m_fx->path(u"project"_s);
    QDir().mkpath(m_repo);
    git(m_repo, {u"init"_s, u"-q"_s, u"-b"_s, u"main"_s});
    write(m_repo + u"/README.md"_s, "# Project\n\nA small project.\n");
    write(m_repo + u"/src/main.py"_s,
          "def main():\n    print(\"hello\")\n\n\nif __name__ == \"__main__\":\n    main()\n");
    git(m_repo, {u"add"_s, u"-A"_s});
    git(m_repo, {u"commit"_s, u"-q"_s, u"-m"_s, u"start"_s});
    SpawnRequest r;
    r.type = u"coder"_s;
    r.name = u"coder-1"_s;
    r.profile = u"fake"_s;
    r.repository = m_repo;
    auto spawned = m_app->engine()->spawn(r);
    QTRY_VERIFY_WITH_TIMEOUT(spawned.isFinished(), 30000);
    if (!spawned.result())
        QFAIL(qPrintable(spawned.result().error().message));
    m_agentId = spawned.result()->id;
    m_worktree = spawned.result()->workdir;
}

void tst_Review::cleanupTestCase()
{
    if (m_app)
        m_app->shutdown();
    m_app.reset();
    m_fx.reset();
}

void tst_Review::showsTheChanges()
{
    // The agent's work: a commit, an edit not committed, a new file git does not know yet.
    write(m_worktree + u"/src/main.py"_s,
          "import sys\n\n\ndef main():\n    print(\"hello, \" + \" \".join(sys.argv[1:]))\n\n\n"
          "if __name__ == \"__main__\":\n    main()\n");
    git(m_worktree, {u"commit"_s, u"-q"_s, u"-am"_s, u"Greet by name"_s});
    write(m_worktree + u"/README.md"_s, "# Project\n\nA small project that greets you.\n");
    write(m_worktree + u"/tests/test_main.py"_s,
          "from src.main import main\n\n\ndef test_main():\n    main()\n");

    selectAgent(m_agentId);
    QAction *show = m_window->findChild<QAction *>(u"showChanges"_s);
    QVERIFY(show);
    QTRY_VERIFY(show->isEnabled());
    show->trigger();
    DiffView *view = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((view = diffView()) != nullptr, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(view->fileList()->count(), 4, 20000); // all files + 3
    QStringList rows;
    for (int i = 0; i < view->fileList()->count(); ++i)
        rows << view->fileList()->item(i)->text();
    QVERIFY2(rows.join(u'|').contains(u"A  tests/test_main.py"_s), qPrintable(rows.join(u'|')));
    QVERIFY2(rows.join(u'|').contains(u"M  src/main.py"_s), qPrintable(rows.join(u'|')));
    QVERIFY2(rows.join(u'|').contains(u"M  README.md"_s), qPrintable(rows.join(u'|')));
    QVERIFY2(view->summaryLabel()->text().contains(u"1 commit"_s),
             qPrintable(view->summaryLabel()->text()));
    QVERIFY2(view->summaryLabel()->text().contains(u"2 uncommitted"_s),
             qPrintable(view->summaryLabel()->text()));
    const QString all = view->patchView()->toPlainText();
    QVERIFY2(all.contains(u"+import sys"_s) && all.contains(u"+def test_main():"_s),
             qPrintable(all));

    // An added line is drawn green, a removed one red.
    auto colourOf = [view](const QString &lineStart) {
        for (QTextBlock b = view->patchView()->document()->begin(); b.isValid(); b = b.next())
            if (b.text().startsWith(lineStart) && !b.layout()->formats().isEmpty())
                return b.layout()->formats().first().format.foreground().color();
        return QColor();
    };
    QCOMPARE(colourOf(u"+import sys"_s), QColor(0x1a, 0x7f, 0x37));
    QCOMPARE(colourOf(u"-    print(\"hello\")"_s), QColor(0xb3, 0x1d, 0x28));
    QDialog *dialog = qobject_cast<QDialog *>(view->window());
    dialog->setGeometry(QRect(QPoint(80, 60), QSize(1200, 760)));
    // One file: only its part of the diff.
    for (int i = 1; i < view->fileList()->count(); ++i)
        if (view->fileList()->item(i)->text().contains(u"src/main.py"_s))
            view->fileList()->setCurrentRow(i);
    QVERIFY(view->patchView()->toPlainText().startsWith(u"diff --git a/src/main.py"_s));
    QVERIFY(!view->patchView()->toPlainText().contains(u"README"_s));
    shot(u"diff-view"_s);
    // The dialog alone, for the README (docs/screenshots/diff-view.png).
    const QString alone = QDir(m_shots).filePath(u"diff-view-dialog.png"_s);
    QVERIFY(dialog->grab().save(alone));
    qInfo("screenshot %s", qPrintable(alone));
}

void tst_Review::refreshesWhenATaskEnds()
{
    DiffView *view = diffView();
    QVERIFY(view);
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.title = u"Add a changelog"_s;
    t.prompt = u"write the changelog touch=CHANGELOG.md"_s;
    t.agentType = u"coder"_s;
    t.maxAttempts = 1;
    auto created = m_app->engine()->createTask(t);
    QTRY_VERIFY_WITH_TIMEOUT(created.isFinished(), 20000);
    if (!created.result())
        QFAIL(qPrintable(created.result().error().message));
    const QString taskId = created.result()->id;
    auto status = [this, taskId] {
        auto f = m_app->engine()->task(taskId);
        QDeadlineTimer d(20000);
        while (!f.isFinished() && !d.hasExpired())
            QTest::qWait(10);
        return f.isFinished() && f.result() ? Task::statusName(f.result()->status) : QString();
    };
    QTRY_COMPARE_WITH_TIMEOUT(status(), u"succeeded"_s, 60000);
    // No click on Refresh: the view follows the task's end.
    auto hasChangelog = [view] {
        for (int i = 0; i < view->fileList()->count(); ++i)
            if (view->fileList()->item(i)->text().contains(u"CHANGELOG.md"_s))
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(hasChangelog(), 60000);
}

void tst_Review::mergesFromTheView()
{
    DiffView *view = diffView();
    QVERIFY(view);
    QTRY_VERIFY(view->mergeButton()->isEnabled());
    QVERIFY(view->mergeButton()->text().contains(u"main"_s));
    const QString tip = git(m_worktree, {u"rev-parse"_s, u"HEAD"_s});
    QTest::mouseClick(view->mergeButton(), Qt::LeftButton);
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = view->window()->findChild<QMessageBox *>(u"mergeConfirmation"_s))
                && box->isVisible());
    QVERIFY2(box->informativeText().contains(u"uncommitted"_s), qPrintable(box->informativeText()));
    QAbstractButton *merge = nullptr;
    for (QAbstractButton *b : box->buttons())
        if (box->buttonRole(b) == QMessageBox::AcceptRole)
            merge = b;
    QVERIFY(merge);
    QTest::mouseClick(merge, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(git(m_repo, {u"rev-parse"_s, u"main"_s}), tip, 20000);
    auto merged = [view] {
        for (QLabel *l : view->findChildren<QLabel *>())
            if (l->isVisible() && l->text().startsWith(u"Merged"_s))
                return true;
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(merged(), 10000);
    // The main checkout has the agent's committed work, and nothing else.
    QVERIFY(QFile(m_repo + u"/src/main.py"_s).open(QIODevice::ReadOnly));
    QCOMPARE(git(m_repo, {u"status"_s, u"--porcelain"_s}), QString());
    QTRY_VERIFY_WITH_TIMEOUT(view->summaryLabel()->text().contains(u"0 commits ahead"_s)
                                 || view->summaryLabel()->text().contains(u"0 commit(s) ahead"_s),
                             10000);
    shot(u"diff-merged"_s);
    view->window()->close();
}

void tst_Review::killAsksAndKeepsTheWork()
{
    // Unmerged work: one more commit, and the uncommitted files of before.
    write(m_worktree + u"/src/util.py"_s, "def shout(s):\n    return s.upper()\n");
    git(m_worktree, {u"add"_s, u"src/util.py"_s});
    git(m_worktree, {u"commit"_s, u"-q"_s, u"-m"_s, u"Shout"_s});
    const QString tip = git(m_worktree, {u"rev-parse"_s, u"HEAD"_s});
    // Even without the usual question, unmerged work is asked about.
    m_window->agentPanel()->setConfirmKill(false);
    selectAgent(m_agentId);
    m_window->agentPanel()->killAction()->trigger();
    QMessageBox *box = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((box = m_window->findChild<QMessageBox *>(u"killConfirmation"_s))
                                 && box->isVisible(),
                             20000);
    const QString info = box->informativeText();
    QVERIFY2(info.contains(u"1 unmerged commit"_s) || info.contains(u"2 unmerged commit"_s),
             qPrintable(info));
    QVERIFY2(info.contains(u"uncommitted file"_s), qPrintable(info));
    QVERIFY2(info.contains(u"hive/coder-1"_s), qPrintable(info));
    QVERIFY2(info.contains(u"keeps the worktree"_s), qPrintable(info));
    shot(u"kill-unmerged-work"_s);
    QAbstractButton *kill = nullptr;
    for (QAbstractButton *b : box->buttons())
        if (box->buttonRole(b) == QMessageBox::DestructiveRole)
            kill = b;
    QVERIFY(kill);
    QTest::mouseClick(kill, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        [this] {
            for (const Agent &a : m_window->agentModel()->agents())
                if (a.id == m_agentId)
                    return !a.isAlive();
            return true;
        }(),
        20000);
    // The work is all there.
    QCOMPARE(git(m_repo, {u"rev-parse"_s, u"hive/coder-1"_s}), tip);
    QVERIFY(QFile::exists(m_worktree + u"/tests/test_main.py"_s));
    QVERIFY(QFile::exists(m_worktree + u"/src/util.py"_s));
}

int main(int argc, char *argv[])
{
    return Hive::Test::runGuiTest(argc, argv, "tst_review", QSize(1600, 1000), [&] {
        tst_Review t;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&t, argc, argv);
    });
}

#include "tst_review.moc"
