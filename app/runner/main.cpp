// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/runner/hookclient.h"
#include "app/runner/runner.h"
#include "services/core/logging.h"
#include "services/core/platform.h"
#include "services/core/signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

#include <cstdio>
#include <cstring>

using namespace Qt::StringLiterals;

int main(int argc, char *argv[])
{
    // Before anything is made: its log, the task's output and whatever the agent CLI writes are
    // this user's alone (umask 077).
    Hive::Platform::restrictNewFiles();

    // What Claude Code's hooks run: quick, without an event loop.
    if (argc > 1 && std::strcmp(argv[1], "hook") == 0)
        return Hive::HookClient::run(argc - 1, argv + 1);

    QCoreApplication app(argc, argv);
    app.setApplicationName(u"hive-runner"_s);
    app.setOrganizationName(u"agenthive"_s);
    app.setApplicationVersion(QStringLiteral(HIVE_VERSION));

    QCommandLineParser p;
    p.setApplicationDescription(QCoreApplication::translate(
        "main", "Runs the tasks of one Agent Hive worker agent, inside its tmux session."));
    p.addHelpOption();
    p.addVersionOption();
    const QCommandLineOption agent(
        u"agent"_s, QCoreApplication::translate("main", "The agent's id."), u"id"_s);
    const QCommandLineOption dataDir(
        u"data-dir"_s, QCoreApplication::translate("main", "The data directory."), u"dir"_s);
    const QCommandLineOption dbUrl(
        u"database-url"_s,
        QCoreApplication::translate("main", "PostgreSQL URL (env HIVE_DATABASE_URL)."),
        u"url"_s);
    const QCommandLineOption redisUrl(
        u"redis-url"_s,
        QCoreApplication::translate("main", "Redis URL (env HIVE_REDIS_URL)."),
        u"url"_s);
    const QCommandLineOption cap(
        u"output-cap"_s,
        QCoreApplication::translate("main", "Bytes of output kept per task (default 4 MiB)."),
        u"bytes"_s);
    p.addOptions({agent, dataDir, dbUrl, redisUrl, cap});
    if (!p.parse(app.arguments())) {
        fprintf(stderr, "hive-runner: %s\n", qPrintable(p.errorText()));
        return 2;
    }
    if (p.isSet(u"help"_s)) {
        fputs(qPrintable(p.helpText()), stdout);
        return 0;
    }
    if (p.isSet(u"version"_s)) {
        printf("hive-runner %s\n", HIVE_VERSION);
        return 0;
    }
    Hive::Runner::Options o;
    o.agentId = p.value(agent);
    o.dataDir = p.isSet(dataDir) ? p.value(dataDir) : qEnvironmentVariable("HIVE_DATA_DIR");
    o.databaseUrl = p.isSet(dbUrl) ? p.value(dbUrl) : qEnvironmentVariable("HIVE_DATABASE_URL");
    o.redisUrl = p.isSet(redisUrl) ? p.value(redisUrl) : qEnvironmentVariable("HIVE_REDIS_URL");
    if (p.isSet(cap)) {
        bool ok = false;
        o.outputCap = p.value(cap).toLongLong(&ok);
        if (!ok || o.outputCap < 1024) {
            fprintf(stderr,
                    "hive-runner: --output-cap: '%s' is not a number of bytes (at least 1024)\n",
                    qPrintable(p.value(cap)));
            return 2;
        }
    }
    for (const auto &[name, value] : {std::pair{"--agent", o.agentId},
                                      std::pair{"--data-dir", o.dataDir},
                                      std::pair{"--database-url", o.databaseUrl},
                                      std::pair{"--redis-url", o.redisUrl}}) {
        if (value.isEmpty()) {
            fprintf(stderr, "hive-runner: %s is required\n", name);
            return 2;
        }
    }
    Hive::Logging::setup(QDir(o.dataDir).filePath(u"logs"_s),
                         u"runner-%1.log"_s.arg(o.agentId),
                         u"info"_s,
                         /*console=*/false);

    Hive::Runner runner(o);
    QObject::connect(&runner, &Hive::Runner::finished, &app, &QCoreApplication::exit);
    Hive::SignalWatcher watcher;
    QObject::connect(&watcher, &Hive::SignalWatcher::signalled, &runner, [&runner](int sig) {
        runner.stop(u"signal %1"_s.arg(sig));
    });
    if (auto r = runner.start(); !r) {
        fprintf(stderr, "hive-runner: %s\n", qPrintable(r.error().message));
        Hive::Logging::get("runner")->error("{}", r.error());
        return 1;
    }
    return app.exec();
}
