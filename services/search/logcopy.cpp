// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/search/logcopy.h"

#include "services/search/logtext.h"
#include "services/store/database.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace Hive {

Result<int> copyLogs(Database &db, const QString &logsDir, qint64 maxBytes)
{
    const QFileInfoList files
        = QDir(logsDir).entryInfoList({u"*.log"_s}, QDir::Files | QDir::NoSymLinks, QDir::Name);
    if (files.isEmpty())
        return 0;
    auto owners = db.agentIdsByName();
    if (!owners)
        return failure(owners.error());
    int added = 0;
    for (const QFileInfo &info : files) {
        const QString agentId = owners->value(info.completeBaseName());
        if (agentId.isEmpty())
            continue; // not an agent's log (or its agent row is gone)
        auto offset = db.logOffset(info.fileName());
        if (!offset)
            return failure(offset.error());
        qint64 from = *offset;
        if (info.size() < from)
            from = 0; // the file was replaced or truncated: copy it again from the start
        if (info.size() == from)
            continue;
        QFile f(info.filePath());
        if (!f.open(QIODevice::ReadOnly) || !f.seek(from))
            continue;
        const QByteArray bytes = f.read(maxBytes);
        const qsizetype complete = TerminalText::completeLength(bytes);
        if (complete == 0)
            continue;
        const QByteArray part = bytes.left(complete);
        const QList<LogChunk> chunks = TerminalText::chunks(part, from);
        if (auto r = db.appendLog(info.fileName(), agentId, chunks, from + complete); !r)
            return failure(r.error());
        added += int(chunks.size());
    }
    return added;
}

} // namespace Hive
