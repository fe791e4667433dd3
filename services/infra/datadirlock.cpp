// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/infra/datadirlock.h"

#include <QCoreApplication>
#include <QDir>

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

void DataDirLock::release()
{
    if (m_lock)
        m_lock->unlock();
    m_lock.reset();
}

} // namespace Hive
