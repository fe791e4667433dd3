// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/runner/runnerlink.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QUrl>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// Waits for events on fd until the deadline; false on timeout or error.
bool waitFor(int fd, short events, const QDeadlineTimer &deadline)
{
    for (;;) {
        pollfd p{fd, events, 0};
        const int ms = int(qMin<qint64>(deadline.remainingTime(), 60000));
        const int n = ::poll(&p, 1, ms < 0 ? 0 : ms);
        if (n > 0)
            return true;
        if (n == 0 || errno != EINTR)
            return false;
    }
}

} // namespace

Result<RunnerLink> RunnerLink::make(const QString &url, const QByteArray &token)
{
    RunnerLink link;
    link.m_token = token;
    if (url.startsWith(u"unix:"_s)) {
        link.m_socketPath = url.mid(5);
        if (link.m_socketPath.isEmpty())
            return failure(u"API URL '%1': no socket path"_s.arg(url));
        if (QFile::encodeName(link.m_socketPath).size() >= qsizetype(sizeof(sockaddr_un::sun_path)))
            return failure(u"API socket path too long: %1"_s.arg(link.m_socketPath));
        return link;
    }
    const QUrl u(url);
    if (!u.isValid() || u.scheme() != u"http"_s || u.host().isEmpty() || u.port() <= 0
        || (!u.path().isEmpty() && u.path() != u"/"_s))
        return failure(
            u"API URL '%1': expected http://host:port or unix:/path/api.sock"_s.arg(url));
    link.m_host = u.host().toUtf8();
    link.m_port = quint16(u.port());
    return link;
}

RunnerLink::RunnerLink(RunnerLink &&other) noexcept
{
    *this = std::move(other);
}

RunnerLink &RunnerLink::operator=(RunnerLink &&other) noexcept
{
    if (this != &other) {
        closeSocket();
        m_socketPath = std::move(other.m_socketPath);
        m_host = std::move(other.m_host);
        m_port = other.m_port;
        m_token = std::move(other.m_token);
        timeoutMs = other.timeoutMs;
        m_fd = other.m_fd;
        other.m_fd = -1;
    }
    return *this;
}

RunnerLink::~RunnerLink()
{
    closeSocket();
}

QString RunnerLink::describe() const
{
    if (!m_socketPath.isEmpty())
        return m_socketPath;
    return u"http://%1:%2"_s.arg(QString::fromUtf8(m_host)).arg(m_port);
}

void RunnerLink::closeSocket()
{
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
}

void RunnerLink::closeIdle()
{
    closeSocket();
}

bool RunnerLink::connectNow(QString *why)
{
    const QDeadlineTimer deadline(qMin(timeoutMs, 5000));
    if (!m_socketPath.isEmpty()) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const QByteArray path = QFile::encodeName(m_socketPath);
        std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
        m_fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (m_fd < 0 || ::connect(m_fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) != 0) {
            *why = u"%1: %2"_s.arg(m_socketPath, errnoText());
            closeSocket();
            return false;
        }
        return true;
    }
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    const QByteArray port = QByteArray::number(m_port);
    if (const int rc = ::getaddrinfo(m_host.constData(), port.constData(), &hints, &found);
        rc != 0) {
        *why = u"%1: %2"_s.arg(QString::fromUtf8(m_host), QString::fromLocal8Bit(gai_strerror(rc)));
        return false;
    }
    for (addrinfo *ai = found; ai; ai = ai->ai_next) {
        m_fd = ::socket(
            ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (m_fd < 0)
            continue;
        int rc = ::connect(m_fd, ai->ai_addr, ai->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS && waitFor(m_fd, POLLOUT, deadline)) {
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &err, &len);
            errno = err;
            rc = err == 0 ? 0 : -1;
        }
        if (rc == 0) {
            const int flags = ::fcntl(m_fd, F_GETFL);
            ::fcntl(m_fd, F_SETFL, flags & ~O_NONBLOCK);
            const int one = 1;
            ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            ::freeaddrinfo(found);
            return true;
        }
        *why = u"%1: %2"_s.arg(describe(), errno ? errnoText() : u"timed out"_s);
        closeSocket();
    }
    ::freeaddrinfo(found);
    if (why->isEmpty())
        *why = u"%1: cannot connect"_s.arg(describe());
    return false;
}

// One request and its answer on the open connection. sentNothing: the request did not leave (the
// connection kept alive had been closed by the app meanwhile), so it may be sent again at once.
bool RunnerLink::exchange(
    const QByteArray &request, int *status, QByteArray *answer, QString *why, bool *sentNothing)
{
    const QDeadlineTimer deadline(timeoutMs);
    *sentNothing = true;
    qsizetype sent = 0;
    while (sent < request.size()) {
        if (!waitFor(m_fd, POLLOUT, deadline)) {
            *why = u"timed out sending"_s;
            return false;
        }
        const ssize_t n
            = ::send(m_fd, request.constData() + sent, size_t(request.size() - sent), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            *why = errnoText();
            return false;
        }
        sent += n;
    }
    QByteArray in;
    qsizetype headEnd = -1;
    qint64 length = -1;
    bool close = false;
    char buf[65536];
    for (;;) {
        if (headEnd < 0) {
            headEnd = in.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                const QList<QByteArray> lines = in.left(headEnd).split('\n');
                const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
                *status = first.value(1).toInt();
                for (const QByteArray &l : lines.mid(1)) {
                    const qsizetype colon = l.indexOf(':');
                    const QByteArray name = l.left(colon).trimmed().toLower();
                    const QByteArray value = l.mid(colon + 1).trimmed();
                    if (name == "content-length")
                        length = value.toLongLong();
                    else if (name == "connection" && value.toLower() == "close")
                        close = true;
                }
                if (*status <= 0) {
                    *why = u"not an HTTP answer"_s;
                    return false;
                }
            }
        }
        if (headEnd >= 0 && length >= 0 && in.size() - headEnd - 4 >= length)
            break;
        if (!waitFor(m_fd, POLLIN, deadline)) {
            *why = u"no answer within %1 ms"_s.arg(timeoutMs);
            *sentNothing = false;
            return false;
        }
        const ssize_t n = ::recv(m_fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (headEnd >= 0 && length < 0) { // the answer ends with the connection
                close = true;
                break;
            }
            *why = n == 0 ? u"the app closed the connection"_s : errnoText();
            *sentNothing = in.isEmpty() && n == 0;
            return false;
        }
        in.append(buf, n);
    }
    *sentNothing = false;
    *answer = in.mid(headEnd + 4, length >= 0 ? length : -1);
    if (close)
        closeSocket();
    return true;
}

Result<QJsonDocument>
RunnerLink::request(const QByteArray &method, const QByteArray &path, const QByteArray &body)
{
    QByteArray req = method + ' ' + path
                     + " HTTP/1.1\r\nHost: " + (m_host.isEmpty() ? QByteArray("localhost") : m_host)
                     + "\r\nAccept: application/json\r\n";
    if (!m_token.isEmpty())
        req += "Authorization: Bearer " + m_token + "\r\n";
    if (method != "GET")
        req += "Content-Type: application/json\r\nContent-Length: "
               + QByteArray::number(body.size()) + "\r\n";
    req += "\r\n" + body;

    int status = 0;
    QByteArray answer;
    QString why;
    bool ok = false;
    // A kept-alive connection the app closed meanwhile: once more on a new one.
    for (int attempt = 0; attempt < 2 && !ok; ++attempt) {
        const bool reused = m_fd >= 0;
        why.clear();
        if (!reused && !connectNow(&why))
            break;
        bool sentNothing = false;
        ok = exchange(req, &status, &answer, &why, &sentNothing);
        if (!ok) {
            closeSocket();
            if (!(reused && sentNothing))
                break;
        }
    }
    if (!ok)
        return std::unexpected(Error{Error::Kind::Unavailable,
                                     u"the app is not answering (%1): %2"_s.arg(describe(), why),
                                     u"app_unreachable"_s});
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(answer, &err);
    const QJsonObject o = doc.object();
    if (status >= 200 && status < 300) {
        if (answer.isEmpty())
            return QJsonDocument(QJsonObject());
        if (err.error != QJsonParseError::NoError)
            return failure(u"%1 %2: the app's answer is not JSON"_s.arg(QString::fromLatin1(method),
                                                                        QString::fromUtf8(path)));
        return doc;
    }
    const QJsonObject e = o.value(u"error"_s).toObject();
    const QString code = e.value(u"code"_s).toString();
    const QString message
        = u"%1 (HTTP %2)"_s.arg(e.value(u"message"_s).toString(QString::fromUtf8(answer.left(200))))
              .arg(status);
    Error::Kind kind = Error::Kind::Internal;
    if (status == 503)
        kind = Error::Kind::Unavailable;
    else if (status == 404)
        kind = Error::Kind::NotFound;
    else if (status == 409)
        kind = Error::Kind::Conflict;
    else if (status >= 400 && status < 500)
        kind = Error::Kind::Invalid;
    return std::unexpected(Error{kind, message, code});
}

namespace {
Result<QJsonObject> objectOf(Result<QJsonDocument> doc)
{
    if (!doc)
        return std::unexpected(doc.error());
    if (!doc->isObject())
        return failure(u"the app's answer is not a JSON object"_s);
    return doc->object();
}
} // namespace

Result<QJsonObject> RunnerLink::get(const QByteArray &path)
{
    return objectOf(request("GET", path, {}));
}

Result<QJsonObject> RunnerLink::post(const QByteArray &path, const QJsonObject &body)
{
    // U+0000 in a string (a command's output may hold it) goes as \u0000: the store replaces it
    // and says so, as when the runner wrote itself.
    return objectOf(request("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact)));
}

} // namespace Hive
