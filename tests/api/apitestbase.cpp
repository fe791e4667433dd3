// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"

#include <QDir>
#include <QFile>
#include <QLocalSocket>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QUrl>
#include <QWebSocket>

using namespace Qt::StringLiterals;

namespace Hive::Test {

std::optional<ApiTestBase::Reply> ApiTestBase::takeResponse(QByteArray &buf)
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

ApiTestBase::Reply ApiTestBase::readResponse(QIODevice *device,
                                             const std::function<bool()> &open,
                                             int ms,
                                             QByteArray *pending)
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

QByteArray ApiTestBase::requestText(const QByteArray &method,
                                    const QString &path,
                                    const QByteArray &body,
                                    const QByteArray &headers,
                                    const QByteArray &host)
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

void ApiTestBase::writeProfile(const QString &dir,
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

bool ApiTestBase::hasId(const QJsonArray &list, const QString &id)
{
    for (const QJsonValue &v : list)
        if (v.toObject().value(u"id"_s).toString() == id)
            return true;
    return false;
}

bool ApiTestBase::tmuxHasSession(const QString &socket, const QString &session)
{
    QProcess p;
    p.start(u"tmux"_s, {u"-L"_s, socket, u"has-session"_s, u"-t"_s, u"="_s + session});
    p.waitForFinished(5000);
    return p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
}

QList<std::pair<int, QByteArray>> ApiTestBase::takeFrames(QByteArray &buf)
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

void ApiTestBase::startEngine()
{
    Engine::Options o = m_fx->engineOptions();
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

void ApiTestBase::initTestCase()
{
    m_fx = std::make_unique<HiveFixture>();
    QVERIFY_OK(m_fx->start());
    writeProfile(m_fx->dir(), u"fake"_s, {HiveFixture::fakeAgent(), u"{prompt}"_s}, false);
    writeProfile(m_fx->dir(), u"fake-i"_s, {HiveFixture::fakeAgent(), u"--interactive"_s}, true);
    startEngine();
    m_probe = std::make_unique<Database>(); // registered as "probe" for counts()
    QVERIFY_OK(m_probe->open(m_fx->databaseUrl(), u"probe"_s));
}

void ApiTestBase::init()
{
    if (!m_engine)
        startEngine();
}

void ApiTestBase::cleanupTestCase()
{
    if (m_api)
        m_api->stop();
    m_api.reset();
    m_engine.reset();
    m_probe.reset();
    m_fx.reset();
}

ApiTestBase::Reply ApiTestBase::call(const QByteArray &method,
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

ApiTestBase::Reply ApiTestBase::unixCall(const QByteArray &method,
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

ApiTestBase::Reply ApiTestBase::tcpRaw(const QByteArray &request, quint16 port)
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

QString ApiTestBase::counts()
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

QJsonObject ApiTestBase::waitTask(const QString &id,
                                  const std::function<bool(const QJsonObject &)> &until,
                                  int ms)
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

QJsonObject ApiTestBase::waitAgent(const QString &id,
                                   const std::function<bool(const QJsonObject &)> &until,
                                   int ms)
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

QWebSocket *ApiTestBase::openEvents(QList<QJsonObject> *into, const QString &query, bool bearer)
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

} // namespace Hive::Test
