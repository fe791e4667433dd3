// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/store/store.h"

using namespace Qt::StringLiterals;

namespace Hive {

Store::Store(const QString &databaseUrl, QObject *parent)
    : QObject(parent)
    , m_url(databaseUrl)
    , m_db(std::make_unique<Database>())
{
    m_thread.setObjectName(u"store"_s);
    m_context = new QObject;
    m_context->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_context, &QObject::deleteLater);
}

Store::~Store()
{
    stop();
}

QFuture<Result<QStringList>> Store::start()
{
    if (!m_thread.isRunning())
        m_thread.start();
    return run([url = m_url](Database &db) -> Result<QStringList> {
        if (auto r = db.open(url, u"hive-store"_s); !r)
            return std::unexpected(r.error());
        return db.migrate();
    });
}

void Store::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(m_context, [this] { m_db->close(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

} // namespace Hive
