// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/application.h"
#include "app/mainwindow.h"
#include "app/sessioncontroller.h"
#include "models/agentfilterproxy.h"
#include "models/agentmodel.h"
#include "models/searchhitmodel.h"
#include "models/taskfilterproxy.h"
#include "models/taskmodel.h"
#include "services/api/apiserver.h"
#include "services/core/config.h"
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"
#include "tests/gui/guitest.h"
#include "widgets/agentpanel.h"
#include "widgets/logchunkdialog.h"
#include "widgets/newtaskdialog.h"
#include "widgets/placeholdertreeview.h"
#include "widgets/searchpanel.h"
#include "widgets/settingsdialog.h"
#include "widgets/spawndialog.h"
#include "widgets/taskboard.h"
#include "widgets/taskdetailview.h"
#include "widgets/terminalarea.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QScreen>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QUuid>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace Hive;

// The whole app as a user sees it, on a private X server, against the real engine: spawn two
// agents from the dialog and watch their terminals, queue a task on the board and see it succeed,
// kill an agent — all with mouse and key events. A screenshot of every step lands in
// build/test-screens/.
class tst_Gui : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void startsAndLoads();
    void spawnsTwoAgentsFromTheDialog();
    void terminalsShowTheAgents();
    void queuesATaskThatSucceeds();
    void interactiveAgentWaitsForInput();
    void overview();
    void searchesEverything();
    void answeringTheAgent();
    void killsAnAgent();
    void restartsAnAgent();
    void settingsShowTheToken();

private:
    void shot(const QString &name);
    void writeProfile(const QString &name, const QStringList &command, bool interactive);
    QToolButton *toolButton(QAction *action);
    template<typename T>
    T *waitForDialog(int ms = 5000);
    QStringList tmux(const QStringList &args);
    QString paneText(const QString &target);
    QString runnerLineProblem(TerminalPane *pane, const QString &name);
    std::optional<Agent> agentNamed(const QString &name);

    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Application> m_app;
    MainWindow *m_window = nullptr;
    QString m_shots;
    int m_shot = 0;
    QString m_taskId;
    QString m_longTaskId;
};

void tst_Gui::shot(const QString &name)
{
    const QString file
        = QDir(m_shots).filePath(u"%1-%2.png"_s.arg(++m_shot, 2, 10, QChar(u'0')).arg(name));
    QVERIFY2(Test::saveScreenshot(file), qPrintable(file));
}

void tst_Gui::writeProfile(const QString &name, const QStringList &command, bool interactive)
{
    QVERIFY(Test::writeAgentProfile(m_fx->dir(), name, command, interactive));
}

QToolButton *tst_Gui::toolButton(QAction *action)
{
    return qobject_cast<QToolButton *>(m_window->toolBar()->widgetForAction(action));
}

template<typename T>
T *tst_Gui::waitForDialog(int ms)
{
    T *found = nullptr;
    QDeadlineTimer d(ms);
    while (!d.hasExpired()) {
        for (T *t : m_window->findChildren<T *>())
            if (t->isVisible())
                found = t;
        if (found)
            return found;
        QTest::qWait(20);
    }
    return nullptr;
}

QStringList tst_Gui::tmux(const QStringList &args)
{
    QProcess p;
    p.start(u"tmux"_s, QStringList{u"-L"_s, m_fx->tmuxSocket()} + args);
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
}

// The pane's text as tmux has it, from the start of its history (-S -) with wrapped lines joined
// (-J): a line reads the same whatever the pane's width and however long the checkout's path in
// it is, also when its first rows scrolled into the history as the window shrank to the pane.
QString tst_Gui::paneText(const QString &target)
{
    return tmux({u"capture-pane"_s, u"-p"_s, u"-J"_s, u"-S"_s, u"-"_s, u"-t"_s, target})
        .join(u'\n');
}

// The terminal's text with its line breaks taken out: a narrow pane wraps long lines.
static QString flat(QString text)
{
    return text.remove(u'\n');
}

// hive-runner's first line ("… in <workdir>: waiting for tasks") is in the agent's session, and
// the terminal attached to it shows what tmux shows now (its last row with text). Not the line
// itself on the terminal: how much of it is left on the screen depends on the checkout's path.
// Empty when all is well, else what was seen.
QString tst_Gui::runnerLineProblem(TerminalPane *pane, const QString &name)
{
    const QString target = u"="_s + name + u":"_s;
    const QString joined = paneText(target);
    if (!joined.contains(u"workspace/%1: waiting for tasks"_s.arg(name)))
        return u"the session has no runner line:\n"_s + joined;
    QString last;
    const QStringList rows = tmux({u"capture-pane"_s, u"-p"_s, u"-t"_s, target});
    for (auto row = rows.crbegin(); row != rows.crend() && last.isEmpty(); ++row)
        last = row->trimmed();
    if (last.isEmpty() || !flat(pane->screenText()).contains(last))
        return u"tmux shows \"%1\", the terminal:\n%2"_s.arg(last, pane->screenText());
    return {};
}

std::optional<Agent> tst_Gui::agentNamed(const QString &name)
{
    for (const Agent &a : m_window->agentModel()->agents())
        if (a.name == name)
            return a;
    return std::nullopt;
}

void tst_Gui::initTestCase()
{
    m_shots = QStringLiteral(HIVE_SCREENS_DIR);
    QDir(m_shots).removeRecursively();
    QVERIFY(QDir().mkpath(m_shots));
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    writeProfile(u"fake"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s}, false);
    writeProfile(u"fake-chat"_s, {Test::HiveFixture::fakeAgent(), u"--interactive"_s}, true);

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
    m_window->agentPanel()->setConfirmKill(true);
}

void tst_Gui::cleanupTestCase()
{
    if (m_app)
        m_app->shutdown();
    m_app.reset();
    m_fx.reset();
}

void tst_Gui::startsAndLoads()
{
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    m_window->setGeometry(QGuiApplication::primaryScreen()->geometry());
    m_window->activateWindow();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->isLoaded(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->agentPanel()->spawnAction()->isEnabled(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(!m_app->apiUrl().isEmpty(), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_app->health().postgres && m_app->health().redis && m_app->health().tmux, 20000);
    shot(u"started"_s);
}

void tst_Gui::spawnsTwoAgentsFromTheDialog()
{
    QToolButton *spawn = toolButton(m_window->agentPanel()->spawnAction());
    QVERIFY(spawn);
    QTest::mouseClick(spawn, Qt::LeftButton);
    auto *dialog = waitForDialog<SpawnDialog>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));

    // The profile, by typing its first letters in the combo box.
    auto *profile = dialog->findChild<QComboBox *>(u"profileCombo"_s);
    profile->setFocus();
    QTest::keyClicks(profile, u"fake"_s);
    QCOMPARE(profile->currentData().toString(), u"fake"_s);

    auto *name = dialog->findChild<QLineEdit *>(u"nameEdit"_s);
    QTest::mouseClick(name, Qt::LeftButton);
    QTest::keyClicks(name, u"bad name"_s);
    QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(!ok->isEnabled());
    shot(u"spawn-dialog-invalid-name"_s);
    name->selectAll();
    QTest::keyClicks(name, u"alpha"_s);
    QVERIFY(ok->isEnabled());

    auto *count = dialog->findChild<QSpinBox *>(u"countSpin"_s);
    count->setFocus();
    QTest::keyClick(count, Qt::Key_Up);
    QCOMPARE(count->value(), 2);
    QCOMPARE(dialog->request().names(), (QStringList{u"alpha-1"_s, u"alpha-2"_s}));
    shot(u"spawn-dialog"_s);
    QTest::mouseClick(ok, Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());

    for (const QString &n : {u"alpha-1"_s, u"alpha-2"_s}) {
        QTRY_VERIFY_WITH_TIMEOUT(agentNamed(n).has_value(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(agentNamed(n)->status, Agent::Status::Idle, 30000);
    }
    QCOMPARE(m_window->agentModel()->rowCount(), 2);
    QCOMPARE(m_window->agentPanel()->proxy()->rowCount(), 2);
}

void tst_Gui::terminalsShowTheAgents()
{
    TerminalArea *terms = m_window->terminals();
    // Two new agents: both terminals open, side by side.
    QTRY_COMPARE_WITH_TIMEOUT(terms->panes().size(), 2, 10000);
    QVERIFY(terms->isGrid());
    for (const QString &n : {u"alpha-1"_s, u"alpha-2"_s}) {
        TerminalPane *pane = terms->paneByName(n);
        QVERIFY2(pane, qPrintable(n));
        QVERIFY(pane->isVisible());
        QVERIFY(pane->isReadOnly()); // workers are watched
        // hive-runner's first words in the session, through the attached client.
        QTRY_COMPARE_WITH_TIMEOUT(runnerLineProblem(pane, n), QString(), 20000);
        QCOMPARE(tmux({u"list-clients"_s, u"-t"_s, u"="_s + n, u"-F"_s, u"#{client_readonly}"_s}),
                 QStringList{u"1"_s});
        // The agent's window takes the pane's size: the watcher sees all of it.
        QTRY_COMPARE_WITH_TIMEOUT(
            tmux({u"list-windows"_s, u"-t"_s, u"="_s + n, u"-F"_s, u"#{window_width}"_s}),
            QStringList{QString::number(pane->terminal()->screenColumnsCount())},
            10000);
    }
    shot(u"two-agents-watched"_s);
}

void tst_Gui::queuesATaskThatSucceeds()
{
    QToolButton *newTask = toolButton(m_window->taskBoard()->newTaskAction());
    QVERIFY(newTask);
    QTest::mouseClick(newTask, Qt::LeftButton);
    auto *dialog = waitForDialog<NewTaskDialog>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    auto *prompt = dialog->findChild<QPlainTextEdit *>(u"promptEdit"_s);
    QTest::mouseClick(prompt->viewport(), Qt::LeftButton);
    QTest::keyClicks(prompt, u"hello from the board lines=3 sleep=2"_s);
    auto *title = dialog->findChild<QLineEdit *>(u"titleEdit"_s);
    QTest::mouseClick(title, Qt::LeftButton);
    QTest::keyClicks(title, u"Say hello"_s);
    shot(u"new-task-dialog"_s);
    QPushButton *queue = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(queue->isEnabled());
    QTest::mouseClick(queue, Qt::LeftButton);
    QTRY_VERIFY(!dialog->isVisible());

    TaskModel *tasks = m_window->taskModel();
    QTRY_COMPARE_WITH_TIMEOUT(tasks->rowCount(), 1, 10000);
    m_taskId = tasks->at(0).id;
    QTRY_VERIFY_WITH_TIMEOUT(tasks->task(m_taskId)->status == Task::Status::Running, 30000);
    shot(u"task-running"_s);
    QTRY_COMPARE_WITH_TIMEOUT(tasks->task(m_taskId)->status, Task::Status::Succeeded, 60000);
    const Task done = *tasks->task(m_taskId);
    QVERIFY(done.result);
    QVERIFY2(done.result->output.contains(u"PROMPT:hello from the board"_s),
             qPrintable(done.result->output));

    // The board shows it in the Succeeded tab, with its output in the detail.
    m_window->taskBoard()->setCurrentTab(TaskBoard::Tab::Succeeded);
    QCOMPARE(m_window->taskBoard()->proxy()->rowCount(), 1);
    m_window->taskBoard()->selectTask(m_taskId);
    QTRY_VERIFY(
        m_window->taskBoard()->detail()->outputText().contains(u"PROMPT:hello from the board"_s));
    QCOMPARE(m_window->taskBoard()->detail()->statusText(),
             TaskModel::statusLabel(Task::Status::Succeeded));

    // The agent that ran it printed the prompt's output in its terminal.
    const QString ranBy = m_window->agentModel()->nameOf(done.agentId);
    TerminalPane *pane = m_window->terminals()->paneByName(ranBy);
    QVERIFY2(pane, qPrintable(ranBy));
    QTRY_VERIFY_WITH_TIMEOUT(flat(pane->screenText()).contains(u"PROMPT:hello from the board"_s),
                             10000);
    QTRY_VERIFY_WITH_TIMEOUT(agentNamed(ranBy)->status == Agent::Status::Idle, 20000);
    shot(u"task-succeeded"_s);
}

void tst_Gui::interactiveAgentWaitsForInput()
{
    QTest::mouseClick(toolButton(m_window->agentPanel()->spawnAction()), Qt::LeftButton);
    auto *dialog = waitForDialog<SpawnDialog>();
    QVERIFY(dialog);
    auto *profile = dialog->findChild<QComboBox *>(u"profileCombo"_s);
    profile->setFocus();
    QTest::keyClicks(profile, u"fake-"_s); // fake-chat: an interactive profile
    QCOMPARE(profile->currentData().toString(), u"fake-chat"_s);
    QVERIFY(dialog->request().interactive);
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"nameEdit"_s), u"chat"_s);
    QTest::mouseClick(dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok),
                      Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(agentNamed(u"chat"_s).has_value(), 30000);
    QVERIFY(agentNamed(u"chat"_s)->interactive);

    // Its terminal opens with the keyboard: what one types goes to the agent.
    TerminalPane *pane = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((pane = m_window->terminals()->paneByName(u"chat"_s)), 10000);
    QVERIFY(!pane->isReadOnly());
    QTRY_VERIFY_WITH_TIMEOUT(flat(pane->screenText()).contains(u"fake-agent ready"_s), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(
        tmux({u"list-clients"_s, u"-t"_s, u"=chat"_s, u"-F"_s, u"#{client_readonly}"_s}),
        QStringList{u"0"_s},
        10000);
    QWidget *display = pane->terminal()->focusProxy();
    QVERIFY(display);
    display->setFocus();
    QSignalSpy notes(m_window->sessions(), &SessionController::notified);
    QTest::keyClicks(display, u"please ask me"_s);
    QTest::keyClick(display, Qt::Key_Return);
    QTRY_VERIFY2_WITH_TIMEOUT(paneText(u"=chat:"_s).contains(u"Do you want to proceed? (y/n)"_s),
                              qPrintable(paneText(u"=chat:"_s)),
                              10000);
    QTRY_VERIFY_WITH_TIMEOUT(flat(pane->screenText()).contains(u"working on: please ask me"_s),
                             10000);
    // The orchestrator sees the question: the list, the badge and the title say so.
    QTRY_COMPARE_WITH_TIMEOUT(agentNamed(u"chat"_s)->status, Agent::Status::WaitingInput, 20000);
    QCOMPARE(m_window->agentModel()->count(Agent::Status::WaitingInput), 1);
    QVERIFY2(m_window->windowTitle().contains(u"waiting for input"_s),
             qPrintable(m_window->windowTitle()));
    // What it waits for, in words: the question line of its pane, in the list next to the badge
    // (in the task column: an interactive agent takes no tasks), and in the notification.
    const QString need = u"Do you want to proceed? (y/n)"_s;
    QTRY_COMPARE_WITH_TIMEOUT(agentNamed(u"chat"_s)->need, need, 10000);
    PlaceholderTreeView *list = m_window->agentPanel()->view();
    QModelIndex row;
    for (int r = 0; r < list->model()->rowCount() && !row.isValid(); ++r)
        if (list->model()->index(r, AgentModel::NameColumn).data().toString() == u"chat"_s)
            row = list->model()->index(r, AgentModel::NameColumn);
    QVERIFY(row.isValid());
    const QModelIndex needCell = row.siblingAtColumn(AgentModel::TaskColumn);
    const QModelIndex badgeCell = row.siblingAtColumn(AgentModel::StatusColumn);
    QCOMPARE(needCell.data().toString(), need);
    QCOMPARE(badgeCell.data().toString(), AgentModel::statusLabel(Agent::Status::WaitingInput));
    QVERIFY(needCell.data(Qt::ToolTipRole).toString().contains(need));
    list->scrollTo(needCell);
    const QRect cell = list->visualRect(needCell).intersected(list->viewport()->rect());
    QVERIFY2(!list->header()->isSectionHidden(AgentModel::TaskColumn) && cell.width() >= 80,
             qPrintable(u"the need's cell shows %1 px"_s.arg(cell.width())));
    QVERIFY(list->visualRect(badgeCell).intersects(list->viewport()->rect()));
    QTRY_VERIFY_WITH_TIMEOUT(std::ranges::any_of(notes,
                                                 [&](const QList<QVariant> &n) {
                                                     return n.at(1).toString()
                                                                == u"chat is waiting for you"_s
                                                            && n.at(2).toString() == need;
                                                 }),
                             5000);
    shot(u"interactive-waiting-for-input"_s);
}

void tst_Gui::answeringTheAgent()
{
    TerminalPane *pane = m_window->terminals()->paneByName(u"chat"_s);
    QVERIFY(pane);
    QWidget *display = pane->terminal()->focusProxy();
    display->setFocus();
    QTest::keyClicks(display, u"y"_s);
    QTest::keyClick(display, Qt::Key_Return);
    QTRY_VERIFY2_WITH_TIMEOUT(
        paneText(u"=chat:"_s).contains(u"answer: y"_s), qPrintable(paneText(u"=chat:"_s)), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(agentNamed(u"chat"_s)->status != Agent::Status::WaitingInput, 20000);
}

// More work of every kind on the board: one that fails, one that runs long, one waiting for it and
// one for a type nobody serves (the README's screenshot).
void tst_Gui::overview()
{
    Engine *engine = m_app->engine();
    auto make = [](const QString &title,
                   const QString &prompt,
                   const QString &type,
                   int priority,
                   const QStringList &deps = {},
                   int attempts = 3) {
        Task t;
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        t.title = title;
        t.prompt = prompt;
        t.agentType = type;
        t.priority = priority;
        t.dependsOn = deps;
        t.maxAttempts = attempts;
        return t;
    };
    const Task failing
        = make(u"Migrate the billing schema"_s, u"migrate billing exit=3"_s, u"dev"_s, 5, {}, 1);
    const Task longOne = make(
        u"Refactor the session store"_s, u"refactor sessions sleep=60 lines=4"_s, u"dev"_s, 1);
    m_longTaskId = longOne.id;
    const Task blocked = make(u"Write release notes"_s, u"notes"_s, u"dev"_s, 0, {longOne.id});
    const Task review = make(u"Review the API changes"_s, u"review api"_s, u"review"_s, 2);
    for (const Task &t : {failing, longOne, blocked, review})
        engine->createTask(t);
    TaskModel *tasks = m_window->taskModel();
    QTRY_VERIFY_WITH_TIMEOUT(
        tasks->task(failing.id) && tasks->task(failing.id)->status == Task::Status::Failed, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(
        tasks->task(longOne.id) && tasks->task(longOne.id)->status == Task::Status::Running, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(
        tasks->task(blocked.id) && tasks->task(blocked.id)->status == Task::Status::Blocked, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        tasks->task(review.id) && tasks->task(review.id)->status == Task::Status::Queued, 10000);
    QCOMPARE(tasks->count(Task::Status::Failed), 1);
    const QString busy = m_window->agentModel()->nameOf(tasks->task(longOne.id)->agentId);
    QTRY_VERIFY_WITH_TIMEOUT(agentNamed(busy)->status == Agent::Status::Busy, 10000);
    m_window->taskBoard()->setCurrentTab(TaskBoard::Tab::All);
    m_window->taskBoard()->selectTask(failing.id);
    QTRY_VERIFY(m_window->taskBoard()->detail()->statusText()
                == TaskModel::statusLabel(Task::Status::Failed));
    m_window->agentPanel()->selectAgent(agentNamed(busy)->id);
    QTest::qWait(1200); // an uptime tick and the terminals' last lines
    shot(u"overview"_s);
}

// One search field over prompts, answers and terminal logs: a prompt hit shown on the board with
// the word selected, a log hit in a dialog with the words highlighted.
void tst_Gui::searchesEverything()
{
    // No other of the window's actions has its shortcut (an ambiguous one triggers neither).
    QHash<QKeySequence, QString> taken;
    for (QAction *a : m_window->actions()) {
        for (const QKeySequence &k : a->shortcuts()) {
            QVERIFY2(
                !taken.contains(k),
                qPrintable(u"%1 is both %2 and %3"_s.arg(k.toString(), taken.value(k), a->text())));
            taken.insert(k, a->text());
        }
    }
    auto *search = m_window->findChild<QAction *>(u"searchEverything"_s);
    QVERIFY(search);
    QCOMPARE(search->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    QTest::mouseClick(toolButton(search), Qt::LeftButton);
    SearchPanel *panel = m_window->searchPanel();
    QTRY_VERIFY(m_window->searchDock()->isVisible());
    QTRY_COMPARE(m_window->focusWidget(), panel->field());
    QVERIFY(!panel->similarButton()->isEnabled()); // no embeddings endpoint in this test
    QTest::keyClicks(panel->field(), u"billing"_s);
    QTRY_VERIFY_WITH_TIMEOUT(panel->model()->rowCount() > 0, 10000);
    const SearchHit first = *panel->model()->hit(0);
    QCOMPARE(first.kind, SearchHit::Kind::Prompt);
    QCOMPARE(first.title, u"Migrate the billing schema"_s);
    shot(u"search"_s);
    panel->view()->setCurrentIndex(panel->model()->index(0, 0));
    QTest::keyClick(panel->view(), Qt::Key_Return);
    QTRY_COMPARE(m_window->taskBoard()->detail()->taskId(), first.taskId);
    QCOMPARE(m_window->taskBoard()->detail()->selectedText().toLower(), u"billing"_s);

    // What a worker printed in its terminal is found in its log (copied every 3 s).
    panel->field()->clear();
    QTest::keyClicks(panel->field(), u"hello board"_s);
    auto logRow = [panel] {
        for (int row = 0; row < panel->model()->rowCount(); ++row)
            if (const auto h = panel->model()->hit(row);
                h->kind == SearchHit::Kind::Log
                && h->snippet.contains(u"hello"_s, Qt::CaseInsensitive))
                return row;
        return -1;
    };
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            if (logRow() >= 0)
                return true;
            QTest::keyClick(panel->field(), Qt::Key_Return); // search again
            QTest::qWait(1000);
            return logRow() >= 0;
        }(),
        20000);
    panel->view()->setCurrentIndex(panel->model()->index(logRow(), 0));
    QTest::keyClick(panel->view(), Qt::Key_Return);
    auto *dialog = waitForDialog<LogChunkDialog>();
    QVERIFY(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->highlightCount() > 0, 10000);
    QVERIFY2(dialog->editor()->toPlainText().contains(u"hello"_s, Qt::CaseInsensitive),
             qPrintable(dialog->editor()->toPlainText()));
    shot(u"search-log-hit"_s);
    dialog->close();
    m_window->searchDock()->hide();
}

void tst_Gui::killsAnAgent()
{
    // The agent running the long task: its task goes back to the queue.
    TaskModel *tasks = m_window->taskModel();
    const QString victimName = m_window->agentModel()->nameOf(tasks->task(m_longTaskId)->agentId);
    const QString survivorName = victimName == u"alpha-1"_s ? u"alpha-2"_s : u"alpha-1"_s;
    const std::optional<Agent> victim = agentNamed(victimName);
    QVERIFY(victim);
    QCOMPARE(victim->status, Agent::Status::Busy);
    AgentPanel *panel = m_window->agentPanel();
    PlaceholderTreeView *view = panel->view();
    const QModelIndex idx = panel->proxy()->mapFromSource(
        m_window->agentModel()->index(m_window->agentModel()->rowOf(victim->id), 0));
    QVERIFY(idx.isValid());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(idx).center());
    QCOMPARE(panel->selectedAgents().size(), 1);
    QCOMPARE(panel->selectedAgents().first().name, victimName);
    QVERIFY(panel->killAction()->isEnabled());

    // Delete in the list: the confirmation says what becomes of the running task.
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window));
    view->setFocus();
    QTest::keyClick(view, Qt::Key_Delete);
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = m_window->findChild<QMessageBox *>(u"killConfirmation"_s))
                && box->isVisible());
    QVERIFY(box->text().contains(victimName));
    QVERIFY2(box->informativeText().contains(u"Its running task goes back to the queue"_s),
             qPrintable(box->informativeText()));
    shot(u"kill-confirmation"_s);
    QAbstractButton *kill = nullptr;
    for (QAbstractButton *b : box->buttons())
        if (box->buttonRole(b) == QMessageBox::DestructiveRole)
            kill = b;
    QVERIFY(kill);
    QTest::mouseClick(kill, Qt::LeftButton);

    QTRY_COMPARE_WITH_TIMEOUT(m_window->agentModel()->rowOf(victim->id), -1, 20000);
    QCOMPARE(m_window->agentModel()->rowCount(), 2);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->terminals()->paneByName(victimName), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        !tmux({u"list-sessions"_s, u"-F"_s, u"#{session_name}"_s}).contains(victimName), 10000);
    QVERIFY(tmux({u"list-sessions"_s, u"-F"_s, u"#{session_name}"_s}).contains(survivorName));
    // Its task was handed back and the other worker took it.
    QTRY_VERIFY_WITH_TIMEOUT(tasks->task(m_longTaskId)->agentId == agentNamed(survivorName)->id
                                 && tasks->task(m_longTaskId)->status == Task::Status::Running,
                             30000);
    // The other agents' terminals still show them, attached.
    TerminalPane *left = m_window->terminals()->paneByName(survivorName);
    QVERIFY(left);
    QVERIFY(left->isAttached());
    QVERIFY(m_window->terminals()->paneByName(u"chat"_s));
    shot(u"agent-killed"_s);
}

void tst_Gui::restartsAnAgent()
{
    // The worker left is running the long task now: restarting it asks, then kills and spawns it
    // again under the same name; its terminal follows the new session.
    TaskModel *tasks = m_window->taskModel();
    const QString name = m_window->agentModel()->nameOf(tasks->task(m_longTaskId)->agentId);
    const std::optional<Agent> before = agentNamed(name);
    QVERIFY(before);
    m_window->agentPanel()->selectAgent(before->id);
    QTest::mouseClick(toolButton(m_window->agentPanel()->restartAction()), Qt::LeftButton);
    QMessageBox *box = nullptr;
    QTRY_VERIFY((box = waitForDialog<QMessageBox>()));
    QVERIFY(box->informativeText().contains(u"back to the queue"_s));
    QAbstractButton *restart = nullptr;
    for (QAbstractButton *b : box->buttons())
        if (box->buttonRole(b) == QMessageBox::AcceptRole)
            restart = b;
    QVERIFY(restart);
    QTest::mouseClick(restart, Qt::LeftButton);

    QTRY_VERIFY_WITH_TIMEOUT(agentNamed(name) && agentNamed(name)->id != before->id, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(agentNamed(name)->status == Agent::Status::Idle
                                 || agentNamed(name)->status == Agent::Status::Busy,
                             30000);
    QCOMPARE(agentNamed(name)->workdir, before->workdir);
    QCOMPARE(agentNamed(name)->profile, before->profile);
    QCOMPARE(m_window->agentModel()->rowOf(before->id), -1);
    TerminalPane *pane = m_window->terminals()->paneByName(name);
    QVERIFY(pane);
    QCOMPARE(pane->agentId(), agentNamed(name)->id);
    QTRY_VERIFY_WITH_TIMEOUT(pane->isAttached(), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(runnerLineProblem(pane, name), QString(), 20000);
    // The long task was handed back and runs again (on the new agent: it is the only worker).
    QTRY_VERIFY_WITH_TIMEOUT(tasks->task(m_longTaskId)->agentId == agentNamed(name)->id, 30000);
    shot(u"agent-restarted"_s);
}

void tst_Gui::settingsShowTheToken()
{
    QTest::mouseClick(
        m_window->toolBar()->widgetForAction(m_window->findChild<QAction *>(u"settings"_s)),
        Qt::LeftButton);
    auto *dialog = waitForDialog<SettingsDialog>();
    QVERIFY(dialog);
    QVERIFY(QTest::qWaitForWindowExposed(dialog));
    auto *tabs = dialog->findChild<QTabWidget *>();
    QVERIFY(tabs);
    tabs->setFocus();
    QTest::keyClick(tabs, Qt::Key_Tab, Qt::ControlModifier); // General → Terminal → Services
    QTest::keyClick(tabs, Qt::Key_Tab, Qt::ControlModifier);
    shot(u"settings-services"_s);
    QTest::keyClick(tabs, Qt::Key_Tab, Qt::ControlModifier); // → API
    QCOMPARE(tabs->currentIndex(), 3);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog->token().isEmpty(), 10000);
    QCOMPARE(dialog->token(), m_app->api()->token());
    auto *token = dialog->findChild<QLineEdit *>(u"apiToken"_s);
    QCOMPARE(token->echoMode(), QLineEdit::Password);
    QTest::mouseClick(dialog->findChild<QToolButton *>(u"showToken"_s), Qt::LeftButton);
    QCOMPARE(token->echoMode(), QLineEdit::Normal);
    QCOMPARE(dialog->findChild<QLabel *>(u"apiUrl"_s)->text(), m_app->apiUrl());
    shot(u"settings-api"_s);
    QTest::keyClick(dialog, Qt::Key_Escape);
    QTRY_VERIFY(!dialog->isVisible());
}

int main(int argc, char *argv[])
{
    return Hive::Test::runGuiTest(argc, argv, "tst_gui", QSize(1600, 1000), [&] {
        tst_Gui t;
        QTEST_SET_MAIN_SOURCE_PATH
        return QTest::qExec(&t, argc, argv);
    });
}

#include "tst_gui.moc"
