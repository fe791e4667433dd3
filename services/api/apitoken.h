// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/core/result.h"

#include <QByteArray>
#include <QMutex>
#include <QObject>
#include <QString>

class QFileSystemWatcher;

namespace Hive {

// The bearer token of <data-dir>/api-token: made at first start (256 random bits, mode 0600),
// loaded, and reloaded when the file is replaced (regenerate(), or the user), so that the new
// token counts at once. Lives in the API thread; value() may be read from any thread.
class ApiToken : public QObject
{
    Q_OBJECT

public:
    explicit ApiToken(const QString &dataDir, QObject *parent = nullptr);

    Result<> load(); // loads or makes the token
    void watch();    // from now on, follows the file
    void stopWatching();
    QByteArray value() const; // any thread; empty before load()

    static QString path(const QString &dataDir);
    // The token of <dataDir>/api-token, made (128+ random bits, mode 0600) when missing.
    static Result<QString> loadOrCreate(const QString &dataDir);
    static Result<QString> regenerate(const QString &dataDir);

private:
    void reload();

    QString m_dataDir;
    QFileSystemWatcher *m_watcher = nullptr;
    mutable QMutex m_mutex;
    QByteArray m_token;
};

} // namespace Hive
