// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// Teams, pause and stop in the window, on a private X server against the real engine: New Team…
// opens the team dialog with the built-in template, Start Team spawns the lead and three workers
// in worktrees of one repository (the Team column shows them), a worker is paused and resumed
// from the Agents menu, and Stop Team stops all four. The profiles "claude" and
// "claude-interactive" are the fake agent CLI here (tst_claudeteam runs the real one).
// Screenshots in build/test-screens/ (team-*.png).
#include "app/application.h"
#include "app/mainwindow.h"
#include "app/operateactions.h"
#include "models/agentmodel.h"
#include "services/core/config.h"
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"
#include "tests/gui/guitest.h"
#include "widgets/agentpanel.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/teamdialog.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

class tst_TeamGui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void startsATeamFromTheDialog();
    void pausesAndResumesAWorker();
    void stopsTheTeam();

private:
    void shot(const QString &name);
    void writeProfile(const QString &name, const QStringList &command, bool interactive);
    std::optional<Agent> agentNamed(const QString &name);
    QString git(const QStringList &args);

    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Application> m_app;
    MainWindow *m_window = nullptr;
    QString m_shots;
    QString m_repo;
    QStringList m_ids;
};

void tst_TeamGui::shot(const QString &name)
{
    const QString file = QDir(m_shots).filePath(u"team-%1.png"_s.arg(name));
    QVERIFY2(Test::saveScreenshot(file), qPrintable(file));
}

void tst_TeamGui::writeProfile(const QString &name, const QStringList &command, bool interactive)
{
    QVERIFY(Test::writeAgentProfile(m_fx->dir(), name, command, interactive));
}

std::optional<Agent> tst_TeamGui::agentNamed(const QString &name)
{
    for (const Agent &a : m_window->agentModel()->agents())
        if (a.name == name)
            return a;
    return std::nullopt;
}

QString tst_TeamGui::git(const QStringList &args)
{
    QProcess p;
    p.start(u"git"_s, QStringList{u"-C"_s, m_repo} + args);
    p.waitForFinished(30000);
    return QString::fromUtf8(p.readAllStandardOutput());
}

void tst_TeamGui::initTestCase()
{
    m_shots = QStringLiteral(HIVE_SCREENS_DIR);
    QVERIFY(QDir().mkpath(m_shots));
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    writeProfile(u"claude"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s}, false);
    writeProfile(
        u"claude-interactive"_s, {Test::HiveFixture::fakeAgent(), u"--interactive"_s}, true);
    m_repo = m_fx->path(u"webshop"_s);
    QVERIFY(QDir().mkpath(m_repo));
    git({u"init"_s, u"-q"_s, u"-b"_s, u"main"_s});
    QFile readme(m_repo + u"/README"_s);
    QVERIFY(readme.open(QIODevice::WriteOnly));
    readme.write("a shop\n");
    readme.close();
    git({u"add"_s, u"README"_s});
    git({u"-c"_s,
         u"user.name=t"_s,
         u"-c"_s,
         u"user.email=t@example.org"_s,
         u"commit"_s,
         u"-q"_s,
         u"-m"_s,
         u"first"_s});

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
}

void tst_TeamGui::cleanupTestCase()
{
    if (m_app)
        m_app->shutdown();
    m_app.reset();
    m_fx.reset();
}

void tst_TeamGui::startsATeamFromTheDialog()
{
    OperateActions *ops = m_window->operateActions();
    QVERIFY(ops);
    ops->newTeamAction()->trigger();
    TeamDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = m_window->findChild<TeamDialog *>()) && dialog->isVisible(),
                             10000);
    auto *combo = dialog->findChild<QComboBox *>(u"template"_s);
    QVERIFY(combo);
    QCOMPARE(combo->currentData().toString(), u"lead-and-workers"_s);
    auto *roles = dialog->findChild<QLabel *>(u"roles"_s);
    QVERIFY2(roles->text().contains(u"lead × 1"_s) && roles->text().contains(u"dev × 3"_s),
             qPrintable(roles->text()));
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);

    // A relative repository is refused as typed.
    auto *repo = dialog->findChild<QLineEdit *>(u"repository"_s);
    QTest::keyClicks(repo, u"webshop"_s);
    QVERIFY(!ok->isEnabled());
    QVERIFY(dialog->problem().contains(u"absolute"_s));
    repo->clear();
    QTest::keyClicks(repo, m_repo);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"teamName"_s), u"shop"_s);
    QVERIFY(ok->isEnabled());
    shot(u"dialog"_s);
    QTest::mouseClick(ok, Qt::LeftButton);

    const QStringList names{u"shop-lead"_s, u"shop-dev-1"_s, u"shop-dev-2"_s, u"shop-dev-3"_s};
    for (const QString &name : names) {
        QTRY_VERIFY_WITH_TIMEOUT(
            agentNamed(name) && agentNamed(name)->status == Agent::Status::Idle, 60000);
        const Agent a = *agentNamed(name);
        QCOMPARE(a.team, u"shop"_s);
        QCOMPARE(a.interactive, name == u"shop-lead"_s);
        QCOMPARE(a.workdir, m_fx->path(u"workspace/"_s + name));
        m_ids << a.id;
    }
    // The Team column shows the team.
    const int row = m_window->agentModel()->rowOf(m_ids.first());
    QCOMPARE(m_window->agentModel()
                 ->data(m_window->agentModel()->index(row, AgentModel::TeamColumn))
                 .toString(),
             u"shop"_s);
    QVERIFY(!m_window->agentPanel()->view()->header()->isSectionHidden(AgentModel::TeamColumn));
    const QString listed = git({u"worktree"_s, u"list"_s});
    for (const QString &name : names)
        QVERIFY2(listed.contains(u"[hive/"_s + name + u"]"_s), qPrintable(listed));
    shot(u"agents"_s);
}

void tst_TeamGui::pausesAndResumesAWorker()
{
    QVERIFY(m_ids.size() == 4);
    OperateActions *ops = m_window->operateActions();
    const QString worker = m_ids.at(1);
    m_window->agentPanel()->selectAgent(worker);
    QTRY_VERIFY_WITH_TIMEOUT(ops->pauseAction()->isEnabled(), 5000);
    QVERIFY(!ops->resumeAction()->isEnabled());
    ops->pauseAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->agentModel()->agent(worker)->paused, 10000);
    const int row = m_window->agentModel()->rowOf(worker);
    QVERIFY2(m_window->agentModel()
                 ->data(m_window->agentModel()->index(row, AgentModel::StatusColumn))
                 .toString()
                 .contains(u"paused"_s),
             "the status does not say paused");
    QTRY_VERIFY_WITH_TIMEOUT(ops->resumeAction()->isEnabled(), 5000);
    shot(u"paused"_s);
    ops->resumeAction()->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->agentModel()->agent(worker)->paused, 10000);
    // The lead takes no tasks: nothing to pause.
    m_window->agentPanel()->selectAgent(m_ids.first());
    QTRY_VERIFY_WITH_TIMEOUT(!ops->pauseAction()->isEnabled(), 5000);
}

void tst_TeamGui::stopsTheTeam()
{
    QVERIFY(m_ids.size() == 4);
    OperateActions *ops = m_window->operateActions();
    m_window->agentPanel()->selectAgent(m_ids.at(2));
    QTRY_VERIFY_WITH_TIMEOUT(ops->stopTeamAction()->isEnabled(), 5000);
    ops->stopTeamAction()->trigger();
    // Stopped agents leave the list; the engine says they are all stopped.
    for (const QString &id : std::as_const(m_ids)) {
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->agentModel()->agent(id), 30000);
        auto a = m_window->sessions()->engine()->agent(id);
        QTRY_VERIFY_WITH_TIMEOUT(a.isFinished(), 10000);
        QVERIFY(a.result());
        QCOMPARE(a.result()->status, Agent::Status::Stopped);
    }
    shot(u"stopped"_s);
}

int main(int argc, char *argv[])
{
    return Hive::Test::runGuiTest(argc, argv, "tst_teamgui", QSize(1600, 1000), [&] {
        tst_TeamGui t;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&t, argc, argv);
    });
}

#include "tst_teamgui.moc"
