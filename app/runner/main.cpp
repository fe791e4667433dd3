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
#include <QFile>
#include <QSysInfo>

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
    const QCommandLineOption apiUrl(
        u"api-url"_s,
        QCoreApplication::translate("main",
                                    "The app's API: http://host:port for a runner on another "
                                    "host (env HIVE_API_URL; default: <data-dir>/api.sock)."),
        u"url"_s);
    const QCommandLineOption tokenFile(
        u"api-token-file"_s,
        QCoreApplication::translate("main",
                                    "A file holding the API token, for --api-url over TCP (env "
                                    "HIVE_API_TOKEN: the token itself)."),
        u"file"_s);
    const QCommandLineOption join(
        u"join"_s,
        QCoreApplication::translate("main",
                                    "Join the hive as a new worker agent of this type (a runner "
                                    "started on another host; instead of --agent)."),
        u"type"_s);
    const QCommandLineOption name(
        u"name"_s, QCoreApplication::translate("main", "--join: the agent's name."), u"name"_s);
    const QCommandLineOption profile(
        u"profile"_s,
        QCoreApplication::translate("main", "--join: the agent profile (default claude)."),
        u"name"_s);
    const QCommandLineOption workdir(
        u"workdir"_s,
        QCoreApplication::translate("main", "--join: the folder tasks run in (default: here)."),
        u"dir"_s);
    const QCommandLineOption host(
        u"host"_s,
        QCoreApplication::translate("main", "--join: this host's name, as the app shows it."),
        u"name"_s);
    const QCommandLineOption redisUrl(
        u"redis-url"_s,
        QCoreApplication::translate("main", "Redis URL (env HIVE_REDIS_URL)."),
        u"url"_s);
    const QCommandLineOption cap(
        u"output-cap"_s,
        QCoreApplication::translate("main", "Bytes of output kept per task (default 4 MiB)."),
        u"bytes"_s);
    p.addOptions(
        {agent, dataDir, apiUrl, tokenFile, redisUrl, cap, join, name, profile, workdir, host});
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
    o.apiUrl = p.isSet(apiUrl) ? p.value(apiUrl) : qEnvironmentVariable("HIVE_API_URL");
    if (o.apiUrl.isEmpty() && !o.dataDir.isEmpty())
        o.apiUrl = u"unix:"_s + QDir(o.dataDir).filePath(u"api.sock"_s);
    o.apiToken = qgetenv("HIVE_API_TOKEN").trimmed();
    if (p.isSet(tokenFile)) {
        QFile f(p.value(tokenFile));
        if (!f.open(QIODevice::ReadOnly)) {
            fprintf(stderr,
                    "hive-runner: --api-token-file: %s: %s\n",
                    qPrintable(f.fileName()),
                    qPrintable(f.errorString()));
            return 2;
        }
        o.apiToken = f.readAll().trimmed();
    }
    if (p.isSet(join)) {
        o.joinType = p.value(join);
        o.joinName = p.value(name);
        o.joinProfile = p.isSet(profile) ? p.value(profile) : u"claude"_s;
        o.joinWorkdir
            = QDir(p.isSet(workdir) ? p.value(workdir) : QDir::currentPath()).absolutePath();
        o.joinHost = p.isSet(host) ? p.value(host) : QSysInfo::machineHostName();
        if (p.isSet(agent)) {
            fputs("hive-runner: --join and --agent exclude each other\n", stderr);
            return 2;
        }
    }
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
    for (const auto &[flag, value] :
         {std::pair{"--agent (or --join)", o.joinType.isEmpty() ? o.agentId : o.joinType},
          std::pair{"--data-dir", o.dataDir},
          std::pair{"--redis-url", o.redisUrl}}) {
        if (value.isEmpty()) {
            fprintf(stderr, "hive-runner: %s is required\n", flag);
            return 2;
        }
    }
    Hive::Logging::setup(QDir(o.dataDir).filePath(u"logs"_s),
                         u"runner-%1.log"_s.arg(o.agentId.isEmpty() ? o.joinType : o.agentId),
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
