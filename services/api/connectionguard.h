// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QHostAddress>
#include <QLocalServer>
#include <QObject>
#include <QPointer>
#include <QTcpServer>

class QIODevice;
class QTimer;

namespace Hive {

// What QHttpServer 6.8 does not bound by itself: how many connections are open at once (counted
// over the TCP and the Unix-socket listener together; beyond the limit a connection gets a 503 and
// is closed), and how big a request may grow before QHttpServer has buffered all of it.
// Lives in the API thread.
class ConnectionBudget : public QObject
{
    Q_OBJECT

public:
    ConnectionBudget(int maxConnections, qint64 maxBodyBytes, QObject *parent = nullptr);

    // Takes a freshly accepted socket: true when it may be served (a RequestGuard is attached);
    // false when it was refused (answered with 503 and closed; it deletes itself).
    bool admit(QIODevice *socket);
    int openConnections();
    qint64 maxBodyBytes() const { return m_maxBodyBytes; }
    // Writes out what is queued for the TCP connection from that peer port now. For answers that
    // QHttpServer follows with a close of its own (a refused WebSocket upgrade): it deletes the
    // socket right after, which would drop an answer still in the socket's buffer.
    void flushPeer(const QHostAddress &address, quint16 port);

private:
    int m_maxConnections;
    qint64 m_maxBodyBytes;
    QList<QPointer<QIODevice>> m_open;
};

// Watches one connection's incoming bytes before QHttpServer's parser does (its readyRead slot is
// connected first). It reads the head of each request with peek() and answers 413 by itself when
// Content-Length is over the limit, or when a request (chunked, or pipelined) grows past the limit
// plus room for the head; 431 when the head alone is too big. After such an answer the rest of the
// upload is read and dropped (so that the client sees the answer rather than a reset), then the
// connection is closed. It also closes the connection once the answer to a request that asked for
// it ("Connection: close", or HTTP/1.0 without keep-alive) is written: QHttpServer 6.8 does not.
class RequestGuard : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kMaxHeadBytes = 64 * 1024;

    RequestGuard(QIODevice *socket, qint64 maxBodyBytes);

private:
    void onReadyRead();
    void onBytesWritten();
    void checkHead();
    void refuse(int status);
    void drain();
    void closeConnection();

    QIODevice *m_socket;
    qint64 m_maxBody;
    qint64 m_requestBytes = 0; // bytes of the current request seen so far
    QByteArray m_head;         // the current request's head while it is incomplete
    bool m_headDone = false;
    bool m_refused = false;
    bool m_closeAfterAnswer = false;
    qint64 m_requestEnd
        = -1; // head + Content-Length of the current request; -1: not known (chunked)
    qint64 m_drainLeft = 0;
    QTimer *m_lingerTimer = nullptr;
};

class ApiTcpServer : public QTcpServer
{
    Q_OBJECT

public:
    ApiTcpServer(ConnectionBudget *budget, QObject *parent = nullptr);

protected:
    void incomingConnection(qintptr handle) override;

private:
    QPointer<ConnectionBudget> m_budget;
};

class ApiLocalServer : public QLocalServer
{
    Q_OBJECT

public:
    ApiLocalServer(ConnectionBudget *budget, QObject *parent = nullptr);

protected:
    void incomingConnection(quintptr descriptor) override;

private:
    QPointer<ConnectionBudget> m_budget;
};

} // namespace Hive
