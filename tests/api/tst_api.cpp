// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiserver.h"
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"
#include "services/core/process.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTest>
#include <QUuid>
#include <QWebSocket>

#include <functional>
#include <optional>

using namespace Qt::StringLiterals;
using namespace Hive;

namespace {

const QString kUnknownId = u"6f1c2d1e-0000-4000-8000-000000000001"_s;

struct Reply
{
    int status = 0;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // names in lower case

    QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
    QString code() const { return object().value(u"error").toObject().value(u"code").toString(); }
    QString message() const
    {
        return object().value(u"error").toObject().value(u"message").toString();
    }
    QByteArray describe() const { return QByteArray::number(status) + ' ' + body.left(600); }
};

// One HTTP/1.1 response out of buf (interim 100 Continue skipped), once it is complete.
std::optional<Reply> takeResponse(QByteArray &buf)
{
    for (;;) {
        const qsizetype end = buf.indexOf("\r\n\r\n");
        if (end < 0)
            return std::nullopt;
        const QList<QByteArray> lines = buf.left(end).split('\n');
        const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
        Reply r;
        r.status = statusLine.value(1).toInt();
        if (r.status == 100) {
            buf.remove(0, end + 4);
            continue;
        }
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines[i].indexOf(':');
            if (colon > 0)
                r.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                 lines[i].mid(colon + 1).trimmed());
        }
        const qint64 length = r.headers.value("content-length", "0").toLongLong();
        if (buf.size() < end + 4 + length)
            return std::nullopt;
        r.body = buf.mid(end + 4, length);
        buf.remove(0, end + 4 + length);
        return r;
    }
}

// Reads one response from a raw connection, processing events meanwhile (the engine's signals
// reach the API through the main thread's event loop).
Reply readResponse(QIODevice *device,
                   const std::function<bool()> &open,
                   int ms = 30000,
                   QByteArray *pending = nullptr)
{
    QByteArray local;
    QByteArray &buf = pending ? *pending : local;
    QDeadlineTimer deadline(ms);
    while (!deadline.hasExpired()) {
        buf += device->readAll();
        if (auto r = takeResponse(buf))
            return *r;
        if (!open()) {
            buf += device->readAll();
            if (auto r = takeResponse(buf))
                return *r;
            break;
        }
        QTest::qWait(5);
    }
    Reply none;
    none.body = buf;
    return none;
}

QByteArray requestText(const QByteArray &method,
                       const QString &path,
                       const QByteArray &body,
                       const QByteArray &headers,
                       const QByteArray &host = "localhost")
{
    QByteArray r = method + ' ' + path.toUtf8() + " HTTP/1.1\r\n";
    if (!host.isEmpty())
        r += "Host: " + host + "\r\n";
    r += headers;
    if (!body.isNull())
        r += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
             + "\r\n";
    return r + "\r\n" + body;
}

template<typename T>
T await(QFuture<T> f, int ms = 30000)
{
    QDeadlineTimer d(ms);
    while (!f.isFinished() && !d.hasExpired())
        QTest::qWait(5);
    if (!f.isFinished())
        qFatal("future did not finish");
    return f.result();
}

void writeProfile(const QString &dir,
                  const QString &name,
                  const QStringList &command,
                  bool interactive)
{
    QDir().mkpath(dir + u"/profiles"_s);
    QFile f(dir + u"/profiles/%1.json"_s.arg(name));
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write a profile");
    f.write(QJsonDocument(QJsonObject{{u"name"_s, name},
                                      {u"command"_s, QJsonArray::fromStringList(command)},
                                      {u"interactive"_s, interactive}})
                .toJson());
}

bool hasId(const QJsonArray &list, const QString &id)
{
    for (const QJsonValue &v : list)
        if (v.toObject().value(u"id"_s).toString() == id)
            return true;
    return false;
}

bool tmuxHasSession(const QString &socket, const QString &session)
{
    QProcess p;
    p.start(u"tmux"_s, {u"-L"_s, socket, u"has-session"_s, u"-t"_s, u"="_s + session});
    p.waitForFinished(5000);
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

// The server's WebSocket frames (unmasked) in buf: the text of each complete one, and its opcode.
QList<std::pair<int, QByteArray>> takeFrames(QByteArray &buf)
{
    QList<std::pair<int, QByteArray>> frames;
    for (;;) {
        if (buf.size() < 2)
            return frames;
        const int opcode = buf.at(0) & 0x0f;
        quint64 length = quint8(buf.at(1)) & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (buf.size() < 4)
                return frames;
            length = (quint64(quint8(buf.at(2))) << 8) | quint8(buf.at(3));
            header = 4;
        } else if (length == 127) {
            if (buf.size() < 10)
                return frames;
            length = 0;
            for (int i = 2; i < 10; ++i)
                length = (length << 8) | quint8(buf.at(i));
            header = 10;
        }
        if (quint64(buf.size()) < header + length)
            return frames;
        frames.append({opcode, buf.mid(header, qsizetype(length))});
        buf.remove(0, header + qsizetype(length));
    }
}

} // namespace

// The REST and WebSocket API against the real engine (PostgreSQL, Redis and tmux of the fixture,
// hive-runner with the fake agent CLI): over TCP with QNetworkAccessManager and QWebSocket, over
// the Unix socket with raw HTTP/1.1, every refusal with its status and code and nothing changed in
// PostgreSQL, the limits, outages, and the headless binary end to end.
class tst_Api : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void startWritesPortTokenAndSocket();
    void tokenFileIsPrivateAndStable();
    void healthNeedsNoToken();
    void openApiDescribesExactlyWhatIsServed();
    void refusals_data();
    void refusals();
    void refusalsOnTheRawConnection();
    void connectionCloseIsHonoured();
    void unixSocketNeedsNoTokenButChecksHost();
    void webSocketHandshakeRefusals();
    void workerAgentTaskAndEventsOverTcp();
    void cancelRetryAndConflicts();
    void interactiveAgentOverUnixSocket();
    void regeneratedTokenCountsAtOnce();
    void connectionLimits();
    void slowWebSocketClientIsDropped();
    void outagesAnswer503();
    void headlessBinaryServesTheApi();

private:
    Reply call(const QByteArray &method,
               const QString &path,
               const QByteArray &body = {},
               const QByteArray &headers = {},
               bool token = true);
    Reply unixCall(const QByteArray &method,
                   const QString &path,
                   const QByteArray &body = {},
                   const QByteArray &headers = {},
                   const QString &socketPath = {});
    Reply tcpRaw(const QByteArray &request, quint16 port = 0);
    QString counts();
    void startEngine();
    QJsonObject waitTask(const QString &id,
                         const std::function<bool(const QJsonObject &)> &until,
                         int ms = 30000);
    QJsonObject waitAgent(const QString &id,
                          const std::function<bool(const QJsonObject &)> &until,
                          int ms = 30000);
    QWebSocket *openEvents(QList<QJsonObject> *into, const QString &query = {}, bool bearer = true);

    std::unique_ptr<Test::HiveFixture> m_fx;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiServer> m_api;
    std::unique_ptr<Database> m_probe;
    QString m_url;
    QNetworkAccessManager m_nam;
};

void tst_Api::startEngine()
{
    Engine::Options o;
    o.dataDir = m_fx->dir();
    o.tmuxSocket = m_fx->tmuxSocket();
    o.databaseUrl = m_fx->databaseUrl();
    o.redisUrl = m_fx->redisUrl();
    o.runnerPath = Test::HiveFixture::binDir() + u"/hive-runner"_s;
    o.reconcileMs = 300;
    o.heartbeatGraceMs = 4000;
    m_engine = std::make_unique<Engine>(o);
    auto started = await(m_engine->start());
    QVERIFY_OK(started);
    QTRY_VERIFY_WITH_TIMEOUT(m_engine->redisConnected(), 10000);

    ApiServer::Options a;
    a.port = 0;
    a.dataDir = m_fx->dir();
    m_api = std::make_unique<ApiServer>(a, m_engine.get());
    auto url = await(m_api->start());
    QVERIFY_OK(url);
    m_url = *url;
}

void tst_Api::initTestCase()
{
    m_fx = std::make_unique<Test::HiveFixture>();
    QVERIFY_OK(m_fx->start());
    writeProfile(m_fx->dir(), u"fake"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s}, false);
    writeProfile(
        m_fx->dir(), u"fake-i"_s, {Test::HiveFixture::fakeAgent(), u"--interactive"_s}, true);
    startEngine();
    m_probe = std::make_unique<Database>(); // registered as "probe" for counts()
    QVERIFY_OK(m_probe->open(m_fx->databaseUrl(), u"probe"_s));
}

void tst_Api::init()
{
    if (!m_engine)
        startEngine();
}

void tst_Api::cleanupTestCase()
{
    if (m_api)
        m_api->stop();
    m_api.reset();
    m_engine.reset();
    m_probe.reset();
    m_fx.reset();
}

Reply tst_Api::call(const QByteArray &method,
                    const QString &path,
                    const QByteArray &body,
                    const QByteArray &headers,
                    bool token)
{
    QNetworkRequest req(QUrl(m_url + path));
    if (token)
        req.setRawHeader("Authorization", "Bearer " + m_api->token().toLatin1());
    for (const QByteArray &line : headers.split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            req.setRawHeader(line.left(colon).trimmed(), line.mid(colon + 1).trimmed());
    }
    if (!body.isNull())
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *r = m_nam.sendCustomRequest(req, method, body);
    QSignalSpy finished(r, &QNetworkReply::finished);
    if (!r->isFinished() && !finished.wait(30000))
        qWarning() << "no answer to" << method << path;
    Reply out;
    out.status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body = r->readAll();
    for (const auto &[name, value] : r->rawHeaderPairs())
        out.headers.insert(name.toLower(), value);
    r->deleteLater();
    return out;
}

Reply tst_Api::unixCall(const QByteArray &method,
                        const QString &path,
                        const QByteArray &body,
                        const QByteArray &headers,
                        const QString &socketPath)
{
    QLocalSocket s;
    s.connectToServer(socketPath.isEmpty() ? m_api->socketPath() : socketPath);
    QDeadlineTimer d(5000);
    while (s.state() != QLocalSocket::ConnectedState && !d.hasExpired())
        QTest::qWait(5);
    if (s.state() != QLocalSocket::ConnectedState)
        return {};
    s.write(requestText(method, path, body, "Connection: close\r\n" + headers));
    return readResponse(&s, [&s] { return s.state() == QLocalSocket::ConnectedState; });
}

Reply tst_Api::tcpRaw(const QByteArray &request, quint16 port)
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, port ? port : quint16(m_api->port()));
    QDeadlineTimer d(5000);
    while (s.state() != QAbstractSocket::ConnectedState && !d.hasExpired())
        QTest::qWait(5);
    if (s.state() != QAbstractSocket::ConnectedState)
        return {};
    s.write(request);
    return readResponse(&s, [&s] { return s.state() == QAbstractSocket::ConnectedState; });
}

QString tst_Api::counts()
{
    QSqlQuery q(QSqlDatabase::database(u"probe"_s));
    if (!q.exec(u"SELECT (SELECT count(*) FROM agents), (SELECT count(*) FROM tasks), "
                "(SELECT count(*) FROM events), (SELECT count(*) FROM task_runs)"_s)
        || !q.next())
        return u"(no answer)"_s;
    return u"agents=%1 tasks=%2 events=%3 runs=%4"_s.arg(q.value(0).toInt())
        .arg(q.value(1).toInt())
        .arg(q.value(2).toInt())
        .arg(q.value(3).toInt());
}

QJsonObject
tst_Api::waitTask(const QString &id, const std::function<bool(const QJsonObject &)> &until, int ms)
{
    QDeadlineTimer d(ms);
    QJsonObject last;
    while (!d.hasExpired()) {
        const Reply r = call("GET", u"/api/v1/tasks/"_s + id);
        if (r.status == 200) {
            last = r.object();
            if (until(last))
                return last;
        }
        QTest::qWait(50);
    }
    qWarning() << "task" << id << "stayed" << last;
    return last;
}

QJsonObject
tst_Api::waitAgent(const QString &id, const std::function<bool(const QJsonObject &)> &until, int ms)
{
    QDeadlineTimer d(ms);
    QJsonObject last;
    while (!d.hasExpired()) {
        const Reply r = call("GET", u"/api/v1/agents/"_s + id);
        if (r.status == 200) {
            last = r.object();
            if (until(last))
                return last;
        }
        QTest::qWait(50);
    }
    qWarning() << "agent" << id << "stayed" << last;
    return last;
}

QWebSocket *tst_Api::openEvents(QList<QJsonObject> *into, const QString &query, bool bearer)
{
    auto *ws = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    connect(ws, &QWebSocket::textMessageReceived, this, [into](const QString &m) {
        into->append(QJsonDocument::fromJson(m.toUtf8()).object());
    });
    QUrl url(m_url + u"/api/v1/events"_s + query);
    url.setScheme(u"ws"_s);
    QNetworkRequest req(url);
    if (bearer)
        req.setRawHeader("Authorization", "Bearer " + m_api->token().toLatin1());
    ws->open(req);
    return ws;
}

// ---- tests
// ------------------------------------------------------------------------------------------

void tst_Api::startWritesPortTokenAndSocket()
{
    QVERIFY(m_api->port() > 0);
    QCOMPARE(m_url, u"http://127.0.0.1:%1"_s.arg(m_api->port()));
    QFile port(m_fx->path(u"api-port"_s));
    QVERIFY(port.open(QIODevice::ReadOnly));
    QCOMPARE(port.readAll().trimmed().toInt(), m_api->port());
    QCOMPARE(m_api->tokenFile(), m_fx->path(u"api-token"_s));
    QCOMPARE(m_api->socketPath(), m_fx->path(u"api.sock"_s));
    const QFileDevice::Permissions owner = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    const QFileDevice::Permissions all
        = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
          | QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
          | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE(QFileInfo(m_api->tokenFile()).permissions() & all, owner);
    QCOMPARE(QFileInfo(m_api->socketPath()).permissions() & all, owner);
    QVERIFY(m_api->token().size() >= 32);
    // Listening on loopback only.
    QTcpSocket other;
    other.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(other.waitForConnected(2000));
}

void tst_Api::tokenFileIsPrivateAndStable()
{
    QTemporaryDir dir(qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath()) + u"/tok-XXXXXX"_s);
    QVERIFY(dir.isValid());
    auto first = ApiServer::loadOrCreateToken(dir.path());
    QVERIFY_OK(first);
    QVERIFY2(QRegularExpression(u"^[0-9a-f]{64}$"_s).match(*first).hasMatch(), qPrintable(*first));
    const QString file = dir.filePath(u"api-token"_s);
    QCOMPARE(QFileInfo(file).permissions()
                 & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup
                    | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    auto again = ApiServer::loadOrCreateToken(dir.path());
    QVERIFY_OK(again);
    QCOMPARE(*again, *first);
    auto fresh = ApiServer::regenerateToken(dir.path());
    QVERIFY_OK(fresh);
    QVERIFY(*fresh != *first);
    QCOMPARE(*ApiServer::loadOrCreateToken(dir.path()), *fresh);
    // Readable by others: made private again.
    QVERIFY(QFile::setPermissions(
        file, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QVERIFY_OK(ApiServer::loadOrCreateToken(dir.path()));
    QVERIFY(!(QFileInfo(file).permissions() & QFileDevice::ReadOther));
    // Something that is no token is refused, not replaced behind the user's back.
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("short\n");
    }
    auto bad = ApiServer::loadOrCreateToken(dir.path());
    QVERIFY(!bad);
    QVERIFY2(bad.error().message.contains(u"api-token"_s), qPrintable(bad.error().message));
    // Two tokens made independently differ.
    QTemporaryDir other(qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath())
                        + u"/tok-XXXXXX"_s);
    QVERIFY(*ApiServer::loadOrCreateToken(other.path()) != *fresh);
}

void tst_Api::healthNeedsNoToken()
{
    const Reply r = call("GET", u"/api/v1/health"_s, {}, {}, false);
    QCOMPARE(r.status, 200);
    QVERIFY(r.headers.value("content-type").startsWith("application/json"));
    const QJsonObject h = r.object();
    QCOMPARE(h.value(u"status"_s).toString(), u"ok"_s);
    QCOMPARE(h.value(u"postgres"_s), QJsonValue(true));
    QCOMPARE(h.value(u"redis"_s), QJsonValue(true));
    QCOMPARE(h.value(u"tmux"_s), QJsonValue(true));
    QCOMPARE(h.value(u"version"_s).toString(), QStringLiteral(HIVE_VERSION));
    // No CORS headers, ever.
    for (auto it = r.headers.cbegin(); it != r.headers.cend(); ++it)
        QVERIFY2(!it.key().startsWith("access-control-"), it.key().constData());
}

void tst_Api::openApiDescribesExactlyWhatIsServed()
{
    const Reply r = call("GET", u"/api/v1/openapi.json"_s);
    QCOMPARE(r.status, 200);
    const QJsonObject doc = r.object();
    QVERIFY(doc.value(u"openapi"_s).toString().startsWith(u"3."_s));
    QCOMPARE(doc.value(u"servers"_s).toArray().first().toObject().value(u"url"_s).toString(), m_url);
    const QJsonObject paths = doc.value(u"paths"_s).toObject();
    QStringList described;
    for (auto p = paths.begin(); p != paths.end(); ++p)
        for (const QString &m : p.value().toObject().keys())
            described << m.toUpper() + u' ' + p.key();
    described.sort();
    // The contract (docs/api.md), every route of it and nothing else.
    QStringList contract{u"GET /api/v1/health"_s,
                         u"POST /api/v1/agents/{id}/restart"_s,
                         u"POST /api/v1/agents/{id}/hooks"_s,
                         u"GET /api/v1/agents"_s,
                         u"POST /api/v1/agents"_s,
                         u"GET /api/v1/agents/{id}"_s,
                         u"DELETE /api/v1/agents/{id}"_s,
                         u"POST /api/v1/agents/{id}/input"_s,
                         u"GET /api/v1/agents/{id}/output"_s,
                         u"GET /api/v1/tasks"_s,
                         u"POST /api/v1/tasks"_s,
                         u"GET /api/v1/tasks/{id}"_s,
                         u"DELETE /api/v1/tasks/{id}"_s,
                         u"POST /api/v1/tasks/{id}/retry"_s,
                         u"GET /api/v1/events"_s,
                         u"GET /api/v1/openapi.json"_s};
    contract.sort();
    QCOMPARE(described, contract);
    const QJsonObject schemas
        = doc.value(u"components"_s).toObject().value(u"schemas"_s).toObject();
    for (const char *s :
         {"Agent", "Task", "Event", "Error", "Health", "TaskRequest", "SpawnRequest"})
        QVERIFY2(schemas.contains(QLatin1StringView(s)), s);
    const QStringList agentFields
        = schemas.value(u"Agent"_s).toObject().value(u"properties"_s).toObject().keys();
    const Agent sample;
    QCOMPARE(QStringList(sample.toJson().keys()), agentFields);

    // Served: each described operation reaches its handler (no 404 for the path, no 405), and on
    // each described path every other method is 405 with exactly the described methods in Allow.
    const QString before = counts();
    for (auto p = paths.begin(); p != paths.end(); ++p) {
        const QString path = QString(p.key()).replace(u"{id}"_s, kUnknownId);
        QStringList methods;
        for (const QString &m : p.value().toObject().keys()) {
            methods << m.toUpper();
            const Reply served = call(
                m.toUpper().toLatin1(), path, m == u"post"_s ? QByteArray("{}") : QByteArray());
            QVERIFY2(served.status != 405 && !served.message().contains(u"no such path"_s),
                     qPrintable(m + u' ' + path + u": "_s + QString::fromUtf8(served.describe())));
        }
        methods.sort();
        for (const QByteArray other : {"GET", "POST", "DELETE", "PUT", "PATCH"}) {
            if (methods.contains(QString::fromLatin1(other)))
                continue;
            const Reply refused = call(other, path);
            QCOMPARE(refused.status, 405);
            QCOMPARE(refused.code(), u"method_not_allowed"_s);
            QStringList allow = QString::fromLatin1(refused.headers.value("allow")).split(u", "_s);
            allow.sort();
            QCOMPARE(allow, methods);
        }
    }
    QCOMPARE(counts(), before);
}

void tst_Api::refusals_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<bool>("token");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("mentions");

    const QString agent = u"/api/v1/agents/"_s + kUnknownId;
    const QString task = u"/api/v1/tasks/"_s + kUnknownId;
    auto row = [](const char *name,
                  const char *method,
                  const QString &path,
                  const QByteArray &body,
                  const QByteArray &headers,
                  bool token,
                  int status,
                  const QString &code,
                  const QString &mentions) {
        QTest::newRow(name) << QByteArray(method) << path << body << headers << token << status
                            << code << mentions;
    };
    const QString tasks = u"/api/v1/tasks"_s;
    const QString agents = u"/api/v1/agents"_s;
    // Who gets in.
    row("no token",
        "GET",
        agents,
        {},
        {},
        false,
        401,
        u"unauthorized"_s,
        u"missing bearer token"_s);
    row("no token, POST",
        "POST",
        tasks,
        R"({"prompt":"x"})",
        {},
        false,
        401,
        u"unauthorized"_s,
        u"bearer"_s);
    row("wrong token",
        "GET",
        agents,
        {},
        "Authorization: Bearer 0123456789abcdef0123456789abcdef",
        false,
        401,
        u"unauthorized"_s,
        u"wrong bearer token"_s);
    row("wrong scheme",
        "GET",
        agents,
        {},
        "Authorization: Basic dXNlcjpwYXNz",
        false,
        401,
        u"unauthorized"_s,
        {});
    row("empty bearer",
        "GET",
        agents,
        {},
        "Authorization: Bearer ",
        false,
        401,
        u"unauthorized"_s,
        {});
    row("foreign Host",
        "GET",
        agents,
        {},
        "Host: evil.example",
        true,
        403,
        u"forbidden"_s,
        u"evil.example"_s);
    row("foreign Host with port",
        "POST",
        tasks,
        R"({"prompt":"x"})",
        "Host: evil.example:8000",
        true,
        403,
        u"forbidden"_s,
        u"Host"_s);
    row("Host lookalike",
        "GET",
        agents,
        {},
        "Host: localhost.evil.example",
        true,
        403,
        u"forbidden"_s,
        u"Host"_s);
    row("Host 127.0.0.2",
        "GET",
        agents,
        {},
        "Host: 127.0.0.2",
        true,
        403,
        u"forbidden"_s,
        u"Host"_s);
    row("foreign Host on health",
        "GET",
        u"/api/v1/health"_s,
        {},
        "Host: attacker.test",
        false,
        403,
        u"forbidden"_s,
        u"Host"_s);
    row("Origin",
        "POST",
        tasks,
        R"({"prompt":"x"})",
        "Origin: http://localhost:8000",
        true,
        403,
        u"forbidden"_s,
        u"Origin"_s);
    row("Origin null", "GET", agents, {}, "Origin: null", true, 403, u"forbidden"_s, u"Origin"_s);
    row("Origin on health",
        "GET",
        u"/api/v1/health"_s,
        {},
        "Origin: https://evil.example",
        false,
        403,
        u"forbidden"_s,
        u"Origin"_s);
    row("Origin before token",
        "GET",
        agents,
        {},
        "Origin: https://evil.example",
        false,
        403,
        u"forbidden"_s,
        {});
    // Bodies that are not what they should be.
    row("malformed JSON",
        "POST",
        tasks,
        R"({"prompt": "x",)",
        {},
        true,
        400,
        u"malformed_json"_s,
        u"body"_s);
    row("empty body", "POST", tasks, "", {}, true, 400, u"malformed_json"_s, u"body"_s);
    row("array body", "POST", tasks, R"(["x"])", {}, true, 400, u"wrong_type"_s, u"body"_s);
    row("prompt a number",
        "POST",
        tasks,
        R"({"prompt":5})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"prompt"_s);
    row("priority a string",
        "POST",
        tasks,
        R"({"prompt":"x","priority":"high"})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"priority"_s);
    row("priority fractional",
        "POST",
        tasks,
        R"({"prompt":"x","priority":1.5})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"priority"_s);
    row("depends_on a string",
        "POST",
        tasks,
        R"({"prompt":"x","depends_on":"abc"})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"depends_on"_s);
    row("depends_on of numbers",
        "POST",
        tasks,
        R"({"prompt":"x","depends_on":[1]})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"depends_on[0]"_s);
    row("max_attempts a boolean",
        "POST",
        tasks,
        R"({"prompt":"x","max_attempts":true})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"max_attempts"_s);
    row("title an object",
        "POST",
        tasks,
        R"({"prompt":"x","title":{}})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"title"_s);
    row("unknown field",
        "POST",
        tasks,
        R"({"prompt":"x","priorty":3})",
        {},
        true,
        400,
        u"unknown_field"_s,
        u"priorty"_s);
    row("interactive a string",
        "POST",
        agents,
        R"({"type":"dev","interactive":"yes"})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"interactive"_s);
    row("permission_mode a number",
        "POST",
        agents,
        R"({"type":"dev","permission_mode":1})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"permission_mode"_s);
    row("unknown permission_mode",
        "POST",
        agents,
        R"({"type":"dev","permission_mode":"yolo"})",
        {},
        true,
        400,
        u"unknown_value"_s,
        u"permission_mode: 'yolo' is not one of default, acceptEdits"_s);
    row("permission_mode for a profile without one",
        "POST",
        agents,
        R"({"type":"dev","profile":"aider","permission_mode":"plan"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"permission_mode: profile 'aider' has no permission mode"_s);
    row("name a number",
        "POST",
        agents,
        R"({"type":"dev","name":3})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"name"_s);
    row("input text a number",
        "POST",
        agent + u"/input"_s,
        R"({"text":1})",
        {},
        true,
        400,
        u"wrong_type"_s,
        u"text"_s);
    // Unknown enum values and bad query parameters.
    row("unknown task status",
        "GET",
        tasks + u"?status=sleeping"_s,
        {},
        {},
        true,
        400,
        u"unknown_value"_s,
        u"status"_s);
    row("unknown agent status",
        "GET",
        agents + u"?status=dead"_s,
        {},
        {},
        true,
        400,
        u"unknown_value"_s,
        u"status"_s);
    row("limit a word",
        "GET",
        tasks + u"?limit=ten"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"limit"_s);
    row("limit too big",
        "GET",
        tasks + u"?limit=5000"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"limit"_s);
    row("agent_type filter",
        "GET",
        tasks + u"?agent_type=Dev%20Team"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"agent_type"_s);
    row("unknown parameter",
        "GET",
        tasks + u"?stauts=queued"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"stauts"_s);
    row("lines zero",
        "GET",
        agent + u"/output?lines=0"_s,
        {},
        {},
        true,
        400,
        u"invalid_parameter"_s,
        u"lines"_s);
    // Well-formed but invalid.
    row("empty prompt",
        "POST",
        tasks,
        R"({"prompt":""})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"prompt"_s);
    row("blank prompt",
        "POST",
        tasks,
        R"({"prompt":"  \n"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"prompt"_s);
    row("missing prompt",
        "POST",
        tasks,
        R"({"title":"no prompt"})",
        {},
        true,
        422,
        u"missing_field"_s,
        u"prompt"_s);
    row("unknown agent type",
        "POST",
        tasks,
        R"({"prompt":"x","agent_type":"Dev Team"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"unknown agent type"_s);
    row("priority 10",
        "POST",
        tasks,
        R"({"prompt":"x","priority":10})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"priority"_s);
    row("priority -1",
        "POST",
        tasks,
        R"({"prompt":"x","priority":-1})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"priority"_s);
    row("max_attempts 0",
        "POST",
        tasks,
        R"({"prompt":"x","max_attempts":0})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"max_attempts"_s);
    row("unknown dependency",
        "POST",
        tasks,
        QByteArray(R"({"prompt":"x","depends_on":[")" + kUnknownId.toLatin1() + "\"]}"),
        {},
        true,
        422,
        u"invalid_value"_s,
        u"depends_on"_s);
    row("dependency not an id",
        "POST",
        tasks,
        R"({"prompt":"x","depends_on":["nope"]})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"depends_on"_s);
    row("spawn without type",
        "POST",
        agents,
        R"({"profile":"fake"})",
        {},
        true,
        422,
        u"missing_field"_s,
        u"type"_s);
    row("spawn bad type",
        "POST",
        agents,
        R"({"type":"Dev Team","profile":"fake"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"type"_s);
    row("spawn bad name",
        "POST",
        agents,
        R"j({"type":"dev","name":"$(touch x)","profile":"fake"})j",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"name"_s);
    row("spawn unknown profile",
        "POST",
        agents,
        R"({"type":"dev","profile":"nonexistent"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"profile"_s);
    row("spawn relative workdir",
        "POST",
        agents,
        R"({"type":"dev","profile":"fake","workdir":"rel/dir"})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"workdir"_s);
    row("input nothing",
        "POST",
        agent + u"/input"_s,
        R"({"text":""})",
        {},
        true,
        422,
        u"invalid_value"_s,
        u"text"_s);
    row("input missing text",
        "POST",
        agent + u"/input"_s,
        R"({"enter":true})",
        {},
        true,
        422,
        u"missing_field"_s,
        u"text"_s);
    // Too big.
    row("2 MiB body",
        "POST",
        tasks,
        "{\"prompt\":\"" + QByteArray(2 * 1024 * 1024, 'a') + "\"}",
        {},
        true,
        413,
        u"payload_too_large"_s,
        u"1048576"_s);
    // Unknown ids and paths, wrong methods.
    row("unknown agent", "GET", agent, {}, {}, true, 404, u"not_found"_s, u"agent"_s);
    row("kill unknown agent", "DELETE", agent, {}, {}, true, 404, u"not_found"_s, u"agent"_s);
    row("output of unknown agent",
        "GET",
        agent + u"/output"_s,
        {},
        {},
        true,
        404,
        u"not_found"_s,
        u"agent"_s);
    row("input to unknown agent",
        "POST",
        agent + u"/input"_s,
        R"({"text":"hi","enter":true})",
        {},
        true,
        404,
        u"not_found"_s,
        u"agent"_s);
    row("agent id not a uuid",
        "GET",
        agents + u"/not-a-uuid"_s,
        {},
        {},
        true,
        404,
        u"not_found"_s,
        u"agent"_s);
    row("unknown task", "GET", task, {}, {}, true, 404, u"not_found"_s, u"task"_s);
    row("cancel unknown task", "DELETE", task, {}, {}, true, 404, u"not_found"_s, u"task"_s);
    row("retry unknown task",
        "POST",
        task + u"/retry"_s,
        {},
        {},
        true,
        404,
        u"not_found"_s,
        u"task"_s);
    row("unknown path",
        "GET",
        u"/api/v1/nothing"_s,
        {},
        {},
        true,
        404,
        u"not_found"_s,
        u"no such path"_s);
    row("unknown path, no token",
        "GET",
        u"/api/v2/agents"_s,
        {},
        {},
        false,
        401,
        u"unauthorized"_s,
        {});
    row("PUT tasks",
        "PUT",
        tasks,
        R"({"prompt":"x"})",
        {},
        true,
        405,
        u"method_not_allowed"_s,
        u"GET, POST"_s);
    row("PATCH agent", "PATCH", agent, "{}", {}, true, 405, u"method_not_allowed"_s, u"DELETE"_s);
    row("DELETE health",
        "DELETE",
        u"/api/v1/health"_s,
        {},
        {},
        true,
        405,
        u"method_not_allowed"_s,
        u"GET"_s);
    row("events without upgrade",
        "GET",
        u"/api/v1/events"_s,
        {},
        {},
        true,
        426,
        u"upgrade_required"_s,
        u"WebSocket"_s);
}

void tst_Api::refusals()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, headers);
    QFETCH(bool, token);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, mentions);
    const QString before = counts();
    const Reply r = call(method, path, body, headers, token);
    QVERIFY2(r.status == status, r.describe().constData());
    QVERIFY(r.headers.value("content-type").startsWith("application/json"));
    QCOMPARE(r.code(), code);
    QVERIFY2(r.message().contains(mentions), qPrintable(r.message()));
    QCOMPARE(counts(), before);
    // The same refusal over a fresh raw connection: QNetworkAccessManager added nothing that
    // helped.
    if (status != 413 && !headers.contains("Host:")) {
        QByteArray h = headers.isEmpty() ? QByteArray() : headers + "\r\n";
        if (token)
            h += "Authorization: Bearer " + m_api->token().toLatin1() + "\r\n";
        const Reply raw = tcpRaw(requestText(method, path, body, h + "Connection: close\r\n"));
        QVERIFY2(raw.status == status, raw.describe().constData());
        QCOMPARE(raw.code(), code);
        QCOMPARE(counts(), before);
    }
}

void tst_Api::refusalsOnTheRawConnection()
{
    const QString before = counts();
    const QByteArray auth = "Authorization: Bearer " + m_api->token().toLatin1() + "\r\n";
    // Content-Length over the limit: refused before a byte of the body is sent.
    Reply r = tcpRaw("POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n" + auth
                     + "Content-Type: application/json\r\nContent-Length: 2097152\r\n\r\n");
    QVERIFY2(r.status == 413, r.describe().constData());
    QCOMPARE(r.code(), u"payload_too_large"_s);
    QCOMPARE(r.headers.value("connection"), QByteArray("close"));
    // A chunked body that grows past the limit: refused when it does.
    QByteArray chunked = "POST /api/v1/tasks HTTP/1.1\r\nHost: localhost\r\n" + auth
                         + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
    const QByteArray piece(64 * 1024, 'a');
    for (int i = 0; i < 32; ++i)
        chunked += QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n";
    chunked += "0\r\n\r\n";
    r = tcpRaw(chunked);
    QVERIFY2(r.status == 413, r.describe().constData());
    // A head that never ends.
    r = tcpRaw("GET /api/v1/agents HTTP/1.1\r\nHost: localhost\r\n" + auth
               + "X-Padding: " + QByteArray(100 * 1024, 'p'));
    QVERIFY2(r.status == 431, r.describe().constData());
    // No Host header at all.
    r = tcpRaw("GET /api/v1/agents HTTP/1.1\r\n" + auth + "Connection: close\r\n\r\n");
    QVERIFY2(r.status == 403, r.describe().constData());
    // Two Host headers.
    r = tcpRaw("GET /api/v1/agents HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n" + auth
               + "Connection: close\r\n\r\n");
    QVERIFY2(r.status == 403, r.describe().constData());
    // The allowed spellings of Host.
    for (const QByteArray host :
         {"localhost", "LOCALHOST:8000", "127.0.0.1", "127.0.0.1:1", "[::1]", "[::1]:8000"}) {
        r = tcpRaw(
            requestText("GET", u"/api/v1/agents"_s, {}, auth + "Connection: close\r\n", host));
        QVERIFY2(r.status == 200, QByteArray(host + ": " + r.describe()).constData());
    }
    // Keep-alive: a refused request leaves the connection usable; requests are answered in order.
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(s.waitForConnected(2000));
    s.write(requestText("POST", u"/api/v1/tasks"_s, R"({"prompt":)", auth)
            + requestText("GET", u"/api/v1/tasks/"_s + kUnknownId, {}, auth)
            + requestText("GET", u"/api/v1/health"_s, {}, {}));
    const auto open = [&s] {
        return s.state() == QAbstractSocket::ConnectedState;
    };
    QByteArray pending;
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 400);
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 404);
    QCOMPARE(readResponse(&s, open, 30000, &pending).status, 200);
    QCOMPARE(counts(), before);
}

void tst_Api::connectionCloseIsHonoured()
{
    // HTTP/1.1 with "Connection: close", and HTTP/1.0 without keep-alive: the server closes after
    // the answer (clients that read to the end of the stream depend on it).
    for (const QByteArray &request :
         {QByteArray("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
          QByteArray("GET /api/v1/health HTTP/1.0\r\nHost: localhost\r\n\r\n")}) {
        QTcpSocket s;
        s.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
        QVERIFY(s.waitForConnected(2000));
        s.write(request);
        QByteArray all;
        QTRY_VERIFY_WITH_TIMEOUT(
            (all += s.readAll(), s.state() == QAbstractSocket::UnconnectedState), 5000);
        all += s.readAll();
        QVERIFY2(all.contains("\"status\":\"ok\""), all.constData());
    }
    // Keep-alive stays open.
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(m_api->port()));
    QVERIFY(s.waitForConnected(2000));
    s.write("GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QCOMPARE(readResponse(&s, [&s] { return s.state() == QAbstractSocket::ConnectedState; }).status,
             200);
    QTest::qWait(200);
    QCOMPARE(s.state(), QAbstractSocket::ConnectedState);
}

void tst_Api::unixSocketNeedsNoTokenButChecksHost()
{
    Reply r = unixCall("GET", u"/api/v1/agents"_s);
    QVERIFY2(r.status == 200, r.describe().constData());
    QVERIFY(r.array().isEmpty() || r.array().first().isObject());
    const QString before = counts();
    r = unixCall("GET", u"/api/v1/agents"_s, {}, "Origin: http://localhost\r\n");
    QCOMPARE(r.status, 403);
    QCOMPARE(r.code(), u"forbidden"_s);
    QLocalSocket s;
    s.connectToServer(m_api->socketPath());
    QVERIFY(s.waitForConnected(2000));
    s.write(requestText("GET", u"/api/v1/agents"_s, {}, "Connection: close\r\n", "evil.example"));
    r = readResponse(&s, [&s] { return s.state() == QLocalSocket::ConnectedState; });
    QCOMPARE(r.status, 403);
    r = unixCall(
        "POST", u"/api/v1/tasks"_s, "{\"prompt\":\"" + QByteArray(2 * 1024 * 1024, 'a') + "\"}");
    QVERIFY2(r.status == 413, r.describe().constData());
    r = unixCall("POST", u"/api/v1/tasks"_s, R"({"prompt":1})");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.code(), u"wrong_type"_s);
    r = unixCall("GET", u"/api/v1/events"_s);
    QCOMPARE(r.status, 426);
    QCOMPARE(counts(), before);
}

void tst_Api::webSocketHandshakeRefusals()
{
    const QByteArray upgrade
        = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
    const QByteArray token = m_api->token().toLatin1();
    Reply r = tcpRaw(requestText("GET", u"/api/v1/events"_s, {}, upgrade));
    QVERIFY2(r.status == 401, r.describe().constData());
    QCOMPARE(r.code(), u"unauthorized"_s);
    r = tcpRaw(requestText(
        "GET", u"/api/v1/events?token=0123456789abcdef0123456789abcdef"_s, {}, upgrade));
    QCOMPARE(r.status, 401);
    r = tcpRaw(
        requestText("GET", u"/api/v1/events"_s, {}, upgrade + "Authorization: Bearer nope\r\n"));
    QCOMPARE(r.status, 401);
    r = tcpRaw(requestText("GET",
                           u"/api/v1/events?token="_s + QString::fromLatin1(token),
                           {},
                           upgrade + "Origin: http://localhost\r\n"));
    QCOMPARE(r.status, 403);
    r = tcpRaw(requestText("GET",
                           u"/api/v1/events?token="_s + QString::fromLatin1(token),
                           {},
                           upgrade,
                           "rebound.example"));
    QCOMPARE(r.status, 403);
    r = tcpRaw(
        requestText("GET", u"/api/v1/agents?token="_s + QString::fromLatin1(token), {}, upgrade));
    QCOMPARE(r.status, 404);
    // Accepted with the token in the query (clients that cannot set headers) and as bearer.
    r = tcpRaw(
        requestText("GET", u"/api/v1/events?token="_s + QString::fromLatin1(token), {}, upgrade));
    QCOMPARE(r.status, 101);
    QList<QJsonObject> none;
    QWebSocket *viaQuery = openEvents(&none, u"?token="_s + m_api->token(), false);
    QTRY_COMPARE_WITH_TIMEOUT(viaQuery->state(), QAbstractSocket::ConnectedState, 5000);
    QWebSocket *refused = openEvents(&none, {}, false);
    QSignalSpy errors(refused, &QWebSocket::errorOccurred);
    QTRY_VERIFY_WITH_TIMEOUT(
        !errors.isEmpty() || refused->state() == QAbstractSocket::UnconnectedState, 5000);
    QVERIFY(refused->state() != QAbstractSocket::ConnectedState);
    delete viaQuery;
    delete refused;
}

void tst_Api::workerAgentTaskAndEventsOverTcp()
{
    QList<QJsonObject> events;
    std::unique_ptr<QWebSocket> ws(openEvents(&events));
    QTRY_COMPARE_WITH_TIMEOUT(ws->state(), QAbstractSocket::ConnectedState, 5000);

    Reply r = call(
        "POST", u"/api/v1/agents"_s, R"({"type":"dev","profile":"fake","name":"api-worker"})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QJsonObject agent = r.object();
    const QString agentId = agent.value(u"id"_s).toString();
    QCOMPARE(r.headers.value("location"), QString(u"/api/v1/agents/"_s + agentId).toLatin1());
    for (const char *field : {"id",
                              "name",
                              "type",
                              "profile",
                              "interactive",
                              "status",
                              "tmux_session",
                              "workdir",
                              "current_task_id",
                              "created_at",
                              "last_heartbeat"})
        QVERIFY2(agent.contains(QLatin1StringView(field)), field);
    QCOMPARE(agent.value(u"name"_s).toString(), u"api-worker"_s);
    QCOMPARE(agent.value(u"interactive"_s), QJsonValue(false));
    // Its session exists when the answer comes.
    QVERIFY(tmuxHasSession(m_fx->tmuxSocket(), agent.value(u"tmux_session"_s).toString()));
    // A second live agent of the same name: 409.
    const QString before = counts();
    r = call("POST", u"/api/v1/agents"_s, R"({"type":"dev","profile":"fake","name":"api-worker"})");
    QVERIFY2(r.status == 409, r.describe().constData());
    QCOMPARE(r.code(), u"conflict"_s);
    QCOMPARE(counts(), before);

    const QJsonObject idle = waitAgent(
        agentId, [](const QJsonObject &a) { return a.value(u"status"_s).toString() == u"idle"_s; });
    QCOMPARE(idle.value(u"status"_s).toString(), u"idle"_s);
    r = call("GET", u"/api/v1/agents?status=idle"_s);
    QCOMPARE(r.status, 200);
    QVERIFY(hasId(r.array(), agentId));
    r = call("GET", u"/api/v1/agents?status=stopped"_s);
    QCOMPARE(r.status, 200);
    QVERIFY(!hasId(r.array(), agentId));

    // A task, followed through the event stream to its result.
    r = call(
        "POST", u"/api/v1/tasks"_s, R"({"prompt":"hello api","title":"greeting","priority":5})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QJsonObject task = r.object();
    const QString taskId = task.value(u"id"_s).toString();
    QVERIFY(!QUuid::fromString(taskId).isNull());
    QCOMPARE(task.value(u"status"_s).toString(), u"queued"_s);
    QCOMPARE(task.value(u"agent_type"_s).toString(), u"dev"_s);
    QCOMPARE(task.value(u"priority"_s).toInt(), 5);
    QCOMPARE(task.value(u"max_attempts"_s).toInt(), 3);
    QCOMPARE(task.value(u"result"_s), QJsonValue(QJsonValue::Null));
    for (const char *field : {"id",
                              "title",
                              "prompt",
                              "agent_type",
                              "priority",
                              "status",
                              "agent_id",
                              "depends_on",
                              "attempts",
                              "max_attempts",
                              "created_at",
                              "started_at",
                              "finished_at",
                              "result"})
        QVERIFY2(task.contains(QLatin1StringView(field)), field);

    auto eventsOf = [&events](const QString &id) {
        QList<QJsonObject> out;
        for (const QJsonObject &e : std::as_const(events))
            if (e.value(u"task"_s).toObject().value(u"id"_s).toString() == id)
                out << e;
        return out;
    };
    QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(taskId).isEmpty()
                                 && eventsOf(taskId).last().value(u"type"_s).toString()
                                        == u"task.succeeded"_s,
                             30000);
    QStringList types;
    qint64 seq = 0;
    for (const QJsonObject &e : eventsOf(taskId)) {
        types << e.value(u"type"_s).toString();
        QVERIFY(e.value(u"seq"_s).toInteger() > seq);
        seq = e.value(u"seq"_s).toInteger();
        QVERIFY(!e.value(u"at"_s).toString().isEmpty());
    }
    QCOMPARE(types,
             (QStringList{
                 u"task.created"_s, u"task.assigned"_s, u"task.started"_s, u"task.succeeded"_s}));
    const QJsonObject result
        = eventsOf(taskId).last().value(u"task"_s).toObject().value(u"result"_s).toObject();
    QCOMPARE(result.value(u"exit_code"_s).toInt(), 0);
    QVERIFY2(result.value(u"output"_s).toString().contains(u"PROMPT:hello api"_s),
             qPrintable(result.value(u"output"_s).toString()));
    QVERIFY(result.contains(u"duration_ms"_s) && result.contains(u"cost_usd"_s));
    // The agent's own events reached the stream too.
    QVERIFY(std::any_of(events.cbegin(), events.cend(), [&](const QJsonObject &e) {
        return e.value(u"type"_s).toString() == u"agent.spawned"_s
               && e.value(u"agent"_s).toObject().value(u"id"_s).toString() == agentId;
    }));

    r = call("GET", u"/api/v1/tasks/"_s + taskId);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"succeeded"_s);
    QCOMPARE(r.object().value(u"agent_id"_s).toString(), agentId);
    QVERIFY(r.object().value(u"result"_s).isObject());
    r = call("GET", u"/api/v1/tasks?status=succeeded&agent_type=dev&limit=1"_s);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.array().size(), 1);
    QCOMPARE(r.array().first().toObject().value(u"id"_s).toString(), taskId);

    // Its pane.
    r = call("GET", u"/api/v1/agents/%1/output?lines=100"_s.arg(agentId));
    QCOMPARE(r.status, 200);
    QVERIFY2(r.object().value(u"text"_s).toString().contains(u"PROMPT:hello api"_s),
             r.body.constData());

    // A dependency chain through the API.
    r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":"first sleep=1"})");
    const QString first = r.object().value(u"id"_s).toString();
    r = call(
        "POST",
        u"/api/v1/tasks"_s,
        QJsonDocument(QJsonObject{{u"prompt"_s, u"second"_s}, {u"depends_on"_s, QJsonArray{first}}})
            .toJson());
    QVERIFY2(r.status == 201, r.describe().constData());
    QCOMPARE(r.object().value(u"status"_s).toString(), u"blocked"_s);
    QCOMPARE(r.object().value(u"depends_on"_s).toArray(), QJsonArray{first});
    const QJsonObject second
        = waitTask(r.object().value(u"id"_s).toString(), [](const QJsonObject &t) {
              return t.value(u"status"_s).toString() == u"succeeded"_s
                     || t.value(u"status"_s).toString() == u"failed"_s;
          });
    QCOMPARE(second.value(u"status"_s).toString(), u"succeeded"_s);

    // Kill: 204, its session gone, the stream says so.
    r = call("DELETE", u"/api/v1/agents/"_s + agentId);
    QVERIFY2(r.status == 204, r.describe().constData());
    QVERIFY(r.body.isEmpty());
    QVERIFY(!tmuxHasSession(m_fx->tmuxSocket(), agent.value(u"tmux_session"_s).toString()));
    r = call("GET", u"/api/v1/agents/"_s + agentId);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"stopped"_s);
    QTRY_VERIFY_WITH_TIMEOUT(
        std::any_of(events.cbegin(),
                    events.cend(),
                    [&](const QJsonObject &e) {
                        return e.value(u"type"_s).toString() == u"agent.killed"_s
                               && e.value(u"agent"_s).toObject().value(u"id"_s).toString()
                                      == agentId;
                    }),
        5000);
    // Reading a stopped agent's pane is a conflict, not a crash.
    r = call("GET", u"/api/v1/agents/%1/output"_s.arg(agentId));
    QCOMPARE(r.status, 409);
}

void tst_Api::cancelRetryAndConflicts()
{
    Reply r = call("POST", u"/api/v1/agents"_s, R"({"type":"slow","profile":"fake"})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString agentId = r.object().value(u"id"_s).toString();
    r = call("POST",
             u"/api/v1/tasks"_s,
             R"({"prompt":"long sleep=60","agent_type":"slow","max_attempts":1})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString taskId = r.object().value(u"id"_s).toString();
    const QJsonObject running = waitTask(taskId, [](const QJsonObject &t) {
        return t.value(u"status"_s).toString() == u"running"_s;
    });
    QCOMPARE(running.value(u"status"_s).toString(), u"running"_s);

    // Retrying a running task: 409, and nothing changed.
    QString before = counts();
    r = call("POST", u"/api/v1/tasks/%1/retry"_s.arg(taskId));
    QVERIFY2(r.status == 409, r.describe().constData());
    QCOMPARE(r.code(), u"conflict"_s);
    QVERIFY2(r.message().contains(u"running"_s), qPrintable(r.message()));
    QCOMPARE(counts(), before);
    QCOMPARE(
        waitTask(taskId, [](const QJsonObject &) { return true; }).value(u"status"_s).toString(),
        u"running"_s);

    // Cancel stops it; cancelling again is the same answer.
    r = call("DELETE", u"/api/v1/tasks/"_s + taskId);
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"status"_s).toString(), u"cancelled"_s);
    r = call("DELETE", u"/api/v1/tasks/"_s + taskId);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"cancelled"_s);
    const QJsonObject freed = waitAgent(
        agentId,
        [](const QJsonObject &a) { return a.value(u"status"_s).toString() == u"idle"_s; },
        15000);
    QCOMPARE(freed.value(u"status"_s).toString(), u"idle"_s);

    // Retry brings it back to the queue.
    r = call("POST", u"/api/v1/tasks/%1/retry"_s.arg(taskId));
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"status"_s).toString(), u"queued"_s);
    QCOMPARE(r.object().value(u"attempts"_s).toInt(), 0);
    waitTask(taskId,
             [](const QJsonObject &t) { return t.value(u"status"_s).toString() == u"running"_s; });
    r = call("DELETE", u"/api/v1/tasks/"_s + taskId);
    QCOMPARE(r.status, 200);

    // A succeeded task can be neither cancelled nor retried.
    r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":"quick","agent_type":"slow"})");
    const QString quick = r.object().value(u"id"_s).toString();
    QCOMPARE(waitTask(quick,
                      [](const QJsonObject &t) {
                          return t.value(u"status"_s).toString() == u"succeeded"_s;
                      })
                 .value(u"status"_s)
                 .toString(),
             u"succeeded"_s);
    before = counts();
    r = call("DELETE", u"/api/v1/tasks/"_s + quick);
    QCOMPARE(r.status, 409);
    QCOMPARE(r.code(), u"conflict"_s);
    r = call("POST", u"/api/v1/tasks/%1/retry"_s.arg(quick));
    QCOMPARE(r.status, 409);
    QCOMPARE(counts(), before);
    QCOMPARE(call("DELETE", u"/api/v1/agents/"_s + agentId).status, 204);
}

void tst_Api::interactiveAgentOverUnixSocket()
{
    Reply r = unixCall(
        "POST", u"/api/v1/agents"_s, R"({"type":"chat","profile":"fake-i","interactive":true})");
    QVERIFY2(r.status == 201, r.describe().constData());
    const QJsonObject agent = r.object();
    const QString id = agent.value(u"id"_s).toString();
    QCOMPARE(agent.value(u"interactive"_s), QJsonValue(true));
    QVERIFY(tmuxHasSession(m_fx->tmuxSocket(), agent.value(u"tmux_session"_s).toString()));
    const QString outputPath = u"/api/v1/agents/%1/output?lines=50"_s.arg(id);
    QString pane;
    auto paneShows = [&](const QString &expected) {
        pane = unixCall("GET", outputPath).object().value(u"text"_s).toString();
        return pane.contains(expected);
    };
    QTRY_VERIFY2_WITH_TIMEOUT(paneShows(u"fake-agent ready"_s), qPrintable(pane), 30000);

    r = unixCall("POST",
                 u"/api/v1/agents/%1/input"_s.arg(id),
                 R"({"text":"hello from the api","enter":true})");
    QVERIFY2(r.status == 202, r.describe().constData());
    QTRY_VERIFY2_WITH_TIMEOUT(paneShows(u"working on: hello from the api"_s), qPrintable(pane), 30000);

    // Typed literally: nothing in it is run by a shell.
    const QString marker = m_fx->path(u"typed-pwned"_s);
    const QString text
        = u"$(touch %1); `touch %1` && echo 'q' \"dq\" ~ * #{session_name}"_s.arg(marker);
    r = unixCall("POST",
                 u"/api/v1/agents/%1/input"_s.arg(id),
                 QJsonDocument(QJsonObject{{u"text"_s, text}, {u"enter"_s, true}}).toJson());
    QCOMPARE(r.status, 202);
    QTRY_VERIFY2_WITH_TIMEOUT(paneShows(u"working on: "_s + text), qPrintable(pane), 30000);
    QVERIFY(!QFile::exists(marker));

    // The same agent is there over TCP too; then it is killed over the Unix socket.
    QCOMPARE(call("GET", u"/api/v1/agents/"_s + id).status, 200);
    r = unixCall("DELETE", u"/api/v1/agents/"_s + id);
    QCOMPARE(r.status, 204);
    QVERIFY(!tmuxHasSession(m_fx->tmuxSocket(), agent.value(u"tmux_session"_s).toString()));
    r = unixCall(
        "POST", u"/api/v1/agents/%1/input"_s.arg(id), R"({"text":"anyone?","enter":true})");
    QCOMPARE(r.status, 409);
    QCOMPARE(r.code(), u"conflict"_s);
}

void tst_Api::regeneratedTokenCountsAtOnce()
{
    const QString old = m_api->token();
    auto fresh = ApiServer::regenerateToken(m_fx->dir());
    QVERIFY_OK(fresh);
    QTRY_COMPARE_WITH_TIMEOUT(m_api->token(), *fresh, 5000);
    Reply r
        = call("GET", u"/api/v1/agents"_s, {}, "Authorization: Bearer " + old.toLatin1(), false);
    QCOMPARE(r.status, 401);
    r = call("GET", u"/api/v1/agents"_s);
    QCOMPARE(r.status, 200);
}

void tst_Api::connectionLimits()
{
    QTemporaryDir dir(qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath()) + u"/lim-XXXXXX"_s);
    QVERIFY(dir.isValid());
    ApiServer::Options o;
    o.port = 0;
    o.dataDir = dir.path();
    o.maxConnections = 3;
    o.maxWebSocketClients = 1;
    ApiServer small(o, m_engine.get());
    auto url = await(small.start());
    QVERIFY_OK(url);
    const quint16 port = quint16(small.port());
    QVERIFY(port != m_api->port());

    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 3; ++i) {
        held.push_back(std::make_unique<QTcpSocket>());
        held.back()->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(held.back()->waitForConnected(2000));
    }
    // Once the server has taken the three, a fourth is answered 503 and closed.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            if (!probe.waitForConnected(2000))
                return false;
            const Reply r = readResponse(
                &probe,
                [&probe] { return probe.state() == QAbstractSocket::ConnectedState; },
                3000);
            return r.status == 503 && r.code() == u"too_many_connections"_s;
        }(),
        10000);
    // The held ones still work.
    held.front()->write(requestText("GET", u"/api/v1/health"_s, {}, {}));
    QCOMPARE(readResponse(held.front().get(),
                          [&] { return held.front()->state() == QAbstractSocket::ConnectedState; })
                 .status,
             200);
    // Room again once one goes.
    held.pop_back();
    QTRY_VERIFY_WITH_TIMEOUT(
        tcpRaw(requestText("GET", u"/api/v1/health"_s, {}, "Connection: close\r\n"), port).status
            == 200,
        10000);
    held.clear();
    small.stop();
    QVERIFY(!QFile::exists(small.socketPath()));

    // WebSocket clients: one at a time here.
    o.maxConnections = 256;
    ApiServer one(o, m_engine.get());
    url = await(one.start());
    QVERIFY_OK(url);
    const quint16 onePort = quint16(one.port());
    const QByteArray token = one.token().toLatin1();
    QUrl wsUrl(*url + u"/api/v1/events"_s);
    wsUrl.setScheme(u"ws"_s);
    QNetworkRequest req(wsUrl);
    req.setRawHeader("Authorization", "Bearer " + token);
    QWebSocket first;
    first.open(req);
    QTRY_COMPARE_WITH_TIMEOUT(first.state(), QAbstractSocket::ConnectedState, 5000);
    const QByteArray upgrade
        = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nAuthorization: Bearer "
          + token + "\r\n";
    Reply r = tcpRaw(requestText("GET", u"/api/v1/events"_s, {}, upgrade), onePort);
    QVERIFY2(r.status == 503, r.describe().constData());
    QCOMPARE(r.code(), u"too_many_connections"_s);
    QVERIFY2(r.message().contains(u"WebSocket"_s), qPrintable(r.message()));
    first.close();
    QTRY_VERIFY_WITH_TIMEOUT(
        tcpRaw(requestText("GET", u"/api/v1/events"_s, {}, upgrade), onePort).status == 101, 10000);
    one.stop();
}

void tst_Api::slowWebSocketClientIsDropped()
{
    QTemporaryDir dir(qEnvironmentVariable("HIVE_TEST_ROOT", QDir::tempPath()) + u"/slow-XXXXXX"_s);
    QVERIFY(dir.isValid());
    ApiServer::Options o;
    o.port = 0;
    o.dataDir = dir.path();
    o.maxWebSocketBacklogBytes = 256 * 1024;
    ApiServer api(o, m_engine.get());
    auto url = await(api.start());
    QVERIFY_OK(url);

    // A reader that keeps up, and a client that stops reading after its handshake.
    QList<QJsonObject> fast;
    QUrl wsUrl(*url + u"/api/v1/events"_s);
    wsUrl.setScheme(u"ws"_s);
    QNetworkRequest req(wsUrl);
    req.setRawHeader("Authorization", "Bearer " + api.token().toLatin1());
    QWebSocket reader;
    connect(&reader, &QWebSocket::textMessageReceived, this, [&fast](const QString &m) {
        fast << QJsonDocument::fromJson(m.toUtf8()).object();
    });
    reader.open(req);
    QTRY_COMPARE_WITH_TIMEOUT(reader.state(), QAbstractSocket::ConnectedState, 5000);

    QTcpSocket slow;
    slow.connectToHost(QHostAddress::LocalHost, quint16(api.port()));
    QVERIFY(slow.waitForConnected(2000));
    slow.write(
        requestText("GET",
                    u"/api/v1/events?token="_s + api.token(),
                    {},
                    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
    QByteArray handshake;
    QTRY_VERIFY_WITH_TIMEOUT((handshake += slow.readAll()).contains("\r\n\r\n"), 5000);
    QVERIFY2(handshake.startsWith("HTTP/1.1 101"), handshake.constData());
    handshake.remove(0, handshake.indexOf("\r\n\r\n") + 4);
    slow.setReadBufferSize(4096); // from now on Qt stops reading once 4 KiB wait

    // 16 MB of events: more than the kernel's buffers and the backlog allowance together.
    const int n = 160;
    const QString bulk(100 * 1024, u'x');
    QStringList ids;
    for (int i = 0; i < n; ++i) {
        Task t;
        t.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
        t.prompt = bulk + QString::number(i);
        t.agentType = u"nobody"_s;
        auto made = await(m_engine->createTask(t));
        QVERIFY_OK(made);
        ids << t.id;
    }
    auto created = [&fast](const QString &id) {
        return std::any_of(fast.cbegin(), fast.cend(), [&](const QJsonObject &e) {
            return e.value(u"type"_s).toString() == u"task.created"_s
                   && e.value(u"task"_s).toObject().value(u"id"_s).toString() == id;
        });
    };
    // The reader got every one of them, in order.
    QTRY_VERIFY_WITH_TIMEOUT(created(ids.last()), 60000);
    for (const QString &id : std::as_const(ids))
        QVERIFY(created(id));
    // The slow one was dropped: once it reads again it finds the stream cut short.
    slow.setReadBufferSize(0);
    QByteArray buf = handshake;
    int received = 0;
    bool closeFrame = false;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            buf += slow.readAll();
            for (const auto &[opcode, payload] : takeFrames(buf)) {
                if (opcode == 0x1)
                    ++received;
                if (opcode == 0x8)
                    closeFrame = true;
            }
            return slow.state() == QAbstractSocket::UnconnectedState;
        }(),
        30000);
    QVERIFY2(
        received < n,
        qPrintable(u"received %1 of %2, close frame: %3"_s.arg(received).arg(n).arg(closeFrame)));
    QCOMPARE(reader.state(), QAbstractSocket::ConnectedState);
    for (const QString &id : std::as_const(ids))
        QCOMPARE(await(m_engine->cancelTask(id))->status, Task::Status::Cancelled);
    api.stop();
}

void tst_Api::outagesAnswer503()
{
    // Redis away: state changes are refused and say why; reads still work.
    QVERIFY_OK(m_fx->redis().stop());
    QTRY_VERIFY_WITH_TIMEOUT(
        call("GET", u"/api/v1/health"_s, {}, {}, false).object().value(u"redis"_s)
            == QJsonValue(false),
        15000);
    Reply r = call("GET", u"/api/v1/health"_s, {}, {}, false);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"status"_s).toString(), u"degraded"_s);
    QString before = counts();
    r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":"while redis is away"})");
    QVERIFY2(r.status == 503, r.describe().constData());
    QCOMPARE(r.code(), u"unavailable"_s);
    QVERIFY2(r.message().contains(u"Redis"_s), qPrintable(r.message()));
    r = call("POST", u"/api/v1/agents"_s, R"({"type":"dev","profile":"fake"})");
    QCOMPARE(r.status, 503);
    QCOMPARE(counts(), before);
    QCOMPARE(call("GET", u"/api/v1/tasks?limit=1"_s).status, 200);
    QVERIFY_OK(m_fx->redis().start());
    QTRY_VERIFY_WITH_TIMEOUT(
        call("GET", u"/api/v1/health"_s, {}, {}, false).object().value(u"status"_s)
            == QJsonValue(u"ok"_s),
        20000);

    // PostgreSQL away: every call that needs it is 503 and names it.
    QVERIFY_OK(m_fx->postgres().stop());
    r = call("GET", u"/api/v1/tasks"_s);
    QVERIFY2(r.status == 503, r.describe().constData());
    QCOMPARE(r.code(), u"unavailable"_s);
    QVERIFY2(r.message().contains(u"PostgreSQL"_s), qPrintable(r.message()));
    r = call("POST", u"/api/v1/tasks"_s, R"({"prompt":"while postgres is away"})");
    QCOMPARE(r.status, 503);
    QVERIFY2(r.message().contains(u"PostgreSQL"_s), qPrintable(r.message()));
    r = call("GET", u"/api/v1/health"_s, {}, {}, false);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"postgres"_s), QJsonValue(false));
    QCOMPARE(r.object().value(u"status"_s).toString(), u"degraded"_s);
    QVERIFY_OK(m_fx->postgres().start());
    QTRY_VERIFY_WITH_TIMEOUT(
        call("GET", u"/api/v1/health"_s, {}, {}, false).object().value(u"status"_s)
            == QJsonValue(u"ok"_s),
        20000);
    QSqlDatabase::database(u"probe"_s).close();
    QVERIFY(QSqlDatabase::database(u"probe"_s).open());
    QCOMPARE(counts(), before);
}

void tst_Api::headlessBinaryServesTheApi()
{
    // The real executable as `make run` starts it with no display: its own PostgreSQL and Redis.
    Test::HiveFixture fx(0);
    QVERIFY_OK(fx.start());
    const QString dataDir = fx.path(u"data"_s);
    writeProfile(dataDir, u"fake"_s, {Test::HiveFixture::fakeAgent(), u"{prompt}"_s}, false);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(u"DISPLAY"_s);
    env.remove(u"WAYLAND_DISPLAY"_s);
    QProcess app;
    app.setProcessEnvironment(env);
    app.setProcessChannelMode(QProcess::MergedChannels);
    app.start(Test::HiveFixture::binDir() + u"/agenthive"_s,
              {u"--headless"_s,
               u"--data-dir"_s,
               dataDir,
               u"--api-port"_s,
               u"0"_s,
               u"--tmux-socket"_s,
               fx.tmuxSocket()});
    QVERIFY2(app.waitForStarted(10000), qPrintable(app.errorString()));
    QByteArray log;
    QTRY_VERIFY_WITH_TIMEOUT(
        (log += app.readAll()).contains("is ready") || app.state() == QProcess::NotRunning, 90000);
    QVERIFY2(app.state() == QProcess::Running, log.constData());
    QFile portFile(dataDir + u"/api-port"_s);
    QVERIFY(portFile.open(QIODevice::ReadOnly));
    const quint16 port = quint16(portFile.readAll().trimmed().toUInt());
    QVERIFY(port > 0);
    // The log says where it listens and where the token is.
    QVERIFY2(
        log.contains(QByteArray("API listening on http://127.0.0.1:" + QByteArray::number(port))),
        log.constData());
    QVERIFY2(log.contains((dataDir + u"/api-token"_s).toUtf8()), log.constData());
    QFile tokenFile(dataDir + u"/api-token"_s);
    QVERIFY(tokenFile.open(QIODevice::ReadOnly));
    const QByteArray token = tokenFile.readAll().trimmed();

    Reply r = tcpRaw(requestText("GET", u"/api/v1/health"_s, {}, "Connection: close\r\n"), port);
    QVERIFY2(r.status == 200, r.describe().constData());
    QCOMPARE(r.object().value(u"status"_s).toString(), u"ok"_s);
    const QByteArray auth = "Authorization: Bearer " + token + "\r\nConnection: close\r\n";
    r = tcpRaw(requestText("POST", u"/api/v1/agents"_s, R"({"type":"e2e","profile":"fake"})", auth),
               port);
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString agentId = r.object().value(u"id"_s).toString();
    r = unixCall("POST",
                 u"/api/v1/tasks"_s,
                 R"({"prompt":"end to end","agent_type":"e2e"})",
                 {},
                 dataDir + u"/api.sock"_s);
    QVERIFY2(r.status == 201, r.describe().constData());
    const QString taskId = r.object().value(u"id"_s).toString();
    QTRY_VERIFY_WITH_TIMEOUT(
        unixCall("GET", u"/api/v1/tasks/"_s + taskId, {}, {}, dataDir + u"/api.sock"_s)
                .object()
                .value(u"status"_s)
            == QJsonValue(u"succeeded"_s),
        60000);
    r = tcpRaw(requestText("DELETE", u"/api/v1/agents/"_s + agentId, {}, auth), port);
    QCOMPARE(r.status, 204);

    app.terminate();
    QVERIFY(app.waitForFinished(30000));
    QCOMPARE(app.exitCode(), 0);
    QVERIFY(!QFile::exists(dataDir + u"/api.sock"_s));
    QVERIFY(!QFile::exists(dataDir + u"/api-port"_s));
}

QTEST_GUILESS_MAIN(tst_Api)
#include "tst_api.moc"
