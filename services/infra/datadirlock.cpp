// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/infra/datadirlock.h"

#include "services/core/logging.h"
#include "services/core/platform.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace Hive {

DataDirLock::DataDirLock(const QString &dataDir)
    : m_dataDir(dataDir)
{}

Result<> DataDirLock::acquire()
{
    if (!QDir().mkpath(m_dataDir))
        return failure(
            QCoreApplication::translate("DataDirLock", "cannot create the data directory %1")
                .arg(m_dataDir));
    if (auto r = makePrivate(m_dataDir); !r)
        return r;
    m_lock = std::make_unique<QLockFile>(QDir(m_dataDir).filePath(u"agenthive.lock"_s));
    m_lock->setStaleLockTime(0);
    if (m_lock->tryLock(0))
        return {};
    qint64 pid = 0;
    QString host, app;
    m_lock->getLockInfo(&pid, &host, &app);
    const auto error = m_lock->error();
    m_lock.reset();
    if (error == QLockFile::LockFailedError)
        return failure(QCoreApplication::translate(
                           "DataDirLock",
                           "another Agent Hive (pid %1 on %2) is already using the data directory "
                           "%3; quit it first, or give this one another --data-dir")
                           .arg(pid)
                           .arg(host, m_dataDir));
    return failure(QCoreApplication::translate("DataDirLock", "cannot lock the data directory %1")
                       .arg(m_dataDir));
}

Result<> DataDirLock::makePrivate(const QString &dataDir)
{
    const auto narrow = [](const QString &path, unsigned allowed) -> Result<> {
        const QByteArray native = QFile::encodeName(path);
        struct stat st{};
        if (::lstat(native.constData(), &st) != 0 || !S_ISDIR(st.st_mode))
            return {}; // not there (yet): made private by the umask when it is made
        const unsigned open = st.st_mode & 077;
        if ((open & ~allowed) == 0)
            return {};
        const unsigned mode = (st.st_mode & 0700) | (open & allowed);
        if (::chmod(native.constData(), mode) != 0)
            return failure(
                QCoreApplication::translate("DataDirLock",
                                            "%1 can be read by other users and cannot be made "
                                            "private (chmod %2): %3")
                    .arg(path, QString::number(mode, 8), QString::fromLocal8Bit(strerror(errno))));
        Logging::get("app")->warn("{} was open to other users (mode {:o}): made private ({:o})",
                                  path,
                                  st.st_mode & 0777,
                                  mode);
        return {};
    };
    if (auto r = narrow(dataDir, Platform::isRoot() ? S_IXOTH : 0); !r)
        return r;
    for (const char *sub : {"logs", "workspace", "agents"}) {
        if (auto r = narrow(QDir(dataDir).filePath(QString::fromLatin1(sub)), 0); !r)
            return r;
    }
    return {};
}

void DataDirLock::release()
{
    if (m_lock)
        m_lock->unlock();
    m_lock.reset();
}

} // namespace Hive
