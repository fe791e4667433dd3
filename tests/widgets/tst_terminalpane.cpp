// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "models/agent.h"
#include "tests/fixture/hivefixture.h"
#include "widgets/terminalarea.h"
#include "widgets/terminalpane.h"

#include <QAction>
#include <QCoreApplication>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// TerminalPane against a real tmux server on a private socket: it attaches read-only, shows what
// the session prints, takes the keyboard by reattaching, and closing it detaches only its client.
class tst_TerminalPane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void watchesReadOnly();
    void takesTheKeyboard();
    void closingDetachesOnly();
    void sessionEndShowsDetached();
    void gridShowsEveryPane();
    void gridPagesWhatDoesNotFit();

private:
    QStringList tmux(const QStringList &args);
    void newSession(const QString &name);
    Agent agent(const QString &name);

    QString m_tmux;
    QString m_socket;
};

QStringList tst_TerminalPane::tmux(const QStringList &args)
{
    QProcess p;
    p.start(m_tmux, QStringList{u"-L"_s, m_socket} + args);
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
}

void tst_TerminalPane::newSession(const QString &name)
{
    // The test's own session: a shell line is fine here (the app never uses one).
    tmux({u"new-session"_s,
          u"-d"_s,
          u"-s"_s,
          name,
          u"-x"_s,
          u"100"_s,
          u"-y"_s,
          u"30"_s,
          u"printf 'hello from %s\\n' \"$0\"; exec cat"_s.replace(u"$0"_s, name)});
}

Agent tst_TerminalPane::agent(const QString &name)
{
    Agent a;
    a.id = name + u"-id"_s;
    a.name = name;
    a.tmuxSession = name;
    a.status = Agent::Status::Idle;
    a.workdir = QDir::tempPath();
    return a;
}

void tst_TerminalPane::initTestCase()
{
    m_tmux = QStandardPaths::findExecutable(u"tmux"_s);
    QVERIFY2(!m_tmux.isEmpty(), "tmux is needed");
    m_socket = Test::tmuxSocketName(u"pane"_s);
}

void tst_TerminalPane::cleanupTestCase()
{
    Test::killTmuxServer(m_socket);
}

void tst_TerminalPane::watchesReadOnly()
{
    newSession(u"watch"_s);
    TerminalArea area;
    area.setTmux(m_tmux, m_socket);
    area.resize(900, 600);
    area.show();
    TerminalPane *p = area.open(agent(u"watch"_s), true);
    QTRY_VERIFY(p->terminal()); // attached once the event loop runs
    QTRY_VERIFY_WITH_TIMEOUT(p->screenText().contains(u"hello from watch"_s), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(
        tmux({u"list-clients"_s, u"-t"_s, u"=watch"_s, u"-F"_s, u"#{client_readonly}"_s}),
        QStringList{u"1"_s},
        10000);
    QVERIFY(p->isReadOnly());
    QVERIFY(!area.keyboardAction()->isChecked());
    // The watcher's size is the window's: nothing is cut off.
    const int columns = p->terminal()->screenColumnsCount();
    QTRY_COMPARE_WITH_TIMEOUT(
        tmux({u"list-windows"_s, u"-t"_s, u"=watch"_s, u"-F"_s, u"#{window_width}"_s}),
        QStringList{QString::number(columns)},
        10000);
    QVERIFY(!area.pasteAction()->isEnabled());
}

void tst_TerminalPane::takesTheKeyboard()
{
    newSession(u"typed"_s);
    TerminalArea area;
    area.setTmux(m_tmux, m_socket);
    area.resize(900, 600);
    area.show();
    TerminalPane *p = area.open(agent(u"typed"_s), true);
    QTRY_VERIFY_WITH_TIMEOUT(p->screenText().contains(u"hello from typed"_s), 10000);
    area.keyboardAction()->trigger(); // reattaches without -r
    QVERIFY(!p->isReadOnly());
    QTRY_COMPARE_WITH_TIMEOUT(
        tmux({u"list-clients"_s, u"-t"_s, u"=typed"_s, u"-F"_s, u"#{client_readonly}"_s}),
        QStringList{u"0"_s},
        10000);
    QTRY_VERIFY_WITH_TIMEOUT(p->screenText().contains(u"hello from typed"_s), 10000);
    QWidget *display = p->terminal()->focusProxy();
    QVERIFY(display);
    display->setFocus();
    QTest::keyClicks(display, u"ping42"_s);
    QTest::keyClick(display, Qt::Key_Return);
    // cat echoes the line: once from the tty, once from cat. (-J: wrapped lines joined, so that the
    // lines do not depend on the pane's width.)
    QTRY_VERIFY_WITH_TIMEOUT(
        tmux({u"capture-pane"_s, u"-p"_s, u"-J"_s, u"-t"_s, u"=typed:"_s}).count(u"ping42"_s) == 2,
        10000);
    QTRY_VERIFY_WITH_TIMEOUT(p->screenText().count(u"ping42"_s) == 2, 10000);
}

void tst_TerminalPane::closingDetachesOnly()
{
    newSession(u"closed"_s);
    TerminalArea area;
    area.setTmux(m_tmux, m_socket);
    area.show();
    TerminalPane *p = area.open(agent(u"closed"_s), true);
    QTRY_COMPARE_WITH_TIMEOUT(tmux({u"list-clients"_s, u"-t"_s, u"=closed"_s}).size(), 1, 10000);
    QVERIFY(p);
    area.closeAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(tmux({u"list-clients"_s, u"-t"_s, u"=closed"_s}).size(), 0, 10000);
    // The session (the agent) is still there.
    QCOMPARE(tmux({u"list-sessions"_s, u"-F"_s, u"#{session_name}"_s}).contains(u"closed"_s), true);
}

void tst_TerminalPane::sessionEndShowsDetached()
{
    newSession(u"ending"_s);
    TerminalArea area;
    area.setTmux(m_tmux, m_socket);
    area.show();
    TerminalPane *p = area.open(agent(u"ending"_s), true);
    QTRY_VERIFY_WITH_TIMEOUT(p->screenText().contains(u"hello from ending"_s), 10000);
    tmux({u"kill-session"_s, u"-t"_s, u"=ending"_s});
    QTRY_VERIFY_WITH_TIMEOUT(!p->isAttached(), 10000);
    QVERIFY(p->errorText().contains(u"detached"_s));
}

void tst_TerminalPane::gridShowsEveryPane()
{
    newSession(u"g1"_s);
    newSession(u"g2"_s);
    newSession(u"g3"_s);
    TerminalArea area;
    area.setTmux(m_tmux, m_socket);
    area.resize(1200, 800);
    area.show();
    for (const QString &n : {u"g1"_s, u"g2"_s, u"g3"_s})
        area.open(agent(n), true);
    area.gridAction()->trigger();
    QVERIFY(area.isGrid());
    for (TerminalPane *p : area.panes()) {
        QVERIFY(p->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(p->screenText().contains(u"hello from "_s + p->agentName()),
                                 10000);
    }
    // Next/previous move through the grid.
    area.setCurrentPane(area.panes().first());
    area.nextAction()->trigger();
    QCOMPARE(area.currentPane(), area.panes().at(1));
    area.previousAction()->trigger();
    area.previousAction()->trigger();
    QCOMPARE(area.currentPane(), area.panes().at(2));
    area.gridAction()->trigger();
    QVERIFY(!area.isGrid());
    QCOMPARE(area.panes().size(), 3);
}

// More panes than fit at the least readable size: pages, only the page shown attached, and the
// area asks for no more room than it has.
void tst_TerminalPane::gridPagesWhatDoesNotFit()
{
    QStringList names;
    for (int i = 0; i < 6; ++i) {
        names << u"pg%1"_s.arg(i);
        newSession(names.last());
    }
    TerminalArea area;
    area.setTmux(m_tmux, m_socket);
    area.setGrid(true);
    area.resize(900, 600);
    area.show();
    for (const QString &n : std::as_const(names))
        area.open(agent(n), true, false);
    QCOMPARE(area.panes().size(), 6);
    QVERIFY(area.pageCount() > 1);
    const QList<TerminalPane *> shown = area.shownPanes();
    QVERIFY(shown.size() < 6);
    QVERIFY2(area.minimumSizeHint().width() <= 900,
             qPrintable(QString::number(area.minimumSizeHint().width())));
    auto clients = [this](const QStringList &of) {
        int n = 0;
        for (const QString &s : of)
            n += int(tmux({u"list-clients"_s, u"-t"_s, u"="_s + s}).size());
        return n;
    };
    QTRY_COMPARE_WITH_TIMEOUT(clients(names), int(shown.size()), 10000);
    for (TerminalPane *p : shown) {
        QTRY_VERIFY_WITH_TIMEOUT(p->screenText().contains(u"hello from "_s + p->agentName()),
                                 10000);
        QVERIFY(p->terminal()->screenColumnsCount() >= TerminalArea::minimumCells().width());
        QVERIFY(p->terminal()->screenLinesCount() >= TerminalArea::minimumCells().height());
    }
    // The last page: its panes attach, the first page's detach.
    area.setPage(area.pageCount() - 1);
    QCOMPARE(area.page(), area.pageCount() - 1);
    for (TerminalPane *p : shown)
        if (!area.shownPanes().contains(p))
            QTRY_VERIFY(!p->isAttached());
    for (TerminalPane *p : area.shownPanes())
        QTRY_VERIFY_WITH_TIMEOUT(p->screenText().contains(u"hello from "_s + p->agentName()),
                                 10000);
    QTRY_COMPARE_WITH_TIMEOUT(clients(names), int(area.shownPanes().size()), 10000);
}

QTEST_MAIN(tst_TerminalPane)
#include "tst_terminalpane.moc"
