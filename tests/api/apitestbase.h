// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apiserver.h"
#include "services/engine.h"
#include "services/store/database.h"
#include "tests/fixture/hivefixture.h"

#include <QByteArray>
#include <QDeadlineTimer>
#include <QFuture>
#include <QHash>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTest>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

class QWebSocket;

namespace Hive::Test {

// The shared set-up of the tst_api_* tests: the REST and WebSocket API against the real engine
// (PostgreSQL, Redis and tmux of the fixture, hive-runner with the fake agent CLI, the profiles
// "fake" and "fake-i"), reached over TCP with QNetworkAccessManager and QWebSocket and over the
// Unix socket with raw HTTP/1.1; counts() shows that a refusal changed nothing in PostgreSQL.
// QTest runs the private slots below for every test class derived from it.
class ApiTestBase : public QObject
{
    Q_OBJECT

public:
    // An id that names no agent and no task.
    static inline const QString kUnknownId = QStringLiteral("6f1c2d1e-0000-4000-8000-000000000001");

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

protected:
    struct Reply
    {
        int status = 0;
        QByteArray body;
        QHash<QByteArray, QByteArray> headers; // names in lower case

        QJsonObject object() const { return QJsonDocument::fromJson(body).object(); }
        QJsonArray array() const { return QJsonDocument::fromJson(body).array(); }
        QString code() const
        {
            return object().value(u"error").toObject().value(u"code").toString();
        }
        QString message() const
        {
            return object().value(u"error").toObject().value(u"message").toString();
        }
        QByteArray describe() const { return QByteArray::number(status) + ' ' + body.left(600); }
    };

    // One HTTP/1.1 response out of buf (interim 100 Continue skipped), once it is complete.
    static std::optional<Reply> takeResponse(QByteArray &buf);
    // Reads one response from a raw connection, processing events meanwhile (the engine's signals
    // reach the API through the main thread's event loop).
    static Reply readResponse(QIODevice *device,
                              const std::function<bool()> &open,
                              int ms = 30000,
                              QByteArray *pending = nullptr);
    static QByteArray requestText(const QByteArray &method,
                                  const QString &path,
                                  const QByteArray &body,
                                  const QByteArray &headers,
                                  const QByteArray &host = "localhost");
    template<typename T>
    static T await(QFuture<T> f, int ms = 30000)
    {
        QDeadlineTimer d(ms);
        while (!f.isFinished() && !d.hasExpired())
            QTest::qWait(5);
        if (!f.isFinished())
            qFatal("future did not finish");
        return f.result();
    }
    static void writeProfile(const QString &dir,
                             const QString &name,
                             const QStringList &command,
                             bool interactive);
    static bool hasId(const QJsonArray &list, const QString &id);
    static bool tmuxHasSession(const QString &socket, const QString &session);
    // The server's WebSocket frames (unmasked) in buf: the text of each complete one, and its
    // opcode.
    static QList<std::pair<int, QByteArray>> takeFrames(QByteArray &buf);

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

    std::unique_ptr<HiveFixture> m_fx;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiServer> m_api;
    std::unique_ptr<Database> m_probe;
    QString m_url;
    QNetworkAccessManager m_nam;
};

} // namespace Hive::Test
