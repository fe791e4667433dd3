// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
//
// History that grows for months (issue 11, item 5): 200,000 finished tasks with 100 KB outputs in
// PostgreSQL, then
//   - GET /api/v1/tasks latencies (p50/p99, client side, one connection a request) with no filter,
//     ?agent_type=, ?status=, ?agent_id=, both status and agent_type, and a page deep in history
//     (?before=), against the real `agenthive` (headless) — goal < 10 ms;
//   - the window's first load: SessionController::start() to loaded() with an in-process engine
//     on the same database, its time and the process's resident memory (VmRSS, peak VmHWM);
//     --main-load then also does what main's SessionController did (the 10,000 most recent tasks,
//     whole, into the TaskModel) for the figure to compare with.
// The rows are made inside PostgreSQL (generate_series); the output is 100 KB of a repeated md5,
// which pglz compresses to about 1 KB on disk (200,000 real 100 KB outputs would not fit this
// disk): whoever reads whole rows still decompresses and carries 100 KB a task. The fill leaves
// out the output's full-text column (to_tsvector of 20 GB would take most of an hour; lists do
// not read it). Prints figures; asserts nothing. `--app PATH` measures another agenthive binary
// (main's, for the before figures).
#include "app/sessioncontroller.h"
#include "models/taskmodel.h"
#include "services/engine.h"
#include "tests/bench/benchkit.h"
#include "tests/fixture/hivefixture.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QThread>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace Hive;
using namespace Hive::Bench;

namespace {

double percentile(QList<double> v, double p)
{
    if (v.isEmpty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.at(qMin(v.size() - 1, qsizetype(p * double(v.size() - 1) + 0.5)));
}

// kB of the process's VmRSS or VmHWM.
qint64 procStatus(const char *field)
{
    QFile f(u"/proc/self/status"_s);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field))
            return line.mid(qstrlen(field) + 1).trimmed().split(' ').first().toLongLong();
    return -1;
}

template<typename T>
T await(QFuture<T> f)
{
    return Test::await(std::move(f), 600000);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    setvbuf(stdout, nullptr, _IOLBF, 0);
    QCommandLineParser parser;
    parser.setApplicationDescription(u"Task lists and the window's first load with months of "
                                     "history (200,000 tasks of 100 KB output)."_s);
    parser.addHelpOption();
    const QCommandLineOption tasksOpt(u"tasks"_s, u"tasks (default 200000)"_s, u"N"_s, u"200000"_s);
    const QCommandLineOption outputOpt(
        u"output-kb"_s, u"output of each task in KB (default 100)"_s, u"KB"_s, u"100"_s);
    const QCommandLineOption samplesOpt(
        u"samples"_s, u"requests per list (default 200)"_s, u"N"_s, u"200"_s);
    const QCommandLineOption appOpt(
        u"app"_s, u"the agenthive binary to measure (default: this build's)"_s, u"PATH"_s);
    const QCommandLineOption mainLoadOpt(
        u"main-load"_s,
        u"also the window's first load as main did it (10,000 whole tasks), after ours"_s);
    const QCommandLineOption noWindowOpt(u"no-window"_s, u"the lists only"_s);
    const QCommandLineOption beforeAppOpt(
        u"before-app"_s,
        u"measure the lists with this agenthive first (main's), then with this build's on the "
        "same history"_s,
        u"PATH"_s);
    parser.addOptions(
        {tasksOpt, outputOpt, samplesOpt, appOpt, beforeAppOpt, mainLoadOpt, noWindowOpt});
    parser.process(app);
    const int nTasks = qMax(1000, parser.value(tasksOpt).toInt());
    const int outputKb = qMax(1, parser.value(outputOpt).toInt());
    const int samples = qMax(10, parser.value(samplesOpt).toInt());

    Test::HiveFixture fx;
    if (auto r = fx.start(); !r) {
        fprintf(stderr, "fixture: %s\n", qPrintable(r.error().message));
        return 3;
    }
    const QString dataDir = fx.path(u"data"_s);
    AppProcess hive({u"--headless"_s,
                     u"--data-dir"_s,
                     dataDir,
                     u"--api-port"_s,
                     u"0"_s,
                     u"--tmux-socket"_s,
                     fx.tmuxSocket(),
                     u"--database-url"_s,
                     fx.databaseUrl(),
                     u"--redis-url"_s,
                     fx.redisUrl()},
                    fx.path(u"home"_s),
                    fx.path(u"agenthive.out"_s));
    if (parser.isSet(beforeAppOpt)) {
        hive.setProgram(parser.value(beforeAppOpt));
        printf("== before: %s\n", qPrintable(parser.value(beforeAppOpt)));
    } else if (parser.isSet(appOpt)) {
        hive.setProgram(parser.value(appOpt));
    }
    hive.start();
    QString why;
    if (!hive.waitReady(120000, &why)) {
        fprintf(stderr, "%s\n%s\n", qPrintable(why), qPrintable(hive.outputTail()));
        return 3;
    }
    Pg pg(fx.databaseUrl(), u"bench"_s);
    if (!pg.rows(u"SELECT 1"_s)) {
        fprintf(stderr, "PostgreSQL: %s\n", qPrintable(pg.lastError()));
        return 3;
    }
    // Statements as they are (DDL, VACUUM and EXPLAIN cannot be prepared), with their rows.
    auto sql = [](const QString &s) {
        QSqlQuery q(QSqlDatabase::database(u"bench"_s, false));
        if (!q.exec(s)) {
            fprintf(
                stderr, "SQL failed: %s\n%s\n", qPrintable(q.lastError().text()), qPrintable(s));
            std::exit(3);
        }
        QList<QVariantList> out;
        while (q.next()) {
            QVariantList row;
            for (int i = 0; i < q.record().count(); ++i)
                row << q.value(i);
            out << row;
        }
        return out;
    };

    // 20 agents (stopped: nobody reconciles them), 4 types, one task in 10 failed.
    printf("filling %d tasks with %d KB of output each ...\n", nTasks, outputKb);
    QElapsedTimer fill;
    fill.start();
    sql(u"INSERT INTO agents (id, name, type, profile, status, tmux_session, workdir) "
        "SELECT gen_random_uuid(), 'hist-' || i, (ARRAY['dev','review','test','docs'])[1 + i % 4], "
        "'fake', 'stopped', 'hist-' || i, '/tmp' FROM generate_series(0, 19) AS i"_s);
    sql(u"ALTER TABLE tasks ALTER COLUMN output_search DROP EXPRESSION"_s);
    const int batch = 10000;
    for (int from = 0; from < nTasks; from += batch) {
        const int to = qMin(nTasks, from + batch) - 1;
        sql(u"WITH a AS (SELECT array_agg(id ORDER BY name) AS ids FROM agents) "
            "INSERT INTO tasks (id, title, prompt, agent_type, priority, status, agent_id, "
            "attempts, created_at, started_at, finished_at, exit_code, output, duration_ms, "
            "cost_usd, error) "
            "SELECT gen_random_uuid(), 'task ' || i, 'prompt ' || i || repeat(' more words', 50), "
            "(ARRAY['dev','review','test','docs'])[1 + i % 4], i % 10, "
            "CASE WHEN i % 10 = 3 THEN 'failed' ELSE 'succeeded' END, a.ids[1 + i % 20], 1, "
            "now() - (%1 - i) * interval '10 seconds', now() - (%1 - i) * interval '10 seconds', "
            "now() - (%1 - i) * interval '10 seconds' + interval '5 seconds', "
            "CASE WHEN i % 10 = 3 THEN 1 ELSE 0 END, repeat(md5(i::text), %2), 5000, 0.01, "
            "CASE WHEN i % 10 = 3 THEN 'exit code 1' END "
            "FROM generate_series(%3, %4) AS i, a"_s.arg(nTasks)
                .arg(outputKb * 1024 / 32)
                .arg(from)
                .arg(to));
        if ((to + 1) % 50000 == 0 || to + 1 == nTasks)
            printf("  %d rows, %.0f s\n", to + 1, double(fill.elapsed()) / 1000);
    }
    sql(u"VACUUM ANALYZE tasks"_s);
    const auto size = sql(u"SELECT pg_size_pretty(pg_total_relation_size('tasks'))"_s);
    printf("filled in %.0f s; the tasks table with its indexes and TOAST: %s\n",
           double(fill.elapsed()) / 1000,
           qPrintable(size.first().first().toString()));

    const QString agentId
        = sql(u"SELECT id::text FROM agents WHERE name = 'hist-7'"_s).first().first().toString();
    const auto deep = sql(
        u"SELECT id::text FROM tasks ORDER BY created_at DESC, id DESC OFFSET %1 LIMIT 1"_s.arg(
            nTasks * 3 / 4));
    const QString deepId = deep.first().first().toString();

    struct List
    {
        QString name;
        QByteArray target;
    };
    const QList<List> lists{
        {u"no filter"_s, "/api/v1/tasks?limit=100"},
        {u"?agent_type=review"_s, "/api/v1/tasks?agent_type=review&limit=100"},
        {u"?status=failed"_s, "/api/v1/tasks?status=failed&limit=100"},
        {u"?agent_id=…"_s, "/api/v1/tasks?agent_id=" + agentId.toLatin1() + "&limit=100"},
        {u"?status=failed&agent_type=docs"_s,
         "/api/v1/tasks?status=failed&agent_type=docs&limit=100"},
        {u"?before=… (3/4 deep)"_s, "/api/v1/tasks?before=" + deepId.toLatin1() + "&limit=100"},
    };
    // The plans PostgreSQL picks for the lists' queries (the API's, with the id alone selected).
    auto printPlans = [&] {
        printf("\nplans (EXPLAIN ANALYZE of each list's query, 100 rows):\n");
        const QList<std::pair<QString, QString>> wheres{
            {u"no filter"_s, u"true"_s},
            {u"agent_type"_s, u"agent_type = 'review'"_s},
            {u"status"_s, u"status = 'failed'"_s},
            {u"agent_id"_s, u"agent_id = '%1'::uuid"_s.arg(agentId)},
            {u"status+agent_type"_s, u"status = 'failed' AND agent_type = 'docs'"_s},
            {u"before"_s,
             u"(created_at, id) < (SELECT created_at, id FROM tasks WHERE id = '%1'::uuid)"_s.arg(
                 deepId)},
        };
        for (const auto &[name, where] : wheres) {
            const auto plan = sql(u"EXPLAIN (ANALYZE, COSTS OFF) SELECT id FROM tasks WHERE %1 "
                                  "ORDER BY created_at DESC, id DESC LIMIT 100"_s.arg(where));
            QStringList nodes;
            QString time;
            for (const QVariantList &row : plan) {
                const QString line = row.value(0).toString().trimmed().remove(u"->  "_s);
                if (line.startsWith(u"Execution Time"))
                    time = line;
                else if (line.contains(u"Scan") || line.startsWith(u"Sort")
                         || line.startsWith(u"Limit"))
                    nodes << line.section(u"  ("_s, 0, 0);
            }
            printf("  %-18s %s; %s\n",
                   qPrintable(name),
                   qPrintable(nodes.join(u" > "_s)),
                   qPrintable(time));
        }
    };
    auto measureLists = [&](const QString &dataDir) {
        const QByteArray token = readFileTrimmed(dataDir + u"/api-token"_s);
        const Endpoint api
            = Endpoint::tcp(quint16(readFileTrimmed(dataDir + u"/api-port"_s).toUInt()));
        printf("\nGET /api/v1/tasks, 100 tasks a page, %d requests each (goal: p99 < 10 ms)\n",
               samples);
        printf("%-34s %9s %9s %11s %6s\n", "list", "p50 ms", "p99 ms", "bytes", "goal");
        for (const List &l : lists) {
            QList<double> ms;
            qsizetype bytes = 0;
            int status = 0;
            for (int i = 0; i < samples + 5; ++i) {
                QElapsedTimer t;
                t.start();
                const HttpAnswer a = api.request("GET", l.target, token, {}, 120000);
                const double elapsed = double(t.nsecsElapsed()) / 1e6;
                status = a.status;
                bytes = a.body.size();
                if (a.status != 200)
                    break;
                if (i >= 5) // warm-up
                    ms << elapsed;
            }
            if (status != 200) {
                printf("%-34s answered %d (this binary does not have it)\n",
                       qPrintable(l.name),
                       status);
                continue;
            }
            const double p99 = percentile(ms, 0.99);
            printf("%-34s %9.2f %9.2f %11lld %6s\n",
                   qPrintable(l.name),
                   percentile(ms, 0.5),
                   p99,
                   qlonglong(bytes),
                   p99 < 10 ? "met" : "missed");
        }
    };
    printPlans();
    measureLists(dataDir);
    if (parser.isSet(beforeAppOpt)) {
        // The same history under this build's agenthive, which applies migration 0005 first.
        hive.terminate(30000);
        AppProcess after({u"--headless"_s,
                          u"--data-dir"_s,
                          dataDir,
                          u"--api-port"_s,
                          u"0"_s,
                          u"--tmux-socket"_s,
                          fx.tmuxSocket(),
                          u"--database-url"_s,
                          fx.databaseUrl(),
                          u"--redis-url"_s,
                          fx.redisUrl()},
                         fx.path(u"home"_s),
                         fx.path(u"agenthive-after.out"_s));
        QElapsedTimer migrate;
        migrate.start();
        after.start();
        if (!after.waitReady(1800000, &why)) {
            fprintf(stderr, "%s\n%s\n", qPrintable(why), qPrintable(after.outputTail()));
            return 3;
        }
        printf("\n== after: this build's agenthive; up in %.0f s (with migration 0005 on this "
               "history)\n",
               double(migrate.elapsed()) / 1000);
        sql(u"ANALYZE tasks"_s);
        printPlans();
        measureLists(dataDir);
        after.terminate(30000);
    }

    // The window's first load, with an engine in this process (the app is stopped first: one
    // engine on the data).
    hive.terminate(30000);
    if (parser.isSet(noWindowOpt))
        return 0;
    Engine engine(fx.engineOptions());
    if (auto r = await(engine.start()); !r) {
        fprintf(stderr, "engine: %s\n", qPrintable(r.error().message));
        return 3;
    }
    // Where a list's time goes, in this process: the store (query and rows) and the JSON.
    {
        TaskFilter filter;
        filter.limit = 100;
        QList<double> store, json;
        for (int i = 0; i < 30; ++i) {
            QElapsedTimer t;
            t.start();
            const auto tasks = await(engine.tasks(filter));
            store << double(t.nsecsElapsed()) / 1e6;
            t.restart();
            QJsonArray out;
            for (const Task &task : *tasks)
                out.append(task.toJson());
            const QByteArray body = QJsonDocument(out).toJson(QJsonDocument::Compact);
            json << double(t.nsecsElapsed()) / 1e6;
        }
        printf("\nin process, 100 tasks: Engine::tasks p50 %.2f ms, p99 %.2f ms; their JSON p50 "
               "%.2f ms\n",
               percentile(store, 0.5),
               percentile(store, 0.99),
               percentile(json, 0.5));
    }
    {
        const qint64 rssBefore = procStatus("VmRSS:");
        QElapsedTimer load;
        load.start();
        SessionController sessions;
        QSignalSpy loaded(&sessions, &SessionController::loaded);
        sessions.start(&engine);
        if (!loaded.wait(600000)) {
            fprintf(stderr, "the first load did not finish\n");
            return 3;
        }
        const double ms = double(load.nsecsElapsed()) / 1e6;
        TaskModel *model = sessions.taskModel();
        const int rows = model->rowCount();
        printf("\nwindow first load (SessionController, %d summaries a page): %.0f ms, %d tasks; "
               "RSS %lld MB -> %lld MB, peak %lld MB (goal: < 1 s)\n",
               sessions.pageSize(),
               ms,
               rows,
               rssBefore / 1024,
               procStatus("VmRSS:") / 1024,
               procStatus("VmHWM:") / 1024);
        // The next page, as a view scrolled to its end asks for it.
        QElapsedTimer page;
        page.start();
        model->fetchOlder();
        while (model->rowCount() == rows && page.elapsed() < 60000)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        printf("one older page (a view scrolled to its end): %.1f ms, %d tasks now\n",
               double(page.nsecsElapsed()) / 1e6,
               model->rowCount());
    }
    if (parser.isSet(mainLoadOpt)) {
        // main's SessionController::reload(): the 10,000 most recent tasks, whole, into the model
        // (after the above: the peak is this one's).
        const qint64 rssBefore = procStatus("VmRSS:");
        QElapsedTimer load;
        load.start();
        TaskFilter filter;
        filter.limit = 10000;
        filter.whole = true;
        auto tasks = await(engine.tasks(filter));
        if (!tasks) {
            fprintf(stderr, "load: %s\n", qPrintable(tasks.error().message));
            return 3;
        }
        TaskModel model;
        model.setTasks(*tasks);
        tasks->clear();
        printf("window first load as main did it (10,000 whole tasks): %.0f ms, %d tasks; "
               "RSS %lld MB -> %lld MB, peak %lld MB\n",
               double(load.nsecsElapsed()) / 1e6,
               model.rowCount(),
               rssBefore / 1024,
               procStatus("VmRSS:") / 1024,
               procStatus("VmHWM:") / 1024);
    }
    return 0;
}
