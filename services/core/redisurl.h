// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <optional>

namespace Hive {

// redis://[:password@]host[:port][/db] or unix:///path/to/redis.sock[?db=N]
struct RedisUrl
{
    QString host;
    int port = 6379;
    QString socketPath;
    QString password;
    int db = 0;

    bool isUnix() const { return !socketPath.isEmpty(); }
    QString display() const { return isUnix() ? socketPath : host + u':' + QString::number(port); }

    static std::optional<RedisUrl> parse(const QString &url)
    {
        const QUrl u(url);
        if (!u.isValid())
            return std::nullopt;
        RedisUrl r;
        r.password = u.password();
        if (u.scheme() == QLatin1StringView("unix")) {
            r.socketPath = u.path();
            if (r.socketPath.isEmpty())
                return std::nullopt;
            r.db = QUrlQuery(u).queryItemValue(QStringLiteral("db")).toInt();
            return r;
        }
        if (u.scheme() != QLatin1StringView("redis") || u.host().isEmpty())
            return std::nullopt;
        r.host = u.host();
        r.port = u.port(6379);
        const QString path = u.path().mid(1);
        if (!path.isEmpty()) {
            bool ok = false;
            r.db = path.toInt(&ok);
            if (!ok)
                return std::nullopt;
        }
        return r;
    }
};

} // namespace Hive
