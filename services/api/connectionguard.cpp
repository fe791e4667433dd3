// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/connectionguard.h"

#include "services/api/apierror.h"
#include "services/core/logging.h"

#include <QLocalSocket>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

auto log()
{
    return Logging::get("api");
}

// What is left of an upload after a refusal is read and dropped up to this much (so that the
// client reads the answer rather than a connection reset), then the connection is closed anyway.
constexpr qint64 kMaxDrainBytes = 16 * 1024 * 1024;
constexpr int kLingerMs = 5000;

void closeDevice(QIODevice *device)
{
    if (auto *tcp = qobject_cast<QTcpSocket *>(device))
        tcp->disconnectFromHost();
    else if (auto *local = qobject_cast<QLocalSocket *>(device))
        local->disconnectFromServer();
}

// Where the head of a request ends (after the blank line), or -1. Leading empty lines (left over
// from the previous request) do not count.
qsizetype headEnd(const QByteArray &data)
{
    qsizetype start = 0;
    while (start < data.size() && (data.at(start) == '\r' || data.at(start) == '\n'))
        ++start;
    const qsizetype crlf = data.indexOf("\r\n\r\n", start);
    const qsizetype lf = data.indexOf("\n\n", start);
    if (crlf >= 0 && (lf < 0 || crlf < lf))
        return crlf + 4;
    return lf >= 0 ? lf + 2 : -1;
}

// The largest Content-Length of a request head, or -1 when it has none (or it is not a number:
// QHttpServer then reads no body, so nothing grows).
qint64 contentLength(QByteArrayView head)
{
    qint64 length = -1;
    for (QByteArrayView line : QByteArray(head).split('\n')) {
        line = line.trimmed();
        constexpr QByteArrayView name = "content-length:";
        if (line.size() <= name.size()
            || line.first(name.size()).compare(name, Qt::CaseInsensitive) != 0)
            continue;
        bool ok = false;
        const qint64 v = line.sliced(name.size()).trimmed().toLongLong(&ok);
        if (ok)
            length = qMax(length, v);
        else
            length = std::numeric_limits<qint64>::max(); // unparsable: refuse rather than guess
    }
    return length;
}

// "Connection: close", or HTTP/1.0 without "Connection: keep-alive".
bool wantsClose(QByteArrayView head)
{
    const QList<QByteArray> lines = head.trimmed().toByteArray().toLower().split('\n');
    if (lines.isEmpty())
        return false;
    QList<QByteArray> tokens;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        if (line.startsWith("connection:"))
            for (const QByteArray &t : line.sliced(11).split(','))
                tokens << t.trimmed();
    }
    if (tokens.contains("close"))
        return true;
    return lines.first().trimmed().endsWith("http/1.0") && !tokens.contains("keep-alive");
}

} // namespace

ConnectionBudget::ConnectionBudget(int maxConnections, qint64 maxBodyBytes, QObject *parent)
    : QObject(parent)
    , m_maxConnections(maxConnections)
    , m_maxBodyBytes(maxBodyBytes)
{}

int ConnectionBudget::openConnections()
{
    m_open.removeIf([](const QPointer<QIODevice> &p) { return p.isNull(); });
    return int(m_open.size());
}

void ConnectionBudget::flushPeer(const QHostAddress &address, quint16 port)
{
    for (const QPointer<QIODevice> &p : std::as_const(m_open)) {
        auto *tcp = qobject_cast<QTcpSocket *>(p.data());
        if (tcp && tcp->peerPort() == port && tcp->peerAddress().isEqual(address)) {
            tcp->flush();
            return;
        }
    }
}

bool ConnectionBudget::admit(QIODevice *socket)
{
    if (openConnections() >= m_maxConnections) {
        log()->warn("refused a connection: {} are open (the limit)", m_maxConnections);
        const ApiError e{
            503,
            u"too_many_connections"_s,
            u"too many open connections (at most %1); try again later"_s.arg(m_maxConnections)};
        socket->write(e.toRawHttp());
        closeDevice(socket);
        if (auto *tcp = qobject_cast<QTcpSocket *>(socket))
            connect(tcp, &QTcpSocket::disconnected, tcp, &QObject::deleteLater);
        else if (auto *local = qobject_cast<QLocalSocket *>(socket))
            connect(local, &QLocalSocket::disconnected, local, &QObject::deleteLater);
        QTimer::singleShot(kLingerMs, socket, [socket] { socket->deleteLater(); });
        return false;
    }
    m_open << QPointer<QIODevice>(socket);
    new RequestGuard(socket, m_maxBodyBytes);
    return true;
}

RequestGuard::RequestGuard(QIODevice *socket, qint64 maxBodyBytes)
    : QObject(socket)
    , m_socket(socket)
    , m_maxBody(maxBodyBytes)
{
    // Connected before QHttpServer connects its own handler: this one sees every chunk first.
    connect(socket, &QIODevice::readyRead, this, &RequestGuard::onReadyRead);
    connect(socket, &QIODevice::bytesWritten, this, &RequestGuard::onBytesWritten);
}

void RequestGuard::onBytesWritten()
{
    // The request has come in completely (so this is not a "100 Continue") and its answer is out.
    if (m_closeAfterAnswer && !m_refused && m_requestEnd >= 0 && m_requestBytes >= m_requestEnd
        && m_socket->bytesToWrite() == 0)
        closeConnection();
}

void RequestGuard::onReadyRead()
{
    if (m_refused) {
        drain();
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    if (!m_socket->isTransactionStarted()) {
        // QHttpServer's parser is between requests (or busy answering one): everything unread
        // belongs to the next request(s).
        m_head = m_socket->peek(qMin(available, kMaxHeadBytes + 1));
        m_headDone = false;
        m_requestBytes = available;
    } else {
        // Inside a request: the parser has read everything before, so what is unread is new.
        if (!m_headDone)
            m_head += m_socket->peek(qMin(available, kMaxHeadBytes + 1 - m_head.size()));
        m_requestBytes += available;
    }
    if (!m_headDone)
        checkHead();
    if (!m_refused && m_requestBytes > m_maxBody + kMaxHeadBytes)
        refuse(413);
}

void RequestGuard::checkHead()
{
    const qsizetype end = headEnd(m_head);
    if (end < 0) {
        if (m_head.size() > kMaxHeadBytes)
            refuse(431);
        return;
    }
    m_headDone = true;
    m_closeAfterAnswer = wantsClose(QByteArrayView(m_head).first(end));
    const qint64 length = contentLength(QByteArrayView(m_head).first(end));
    const bool chunked
        = QByteArrayView(m_head).first(end).toByteArray().toLower().contains("transfer-encoding:");
    m_requestEnd = chunked || length > m_maxBody ? -1 : end + qMax<qint64>(length, 0);
    m_head.clear();
    if (length > m_maxBody) {
        // The whole request, head included, is what the client is going to send.
        m_drainLeft
            = length >= kMaxDrainBytes ? kMaxDrainBytes : qMin(length + end, kMaxDrainBytes);
        refuse(413);
    }
}

void RequestGuard::refuse(int status)
{
    m_refused = true;
    if (m_drainLeft <= 0)
        m_drainLeft = kMaxDrainBytes;
    const ApiError e
        = status == 413
              ? ApiError::tooLarge(m_maxBody)
              : ApiError{431,
                         u"header_too_large"_s,
                         u"the request head is larger than %1 bytes"_s.arg(kMaxHeadBytes)};
    log()->warn("refused a request with {}: {}", status, e.message);
    // Drop what is buffered (the parser never sees it), answer, then drain and close.
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_socket->skip(m_socket->bytesAvailable());
    m_socket->write(e.toRawHttp());
    m_lingerTimer = new QTimer(this);
    m_lingerTimer->setSingleShot(true);
    connect(m_lingerTimer, &QTimer::timeout, this, &RequestGuard::closeConnection);
    m_lingerTimer->start(kLingerMs);
    // Whatever the client has sent already counts against the drain allowance.
    m_drainLeft -= m_requestBytes;
    if (m_drainLeft <= 0)
        closeConnection();
}

void RequestGuard::drain()
{
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_drainLeft -= m_socket->skip(m_socket->bytesAvailable());
    if (m_drainLeft <= 0)
        closeConnection();
}

void RequestGuard::closeConnection()
{
    if (m_lingerTimer)
        m_lingerTimer->stop();
    closeDevice(m_socket);
}

ApiTcpServer::ApiTcpServer(ConnectionBudget *budget, QObject *parent)
    : QTcpServer(parent)
    , m_budget(budget)
{}

void ApiTcpServer::incomingConnection(qintptr handle)
{
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(handle)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (!m_budget || !m_budget->admit(socket))
        return;
    addPendingConnection(socket);
}

ApiLocalServer::ApiLocalServer(ConnectionBudget *budget, QObject *parent)
    : QLocalServer(parent)
    , m_budget(budget)
{}

void ApiLocalServer::incomingConnection(quintptr descriptor)
{
    auto *socket = new QLocalSocket(this);
    if (!socket->setSocketDescriptor(
            descriptor, QLocalSocket::ConnectedState, QIODevice::ReadWrite)) {
        delete socket;
        return;
    }
    if (!m_budget || !m_budget->admit(socket))
        return;
    addPendingConnection(socket);
}

} // namespace Hive
