// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/application.h"
#include "app/settings.h"
#include "services/core/config.h"
#include "services/core/logging.h"
#include "services/core/platform.h"
#include "services/core/signalwatcher.h"

#include <QApplication>
#include <QCoreApplication>
#include <QDir>

#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

QStringList arguments(int argc, char *argv[])
{
    QStringList args;
    for (int i = 0; i < argc; ++i)
        args << QString::fromLocal8Bit(argv[i]);
    return args;
}

} // namespace

int main(int argc, char *argv[])
{
    // Before anything is made: the data directory, logs (whole terminal transcripts), workspaces
    // and what tmux, PostgreSQL, Redis and the agents write are this user's alone.
    Hive::Platform::restrictNewFiles();

    // Named first: the saved settings, and the default data directory, are found by these names.
    QCoreApplication::setApplicationName(u"agenthive"_s);
    QCoreApplication::setOrganizationName(u"agenthive"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVE_VERSION));

    // What the Settings dialog saved applies now, under the flags and the environment.
    auto config = Hive::Config::parse(Hive::Settings().arguments(arguments(argc, argv)));
    if (!config) {
        fprintf(
            stderr, "agenthive: %s\nTry 'agenthive --help'.\n", qPrintable(config.error().message));
        return 2;
    }
    if (config->action == Hive::Config::Action::ShowHelp) {
        fputs(qPrintable(config->helpText.replace(QString::fromLocal8Bit(argv[0]), u"agenthive"_s)),
              stdout);
        return 0;
    }
    if (config->action == Hive::Config::Action::ShowVersion) {
        printf("agenthive %s\n", HIVE_VERSION);
        return 0;
    }

    bool headless = config->headless;
    if (!headless && !Hive::Platform::hasDisplay()) {
        fprintf(
            stderr,
            "agenthive: no display (DISPLAY and WAYLAND_DISPLAY are unset); running headless\n");
        headless = true;
    }
    std::unique_ptr<QCoreApplication> app = headless
                                                ? std::make_unique<QCoreApplication>(argc, argv)
                                                : std::make_unique<QApplication>(argc, argv);

    Hive::Logging::setup(
        QDir(config->dataDir).filePath(u"logs"_s), u"agenthive.log"_s, config->logLevel);

    Hive::Application hive(*config, headless);
    if (auto locked = hive.lockDataDir(); !locked) {
        fprintf(stderr, "agenthive: %s\n", qPrintable(locked.error().message));
        return 1;
    }
    int exitCode = 0;
    QObject::connect(&hive, &Hive::Application::failed, app.get(), [&](const QString &message) {
        Hive::Logging::get("app")->critical("{}", message);
        fprintf(stderr, "agenthive: %s\n", qPrintable(message));
        exitCode = 1;
        QCoreApplication::exit(1);
    });
    Hive::SignalWatcher watcher;
    QObject::connect(&watcher, &Hive::SignalWatcher::signalled, app.get(), [](int sig) {
        Hive::Logging::get("app")->info("signal {}: quitting", sig);
        QCoreApplication::quit();
    });
    hive.start();
    const int rc = app->exec();
    hive.shutdown();
    return exitCode ? exitCode : rc;
}
