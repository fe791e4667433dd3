// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QHash>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

namespace Hive {

// Everything `agenthive` is told on its command line and in its environment (ARCHITECTURE.md,
// "Running it"). Flags win over environment variables, which win over defaults.
struct Config
{
    enum class Action { Run, ShowHelp, ShowVersion };

    Action action = Action::Run;
    bool headless = false;
    QString dataDir;
    QString apiHost = QStringLiteral("127.0.0.1");
    int apiPort = 8000;
    QString databaseUrl; // empty: the app manages its own PostgreSQL under dataDir
    QString redisUrl;    // empty: the app manages its own Redis under dataDir
    QString tmuxSocket = QStringLiteral("agenthive");
    QString logLevel = QStringLiteral("info");
    int maxAgents = kDefaultMaxAgents; // live agents at most; a spawn beyond is refused (409)
    int idleStopMinutes = 0; // an interactive agent idle this long is stopped (resumable); 0: never
    QString embeddingsUrl;   // an OpenAI-compatible embeddings endpoint; empty: no semantic search
    QString embeddingsModel = QStringLiteral("text-embedding-3-small");
    QString embeddingsKey; // env HIVE_EMBEDDINGS_KEY only (a flag would show in ps)
    // Live agents of a type at most (--max-agents-per-type worker=4,review=2); unnamed: no cap.
    QHash<QString, int> maxAgentsPerType;
    // A spawn is refused while MemAvailable is below this (--min-free-memory-mb; 0: off).
    int minFreeMemoryMb = kDefaultMinFreeMemoryMb;
    // --daily-budget-usd given (a value, or none to remove it): written at start. Not given: the
    // stored budget stays.
    bool setDailyBudget = false;
    std::optional<double> dailyBudgetUsd;
    QString helpText;

    // The managed PostgreSQL's max_connections. Every worker agent's hive-runner holds one
    // connection; the app, migrations, psql and reconnecting runners need the rest: the default cap
    // on agents leaves kConnectionReserve of them free.
    static constexpr int kManagedMaxConnections = 200;
    static constexpr int kConnectionReserve = 50;
    static constexpr int kDefaultMaxAgents = kManagedMaxConnections - kConnectionReserve;
    static constexpr int kMaxMaxAgents = 10000;
    static constexpr int kDefaultMinFreeMemoryMb = 512;

    // args includes the program name as args[0]. An error names the bad flag and its value.
    static Result<Config> parse(const QStringList &args,
                                const QProcessEnvironment &env
                                = QProcessEnvironment::systemEnvironment());

    static QString defaultDataDir();
    static bool isValidTmuxSocketName(const QString &name);

    bool managedPostgres() const { return databaseUrl.isEmpty(); }
    bool managedRedis() const { return redisUrl.isEmpty(); }
    QString path(const QString &relative) const;
};

} // namespace Hive
