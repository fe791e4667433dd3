// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
//
// What watching interactive agents costs the tmux server: the real engine (on the fixture's
// PostgreSQL, Redis and tmux, no window) with N agents that print a line every interval and M
// quiet agents that asked a question and wait; over the run, the tmux server's CPU (utime + stime
// from /proc/<pid>/stat) and the capture-pane commands it ran (counted by a tmux hook,
// after-capture-pane), and whether every quiet agent is still seen waiting for input.
//
// bench_panes [--agents 50] [--quiet 10] [--duration 10] [--interval-ms 80]

#include "services/engine.h"
#include "tests/fixture/hivefixture.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTimer>

#include <cstdio>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace Hive;

namespace {

[[noreturn]] void giveUp(const QString &what)
{
    fprintf(stderr, "bench_panes: %s\n", qPrintable(what));
    fflush(stderr);
    _exit(3);
}

QStringList tmux(const QString &socket, const QStringList &args)
{
    QProcess p;
    p.start(u"tmux"_s, QStringList{u"-L"_s, socket} + args);
    p.waitForFinished(10000);
    return QString::fromUtf8(p.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
}

double cpuSeconds(const QString &pid)
{
    QFile f(u"/proc/%1/stat"_s.arg(pid));
    if (pid.isEmpty() || !f.open(QIODevice::ReadOnly))
        giveUp(u"no /proc/%1/stat"_s.arg(pid));
    const QByteArray s = f.readAll();
    const QList<QByteArray> fields = s.mid(s.lastIndexOf(')') + 2).split(' ');
    return double(fields.at(11).toLongLong() + fields.at(12).toLongLong())
           / double(sysconf(_SC_CLK_TCK));
}

void pause(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

void writeProfile(const Test::HiveFixture &fx, const QString &name, const QString &script)
{
    QDir().mkpath(fx.path(u"profiles"_s));
    QFile f(fx.path(u"profiles/%1.json"_s.arg(name)));
    if (!f.open(QIODevice::WriteOnly))
        giveUp(u"cannot write a profile"_s);
    f.write(
        QJsonDocument(QJsonObject{{u"name"_s, name},
                                  {u"command"_s, QJsonArray{u"/bin/bash"_s, u"-c"_s, script, name}},
                                  {u"interactive"_s, true}})
            .toJson());
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication qapp(argc, argv);
    int agents = 50, quiet = 10, intervalMs = 80;
    double duration = 10;
    const QStringList args = qapp.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == u"--agents"_s)
            agents = args[i + 1].toInt();
        else if (args[i] == u"--quiet"_s)
            quiet = args[i + 1].toInt();
        else if (args[i] == u"--duration"_s)
            duration = args[i + 1].toDouble();
        else if (args[i] == u"--interval-ms"_s)
            intervalMs = args[i + 1].toInt();
        else
            giveUp(u"usage: bench_panes [--agents 50] [--quiet 10] [--duration 10] "
                   "[--interval-ms 80]"_s);
    }

    Test::HiveFixture fx;
    if (auto r = fx.start(); !r)
        giveUp(r.error().message);
    // As bench_gui's printers: a numbered line every interval, no process per line. No braces:
    // the profile's command takes {placeholders}.
    writeProfile(
        fx,
        u"printer"_s,
        uR"(exec 9<> <(:); i=0; while :; do i=$((i+1)); )"
        uR"(printf '%s line %d: the quick brown fox jumps over the lazy dog )"
        uR"(0123456789 abcdefghij\n' "$HIVE_AGENT_NAME" "$i"; read -t %1 -u 9; done)"_s.arg(
            double(intervalMs) / 1000.0, 0, 'f', 3));
    writeProfile(fx, u"asker"_s, u"printf 'Do you want to proceed? (y/n) '; read -r answer"_s);

    Engine engine(fx.engineOptions());
    if (auto r = Test::await(engine.start(), 60000); !r)
        giveUp(r.error().message);
    QList<QFuture<Result<Agent>>> spawns;
    for (int i = 0; i < agents + quiet; ++i) {
        SpawnRequest req;
        req.type = u"bench"_s;
        req.name = u"%1-%2"_s.arg(i < agents ? u"p"_s : u"q"_s).arg(i, 3, 10, QChar(u'0'));
        req.profile = i < agents ? u"printer"_s : u"asker"_s;
        req.interactive = true;
        spawns << engine.spawn(req);
    }
    QStringList quietIds;
    for (int i = 0; i < spawns.size(); ++i) {
        auto r = Test::await(spawns[i], 120000);
        if (!r)
            giveUp(u"spawn: "_s + r.error().message);
        if (i >= agents)
            quietIds << r->id;
    }
    auto waiting = [&] {
        int n = 0;
        for (const QString &id : quietIds)
            if (auto a = Test::await(engine.agent(id));
                a && a->status == Agent::Status::WaitingInput)
                ++n;
        return n;
    };
    QDeadlineTimer d(30000);
    while (waiting() < quiet && !d.hasExpired())
        pause(200);
    printf("spawned %d printing and %d quiet agents; %d quiet ones seen waiting for input\n",
           agents,
           quiet,
           waiting());

    const QString socket = fx.tmuxSocket();
    const QString pid = tmux(socket, {u"display-message"_s, u"-p"_s, u"#{pid}"_s}).value(0);
    tmux(socket, {u"set-option"_s, u"-g"_s, u"@captures"_s, u"0"_s});
    tmux(socket,
         {u"set-hook"_s,
          u"-g"_s,
          u"after-capture-pane"_s,
          u"set-option -gF @captures '#{e|+:#{@captures},1}'"_s});
    pause(1000);
    const auto captures = [&] {
        return tmux(socket, {u"show-options"_s, u"-gv"_s, u"@captures"_s}).value(0).toLongLong();
    };
    const qint64 c0 = captures();
    const double cpu0 = cpuSeconds(pid);
    QElapsedTimer wall;
    wall.start();
    pause(int(duration * 1000));
    const double cpu = (cpuSeconds(pid) - cpu0) / (double(wall.nsecsElapsed()) / 1e9) * 100.0;
    const double perS = double(captures() - c0) / (double(wall.nsecsElapsed()) / 1e9);
    const int stillWaiting = waiting();

    printf("\n%d agents printing a line every %d ms, %d quiet at a question, for %.1f s\n",
           agents,
           intervalMs,
           quiet,
           duration);
    printf("  %-44s %8.1f %%    (of one core)\n", "tmux server CPU", cpu);
    printf("  %-44s %8.1f /s\n", "capture-pane commands", perS);
    printf("  %-44s %8d / %d\n", "quiet agents still seen waiting for input", stillWaiting, quiet);
    fflush(stdout);
    return stillWaiting == quiet ? 0 : 1;
}
