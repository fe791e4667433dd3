// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/application.h"
#include "app/mainwindow.h"
#include "app/moneysession.h"
#include "models/agentmodel.h"
#include "services/engine.h"
#include "services/store/database.h"
#include "tests/fixture/hivefixture.h"
#include "tests/gui/guitest.h"
#include "widgets/costdashboard.h"
#include "widgets/trayicon.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QScreen>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;

// The cost dashboard and the budget as a user sees them, on a private X server against the real
// engine: a worker whose (stand-in) CLI reports costs, the daily budget set in the dashboard, the
// warning at 80 % and the stop at 100 % in the status bar and the tray's note, a task held until
// the budget is raised, and each agent's CPU and memory in the agent list. Screenshots land in
// build/test-screens/ (costs-*.png); the README shows one.
class tst_GuiCosts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void dashboardShowsCostsAndTheBudget();

private:
    void shot(const QString &name);
    template<typename T>
    T wait(QFuture<T> f, int ms = 30000)
    {
        return Test::await(std::move(f), ms);
    }
    Task runTask(const QString &prompt, bool waitEnd = true);
    void addHistory(const QString &agentId);

    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Application> m_app;
    MainWindow *m_window = nullptr;
    QString m_shots;
};

void tst_GuiCosts::shot(const QString &name)
{
    // The window alone: a notice the app pops up ("All queued work is done") is not in it.
    const QString file = QDir(m_shots).filePath(u"costs-%1.png"_s.arg(name));
    QVERIFY2(Test::saveScreenshot(file, m_window), qPrintable(file));
}

void tst_GuiCosts::initTestCase()
{
    m_shots = QStringLiteral(HIVE_SCREENS_DIR);
    QVERIFY(QDir().mkpath(m_shots));
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    QVERIFY(
        Test::writeAgentProfile(m_fx->dir(),
                                u"fake-json"_s,
                                {Test::HiveFixture::fakeAgent(), u"--stream-json"_s, u"{prompt}"_s},
                                false));

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
}

void tst_GuiCosts::cleanupTestCase()
{
    if (m_app)
        m_app->shutdown();
    m_app.reset();
    m_fx.reset();
}

Task tst_GuiCosts::runTask(const QString &prompt, bool waitEnd)
{
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.prompt = prompt;
    t.title = prompt;
    t.agentType = u"dev"_s;
    auto created = wait(m_app->engine()->createTask(t));
    if (!created || !waitEnd)
        return created ? *created : t;
    QDeadlineTimer d(30000);
    Task last = *created;
    while (!d.hasExpired() && !last.isFinished()) {
        QTest::qWait(50);
        if (auto now = wait(m_app->engine()->task(t.id)))
            last = *now;
    }
    return last;
}

// The six days before today, as runs of an earlier task (the chart needs a history; the engine
// only ever writes today's).
void tst_GuiCosts::addHistory(const QString &agentId)
{
    const Task old = runTask(u"cost=0.01"_s);
    QCOMPARE(Task::statusName(old.status), u"succeeded"_s);
    Database probe;
    QVERIFY_OK(probe.open(m_fx->databaseUrl(), u"history"_s));
    QSqlDatabase db = QSqlDatabase::database(u"history"_s);
    const QList<double> costs{0.42, 0.95, 0.31, 1.12, 0.66, 0.58};
    for (int i = 0; i < costs.size(); ++i) {
        QSqlQuery q(db);
        q.prepare(u"INSERT INTO task_runs (task_id, attempt, agent_id, outcome, finished_at, "
                  "cost_usd) VALUES (?::uuid, 1, ?::uuid, 'succeeded', now() - make_interval(days "
                  "=> ?), ?)"_s);
        q.addBindValue(old.id);
        q.addBindValue(agentId);
        q.addBindValue(costs.size() - i);
        q.addBindValue(costs.at(i));
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
    }
}

void tst_GuiCosts::dashboardShowsCostsAndTheBudget()
{
    SpawnRequest r;
    r.type = u"dev"_s;
    r.profile = u"fake-json"_s;
    r.name = u"coder-1"_s;
    auto agent = wait(m_app->engine()->spawn(r));
    QVERIFY_OK(agent);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->agentModel()->agent(agent->id)
                                 && m_window->agentModel()->agent(agent->id)->status
                                        == Agent::Status::Idle,
                             30000);
    addHistory(agent->id);

    // The dashboard, from the View menu.
    QAction *show = m_window->findChild<QAction *>(u"showCosts"_s);
    QVERIFY(show);
    show->trigger();
    QTRY_VERIFY(m_window->costDock()->isVisible());
    CostDashboard *dash = m_window->costDashboard();

    // The budget, set in the dashboard.
    auto *budget = dash->findChild<QDoubleSpinBox *>(u"dailyBudget"_s);
    QVERIFY(budget);
    budget->setFocus();
    budget->selectAll();
    QTest::keyClicks(budget, u"1.00"_s);
    QPushButton *set = nullptr;
    for (QPushButton *b : dash->findChildren<QPushButton *>())
        if (b->text() == u"Set budget"_s)
            set = b;
    QVERIFY(set);
    QTest::mouseClick(set, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->money()->report().dailyBudget.value_or(0) == 1.0, 10000);

    // 85 % spent: the warning, in the dashboard, the status bar and the tray's note.
    QCOMPARE(Task::statusName(runTask(u"cost=0.45"_s).status), u"succeeded"_s);
    QCOMPARE(Task::statusName(runTask(u"cost=0.39"_s).status), u"succeeded"_s);
    auto *today = dash->findChild<QLabel *>(u"costToday"_s);
    QTRY_VERIFY_WITH_TIMEOUT(today->text().contains(u"$0.85 of $1.00 (85 %)"_s), 10000);
    auto *line = m_window->findChild<QLabel *>(u"dispatchStatus"_s);
    QVERIFY(line);
    QTRY_VERIFY_WITH_TIMEOUT(
        line->isVisible() && line->text().contains(u"Budget: $0.85 of $1.00"_s), 10000);
    QCOMPARE(m_window->tray()->dispatchNote(), line->text());
    auto *perAgent = dash->findChild<QTreeWidget *>(u"costPerAgent"_s);
    QTRY_VERIFY(perAgent->topLevelItemCount() >= 1);
    QCOMPARE(perAgent->topLevelItem(0)->text(0), u"coder-1"_s);
    // The agent list: its CPU and memory.
    const int row = m_window->agentModel()->rowOf(agent->id);
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_window->agentModel()
             ->data(m_window->agentModel()->index(row, AgentModel::MemoryColumn))
             .toString()
             .isEmpty(),
        15000);
    shot(u"dashboard"_s);

    // 100 %: dispatch stops; the next task stays queued until the budget is raised.
    QCOMPARE(Task::statusName(runTask(u"cost=0.2"_s).status), u"succeeded"_s);
    QTRY_VERIFY_WITH_TIMEOUT(line->text().contains(u"Daily budget spent"_s), 10000);
    QVERIFY(m_window->tray()->dispatchNote().contains(u"Daily budget spent"_s));
    const Task held = runTask(u"cost=0.05"_s, false);
    QTest::qWait(1500);
    QCOMPARE(Task::statusName(wait(m_app->engine()->task(held.id))->status), u"queued"_s);
    shot(u"exhausted"_s);
    budget->setFocus();
    budget->selectAll();
    QTest::keyClicks(budget, u"5.00"_s);
    QTest::mouseClick(set, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        Task::statusName(wait(m_app->engine()->task(held.id))->status) == u"succeeded"_s, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!line->isVisible(), 10000);
}

int main(int argc, char *argv[])
{
    return Hive::Test::runGuiTest(argc, argv, "tst_gui_costs", QSize(1600, 1000), [&] {
        tst_GuiCosts t;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&t, argc, argv);
    });
}

#include "tst_gui_costs.moc"
