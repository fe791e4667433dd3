// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/connectionguard.h"

#include "services/api/apiauth.h"
#include "services/core/logging.h"

#include <QLocalSocket>
#include <QTcpSocket>
#include <QTimer>

#include <sys/socket.h>

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
// How long a refused connection is drained, and how long a closing one may take to go.
constexpr int kLingerMs = 5000;
constexpr qsizetype kMaxChunkLine = 1024;

// Sockets that can say how many slots their readyRead has (QObject::receivers is protected):
// RequestGuard tells from it whether QHttpServer's parser listens or is answering a request.
class ApiTcpSocket : public QTcpSocket
{
public:
    using QTcpSocket::QTcpSocket;
    int readReceivers() const { return receivers(SIGNAL(readyRead())); }
};

class ApiLocalSocket : public QLocalSocket
{
public:
    using QLocalSocket::QLocalSocket;
    int readReceivers() const { return receivers(SIGNAL(readyRead())); }
};

void closeDevice(QIODevice *device)
{
    if (auto *tcp = qobject_cast<QTcpSocket *>(device))
        tcp->disconnectFromHost();
    else if (auto *local = qobject_cast<QLocalSocket *>(device))
        local->disconnectFromServer();
}

void abortDevice(QIODevice *device)
{
    if (auto *tcp = qobject_cast<QTcpSocket *>(device))
        tcp->abort();
    else if (auto *local = qobject_cast<QLocalSocket *>(device))
        local->abort();
}

// RFC 9110 5.6.2: the characters of a token (method, header name).
bool isTchar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView s)
{
    return !s.isEmpty() && std::all_of(s.begin(), s.end(), isTchar);
}

bool isCtl(char c)
{
    return (uchar(c) < 0x20 && c != '\t') || uchar(c) == 0x7f;
}

bool isHex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

QByteArrayView trimOws(QByteArrayView s)
{
    while (!s.isEmpty() && (s.front() == ' ' || s.front() == '\t'))
        s = s.sliced(1);
    while (!s.isEmpty() && (s.back() == ' ' || s.back() == '\t'))
        s.chop(1);
    return s;
}

// For messages: at most 100 characters, anything but printable ASCII as \xNN.
QString printable(QByteArrayView s)
{
    QString out;
    for (const char c : s.first(qMin<qsizetype>(s.size(), 100))) {
        if (uchar(c) >= 0x20 && uchar(c) < 0x7f)
            out += QLatin1Char(c);
        else
            out += u"\\x%1"_s.arg(uint(uchar(c)), 2, 16, QLatin1Char('0'));
    }
    return s.size() > 100 ? out + u"…"_s : out;
}

ApiError headTooLarge()
{
    return {431,
            u"header_too_large"_s,
            u"the request head is larger than %1 bytes"_s.arg(RequestFraming::kMaxHeadBytes)};
}

} // namespace

// ---------------------------------------------------------------------------------------------
// RequestFraming

RequestFraming::RequestFraming(qint64 maxBodyBytes)
    : m_maxBody(maxBodyBytes)
{}

void RequestFraming::reset()
{
    *this = RequestFraming(m_maxBody);
}

void RequestFraming::refuse(ApiError error)
{
    m_refusal = std::move(error);
    m_stage = Stage::Refused;
}

void RequestFraming::malformed(const QString &message)
{
    refuse({400, u"malformed_request"_s, message});
}

qsizetype RequestFraming::feed(QByteArrayView data)
{
    qsizetype i = 0;
    const qsizetype n = data.size();
    while (i < n && m_stage != Stage::Done && m_stage != Stage::Refused) {
        switch (m_stage) {
        case Stage::Start:
            // Empty lines before a request are ignored (RFC 9112 2.2), within the head's limit.
            if (data[i] == '\r' || data[i] == '\n') {
                ++i;
                if (++m_headBytes > kMaxHeadBytes)
                    refuse(headTooLarge());
                break;
            }
            m_stage = Stage::Head;
            break;
        case Stage::Head: {
            const qsizetype lf = data.indexOf('\n', i);
            const qsizetype end = lf < 0 ? n : lf;
            m_line.append(data.sliced(i, end - i));
            m_headBytes += end - i + (lf < 0 ? 0 : 1);
            i = lf < 0 ? n : lf + 1;
            if (m_headBytes > kMaxHeadBytes) {
                refuse(headTooLarge());
                break;
            }
            if (lf < 0)
                break;
            QByteArrayView line(m_line);
            if (line.endsWith('\r'))
                line.chop(1);
            headLine(line);
            m_line.clear();
            break;
        }
        case Stage::Body:
        case Stage::ChunkData: {
            const qint64 take = qMin<qint64>(m_left, n - i);
            i += take;
            m_left -= take;
            if (m_left == 0) {
                m_stage = m_stage == Stage::Body ? Stage::Done : Stage::ChunkEnd;
                m_chunkEnd = 0;
            }
            break;
        }
        case Stage::ChunkEnd:
            if (m_chunkEnd == 0 && data[i] == '\r') {
                m_chunkEnd = 1;
                ++i;
            } else if (m_chunkEnd == 1 && data[i] == '\n') {
                ++i;
                m_stage = Stage::ChunkSize;
            } else {
                malformed(
                    u"chunked body: a chunk is not followed by CRLF (longer than its size?)"_s);
            }
            break;
        case Stage::ChunkSize:
        case Stage::Trailer: {
            const qsizetype lf = data.indexOf('\n', i);
            const qsizetype end = lf < 0 ? n : lf;
            m_line.append(data.sliced(i, end - i));
            i = lf < 0 ? n : lf + 1;
            if (m_line.size() > kMaxChunkLine) {
                malformed(m_stage == Stage::Trailer
                              ? u"chunked body: trailer fields are not supported"_s
                              : u"chunked body: a chunk-size line longer than %1 bytes"_s.arg(
                                    kMaxChunkLine));
                break;
            }
            if (lf < 0)
                break;
            if (!m_line.endsWith('\r')) {
                malformed(u"chunked body: lines must end with CRLF"_s);
                break;
            }
            m_line.chop(1);
            if (m_stage == Stage::ChunkSize) {
                chunkSizeLine(m_line);
            } else if (m_line.isEmpty()) {
                m_stage = Stage::Done;
            } else {
                malformed(u"chunked body: trailer fields are not supported"_s);
            }
            m_line.clear();
            break;
        }
        case Stage::Done:
        case Stage::Refused:
            break;
        }
    }
    m_seen += i;
    // Chunk framing, pipelined bytes: nothing lets a request grow much past the body limit.
    if (m_stage != Stage::Refused && m_seen > m_maxBody + kMaxHeadBytes)
        refuse(ApiError::tooLarge(m_maxBody));
    return i;
}

void RequestFraming::headLine(QByteArrayView line)
{
    if (line.contains('\r'))
        return malformed(u"request head: a CR that does not end a line"_s);
    if (!m_requestLineDone) {
        m_requestLineDone = true;
        return requestLine(line);
    }
    if (line.isEmpty())
        return headEnd();
    headerLine(line);
}

void RequestFraming::requestLine(QByteArrayView line)
{
    if (std::any_of(line.begin(), line.end(), isCtl))
        return malformed(u"request line: a control character in '%1'"_s.arg(printable(line)));
    const qsizetype sp1 = line.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
    if (sp1 <= 0 || sp2 < 0 || sp2 == sp1 + 1 || sp2 == line.size() - 1
        || line.indexOf(' ', sp2 + 1) >= 0)
        return malformed(
            u"request line: expected 'METHOD /path HTTP/1.1', got '%1'"_s.arg(printable(line)));
    const QByteArrayView method = line.first(sp1);
    const QByteArrayView target = line.sliced(sp1 + 1, sp2 - sp1 - 1);
    const QByteArrayView version = line.sliced(sp2 + 1);
    if (!isToken(method))
        return malformed(u"method: '%1' is not a token"_s.arg(printable(method)));
    if (version != "HTTP/1.1" && version != "HTTP/1.0")
        return malformed(
            u"HTTP version: '%1' (HTTP/1.1 and HTTP/1.0 are served)"_s.arg(printable(version)));
    m_http10 = version == "HTTP/1.0";
    if (!target.startsWith('/') || target.startsWith("//"))
        return malformed(u"request target: '%1' is not a path such as /api/v1/health (absolute "
                         "and authority forms are refused)"_s.arg(printable(target)));
    if (std::any_of(target.begin(), target.end(), [](char c) { return uchar(c) > 0x7e; }))
        return malformed(u"request target: '%1' has bytes that are not ASCII (percent-encode "
                         "them)"_s.arg(printable(target)));
}

void RequestFraming::headerLine(QByteArrayView line)
{
    if (line.front() == ' ' || line.front() == '\t')
        return malformed(u"header '%1': folded header lines are refused"_s.arg(printable(line)));
    const qsizetype colon = line.indexOf(':');
    if (colon < 0)
        return malformed(u"header '%1': expected 'Name: value'"_s.arg(printable(line)));
    const QByteArrayView name = line.first(colon);
    if (!isToken(name))
        return malformed(u"header '%1': the name is not a token (no space before the colon)"_s.arg(
            printable(name)));
    const QByteArrayView value = trimOws(line.sliced(colon + 1));
    if (std::any_of(value.begin(), value.end(), isCtl))
        return malformed(u"header %1: a control character in the value"_s.arg(printable(name)));
    if (!m_headers.append(QLatin1StringView(name), QLatin1StringView(value)))
        return malformed(u"header %1: not a valid header field"_s.arg(printable(name)));
}

void RequestFraming::headEnd()
{
    m_headDone = true;
    const QList<QByteArray> lengths
        = m_headers.values(QHttpHeaders::WellKnownHeader::ContentLength);
    const QList<QByteArray> codings
        = m_headers.values(QHttpHeaders::WellKnownHeader::TransferEncoding);
    QList<QByteArray> connection;
    for (const QByteArray &v : m_headers.values(QHttpHeaders::WellKnownHeader::Connection))
        for (const QByteArray &t : v.split(','))
            connection << t.trimmed().toLower();
    m_closeAfterAnswer
        = connection.contains("close") || (m_http10 && !connection.contains("keep-alive"));

    if (lengths.size() > 1)
        return malformed(u"Content-Length: given %1 times (send it once)"_s.arg(lengths.size()));
    if (codings.size() > 1)
        return malformed(u"Transfer-Encoding: given %1 times (send it once)"_s.arg(codings.size()));
    if (!codings.isEmpty()) {
        if (!lengths.isEmpty())
            return malformed(u"Transfer-Encoding and Content-Length together: send one of them"_s);
        if (m_http10)
            return malformed(u"Transfer-Encoding: not in HTTP/1.0"_s);
        if (codings.first().toLower() != "chunked")
            return malformed(u"Transfer-Encoding: '%1' (only 'chunked' is supported)"_s.arg(
                printable(codings.first())));
        m_stage = Stage::ChunkSize;
        return;
    }
    if (lengths.isEmpty()) {
        m_stage = Stage::Done;
        return;
    }
    QByteArrayView digits = lengths.first();
    if (digits.isEmpty()
        || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return malformed(
            u"Content-Length: '%1' is not a number of bytes"_s.arg(printable(lengths.first())));
    while (digits.size() > 1 && digits.front() == '0')
        digits = digits.sliced(1);
    const qint64 length
        = digits.size() > 18 ? std::numeric_limits<qint64>::max() : digits.toLongLong();
    if (length > m_maxBody) {
        m_announced = length;
        return refuse(ApiError::tooLarge(m_maxBody));
    }
    m_left = length;
    m_stage = length > 0 ? Stage::Body : Stage::Done;
}

void RequestFraming::chunkSizeLine(QByteArrayView line)
{
    const qsizetype semicolon = line.indexOf(';');
    QByteArrayView size = semicolon < 0 ? line : line.first(semicolon);
    if (size.isEmpty() || !std::all_of(size.begin(), size.end(), isHex))
        return malformed(
            u"chunked body: chunk size '%1' is not a hexadecimal number"_s.arg(printable(size)));
    if (semicolon >= 0) {
        const QByteArrayView extension = line.sliced(semicolon);
        if (std::any_of(extension.begin(), extension.end(), isCtl))
            return malformed(u"chunked body: a control character in a chunk extension"_s);
    }
    while (size.size() > 1 && size.front() == '0')
        size = size.sliced(1);
    // 15 hex digits fit in qint64 (and far exceed any limit): more does not fit a size at all.
    if (size.size() > 15)
        return malformed(
            u"chunked body: chunk size '%1' does not fit in 60 bits"_s.arg(printable(size)));
    const qint64 bytes = size.toLongLong(nullptr, 16);
    if (bytes > m_maxBody - m_bodyBytes)
        return refuse(ApiError::tooLarge(m_maxBody));
    m_bodyBytes += bytes;
    m_left = bytes;
    m_stage = bytes > 0 ? Stage::ChunkData : Stage::Trailer;
}

// ---------------------------------------------------------------------------------------------
// ConnectionBudget

ConnectionBudget::ConnectionBudget(const Limits &limits, const QString &name, QObject *parent)
    : QObject(parent)
    , m_limits(limits)
    , m_name(name)
{}

void ConnectionBudget::prune()
{
    m_guards.removeIf([](const QPointer<RequestGuard> &g) { return g.isNull(); });
}

int ConnectionBudget::openConnections()
{
    prune();
    return int(std::count_if(
        m_guards.cbegin(), m_guards.cend(), [](const auto &g) { return !g->isClosing(); }));
}

int ConnectionBudget::unvettedConnections()
{
    prune();
    return int(std::count_if(m_guards.cbegin(), m_guards.cend(), [](const auto &g) {
        return !g->isClosing() && !g->isVetted();
    }));
}

RequestGuard *ConnectionBudget::guardOf(const QHostAddress &address, quint16 port)
{
    prune();
    for (const QPointer<RequestGuard> &g : std::as_const(m_guards)) {
        auto *tcp = qobject_cast<QTcpSocket *>(g->socket());
        if (tcp && tcp->peerPort() == port && tcp->peerAddress().isEqual(address))
            return g;
    }
    return nullptr;
}

void ConnectionBudget::flushPeer(const QHostAddress &address, quint16 port)
{
    if (RequestGuard *g = guardOf(address, port))
        if (auto *tcp = qobject_cast<QTcpSocket *>(g->socket()))
            tcp->flush();
}

void ConnectionBudget::upgrading(const QHostAddress &address, quint16 port)
{
    if (RequestGuard *g = guardOf(address, port))
        g->upgrading();
}

bool ConnectionBudget::evictOldestUnvetted()
{
    prune();
    // One that was refused and is only being drained goes first.
    RequestGuard *oldest = nullptr;
    for (const QPointer<RequestGuard> &g : std::as_const(m_guards)) {
        if (!g->isClosing() && !g->isVetted() && (!oldest || g->isRefused())) {
            oldest = g;
            if (g->isRefused())
                break;
        }
    }
    if (!oldest)
        return false;
    oldest->evict(ApiError{
        503,
        u"too_many_connections"_s,
        u"closed to make room: too many connections without a valid token (at most %1 of %2)"_s
            .arg(m_limits.maxUnvetted)
            .arg(m_limits.maxConnections)});
    return true;
}

bool ConnectionBudget::admit(QIODevice *socket, const std::function<int()> &readReceivers)
{
    // The newcomer is unvetted: the oldest unvetted one makes room for it, rather than the
    // newcomer (who may hold the token) being refused.
    if (unvettedConnections() >= m_limits.maxUnvetted)
        evictOldestUnvetted();
    if (openConnections() >= m_limits.maxConnections && !evictOldestUnvetted()) {
        log()->warn(
            "{}: refused a connection: {} are open (the limit)", m_name, m_limits.maxConnections);
        const ApiError e{503,
                         u"too_many_connections"_s,
                         u"too many open connections (at most %1); try again later"_s.arg(
                             m_limits.maxConnections)};
        socket->write(e.toRawHttp());
        closeDevice(socket);
        if (auto *tcp = qobject_cast<QTcpSocket *>(socket))
            connect(tcp, &QTcpSocket::disconnected, tcp, &QObject::deleteLater);
        else if (auto *local = qobject_cast<QLocalSocket *>(socket))
            connect(local, &QLocalSocket::disconnected, local, &QObject::deleteLater);
        QTimer::singleShot(kLingerMs, socket, [socket] { socket->deleteLater(); });
        return false;
    }
    m_guards << QPointer<RequestGuard>(new RequestGuard(socket, this, readReceivers));
    return true;
}

// ---------------------------------------------------------------------------------------------
// RequestGuard

RequestGuard::RequestGuard(QIODevice *socket,
                           ConnectionBudget *budget,
                           const std::function<int()> &readReceivers)
    : QObject(socket)
    , m_socket(socket)
    , m_budget(budget)
    , m_readReceivers(readReceivers)
    , m_framing(budget->limits().maxBodyBytes)
    , m_timer(new QTimer(this))
{
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &RequestGuard::onTimeout);
    // Connected before QHttpServer connects its own handler: this one sees every chunk first.
    connect(socket, &QIODevice::readyRead, this, &RequestGuard::onReadyRead);
    connect(socket, &QIODevice::bytesWritten, this, &RequestGuard::onBytesWritten);
    wait(Wait::Request); // the first request: counted from the accept on
}

bool RequestGuard::parserBusy() const
{
    // Ours and QHttpServer's: its parser listens. Only ours: it is answering a request.
    return m_readReceivers && m_readReceivers() == 1;
}

void RequestGuard::wait(Wait what)
{
    m_wait = what;
    int ms = 0;
    switch (what) {
    case Wait::None:
        break;
    case Wait::Request:
        ms = m_budget ? m_budget->limits().requestTimeoutMs : 0;
        break;
    case Wait::Idle:
        ms = m_budget ? m_budget->limits().idleTimeoutMs : 0;
        break;
    case Wait::Drain:
    case Wait::Close:
        ms = kLingerMs;
        break;
    }
    if (ms > 0)
        m_timer->start(ms);
    else
        m_timer->stop();
}

void RequestGuard::onReadyRead()
{
    if (m_upgraded)
        return;
    if (m_refused || m_closing) {
        drain(); // nothing more reaches the parser
        return;
    }
    const qint64 available = m_socket->bytesAvailable();
    if (available <= 0)
        return;
    const qint64 cap = m_budget ? m_budget->limits().maxBodyBytes + RequestFraming::kMaxHeadBytes
                                : RequestFraming::kMaxHeadBytes;
    if (!m_socket->isTransactionStarted()) {
        if (parserBusy()) {
            // The next request(s), sent before this one is answered: looked at once the parser
            // listens again (it says so with a readyRead of its own).
            if (available > cap)
                refuse(ApiError::tooLarge(cap - RequestFraming::kMaxHeadBytes), kMaxDrainBytes);
            return;
        }
        // The parser is between requests and listens: what is unread starts the next request.
        m_framing.reset();
    } else if (m_framing.complete()) {
        return; // what follows the request is the next one's: looked at when the parser gets there
    }
    // Inside a request the parser has read everything before: what is unread is new.
    scan(m_socket->peek(qMin(available, cap + 1)));
}

void RequestGuard::scan(QByteArrayView data)
{
    m_framing.feed(data);
    if (const auto &e = m_framing.refusal()) {
        // What the client is going to send of this request (a Content-Length over the limit: the
        // head and that much) is read and dropped, up to a limit.
        const qint64 allowance
            = e->status == 413 && m_framing.announcedBytes() > 0
                  ? qMin(m_framing.announcedBytes() + m_framing.seenBytes(), kMaxDrainBytes)
                  : kMaxDrainBytes;
        refuse(*e, allowance);
        return;
    }
    if (m_framing.headDone() && !m_vetted)
        vet();
    if (m_framing.complete()) {
        wait(Wait::None); // the server has it now
    } else if (m_framing.started() && m_wait != Wait::Request) {
        wait(Wait::Request);
    }
}

void RequestGuard::vet()
{
    if (!m_budget)
        return;
    const auto &token = m_budget->limits().token;
    if (!token) {
        m_vetted = true; // the Unix socket: its mode is the check
        return;
    }
    QHttpHeaders auth;
    for (const QByteArray &v :
         m_framing.headers().values(QHttpHeaders::WellKnownHeader::Authorization))
        auth.append(QHttpHeaders::WellKnownHeader::Authorization, v);
    const auto presented = ApiAuth::bearerToken(auth);
    m_vetted = presented && ApiAuth::tokenMatches(*presented, token());
}

void RequestGuard::onBytesWritten()
{
    if (m_upgraded || m_closing || m_socket->bytesToWrite() > 0)
        return;
    if (m_refused) {
        if (m_deferred && !parserBusy())
            answerRefusal();
        else if (m_shutDownAfterWrite)
            shutDownWrite();
        return;
    }
    if (parserBusy() || m_socket->bytesAvailable() > 0)
        return; // an answer is being made, or the next request is in
    if (m_framing.started() && !m_framing.complete())
        return; // "100 Continue": the request's body is coming
    // Every answer is out.
    if (m_framing.complete() && m_framing.closeAfterAnswer()) {
        closeConnection();
        return;
    }
    wait(Wait::Idle);
}

void RequestGuard::onTimeout()
{
    switch (m_wait) {
    case Wait::None:
        break;
    case Wait::Request: {
        const double seconds = (m_budget ? m_budget->limits().requestTimeoutMs : 0) / 1000.0;
        refuse(ApiError{408,
                        u"request_timeout"_s,
                        u"no complete request within %1 s of its first byte (or of the "
                        "connection)"_s.arg(seconds)},
               kMaxDrainBytes);
        break;
    }
    case Wait::Idle:
        log()->debug("closed a connection idle for {} ms",
                     m_budget ? m_budget->limits().idleTimeoutMs : 0);
        closeConnection();
        break;
    case Wait::Drain:
        closeConnection();
        break;
    case Wait::Close:
        abortDevice(m_socket);
        break;
    }
}

void RequestGuard::refuse(const ApiError &error, qint64 drainAllowance)
{
    m_refused = true;
    if (error.status == 408)
        log()->info("closed a connection with {}: {}", error.status, error.message);
    else
        log()->warn("refused a request with {}: {}", error.status, error.message);
    // Drop what is buffered (the parser never sees it), answer, then drain and close.
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_drainLeft = drainAllowance - m_socket->skip(m_socket->bytesAvailable());
    m_deferred = error;
    wait(Wait::Drain);
    if (!parserBusy())
        answerRefusal();
}

void RequestGuard::answerRefusal()
{
    m_socket->write(m_deferred->toRawHttp());
    m_deferred.reset();
    if (m_drainLeft <= 0) {
        closeConnection();
        return;
    }
    // The client reads the answer, then the end of the stream, while what it still sends is read
    // and dropped (a close with unread bytes would reset the connection, and the answer with it).
    m_shutDownAfterWrite = true;
    if (auto *tcp = qobject_cast<QTcpSocket *>(m_socket))
        tcp->flush();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_socket))
        local->flush();
    if (m_socket->bytesToWrite() == 0)
        shutDownWrite();
}

void RequestGuard::shutDownWrite()
{
    m_shutDownAfterWrite = false;
    qintptr fd = -1;
    if (auto *tcp = qobject_cast<QTcpSocket *>(m_socket))
        fd = tcp->socketDescriptor();
    else if (auto *local = qobject_cast<QLocalSocket *>(m_socket))
        fd = local->socketDescriptor();
    if (fd >= 0)
        ::shutdown(int(fd), SHUT_WR);
}

void RequestGuard::drain()
{
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_drainLeft -= m_socket->skip(m_socket->bytesAvailable());
    if (m_closing)
        return;
    if (m_deferred && !parserBusy())
        answerRefusal();
    else if (m_drainLeft <= 0 && !m_deferred)
        closeConnection();
}

void RequestGuard::evict(const ApiError &error)
{
    if (m_closing)
        return;
    log()->info("closed an unvetted connection: {}", error.message);
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_socket->skip(m_socket->bytesAvailable());
    // A refused one has had its answer; with an answer under way, a 503 in front of it would be
    // read as that answer.
    if (!m_refused && !parserBusy())
        m_socket->write(error.toRawHttp());
    m_refused = true;
    closeConnection();
}

void RequestGuard::upgrading()
{
    m_upgraded = true;
    m_vetted = true;
    wait(Wait::None);
}

void RequestGuard::closeConnection()
{
    if (m_closing)
        return;
    m_closing = true;
    wait(Wait::Close); // a peer that reads nothing would keep it closing for ever
    closeDevice(m_socket);
}

// ---------------------------------------------------------------------------------------------
// Listeners

ApiTcpServer::ApiTcpServer(ConnectionBudget *budget, QObject *parent)
    : QTcpServer(parent)
    , m_budget(budget)
{}

void ApiTcpServer::incomingConnection(qintptr handle)
{
    auto *socket = new ApiTcpSocket(this);
    if (!socket->setSocketDescriptor(handle)) {
        delete socket;
        return;
    }
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    if (!m_budget || !m_budget->admit(socket, [socket] { return socket->readReceivers(); }))
        return;
    addPendingConnection(socket);
}

ApiLocalServer::ApiLocalServer(ConnectionBudget *budget, QObject *parent)
    : QLocalServer(parent)
    , m_budget(budget)
{}

void ApiLocalServer::incomingConnection(quintptr descriptor)
{
    auto *socket = new ApiLocalSocket(this);
    if (!socket->setSocketDescriptor(
            descriptor, QLocalSocket::ConnectedState, QIODevice::ReadWrite)) {
        delete socket;
        return;
    }
    if (!m_budget || !m_budget->admit(socket, [socket] { return socket->readReceivers(); }))
        return;
    addPendingConnection(socket);
}

} // namespace Hive
