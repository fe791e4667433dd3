// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/tmuxcontroller.h"
#include "tests/fixture/hivefixture.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;
using Hive::TmuxController;

namespace {

// Waits (running the event loop) for a future of the controller; a timeout becomes a failure.
template<typename T>
Hive::Result<T> wait(QFuture<Hive::Result<T>> future, int timeoutMs = 10000)
{
    if (!QTest::qWaitFor([&] { return future.isFinished(); }, timeoutMs))
        return Hive::failure(u"timed out"_s);
    return future.result();
}

// Everything tmux's parser or a shell would take for something else.
const QString s_nasty = u"it's \"quoted\" $(touch /tmp/hive-pwned) `id` ; \\back\\slash\\ "
                        "#{session_name} ~ ~root $HOME 'x' ;; { } Grüße ✓ %s %% -- -x ;"_s;

// For timing: runs an event loop until the future finishes, with no polling interval added.
template<typename T>
bool waitExactly(QFuture<T> future, int timeoutMs = 10000)
{
    QEventLoop loop;
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    future.then(&loop, [&loop](const T &) { loop.quit(); });
    if (!future.isFinished())
        loop.exec();
    return future.isFinished();
}

} // namespace

class TestTmuxController : public QObject
{
    Q_OBJECT

private:
    QString name(const char *base)
    {
        return u"%1-%2"_s.arg(QLatin1StringView(base)).arg(++m_counter);
    }
    Hive::Result<> spawn(const QString &session,
                         const QStringList &command,
                         const QString &workdir = {},
                         const QHash<QString, QString> &env = {})
    {
        TmuxController::SessionSpec spec;
        spec.name = session;
        spec.command = command;
        spec.workdir = workdir;
        spec.env = env;
        return wait(m_tmux->newSession(spec));
    }
    QStringList captureLines(const QString &session, int lines = 200)
    {
        const auto r = wait(m_tmux->capturePane(session, lines));
        return r ? r->split(u'\n') : QStringList{u"<capture failed: "_s + r.error().message + u'>'};
    }
    bool exists(const QString &session)
    {
        const auto r = wait(m_tmux->hasSession(session));
        return r && *r;
    }
    void runTmux(const QStringList &args)
    {
        QProcess p;
        p.start(TmuxController::tmuxBinary(), QStringList{u"-L"_s, m_socket} + args);
        QVERIFY(p.waitForFinished(10000));
    }

    QString m_socket;
    std::unique_ptr<TmuxController> m_tmux;
    std::unique_ptr<QTemporaryDir> m_dir;
    int m_counter = 0;

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void isValidSessionName_data();
    void isValidSessionName();
    void quote();
    void quoteRoundTrip_data();
    void quoteRoundTrip();
    void sessionLifecycle();
    void invalidSpecsAreRefused();
    void argvRunsWithoutShell();
    void oneElementArgvRunsWithoutShell();
    void workdirAndEnvironment();
    void sendTextArrivesLiterally();
    void capturePaneReturnsLastLines();
    void exitedCommandClosesSession();
    void pipePaneToFile();
    void recoversAfterServerKilled();
    void fiftySessionsTiming();
};

void TestTmuxController::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY2(!TmuxController::tmuxBinary().isEmpty(), "tmux is not installed");
    m_socket = Hive::Test::tmuxSocketName(u"tmux"_s);
    Hive::Test::killTmuxServer(m_socket);
    m_dir = std::make_unique<QTemporaryDir>(Hive::Test::testRoot() + u"/tmux-XXXXXX"_s);
    QVERIFY(m_dir->isValid());
    m_tmux = std::make_unique<TmuxController>(m_socket);
}

void TestTmuxController::cleanupTestCase()
{
    m_tmux.reset();
    Hive::Test::killTmuxServer(m_socket);
}

void TestTmuxController::isValidSessionName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("letter") << u"a"_s << true;
    QTest::newRow("digit") << u"7"_s << true;
    QTest::newRow("dash and underscore") << u"agent-1_b"_s << true;
    QTest::newRow("64 chars") << QString(64, u'x') << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("65 chars") << QString(65, u'x') << false;
    QTest::newRow("leading underscore") << u"_hive_ctl"_s << false;
    QTest::newRow("leading dash") << u"-t"_s << false;
    QTest::newRow("dot") << u"a.b"_s << false;
    QTest::newRow("colon") << u"a:b"_s << false;
    QTest::newRow("space") << u"a b"_s << false;
    QTest::newRow("equals") << u"=a"_s << false;
    QTest::newRow("semicolon") << u"a;b"_s << false;
    QTest::newRow("quote") << u"a'b"_s << false;
    QTest::newRow("dollar") << u"$a"_s << false;
    QTest::newRow("hash") << u"a#{b}"_s << false;
    QTest::newRow("non-ascii") << u"grüße"_s << false;
    QTest::newRow("newline") << u"a\nb"_s << false;
}

void TestTmuxController::isValidSessionName()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(TmuxController::isValidSessionName(name), valid);
}

void TestTmuxController::quote()
{
    QCOMPARE(TmuxController::quote(u"plain-word_1.2:@,+"_s), u"plain-word_1.2:@,+"_s);
    QCOMPARE(TmuxController::quote(QString()), u"''"_s);
    QCOMPARE(TmuxController::quote(u"a b"_s), u"'a b'"_s);
    QCOMPARE(TmuxController::quote(u"it's"_s), u"'it'\\''s'"_s);
    QCOMPARE(TmuxController::quote(u"=name:"_s), u"'=name:'"_s);
    QCOMPARE(TmuxController::paneTarget(u"x"_s), u"=x:"_s);
}

void TestTmuxController::quoteRoundTrip_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("nasty") << s_nasty;
    QTest::newRow("single quotes only") << u"'''"_s;
    QTest::newRow("quote at ends") << u"'a'"_s;
    QTest::newRow("trailing semicolon") << u"x;"_s;
    QTest::newRow("lone semicolon") << u";"_s;
    QTest::newRow("lone backslash") << u"\\"_s;
    QTest::newRow("trailing backslash") << u"a\\"_s;
    QTest::newRow("backslash quote") << u"\\'"_s;
    QTest::newRow("escapes") << u"\\n\\t\\u00e9\\033"_s;
    QTest::newRow("hash start") << u"#comment"_s;
    QTest::newRow("format") << u"#{pane_id} #[fg=red] #(id) ##"_s;
    QTest::newRow("tilde") << u"~"_s;
    QTest::newRow("tilde user") << u"~root/x"_s;
    QTest::newRow("variable") << u"$HOME ${HOME}"_s;
    QTest::newRow("assignment") << u"A=B"_s;
    QTest::newRow("braces") << u"{"_s;
    QTest::newRow("percent if") << u"%if 1"_s;
    QTest::newRow("dashes") << u"--"_s;
    QTest::newRow("tab") << u"a\tb"_s;
    QTest::newRow("spaces") << u"  lead and trail  "_s;
    QTest::newRow("non-ascii") << u"Grüße ✓ 日本語 🐝"_s;
    QTest::newRow("long") << QString(20000, u'\'');
}

// set-buffer/show-buffer give back exactly the one argument tmux parsed.
void TestTmuxController::quoteRoundTrip()
{
    QFETCH(QString, text);
    const auto set
        = wait(m_tmux->command({u"set-buffer"_s, u"-b"_s, u"hivetest"_s, u"--"_s, text}));
    QVERIFY2(set, qPrintable(set ? QString() : set.error().message));
    const auto shown = wait(m_tmux->command({u"show-buffer"_s, u"-b"_s, u"hivetest"_s}));
    QVERIFY2(shown, qPrintable(shown ? QString() : shown.error().message));
    QCOMPARE(shown->join(u'\n'), text);

    // The empty argument too (set-buffer ignores empty data).
    const auto env
        = wait(m_tmux->command({u"set-environment"_s, u"-g"_s, u"HIVE_EMPTY"_s, QString()}));
    QVERIFY(env);
    QCOMPARE(wait(m_tmux->command({u"show-environment"_s, u"-g"_s, u"HIVE_EMPTY"_s}))
                 .value_or(QStringList()),
             QStringList{u"HIVE_EMPTY="_s});
}

void TestTmuxController::sessionLifecycle()
{
    const QString s = name("life");
    QVERIFY(!exists(s));
    QVERIFY(spawn(s, {u"sleep"_s, u"1000"_s}));
    QVERIFY(exists(s));

    const auto list = wait(m_tmux->listSessions());
    QVERIFY2(list, qPrintable(list ? QString() : list.error().message));
    bool found = false;
    for (const auto &info : *list) {
        QVERIFY2(!info.name.startsWith(u'_'), qPrintable(info.name)); // not the control session
        if (info.name == s) {
            found = true;
            QVERIFY(info.panePid > 0);
            QVERIFY(!info.paneDead);
            QVERIFY(qAbs(info.createdAt - QDateTime::currentSecsSinceEpoch()) < 60);
        }
    }
    QVERIFY(found);

    const auto duplicate = spawn(s, {u"sleep"_s, u"1000"_s});
    QVERIFY(!duplicate);
    QVERIFY2(duplicate.error().message.contains(u"duplicate session"_s),
             qPrintable(duplicate.error().message));
    QVERIFY2(duplicate.error().message.startsWith(u"tmux: "_s),
             qPrintable(duplicate.error().message));

    // A prefix of an existing name is not that session (targets are exact: "=NAME").
    QVERIFY(!exists(s.left(s.size() - 1)));

    QVERIFY(wait(m_tmux->killSession(s)));
    QVERIFY(!exists(s));
    const auto again = wait(m_tmux->killSession(s));
    QVERIFY(!again);
    QVERIFY2(again.error().message.contains(s), qPrintable(again.error().message));

    // The settings the controller imposes on its private server, whatever a tmux.conf says.
    QCOMPARE(wait(m_tmux->command({u"show-options"_s, u"-gwv"_s, u"remain-on-exit"_s}))
                 .value_or(QStringList()),
             QStringList{u"off"_s});
    QCOMPARE(wait(m_tmux->command({u"show-options"_s, u"-sv"_s, u"exit-unattached"_s}))
                 .value_or(QStringList()),
             QStringList{u"off"_s});

    const auto unknown = wait(m_tmux->command({u"no-such-command"_s}));
    QVERIFY(!unknown);
    QVERIFY2(unknown.error().message.contains(u"unknown command"_s),
             qPrintable(unknown.error().message));
    // …and the replies that follow still belong to the right commands.
    QCOMPARE(wait(m_tmux->command({u"display-message"_s, u"-p"_s, u"in order"_s}))
                 .value_or(QStringList()),
             QStringList{u"in order"_s});
}

void TestTmuxController::invalidSpecsAreRefused()
{
    QVERIFY(!spawn(u"bad name"_s, {u"sleep"_s, u"1"_s}));
    QVERIFY(!spawn(u"_hive_ctl"_s, {u"sleep"_s, u"1"_s}));
    const auto newline = spawn(name("nl"), {u"echo"_s, u"a\nb"_s});
    QVERIFY(!newline);
    QVERIFY2(newline.error().message.contains(u"newline"_s), qPrintable(newline.error().message));
    QVERIFY(!spawn(name("nl"), {u"sleep"_s, u"1000"_s}, m_dir->filePath(u"a\nb"_s)));
    QVERIFY(!spawn(name("nl"), {u"sleep"_s, u"1000"_s}, {}, {{u"K"_s, u"a\nb"_s}}));
    QVERIFY(!spawn(name("env"), {u"sleep"_s, u"1000"_s}, {}, {{u"A=B"_s, u"c"_s}}));
    const auto missing = spawn(name("dir"), {u"sleep"_s, u"1000"_s}, m_dir->filePath(u"missing"_s));
    QVERIFY(!missing);
    QVERIFY2(missing.error().message.contains(u"does not exist"_s),
             qPrintable(missing.error().message));
    QVERIFY(!wait(m_tmux->sendText(u"a b"_s, u"x"_s, true)));
    QVERIFY(!wait(m_tmux->capturePane(u"a:b"_s)));
    QCOMPARE(wait(m_tmux->hasSession(u"=x"_s)).value_or(true), false);
    QVERIFY(!wait(m_tmux->command({u"display-message"_s, u"-p"_s, u"a\nb"_s})));
}

void TestTmuxController::argvRunsWithoutShell()
{
    // Several elements: exec'd directly, the argument is not parsed by anyone.
    const QString marker = m_dir->filePath(u"multi-pwned"_s);
    const QString s1 = name("echo");
    QVERIFY(spawn(s1, {u"/bin/echo"_s, u"$(touch %1)"_s.arg(marker)}));
    QTRY_VERIFY(!exists(s1));
    QVERIFY(!QFileInfo::exists(marker));

    // The pane shows the nasty argument byte for byte.
    const QString s2 = name("print");
    QVERIFY(spawn(
        s2, {u"sh"_s, u"-c"_s, u"printf '%s\\n' \"$1\"; exec sleep 100"_s, u"sh"_s, s_nasty}));
    QTRY_COMPARE(captureLines(s2), QStringList{s_nasty});
    QVERIFY(wait(m_tmux->killSession(s2)));
}

void TestTmuxController::oneElementArgvRunsWithoutShell()
{
    // Through a shell, this one element would run touch.
    const QString marker = m_dir->filePath(u"single-pwned"_s);
    const QString s1 = name("single");
    QVERIFY(spawn(s1, {u"touch %1"_s.arg(marker)}));
    QTRY_VERIFY(!exists(s1));
    QVERIFY(!QFileInfo::exists(marker));

    // A program whose path a shell would split and expand runs, as it is.
    const auto makeScript = [&](const QString &dir) {
        QDir().mkpath(dir);
        const QString path = dir + u"/run me $(touch x) `id`;'q'.sh"_s;
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return QString();
        f.write("#!/bin/sh\necho \"ran as $0\" > \"$(dirname \"$0\")/ran.txt\"\nexec sleep 100\n");
        f.close();
        f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        return path;
    };
    for (const QString &dir : {m_dir->filePath(u"plain dir"_s), m_dir->filePath(u"a=b dir"_s)}) {
        const QString script = makeScript(dir);
        QVERIFY(!script.isEmpty());
        const QString s2 = name("script");
        QVERIFY(spawn(s2, {script}));
        QTRY_VERIFY(QFileInfo::exists(dir + u"/ran.txt"_s));
        QFile ran(dir + u"/ran.txt"_s);
        QVERIFY(ran.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(ran.readAll()).trimmed(), u"ran as "_s + script);
        QVERIFY(!QFileInfo::exists(dir + u"/x"_s));
        QVERIFY(exists(s2));
        QVERIFY(wait(m_tmux->killSession(s2)));
    }
}

void TestTmuxController::workdirAndEnvironment()
{
    const QString dir = m_dir->filePath(u"work #{dir} ##1 $(x) it's"_s);
    QVERIFY(QDir().mkpath(dir));
    const QString s = name("env");
    QVERIFY(spawn(s,
                  {u"sh"_s, u"-c"_s, u"pwd; printf '%s\\n' \"$HIVE_X\"; exec sleep 100"_s},
                  dir,
                  {{u"HIVE_X"_s, s_nasty}}));
    QTRY_COMPARE(captureLines(s), (QStringList{QFileInfo(dir).canonicalFilePath(), s_nasty}));
    QVERIFY(wait(m_tmux->killSession(s)));
}

void TestTmuxController::sendTextArrivesLiterally()
{
    const QString s = name("cat");
    // stty -echo: each line then shows once, as cat prints it back.
    QVERIFY(spawn(s, {u"sh"_s, u"-c"_s, u"stty -echo; echo ready; exec cat"_s}));
    QTRY_COMPARE(captureLines(s), QStringList{u"ready"_s});
    const QString second = u"second; line #{pane_id} ~/x"_s;
    QVERIFY(wait(m_tmux->sendText(s, s_nasty + u'\n' + second, true)));
    QTRY_COMPARE(captureLines(s), (QStringList{u"ready"_s, s_nasty, second}));
    // Typed without Enter: nothing reaches cat yet; an empty line between becomes a lone Enter.
    QVERIFY(wait(m_tmux->sendText(s, u"x\n\ny"_s, false)));
    QVERIFY(wait(m_tmux->sendText(s, QString(), true)));
    QTRY_COMPARE(captureLines(s),
                 (QStringList{u"ready"_s, s_nasty, second, u"x"_s, QString(), u"y"_s}));
    QVERIFY(wait(m_tmux->killSession(s)));
}

void TestTmuxController::capturePaneReturnsLastLines()
{
    const QString s = name("lines");
    QVERIFY(
        spawn(s,
              {u"sh"_s,
               u"-c"_s,
               u"i=1; while [ $i -le 300 ]; do echo line$i; i=$((i+1)); done; exec sleep 100"_s}));
    QTRY_COMPARE(captureLines(s, 3), (QStringList{u"line298"_s, u"line299"_s, u"line300"_s}));
    const QStringList all = captureLines(s, 250);
    QCOMPARE(all.size(), 250);
    QCOMPARE(all.first(), u"line51"_s);
    QVERIFY(wait(m_tmux->killSession(s)));
}

void TestTmuxController::exitedCommandClosesSession()
{
    const QString s = name("exit");
    QVERIFY(spawn(s, {u"sh"_s, u"-c"_s, u"read x"_s}));
    QVERIFY(exists(s));
    QSignalSpy changed(m_tmux.get(), &TmuxController::sessionsChanged);
    QVERIFY(wait(m_tmux->sendText(s, u"bye"_s, true))); // read returns, sh exits
    QTRY_VERIFY(changed.count() > 0);
    QTRY_VERIFY(!exists(s));
}

void TestTmuxController::pipePaneToFile()
{
    const QString s = name("pipe");
    QVERIFY(spawn(s, {u"sh"_s, u"-c"_s, u"stty -echo; exec cat"_s}));
    const QString log = m_dir->filePath(u"log dir/it's a #{log} $(x).log"_s);
    const auto piped = wait(m_tmux->pipePaneToFile(s, log));
    QVERIFY2(piped, qPrintable(piped ? QString() : piped.error().message));
    QVERIFY(wait(m_tmux->sendText(s, u"hello pipe ✓"_s, true)));
    const auto content = [&] {
        QFile f(log);
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    };
    QTRY_VERIFY2(content().contains(u"hello pipe ✓"_s), qPrintable(content()));
    QVERIFY(wait(m_tmux->killSession(s)));
}

void TestTmuxController::recoversAfterServerKilled()
{
    const QString s = name("before");
    QVERIFY(spawn(s, {u"sleep"_s, u"1000"_s}));
    QSignalSpy lost(m_tmux.get(), &TmuxController::controlClientLost);

    // A command that holds the client's queue, then the server dies under it.
    auto pending = m_tmux->command({u"run-shell"_s, u"sleep 3"_s});
    runTmux({u"kill-server"_s});
    QTRY_COMPARE(lost.count(), 1);
    const auto r = wait(pending);
    QVERIFY(!r);
    QVERIFY2(r.error().message.contains(u"tmux"_s), qPrintable(r.error().message));

    // The next command starts a new client (and server) as if nothing happened.
    QCOMPARE(wait(m_tmux->hasSession(s)).value_or(true), false);
    const QString s2 = name("after");
    QVERIFY(spawn(s2, {u"sleep"_s, u"1000"_s}));
    QVERIFY(exists(s2));
    QCOMPARE(lost.count(), 1);

    // And again: each loss is reported once, and each time the next command recovers.
    runTmux({u"kill-server"_s});
    QTRY_COMPARE(lost.count(), 2);
    QVERIFY(!exists(s2));
    QVERIFY(spawn(s2, {u"sleep"_s, u"1000"_s}));
    QVERIFY(wait(m_tmux->killSession(s2)));
}

void TestTmuxController::fiftySessionsTiming()
{
    QVERIFY(wait(m_tmux->listSessions())); // the client is up
    QElapsedTimer timer;
    timer.start();
    QList<QFuture<Hive::Result<>>> spawned;
    QStringList names;
    for (int i = 0; i < 50; ++i) {
        names << name("bulk");
        TmuxController::SessionSpec spec;
        spec.name = names.last();
        spec.command = {u"sleep"_s, u"1000"_s};
        spawned << m_tmux->newSession(spec);
    }
    // Replies come in order: the last one finished means all did.
    QVERIFY(waitExactly(spawned.last()));
    const qint64 spawnMs = timer.restart();
    QList<QFuture<Hive::Result<QString>>> captured;
    for (const QString &n : std::as_const(names))
        captured << m_tmux->capturePane(n);
    QVERIFY(waitExactly(captured.last()));
    const qint64 captureMs = timer.elapsed();
    for (auto &f : spawned)
        QVERIFY(f.isFinished() && f.result());
    for (auto &f : captured)
        QVERIFY(f.isFinished() && f.result());
    // Not asserted: nearly all of it is tmux forking the panes, which depends on the machine.
    qInfo("50 new-session: %lld ms, 50 capture-pane: %lld ms, total %lld ms",
          static_cast<long long>(spawnMs),
          static_cast<long long>(captureMs),
          static_cast<long long>(spawnMs + captureMs));

    const auto list = wait(m_tmux->listSessions());
    QVERIFY(list);
    int bulk = 0;
    for (const auto &info : *list)
        bulk += names.contains(info.name);
    QCOMPARE(bulk, 50);
    for (const QString &n : std::as_const(names))
        QVERIFY(wait(m_tmux->killSession(n)));
}

QTEST_GUILESS_MAIN(TestTmuxController)
#include "tst_tmuxcontroller.moc"
