// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// Search against the real engine: tasks run by real workers (the fake agent CLI), an interactive
// agent's terminal log copied into PostgreSQL, and semantic search through a stand-in
// OpenAI-compatible embeddings endpoint (standin-embeddings.py).
#include "services/search/embedder.h"
#include "tests/engine/enginetestbase.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QUuid>

using namespace Qt::StringLiterals;
using namespace Hive;

class tst_Search : public Test::EngineTestBase
{
    Q_OBJECT

public:
    tst_Search();
    ~tst_Search() override;

private Q_SLOTS:
    void findsPromptsAndAnswers();
    void findsWhatAnAgentPrinted();
    void queriesWithoutWordsFindNothing();
    void semanticSearchFindsTheNearestTask();
    void semanticSearchOffSaysSo();

private:
    QList<SearchHit> search(const QString &q, Search::Kind kind = Search::Kind::Text);
    QProcess m_embeddings;
    QString m_embeddingsUrl;
};

tst_Search::tst_Search()
{
    m_embeddings.setProgram(u"python3"_s);
    m_embeddings.setArguments({QStringLiteral(HIVE_STANDIN_EMBEDDINGS)});
    m_embeddings.setProcessChannelMode(QProcess::SeparateChannels);
    m_embeddings.start();
    if (m_embeddings.waitForReadyRead(20000)) {
        const QByteArray line = m_embeddings.readLine().trimmed();
        if (line.startsWith("PORT "))
            m_embeddingsUrl = u"http://127.0.0.1:%1/v1"_s.arg(QString::fromLatin1(line.mid(5)));
    }
    m_configure = [this](Engine::Options &o) {
        o.logCopyMs = 200;
        o.embeddingsUrl = QUrl(m_embeddingsUrl);
        o.embeddingsModel = u"standin-bow"_s;
    };
}

tst_Search::~tst_Search()
{
    m_embeddings.kill();
    m_embeddings.waitForFinished();
}

QList<SearchHit> tst_Search::search(const QString &q, Search::Kind kind)
{
    auto hits = wait(m_engine->search(q, kind, 20));
    if (!hits)
        qWarning() << "search failed:" << hits.error().message;
    return hits ? *hits : QList<SearchHit>();
}

static QString marked(const SearchHit &h)
{
    QStringList words;
    for (const auto &m : h.matches)
        words << h.snippet.mid(m.start, m.length);
    return words.join(u',');
}

void tst_Search::findsPromptsAndAnswers()
{
    spawnWorker(u"finder"_s);
    Task t;
    t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    t.title = u"Zebra crossing"_s;
    t.prompt = u"count the walruses lines=3"_s;
    t.agentType = u"finder"_s;
    auto created = wait(m_engine->createTask(t));
    QVERIFY_OK(created);
    const Task done = waitTask(t.id, [](const Task &x) { return finished(x); });
    QCOMPARE(done.status, Task::Status::Succeeded);

    // The runner's own lines in the agent's log name the task's title too ("task … (attempt 1 of
    // 3): Zebra crossing"), so the log may hit as well: here only the tasks' hits count.
    const auto taskHits = [this](const QString &q) {
        QList<SearchHit> hits = search(q);
        hits.removeIf([](const SearchHit &h) { return h.kind == SearchHit::Kind::Log; });
        return hits;
    };
    // Only in the title: one hit, the prompt, with the word marked (stemmed: "zebras" finds it).
    auto hits = taskHits(u"zebras"_s);
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits[0].kind, SearchHit::Kind::Prompt);
    QCOMPARE(hits[0].taskId, t.id);
    QCOMPARE(hits[0].title, u"Zebra crossing"_s);
    QCOMPARE(marked(hits[0]), u"Zebra"_s);

    // In the prompt and in the answer (the fake agent prints its prompt and "line N").
    hits = search(u"walrus"_s);
    QSet<SearchHit::Kind> kinds;
    for (const SearchHit &h : std::as_const(hits))
        if (h.taskId == t.id)
            kinds << h.kind;
    QVERIFY2(kinds.contains(SearchHit::Kind::Prompt) && kinds.contains(SearchHit::Kind::Answer),
             qPrintable(u"%1 hits"_s.arg(hits.size())));
    // Only in the answer.
    hits = search(u"\"line 2\""_s);
    QVERIFY(std::any_of(hits.cbegin(), hits.cend(), [&](const SearchHit &h) {
        return h.taskId == t.id && h.kind == SearchHit::Kind::Answer;
    }));
    // Excluded words exclude.
    QVERIFY(taskHits(u"zebra -walrus"_s).isEmpty());
}

void tst_Search::findsWhatAnAgentPrinted()
{
    QDir().mkpath(m_fx->path(u"profiles"_s));
    QFile f(m_fx->path(u"profiles/fake-chat.json"_s));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(
        QJsonDocument(QJsonObject{{u"name"_s, u"fake-chat"_s},
                                  {u"command"_s,
                                   QJsonArray{Test::HiveFixture::fakeAgent(), u"--interactive"_s}},
                                  {u"interactive"_s, true}})
            .toJson());
    f.close();
    SpawnRequest r;
    r.type = u"chat"_s;
    r.profile = u"fake-chat"_s;
    r.name = u"logger"_s;
    auto agent = wait(m_engine->spawn(r));
    QVERIFY_OK(agent);
    QTRY_VERIFY_WITH_TIMEOUT(
        wait(m_engine->output(agent->id, 20)).value_or(QString()).contains(u"fake-agent ready"_s),
        10000);
    QVERIFY_OK(wait(m_engine->input(agent->id, InputRequest{u"feed the quokkas"_s, true, {}, 0})));
    // The log is copied every 200 ms here (every 3 s by default).
    QList<SearchHit> hits;
    QTRY_VERIFY_WITH_TIMEOUT(!(hits = search(u"quokka"_s)).isEmpty(), 15000);
    const SearchHit &h = hits.first();
    QCOMPARE(h.kind, SearchHit::Kind::Log);
    QCOMPARE(h.agentId, agent->id);
    QCOMPARE(h.agentName, u"logger"_s);
    QVERIFY(h.logId > 0);
    QVERIFY2(marked(h).contains(u"quokkas"_s), qPrintable(h.snippet));
    QVERIFY(!h.snippet.contains(QChar(0x1b))); // terminal escapes are gone
    auto chunk = wait(m_engine->logText(h.logId));
    QVERIFY_OK(chunk);
    QVERIFY(chunk->text.contains(u"working on: feed the quokkas"_s));
    // Copied once: a second copy adds nothing for the same output.
    QVERIFY_OK(wait(m_engine->copyLogsNow()));
    QCOMPARE(search(u"quokka"_s).size(), 1);
    QVERIFY_OK(wait(m_engine->kill(agent->id)));
}

void tst_Search::queriesWithoutWordsFindNothing()
{
    QVERIFY(search(u"the"_s).isEmpty());     // a stop word only
    QVERIFY(search(u"!!! ???"_s).isEmpty()); // no word at all
    QVERIFY(search(u"nosuchwordanywhere"_s).isEmpty());
}

void tst_Search::semanticSearchFindsTheNearestTask()
{
    QVERIFY2(!m_embeddingsUrl.isEmpty(), "the stand-in embeddings server did not start");
    QVERIFY(m_engine->semanticSearchEnabled());
    spawnWorker(u"semantic"_s);
    const Task login
        = createTask(u"fix the login authentication bug in the session code"_s, u"semantic"_s);
    const Task cake = createTask(u"bake a chocolate cake with cherries"_s, u"semantic"_s);
    waitTask(login.id, [](const Task &x) { return finished(x); });
    waitTask(cake.id, [](const Task &x) { return finished(x); });
    // Embeddings are written in the background; wait until both tasks have one.
    QList<SearchHit> hits;
    auto both = [&] {
        hits = search(u"authentication login problem"_s, Search::Kind::Semantic);
        QSet<QString> ids;
        for (const SearchHit &h : std::as_const(hits))
            ids << h.taskId;
        return ids.contains(login.id) && ids.contains(cake.id);
    };
    QTRY_VERIFY_WITH_TIMEOUT(both(), 20000);
    QCOMPARE(hits.first().taskId, login.id);
    QCOMPARE(hits.first().kind, SearchHit::Kind::Task);
    QVERIFY(hits.first().score > 0.3);
    qsizetype cakeAt = -1;
    for (qsizetype i = 0; i < hits.size(); ++i)
        if (hits[i].taskId == cake.id)
            cakeAt = i;
    QVERIFY(hits[cakeAt].score < hits.first().score);
    // The other way round.
    hits = search(u"cherries and chocolate"_s, Search::Kind::Semantic);
    QVERIFY(!hits.isEmpty());
    QCOMPARE(hits.first().taskId, cake.id);
}

void tst_Search::semanticSearchOffSaysSo()
{
    Embedder off({}, nullptr);
    QVERIFY(!off.enabled());
    auto r = off.embed(u"anything"_s).result();
    QVERIFY(!r);
    QCOMPARE(r.error().kind, Error::Kind::Conflict);
    QVERIFY2(r.error().message.contains(u"--embeddings-url"_s), qPrintable(r.error().message));
    QCOMPARE(Embedder::endpoint(QUrl(u"http://h:1/v1"_s)), QUrl(u"http://h:1/v1/embeddings"_s));
    QCOMPARE(Embedder::endpoint(QUrl(u"http://h:1/v1/embeddings"_s)),
             QUrl(u"http://h:1/v1/embeddings"_s));
}

QTEST_MAIN(tst_Search)
#include "tst_search.moc"
