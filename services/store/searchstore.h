// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QList>
#include <QString>

namespace Hive {

// What the search's background work hands to and takes from Database (searchstore.cpp).

// A task whose embedding is missing or older than its answer: the text to embed.
struct EmbeddingJob
{
    QString taskId;
    QString text;
};

// Text appended to an agent's terminal log, cleaned, cut at line ends.
struct LogChunk
{
    qint64 byteOffset = 0; // where it starts in the file
    QString text;
};

// A log chunk read back (for showing a log hit whole).
struct LogText
{
    qint64 id = 0;
    QString agentId;
    QString agentName;
    qint64 byteOffset = 0;
    QString text;
};

} // namespace Hive
