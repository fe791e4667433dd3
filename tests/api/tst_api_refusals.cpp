// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "tests/api/apitestbase.h"
#include "tests/api/refusalrows.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

// Every refusal of a request (see ApiTestBase; the rows are in refusalrows_*.cpp): its status and
// code, over QNetworkAccessManager and again over a fresh raw connection, and nothing changed in
// PostgreSQL.
class tst_ApiRefusals : public Test::ApiTestBase
{
    Q_OBJECT

private Q_SLOTS:
    void refusals_data();
    void refusals();
};

void tst_ApiRefusals::refusals_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<bool>("token");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("mentions");

    Test::addWhoGetsInRefusals();
    Test::addBodyRefusals();
    Test::addValueRefusals();
    Test::addPathRefusals();
}

void tst_ApiRefusals::refusals()
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

QTEST_GUILESS_MAIN(tst_ApiRefusals)
#include "tst_api_refusals.moc"
