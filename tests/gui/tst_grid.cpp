// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/application.h"
#include "app/mainwindow.h"
#include "models/agentmodel.h"
#include "services/agents/spawnrequest.h"
#include "services/core/config.h"
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"
#include "tests/gui/guitest.h"
#include "widgets/agentpanel.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/terminalarea.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QScreen>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace Hive;

// The terminal grid with 50 agents, all their terminals opened at once on a 1920x1080 screen, in
// the real window against the real engine: the window stays on the screen, every pane shown is at
// least TerminalArea::minimumCells() characters, the others wait on further pages without a tmux
// client, the current agent's pane is the larger one, and no pane shows tmux's status line.
class tst_Grid : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void fiftyTerminalsInTheGrid();
    void pagesAttachWhatIsShown();
    void tabsAttachOnlyTheCurrent();

private:
    void shot(const QString &name);
    QStringList tmux(const QStringList &args);
    int embeddedClients(); // attach clients (not the app's control-mode client)
    QString problemsOfShownPanes();

    static constexpr int kAgents = 50;
    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Application> m_app;
    MainWindow *m_window = nullptr;
    QString m_shots;
    int m_shot = 0;
};

void tst_Grid::shot(const QString &name)
{
    const QString file
        = QDir(m_shots).filePath(u"grid-%1-%2.png"_s.arg(++m_shot, 2, 10, QChar(u'0')).arg(name));
    QVERIFY2(Test::saveScreenshot(file), qPrintable(file));
}

QStringList tst_Grid::tmux(const QStringList &args)
{
    QProcess p;
    p.start(u"tmux"_s, QStringList{u"-L"_s, m_fx->tmuxSocket()} + args);
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
}

int tst_Grid::embeddedClients()
{
    const QStringList flags = tmux({u"list-clients"_s, u"-F"_s, u"#{client_control_mode}"_s});
    return int(std::ranges::count(flags, u"0"_s));
}

// Empty when every pane on screen is attached, big enough, shows its agent's lines and no status
// line; else what is wrong.
QString tst_Grid::problemsOfShownPanes()
{
    const QSize least = TerminalArea::minimumCells();
    QStringList problems;
    for (TerminalPane *p : m_window->terminals()->shownPanes()) {
        if (!p->isVisible() || !p->isAttached() || !p->terminal()) {
            problems << p->agentName() + u": not shown or not attached"_s;
            continue;
        }
        const int cols = p->terminal()->screenColumnsCount();
        const int lines = p->terminal()->screenLinesCount();
        if (cols < least.width() || lines < least.height())
            problems << u"%1: %2x%3 characters"_s.arg(p->agentName()).arg(cols).arg(lines);
        const QString text = p->screenText();
        if (!text.contains(p->agentName() + u" line "_s))
            problems << u"%1: no line of its own:\n%2"_s.arg(p->agentName(), text);
        // tmux's default status line starts with "[SESSION] ".
        if (text.contains(u"[%1]"_s.arg(p->agentName())))
            problems << u"%1: tmux's status line is shown:\n%2"_s.arg(p->agentName(), text);
    }
    return problems.join(u'\n');
}

void tst_Grid::initTestCase()
{
    m_shots = QStringLiteral(HIVE_SCREENS_DIR);
    QVERIFY(QDir().mkpath(m_shots));
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    // An interactive agent printing a numbered line twice a second (bash's read -t on a pipe
    // nobody writes to: no process per line). No braces: the command takes {placeholders}.
    const QString script = uR"(exec 9<> <(:); i=0; while :; do i=$((i+1)); )"
                           uR"(printf '%s line %d: working on it\n' "$HIVE_AGENT_NAME" "$i"; )"
                           uR"(read -t 0.5 -u 9; done)"_s;
    QDir().mkpath(m_fx->path(u"profiles"_s));
    QFile f(m_fx->path(u"profiles/printer.json"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QJsonDocument(QJsonObject{{u"name"_s, u"printer"_s},
                                      {u"description"_s, u"prints a line twice a second"_s},
                                      {u"command"_s,
                                       QJsonArray{u"/bin/bash"_s, u"-c"_s, script, u"printer"_s}},
                                      {u"interactive"_s, true}})
                .toJson());
    f.close();

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
    m_window->setGeometry(QGuiApplication::primaryScreen()->availableGeometry());
    QTRY_VERIFY_WITH_TIMEOUT(m_window->isLoaded() && m_app->engine(), 60000);

    QList<QFuture<Result<Agent>>> spawns;
    for (int i = 0; i < kAgents; ++i) {
        SpawnRequest req;
        req.type = u"grid"_s;
        req.name = u"p-%1"_s.arg(i, 2, 10, QChar(u'0'));
        req.profile = u"printer"_s;
        req.interactive = true;
        spawns << m_app->engine()->spawn(req);
    }
    for (auto &s : spawns)
        QVERIFY_OK(Test::await(s, 120000));
    AgentModel *agents = m_window->agentModel();
    QTRY_VERIFY_WITH_TIMEOUT(
        agents->rowCount() == kAgents
            && std::ranges::all_of(agents->agents(), [](const Agent &a) { return a.isAlive(); }),
        60000);
}

void tst_Grid::cleanupTestCase()
{
    if (m_app)
        m_app->shutdown();
    m_app.reset();
    m_fx.reset();
}

void tst_Grid::fiftyTerminalsInTheGrid()
{
    // Every agent selected, Open Terminal: as a user opens them.
    PlaceholderTreeView *view = m_window->agentPanel()->view();
    view->setFocus();
    view->selectAll();
    auto *open = m_window->agentPanel()->findChild<QAction *>(u"openTerminal"_s);
    QVERIFY(open);
    open->trigger();
    TerminalArea *terms = m_window->terminals();
    QCOMPARE(terms->panes().size(), kAgents);
    QVERIFY(terms->isGrid());
    QTest::qWait(500); // the window's layout settles

    // The window stays on the screen.
    const QRect screen = QGuiApplication::primaryScreen()->availableGeometry();
    QVERIFY2(m_window->frameGeometry().width() <= screen.width(),
             qPrintable(u"the window is %1 px wide on a %2 px screen"_s
                            .arg(m_window->frameGeometry().width())
                            .arg(screen.width())));
    QVERIFY2(m_window->frameGeometry().height() <= screen.height(),
             qPrintable(u"the window is %1 px high"_s.arg(m_window->frameGeometry().height())));

    // Readable panes, a page at a time, the others without a client.
    const QList<TerminalPane *> shown = terms->shownPanes();
    QVERIFY2(!shown.isEmpty() && shown.size() < kAgents,
             qPrintable(u"%1 panes shown"_s.arg(shown.size())));
    QCOMPARE(terms->pageCount() > 1, true);
    auto *bar = terms->findChild<QWidget *>(u"gridPageBar"_s);
    QVERIFY(bar && bar->isVisible());
    QCOMPARE(terms->findChild<QLabel *>(u"gridPageLabel"_s)->text(),
             u"Page 1 of %1"_s.arg(terms->pageCount()));
    QTRY_COMPARE_WITH_TIMEOUT(problemsOfShownPanes(), QString(), 20000);
    for (TerminalPane *p : terms->panes())
        if (!shown.contains(p)) {
            QVERIFY2(!p->isVisible() && !p->isAttached() && !p->terminal(),
                     qPrintable(p->agentName()));
        }
    QTRY_COMPARE_WITH_TIMEOUT(embeddedClients(), int(shown.size()), 10000);

    // The current agent's pane is the larger one.
    TerminalPane *current = terms->currentPane();
    QVERIFY(current && shown.contains(current));
    for (TerminalPane *p : shown)
        if (p != current)
            QVERIFY2(current->width() * current->height() > p->width() * p->height() * 3 / 2,
                     qPrintable(u"%1 is %2x%3, %4 %5x%6"_s.arg(current->agentName())
                                    .arg(current->width())
                                    .arg(current->height())
                                    .arg(p->agentName())
                                    .arg(p->width())
                                    .arg(p->height())));
    // No status line in the session the embedded client shows.
    QCOMPARE(
        tmux({u"show-options"_s, u"-t"_s, u"="_s + current->agentName() + u":"_s, u"status"_s}),
        QStringList{u"status off"_s});
    shot(u"50-agents"_s);
}

void tst_Grid::pagesAttachWhatIsShown()
{
    TerminalArea *terms = m_window->terminals();
    const QList<TerminalPane *> first = terms->shownPanes();
    auto *next = terms->findChild<QToolButton *>(u"gridNextPage"_s);
    QVERIFY(next && next->isEnabled());
    QTest::mouseClick(next, Qt::LeftButton);
    QCOMPARE(terms->page(), 1);
    const QList<TerminalPane *> second = terms->shownPanes();
    QVERIFY(!second.isEmpty());
    for (TerminalPane *p : second)
        if (p != terms->currentPane())
            QVERIFY2(!first.contains(p), qPrintable(p->agentName()));
    for (TerminalPane *p : first)
        if (!second.contains(p)) {
            QVERIFY2(!p->isVisible(), qPrintable(p->agentName()));
            QTRY_VERIFY2(!p->isAttached(), qPrintable(p->agentName()));
        }
    QTRY_COMPARE_WITH_TIMEOUT(problemsOfShownPanes(), QString(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(embeddedClients(), int(second.size()), 10000);
    shot(u"page-2"_s);

    // The last page, then back to the first with the keyboard's next terminal on the way.
    terms->setPage(terms->pageCount() - 1);
    QTRY_COMPARE_WITH_TIMEOUT(problemsOfShownPanes(), QString(), 20000);
    QVERIFY(!terms->findChild<QToolButton *>(u"gridNextPage"_s)->isEnabled());
    terms->setPage(0);
    QTRY_COMPARE_WITH_TIMEOUT(embeddedClients(), int(terms->shownPanes().size()), 10000);
}

void tst_Grid::tabsAttachOnlyTheCurrent()
{
    TerminalArea *terms = m_window->terminals();
    terms->gridAction()->trigger();
    QVERIFY(!terms->isGrid());
    QCOMPARE(terms->shownPanes().size(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(embeddedClients(), 1, 10000);
    TerminalPane *before = terms->currentPane();
    terms->nextAction()->trigger();
    QVERIFY(terms->currentPane() != before);
    QTRY_VERIFY(!before->isAttached());
    QTRY_COMPARE_WITH_TIMEOUT(problemsOfShownPanes(), QString(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(embeddedClients(), 1, 10000);
    terms->gridAction()->trigger();
    QVERIFY(terms->isGrid());
    QTRY_COMPARE_WITH_TIMEOUT(problemsOfShownPanes(), QString(), 20000);
}

int main(int argc, char *argv[])
{
    return Hive::Test::runGuiTest(argc, argv, "tst_grid", QSize(1920, 1080), [&] {
        tst_Grid t;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&t, argc, argv);
    });
}

#include "tst_grid.moc"
