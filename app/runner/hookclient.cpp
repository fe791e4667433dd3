// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/runner/hookclient.h"

#include "models/validation.h"

#include <QDir>
#include <QFile>

#include <cstdio>
#include <cstring>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Hive::HookClient {

namespace {

constexpr int kTimeoutMs = 2000;

bool sendAll(int fd, const QByteArray &data)
{
    qsizetype sent = 0;
    while (sent < data.size()) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, kTimeoutMs) <= 0)
            return false;
        const ssize_t n
            = ::send(fd, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        sent += n;
    }
    return true;
}

// The status line of the answer ("HTTP/1.1 202 Accepted"), or empty.
QByteArray readStatus(int fd)
{
    QByteArray answer;
    char buf[512];
    while (!answer.contains("\r\n")) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, kTimeoutMs) <= 0)
            break;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        answer.append(buf, n);
    }
    return answer.left(answer.indexOf("\r\n"));
}

} // namespace

QByteArray request(const QString &agentId, const QByteArray &payload)
{
    return "POST /api/v1/agents/" + agentId.toLatin1()
           + "/hooks HTTP/1.1\r\nHost: localhost\r\n"
             "Content-Type: application/json\r\nContent-Length: "
           + QByteArray::number(payload.size()) + "\r\nConnection: close\r\n\r\n" + payload;
}

int run(int argc, char *argv[])
{
    QString agent, dataDir;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--agent") == 0)
            agent = QString::fromLocal8Bit(argv[i + 1]);
        else if (std::strcmp(argv[i], "--data-dir") == 0)
            dataDir = QString::fromLocal8Bit(argv[i + 1]);
    }
    if (!Validation::isUuid(agent) || dataDir.isEmpty()) {
        std::fputs("hive-runner hook: --agent ID and --data-dir DIR are required\n", stderr);
        return 0;
    }
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        return 0;
    const QByteArray payload = in.readAll().left(1024 * 1024);

    const QByteArray path = QFile::encodeName(QDir(dataDir).filePath(u"api.sock"_s));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (size_t(path.size()) >= sizeof addr.sun_path) {
        std::fprintf(stderr, "hive-runner hook: socket path too long: %s\n", path.constData());
        return 0;
    }
    std::memcpy(addr.sun_path, path.constData(), size_t(path.size()));
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    QByteArray status;
    if (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0
        && sendAll(fd, request(agent, payload)))
        status = readStatus(fd);
    ::close(fd);
    if (!status.contains(" 202 "))
        std::fprintf(stderr,
                     "hive-runner hook: the app did not take it (%s)\n",
                     status.isEmpty() ? "no answer" : status.constData());
    return 0;
}

} // namespace Hive::HookClient
