// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/apiauth.h"

#include <QHttpHeaders>
#include <QTest>
#include <QUrlQuery>

using namespace Qt::StringLiterals;
using namespace Hive;

namespace {

const QByteArray kToken = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

using Headers = QList<std::pair<QByteArray, QByteArray>>;

QHttpHeaders headersOf(const Headers &list)
{
    QHttpHeaders h;
    for (const auto &[name, value] : list)
        h.append(name, value);
    return h;
}

} // namespace

// The rules of who gets into the API (../shared/API.md), without a socket: Host, Origin, the
// bearer token and the WebSocket's ?token=.
class tst_ApiAuth : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allowedHost_data();
    void allowedHost();
    void constantTimeEquals_data();
    void constantTimeEquals();
    void refusal_data();
    void refusal();
    void webSocketRefusal_data();
    void webSocketRefusal();
};

void tst_ApiAuth::allowedHost_data()
{
    QTest::addColumn<QByteArray>("host");
    QTest::addColumn<bool>("allowed");

    QTest::newRow("localhost") << QByteArray("localhost") << true;
    QTest::newRow("localhost:8000") << QByteArray("localhost:8000") << true;
    QTest::newRow("LOCALHOST:8000") << QByteArray("LOCALHOST:8000") << true;
    QTest::newRow("127.0.0.1") << QByteArray("127.0.0.1") << true;
    QTest::newRow("127.0.0.1:1") << QByteArray("127.0.0.1:1") << true;
    QTest::newRow("127.0.0.1:65535") << QByteArray("127.0.0.1:65535") << true;
    QTest::newRow("[::1]") << QByteArray("[::1]") << true;
    QTest::newRow("[::1]:8000") << QByteArray("[::1]:8000") << true;
    QTest::newRow("spaces around") << QByteArray(" localhost:8000 ") << true;

    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("blank") << QByteArray("  ") << false;
    QTest::newRow("evil.com") << QByteArray("evil.com") << false;
    QTest::newRow("evil.com:8000") << QByteArray("evil.com:8000") << false;
    QTest::newRow("localhost.evil.com") << QByteArray("localhost.evil.com") << false;
    QTest::newRow("127.0.0.1.evil.com") << QByteArray("127.0.0.1.evil.com") << false;
    QTest::newRow("evil.com#localhost") << QByteArray("evil.com#localhost") << false;
    QTest::newRow("::1 unbracketed") << QByteArray("::1") << false;
    QTest::newRow("[::1 unclosed") << QByteArray("[::1") << false;
    QTest::newRow("[::1]x") << QByteArray("[::1]x") << false;
    QTest::newRow("[::2]") << QByteArray("[::2]") << false;
    QTest::newRow("0.0.0.0") << QByteArray("0.0.0.0") << false;
    QTest::newRow("127.0.0.2") << QByteArray("127.0.0.2") << false;
    QTest::newRow("empty port") << QByteArray("localhost:") << false;
    QTest::newRow("port +80") << QByteArray("localhost:+80") << false;
    QTest::newRow("port 65536") << QByteArray("localhost:65536") << false;
    QTest::newRow("port 123456") << QByteArray("127.0.0.1:123456") << false;
    QTest::newRow("port not a number") << QByteArray("localhost:http") << false;
    QTest::newRow("two ports") << QByteArray("localhost:80:80") << false;
    QTest::newRow("user info") << QByteArray("user@localhost") << false;
}

void tst_ApiAuth::allowedHost()
{
    QFETCH(QByteArray, host);
    QFETCH(bool, allowed);
    QCOMPARE(ApiAuth::isAllowedHost(host), allowed);
}

void tst_ApiAuth::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("presented");
    QTest::addColumn<QByteArray>("secret");
    QTest::addColumn<bool>("equal");
    QTest::addColumn<bool>("matches"); // tokenMatches: an empty secret matches nothing

    QTest::newRow("same") << kToken << kToken << true << true;
    QTest::newRow("last byte differs")
        << QByteArray(kToken).replace(63, 1, "0") << kToken << false << false;
    QTest::newRow("first byte differs")
        << QByteArray(kToken).replace(0, 1, "1") << kToken << false << false;
    QTest::newRow("prefix") << kToken.left(32) << kToken << false << false;
    QTest::newRow("longer") << kToken + "0" << kToken << false << false;
    QTest::newRow("trailing NUL") << kToken + QByteArray(1, '\0') << kToken << false << false;
    QTest::newRow("empty presented") << QByteArray() << kToken << false << false;
    QTest::newRow("empty both") << QByteArray() << QByteArray() << true << false;
    QTest::newRow("other case") << kToken.toUpper() << kToken << false << false;
}

void tst_ApiAuth::constantTimeEquals()
{
    QFETCH(QByteArray, presented);
    QFETCH(QByteArray, secret);
    QFETCH(bool, equal);
    QFETCH(bool, matches);
    QCOMPARE(ApiAuth::constantTimeEquals(presented, secret), equal);
    QCOMPARE(ApiAuth::tokenMatches(presented, secret), matches);
}

void tst_ApiAuth::refusal_data()
{
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<bool>("needsToken");
    QTest::addColumn<int>("status"); // 0: let in
    QTest::addColumn<QString>("mentions");

    const std::pair<QByteArray, QByteArray> host{"Host", "localhost:8000"};
    const std::pair<QByteArray, QByteArray> bearer{"Authorization", "Bearer " + kToken};

    QTest::newRow("right token") << Headers{host, bearer} << true << 0 << QString();
    QTest::newRow("scheme in any case")
        << Headers{host, {"Authorization", "bEaReR  " + kToken + " "}} << true << 0 << QString();
    QTest::newRow("no token needed (health)") << Headers{host} << false << 0 << QString();
    QTest::newRow("no token needed, wrong one sent")
        << Headers{host, {"Authorization", "Bearer nope"}} << false << 0 << QString();
    QTest::newRow("[::1] with token")
        << Headers{{"Host", "[::1]"}, bearer} << true << 0 << QString();

    QTest::newRow("token missing") << Headers{host} << true << 401 << u"missing bearer token"_s;
    QTest::newRow("token wrong") << Headers{host, {"Authorization", "Bearer " + kToken.left(63)}}
                                 << true << 401 << u"wrong bearer token"_s;
    QTest::newRow("empty bearer") << Headers{host, {"Authorization", "Bearer "}} << true << 401
                                  << u"missing bearer token"_s;
    QTest::newRow("basic scheme") << Headers{host, {"Authorization", "Basic " + kToken}} << true
                                  << 401 << u"missing bearer token"_s;
    QTest::newRow("two Authorization headers")
        << Headers{host, bearer, bearer} << true << 401 << u"missing bearer token"_s;

    QTest::newRow("Origin") << Headers{host, bearer, {"Origin", "http://localhost:8000"}} << true
                            << 403 << u"Origin"_s;
    QTest::newRow("Origin null") << Headers{host, {"Origin", "null"}} << false << 403
                                 << u"Origin"_s;
    QTest::newRow("Origin before token")
        << Headers{host, {"Origin", "https://evil.com"}} << true << 403 << u"Origin"_s;
    QTest::newRow("no Host") << Headers{bearer} << true << 403 << u"exactly one Host"_s;
    QTest::newRow("two Hosts") << Headers{host, {"Host", "localhost"}, bearer} << true << 403
                               << u"exactly one Host"_s;
    QTest::newRow("Host evil.com")
        << Headers{{"Host", "evil.com"}, bearer} << true << 403 << u"evil.com"_s;
    QTest::newRow("Host localhost.evil.com")
        << Headers{{"Host", "localhost.evil.com"}} << false << 403 << u"localhost.evil.com"_s;
    QTest::newRow("Host empty") << Headers{{"Host", ""}, bearer} << true << 403 << u"Host"_s;
}

void tst_ApiAuth::refusal()
{
    QFETCH(Headers, headers);
    QFETCH(bool, needsToken);
    QFETCH(int, status);
    QFETCH(QString, mentions);
    const auto e = ApiAuth::refusal(headersOf(headers), needsToken, kToken);
    if (status == 0) {
        QVERIFY2(!e, e ? qPrintable(e->message) : "");
        return;
    }
    QVERIFY(e);
    QCOMPARE(e->status, status);
    QCOMPARE(e->code, status == 401 ? u"unauthorized"_s : u"forbidden"_s);
    QVERIFY2(e->message.contains(mentions), qPrintable(e->message));
}

void tst_ApiAuth::webSocketRefusal_data()
{
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status"); // 0: let in
    QTest::addColumn<QString>("mentions");

    const std::pair<QByteArray, QByteArray> host{"Host", "127.0.0.1:8000"};
    const std::pair<QByteArray, QByteArray> bearer{"Authorization", "Bearer " + kToken};
    const QString right = u"token="_s + QString::fromLatin1(kToken);

    QTest::newRow("?token= right") << Headers{host} << right << 0 << QString();
    QTest::newRow("bearer right") << Headers{host, bearer} << QString() << 0 << QString();
    QTest::newRow("both right") << Headers{host, bearer} << right << 0 << QString();
    QTest::newRow("?token= percent-encoded")
        << Headers{host}
        << u"token=%1"_s.arg(QString::fromLatin1(kToken.toPercentEncoding("", "0123456789"))) << 0
        << QString();

    QTest::newRow("no token") << Headers{host} << QString() << 401 << u"missing token"_s;
    QTest::newRow("?token= wrong")
        << Headers{host} << u"token=0123456789abcdef"_s << 401 << u"wrong token"_s;
    QTest::newRow("?token= empty") << Headers{host} << u"token="_s << 401 << u"wrong token"_s;
    QTest::newRow("bearer wrong, ?token= right")
        << Headers{host, {"Authorization", "Bearer nope"}} << right << 401 << u"wrong token"_s;
    QTest::newRow("Origin") << Headers{host, {"Origin", "http://localhost"}} << right << 403
                            << u"Origin"_s;
    QTest::newRow("Host rebound") << Headers{{"Host", "rebound.example"}} << right << 403
                                  << u"rebound.example"_s;
}

void tst_ApiAuth::webSocketRefusal()
{
    QFETCH(Headers, headers);
    QFETCH(QString, query);
    QFETCH(int, status);
    QFETCH(QString, mentions);
    const auto e = ApiAuth::webSocketRefusal(headersOf(headers), QUrlQuery(query), kToken);
    if (status == 0) {
        QVERIFY2(!e, e ? qPrintable(e->message) : "");
        return;
    }
    QVERIFY(e);
    QCOMPARE(e->status, status);
    QVERIFY2(e->message.contains(mentions), qPrintable(e->message));
}

QTEST_GUILESS_MAIN(tst_ApiAuth)
#include "tst_apiauth.moc"
