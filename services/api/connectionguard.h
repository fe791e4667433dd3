// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apierror.h"

#include <QByteArray>
#include <QHostAddress>
#include <QHttpHeaders>
#include <QList>
#include <QLocalServer>
#include <QObject>
#include <QPointer>
#include <QTcpServer>

#include <functional>
#include <optional>

class QIODevice;
class QTimer;

namespace Hive {

class RequestGuard;

// The framing of one HTTP/1.x request, read strictly (RFC 9112) from the raw bytes, before
// QHttpServer 6.8's parser sees them. That parser is lenient in ways that let one request hide
// another (it takes the first of two Content-Length headers, prefers "chunked" when both are sent,
// reads a chunk size it cannot parse as 0, ignores trailers) or reach a path it did not mean
// (absolute-form targets): whatever this class accepts, that parser frames the same way.
// Refused: a request line that is not "METHOD /origin-form-path HTTP/1.1" (or HTTP/1.0), header
// names that are not tokens (so no space before the colon), folded lines, control characters
// (NUL, bare CR), more than one Content-Length or Transfer-Encoding, both together, a
// Transfer-Encoding other than "chunked", chunk sizes that are not hex or do not fit, chunks not
// followed by CRLF, and trailers: 400 (malformed_request). A Content-Length, a chunk or the sum of
// chunks over the body limit, or a request that grows past the limit plus room for its head: 413.
// A head over kMaxHeadBytes: 431.
class RequestFraming
{
public:
    static constexpr qint64 kMaxHeadBytes = 64 * 1024;

    explicit RequestFraming(qint64 maxBodyBytes);

    void reset(); // the next byte starts a new request
    // Reads the bytes that follow in the stream; stops at the end of the request (the rest belongs
    // to the next one) or at a refusal. The number of bytes that belonged to this request.
    qsizetype feed(QByteArrayView data);

    bool started() const { return m_seen > 0; } // a byte of this request has come
    bool headDone() const { return m_headDone; }
    bool complete() const { return m_stage == Stage::Done; }
    const std::optional<ApiError> &refusal() const { return m_refusal; }
    // What a refused request announced it would still send (a Content-Length over the limit).
    qint64 announcedBytes() const { return m_announced; }
    qint64 seenBytes() const { return m_seen; }

    // Valid once headDone().
    const QHttpHeaders &headers() const { return m_headers; }
    // "Connection: close", or HTTP/1.0 without "Connection: keep-alive".
    bool closeAfterAnswer() const { return m_closeAfterAnswer; }

private:
    enum class Stage { Start, Head, Body, ChunkSize, ChunkData, ChunkEnd, Trailer, Done, Refused };

    bool takeLine(QByteArrayView data, qsizetype &i, qsizetype limit);
    void headLine(QByteArrayView line);
    void requestLine(QByteArrayView line);
    void headerLine(QByteArrayView line);
    void headEnd();
    void chunkSizeLine(QByteArrayView line);
    void refuse(ApiError error);
    void malformed(const QString &message);

    qint64 m_maxBody;
    Stage m_stage = Stage::Start;
    qint64 m_seen = 0;      // bytes of this request so far
    qint64 m_headBytes = 0; // bytes of the head so far
    QByteArray m_line;      // the line being read (head, chunk size, trailer)
    bool m_requestLineDone = false;
    bool m_headDone = false;
    bool m_http10 = false;
    QHttpHeaders m_headers;
    bool m_closeAfterAnswer = false;
    qint64 m_left = 0;      // bytes left of the body or of the chunk
    qint64 m_bodyBytes = 0; // chunk data so far
    int m_chunkEnd = 0;     // bytes of the CRLF after a chunk seen
    qint64 m_announced = 0;
    std::optional<ApiError> m_refusal;
};

// What QHttpServer 6.8 does not bound by itself, for one listener (the TCP port and the Unix
// socket have one each, so that a flood on one never locks out the other): how many connections
// are open at once, how many of them may be unvetted, and how long a connection may take to send a
// request or sit idle (through the RequestGuard of each connection).
//
// "Vetted": the connection has sent a complete, well-formed request head with the right bearer
// token (TCP), or any complete well-formed head (the Unix socket, whose mode 0600 is its check), or
// became a WebSocket. All TCP clients are 127.0.0.1, so a cap per peer address means nothing, and
// who owns a loopback TCP connection is not known without /proc; what protects the clients that
// hold the token is that unvetted connections are bounded (maxUnvetted) and, when a newcomer needs
// their room, the oldest unvetted one is closed (503) to make it: idlers without the token cannot
// keep a client that has it out, and the timeouts close the rest.
// Lives in the API thread.
class ConnectionBudget : public QObject
{
    Q_OBJECT

public:
    struct Limits
    {
        int maxConnections = 256;
        int maxUnvetted = 64;
        qint64 maxBodyBytes = 1024 * 1024;
        // A request (head and body) must be complete this long after its first byte (after the
        // connection was accepted, for the first request): else 408 and closed. 0: never.
        int requestTimeoutMs = 10000;
        // A kept-alive connection without a request for this long is closed. 0: never.
        int idleTimeoutMs = 60000;
        // The token that vets a TCP connection; empty function: any good head vets (Unix socket).
        std::function<QByteArray()> token;
    };

    ConnectionBudget(const Limits &limits, const QString &name, QObject *parent = nullptr);

    // Takes a freshly accepted socket: true when it may be served (a RequestGuard is attached);
    // false when it was refused (answered with 503 and closed; it deletes itself).
    bool admit(QIODevice *socket, const std::function<int()> &readReceivers);
    int openConnections();
    int unvettedConnections();
    const Limits &limits() const { return m_limits; }
    // Writes out what is queued for the TCP connection from that peer port now. For answers that
    // QHttpServer follows with a close of its own (a refused WebSocket upgrade): it deletes the
    // socket right after, which would drop an answer still in the socket's buffer.
    void flushPeer(const QHostAddress &address, quint16 port);
    // The TCP connection from that peer port becomes a WebSocket (QHttpServer hands it over):
    // vetted, and no request or idle timeouts any more.
    void upgrading(const QHostAddress &address, quint16 port);

private:
    RequestGuard *guardOf(const QHostAddress &address, quint16 port);
    bool evictOldestUnvetted();
    void prune();

    Limits m_limits;
    QString m_name;
    QList<QPointer<RequestGuard>> m_guards; // oldest first
};

// Watches one connection's incoming bytes before QHttpServer's parser does (its readyRead slot is
// connected first): it frames each request strictly (RequestFraming) with peek() and answers a
// refusal by itself (then the rest of an upload is read and dropped, so that the client sees the
// answer rather than a reset, and the connection is closed). It runs the request and idle
// timeouts. It also closes the connection once the answer to a request that asked for it
// ("Connection: close", or HTTP/1.0 without keep-alive) is written: QHttpServer 6.8 does not.
//
// While QHttpServer answers a request it disconnects its readyRead handler (6.8): readReceivers()
// (how many slots the socket's readyRead has: 2 while the parser listens, 1 while it is busy)
// says which. Bytes that come while it is busy are the next requests: looked at once it listens
// again, and a refusal waits until its answer is out, so that answers stay in order.
class RequestGuard : public QObject
{
    Q_OBJECT

public:
    RequestGuard(QIODevice *socket,
                 ConnectionBudget *budget,
                 const std::function<int()> &readReceivers);

    QIODevice *socket() const { return m_socket; }
    bool isVetted() const { return m_vetted; }
    bool isClosing() const { return m_closing; }
    bool isRefused() const { return m_refused; } // answered with a refusal, being drained
    void evict(const ApiError &error); // answered (unless an answer is pending) and closed
    void upgrading();                  // becomes a WebSocket

private:
    enum class Wait { None, Request, Idle, Drain, Close };

    void onReadyRead();
    void onBytesWritten();
    void onTimeout();
    void scan(QByteArrayView data);
    void vet();
    void refuse(const ApiError &error, qint64 drainAllowance);
    void answerRefusal();
    void shutDownWrite();
    void drain();
    void closeConnection();
    bool parserBusy() const;
    void wait(Wait what); // (re)starts the timer for it

    QIODevice *m_socket;
    QPointer<ConnectionBudget> m_budget;
    std::function<int()> m_readReceivers;
    RequestFraming m_framing;
    bool m_vetted = false;
    bool m_upgraded = false;
    bool m_refused = false;
    bool m_closing = false;
    std::optional<ApiError> m_deferred; // a refusal waiting for the answer before it
    qint64 m_drainLeft = 0;
    bool m_shutDownAfterWrite = false; // once the refusal is written
    QTimer *m_timer;
    Wait m_wait = Wait::None;
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
