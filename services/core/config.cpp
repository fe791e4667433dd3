// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/core/config.h"
#include "models/validation.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QHostAddress>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(Config)
};

Result<> checkUrl(const QString &flag, const QString &url, const QStringList &schemes)
{
    const QUrl u(url, QUrl::StrictMode);
    if (!u.isValid() || !schemes.contains(u.scheme()))
        return failure(Tr::tr("%1: '%2' is not a valid URL; expected %3")
                           .arg(flag, url, schemes.join(u" or "_s + u"://…"_s)));
    return {};
}

} // namespace

QString Config::defaultDataDir()
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dir.isEmpty())
        dir = QDir::home().filePath(u".local/share/agenthive"_s);
    return dir;
}

bool Config::isValidTmuxSocketName(const QString &name)
{
    return Validation::isFileName(name);
}

QString Config::path(const QString &relative) const
{
    return QDir(dataDir).filePath(relative);
}

Result<Config> Config::parse(const QStringList &args, const QProcessEnvironment &env)
{
    Config c;
    QCommandLineParser p;
    p.setApplicationDescription(
        Tr::tr("Agent Hive: a control center for fleets of CLI coding agents in tmux."));
    const QCommandLineOption help({u"h"_s, u"help"_s}, Tr::tr("Show this help and exit."));
    const QCommandLineOption version({u"v"_s, u"version"_s}, Tr::tr("Show the version and exit."));
    const QCommandLineOption headless(u"headless"_s,
                                      Tr::tr("Run the services and the API with no window."));
    const QCommandLineOption dataDir(
        u"data-dir"_s,
        Tr::tr("Data directory (default: %1; env HIVE_DATA_DIR).").arg(defaultDataDir()),
        Tr::tr("dir"));
    const QCommandLineOption apiHost(
        u"api-host"_s, Tr::tr("Address the API listens on (default: 127.0.0.1)."), Tr::tr("host"));
    const QCommandLineOption apiPort(
        u"api-port"_s,
        Tr::tr("TCP port of the API, 0 for any free one (default: 8000)."),
        Tr::tr("port"));
    const QCommandLineOption dbUrl(u"database-url"_s,
                                   Tr::tr("PostgreSQL URL (env HIVE_DATABASE_URL); none: a managed "
                                          "PostgreSQL under the data directory."),
                                   Tr::tr("url"));
    const QCommandLineOption redisUrl(
        u"redis-url"_s,
        Tr::tr("Redis URL (env HIVE_REDIS_URL); none: a managed Redis "
               "under the data directory."),
        Tr::tr("url"));
    const QCommandLineOption tmuxSocket(
        u"tmux-socket"_s,
        Tr::tr("Name of the private tmux socket (default: agenthive)."),
        Tr::tr("name"));
    const QCommandLineOption logLevel(u"log-level"_s,
                                      Tr::tr("trace, debug, info, warn or error (default: info)."),
                                      Tr::tr("level"));
    const QCommandLineOption maxAgents(
        u"max-agents"_s,
        Tr::tr("Live agents at most; a spawn beyond is refused (default: %1; env "
               "HIVE_MAX_AGENTS). Each worker holds a PostgreSQL connection: keep it below the "
               "server's max_connections.")
            .arg(kDefaultMaxAgents),
        Tr::tr("n"));
    const QCommandLineOption idleStop(
        u"idle-stop"_s,
        Tr::tr("Stop an interactive agent idle for this many minutes, keeping its conversation "
               "and folder to start it again (env HIVE_IDLE_STOP; default 0: never)."),
        Tr::tr("minutes"));
    const QCommandLineOption embeddingsUrl(
        u"embeddings-url"_s,
        Tr::tr("An OpenAI-compatible embeddings endpoint for semantic search, such as "
               "http://127.0.0.1:8080/v1 (env HIVE_EMBEDDINGS_URL; its key: env "
               "HIVE_EMBEDDINGS_KEY). None: semantic search is off."),
        Tr::tr("url"));
    const QCommandLineOption embeddingsModel(
        u"embeddings-model"_s,
        Tr::tr("The model the embeddings endpoint is asked for (default: "
               "text-embedding-3-small)."),
        Tr::tr("name"));
    const QCommandLineOption maxPerType(
        u"max-agents-per-type"_s,
        Tr::tr("Live agents of a type at most, as type=n pairs separated by commas, such as "
               "worker=4,review=2 (env HIVE_MAX_AGENTS_PER_TYPE); other types: no cap of their "
               "own."),
        Tr::tr("caps"));
    const QCommandLineOption minFreeMemory(
        u"min-free-memory-mb"_s,
        Tr::tr("A spawn is refused while the host has less memory available, in MiB (default: "
               "%1; env HIVE_MIN_FREE_MEMORY_MB; 0 turns the guard off).")
            .arg(kDefaultMinFreeMemoryMb),
        Tr::tr("mib"));
    const QCommandLineOption dailyBudget(
        u"daily-budget-usd"_s,
        Tr::tr("The agents' daily budget in US dollars (UTC days; env HIVE_DAILY_BUDGET_USD): a "
               "warning at 80 %, no task handed out at 100 %. Kept until changed; 'none' removes "
               "it."),
        Tr::tr("usd"));
    p.addOptions({maxPerType, minFreeMemory, dailyBudget});
    p.addOptions({help,
                  version,
                  headless,
                  dataDir,
                  apiHost,
                  apiPort,
                  dbUrl,
                  redisUrl,
                  tmuxSocket,
                  logLevel,
                  maxAgents,
                  idleStop,
                  embeddingsUrl,
                  embeddingsModel});
    c.helpText = p.helpText();

    if (!p.parse(args))
        return failure(p.errorText());
    if (!p.positionalArguments().isEmpty())
        return failure(
            Tr::tr("unexpected argument '%1'").arg(p.positionalArguments().constFirst()));
    if (p.isSet(help)) {
        c.action = Action::ShowHelp;
        return c;
    }
    if (p.isSet(version)) {
        c.action = Action::ShowVersion;
        return c;
    }

    c.headless = p.isSet(headless);
    c.dataDir
        = p.isSet(dataDir) ? p.value(dataDir) : env.value(u"HIVE_DATA_DIR"_s, defaultDataDir());
    if (c.dataDir.isEmpty())
        return failure(Tr::tr("--data-dir: the data directory must not be empty"));
    c.dataDir = QDir::cleanPath(QDir::current().absoluteFilePath(c.dataDir));

    if (p.isSet(apiHost)) {
        c.apiHost = p.value(apiHost);
        QHostAddress addr;
        if (c.apiHost != u"localhost"_s && !addr.setAddress(c.apiHost))
            return failure(Tr::tr("--api-host: '%1' is not an IP address").arg(c.apiHost));
    }
    if (p.isSet(apiPort)) {
        bool ok = false;
        const QString v = p.value(apiPort);
        const int port = v.toInt(&ok);
        if (!ok || port < 0 || port > 65535)
            return failure(Tr::tr("--api-port: '%1' is not a port number (0-65535)").arg(v));
        c.apiPort = port;
    }

    c.databaseUrl = p.isSet(dbUrl) ? p.value(dbUrl) : env.value(u"HIVE_DATABASE_URL"_s);
    if (!c.databaseUrl.isEmpty()) {
        if (auto r = checkUrl(u"--database-url"_s, c.databaseUrl, {u"postgresql"_s, u"postgres"_s});
            !r)
            return failure(r.error());
    }
    c.redisUrl = p.isSet(redisUrl) ? p.value(redisUrl) : env.value(u"HIVE_REDIS_URL"_s);
    if (!c.redisUrl.isEmpty()) {
        if (auto r = checkUrl(u"--redis-url"_s, c.redisUrl, {u"redis"_s, u"unix"_s}); !r)
            return failure(r.error());
    }

    if (p.isSet(tmuxSocket)) {
        c.tmuxSocket = p.value(tmuxSocket);
        if (!isValidTmuxSocketName(c.tmuxSocket))
            return failure(
                Tr::tr("--tmux-socket: '%1' is not a valid socket name (letters, digits, "
                       "'_', '-', '.'; at most 64)")
                    .arg(c.tmuxSocket));
    }
    if (p.isSet(logLevel)) {
        c.logLevel = p.value(logLevel);
        static const QStringList levels{u"trace"_s, u"debug"_s, u"info"_s, u"warn"_s, u"error"_s};
        if (!levels.contains(c.logLevel))
            return failure(
                Tr::tr("--log-level: '%1' is not one of %2").arg(c.logLevel, levels.join(u", "_s)));
    }
    if (p.isSet(maxAgents) || env.contains(u"HIVE_MAX_AGENTS"_s)) {
        const QString flag = p.isSet(maxAgents) ? u"--max-agents"_s : u"HIVE_MAX_AGENTS"_s;
        const QString v = p.isSet(maxAgents) ? p.value(maxAgents) : env.value(u"HIVE_MAX_AGENTS"_s);
        bool ok = false;
        const int n = v.toInt(&ok);
        if (!ok || n < 1 || n > kMaxMaxAgents)
            return failure(Tr::tr("%1: '%2' is not a number of agents (1-%3)")
                               .arg(flag, v)
                               .arg(kMaxMaxAgents));
        c.maxAgents = n;
    }
    if (p.isSet(idleStop) || env.contains(u"HIVE_IDLE_STOP"_s)) {
        const QString flag = p.isSet(idleStop) ? u"--idle-stop"_s : u"HIVE_IDLE_STOP"_s;
        const QString v = p.isSet(idleStop) ? p.value(idleStop) : env.value(u"HIVE_IDLE_STOP"_s);
        bool ok = false;
        const int n = v.toInt(&ok);
        if (!ok || n < 0 || n > 10080)
            return failure(
                Tr::tr("%1: '%2' is not a number of minutes (0-10080, 0: never)").arg(flag, v));
        c.idleStopMinutes = n;
    }
    c.embeddingsUrl
        = p.isSet(embeddingsUrl) ? p.value(embeddingsUrl) : env.value(u"HIVE_EMBEDDINGS_URL"_s);
    if (!c.embeddingsUrl.isEmpty()) {
        if (auto r = checkUrl(u"--embeddings-url"_s, c.embeddingsUrl, {u"http"_s, u"https"_s}); !r)
            return failure(r.error());
    }
    if (p.isSet(embeddingsModel)) {
        c.embeddingsModel = p.value(embeddingsModel).trimmed();
        if (c.embeddingsModel.isEmpty() || c.embeddingsModel.size() > 200)
            return failure(Tr::tr("--embeddings-model: a model name of 1 to 200 characters"));
    }
    c.embeddingsKey = env.value(u"HIVE_EMBEDDINGS_KEY"_s);
    if (p.isSet(maxPerType) || env.contains(u"HIVE_MAX_AGENTS_PER_TYPE"_s)) {
        const QString flag
            = p.isSet(maxPerType) ? u"--max-agents-per-type"_s : u"HIVE_MAX_AGENTS_PER_TYPE"_s;
        const QString v
            = p.isSet(maxPerType) ? p.value(maxPerType) : env.value(u"HIVE_MAX_AGENTS_PER_TYPE"_s);
        for (const QString &pair : v.split(u',', Qt::SkipEmptyParts)) {
            const QString type = pair.section(u'=', 0, 0).trimmed();
            bool ok = false;
            const int n = pair.section(u'=', 1).trimmed().toInt(&ok);
            if (type.isEmpty() || !pair.contains(u'=') || !ok || n < 1 || n > kMaxMaxAgents)
                return failure(Tr::tr("%1: '%2' is not type=n (n from 1 to %3)")
                                   .arg(flag, pair.trimmed())
                                   .arg(kMaxMaxAgents));
            c.maxAgentsPerType.insert(type, n);
        }
    }
    if (p.isSet(minFreeMemory) || env.contains(u"HIVE_MIN_FREE_MEMORY_MB"_s)) {
        const QString flag
            = p.isSet(minFreeMemory) ? u"--min-free-memory-mb"_s : u"HIVE_MIN_FREE_MEMORY_MB"_s;
        const QString v = p.isSet(minFreeMemory) ? p.value(minFreeMemory)
                                                 : env.value(u"HIVE_MIN_FREE_MEMORY_MB"_s);
        bool ok = false;
        const int n = v.toInt(&ok);
        if (!ok || n < 0 || n > 1024 * 1024)
            return failure(
                Tr::tr("%1: '%2' is not a number of MiB (0-1048576; 0: off)").arg(flag, v));
        c.minFreeMemoryMb = n;
    }
    if (p.isSet(dailyBudget) || env.contains(u"HIVE_DAILY_BUDGET_USD"_s)) {
        const QString flag
            = p.isSet(dailyBudget) ? u"--daily-budget-usd"_s : u"HIVE_DAILY_BUDGET_USD"_s;
        const QString v
            = p.isSet(dailyBudget) ? p.value(dailyBudget) : env.value(u"HIVE_DAILY_BUDGET_USD"_s);
        bool ok = false;
        const double usd = v.toDouble(&ok);
        c.setDailyBudget = true;
        if (v.trimmed() == u"none"_s)
            c.dailyBudgetUsd.reset();
        else if (!ok || !(usd >= 0) || usd > 1e9)
            return failure(
                Tr::tr("%1: '%2' is not a number of dollars from 0 (or none)").arg(flag, v));
        else
            c.dailyBudgetUsd = usd;
    }
    return c;
}

} // namespace Hive
