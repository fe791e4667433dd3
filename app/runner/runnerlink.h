// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

namespace Hive {

// hive-runner's line to the app: HTTP/1.1 requests with JSON bodies to the app's API, over
// <data-dir>/api.sock (mode 0600, no token needed) or, for a runner on another host, over TCP
// (http://host:port, with the API token). Synchronous, with a deadline per request: the runner
// has nothing to keep responsive meanwhile but its command's output, which waits in its pipe.
// Plain POSIX sockets: no QtNetwork (the runner's memory is counted once per agent). One
// connection, kept alive between requests and closed by closeIdle() (the app's socket has a
// connection budget: 200 idle runners must not hold 200 connections).
//
// Errors: the app not reached, or no complete answer (it is down, restarting, or the link broke) →
// Unavailable with code "app_unreachable"; a 503 → Unavailable with the app's code
// ("postgres_unreachable" while the app's PostgreSQL is away); 404 → NotFound; 409 → Conflict;
// other 4xx → Invalid (code: the app's); the rest → Internal.
class RunnerLink
{
public:
    // url: "unix:/path/to/api.sock" or "http://host:port" (no path, no TLS).
    static Result<RunnerLink> make(const QString &url, const QByteArray &token = {});

    RunnerLink() = default;
    RunnerLink(RunnerLink &&other) noexcept;
    RunnerLink &operator=(RunnerLink &&other) noexcept;
    RunnerLink(const RunnerLink &) = delete;
    RunnerLink &operator=(const RunnerLink &) = delete;
    ~RunnerLink();

    Result<QJsonObject> get(const QByteArray &path);
    Result<QJsonObject> post(const QByteArray &path, const QJsonObject &body);
    // Any request, any JSON answer (a list too).
    Result<QJsonDocument>
    request(const QByteArray &method, const QByteArray &path, const QByteArray &body);
    void closeIdle(); // closes the kept-alive connection
    QString describe() const;

    int timeoutMs = 15000;

private:
    bool exchange(const QByteArray &request,
                  int *status,
                  QByteArray *answer,
                  QString *why,
                  bool *sentNothing);
    bool connectNow(QString *why);
    void closeSocket();

    QString m_socketPath; // unix
    QByteArray m_host;    // tcp
    quint16 m_port = 0;
    QByteArray m_token;
    int m_fd = -1;
};

} // namespace Hive
