// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/store/searchstore.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Hive::TerminalText {

// Terminal output as plain text: escape sequences (CSI, OSC, DCS, two-byte ESC) removed, "\r\n"
// and lone "\r" as line ends, other control characters dropped (tabs kept), invalid UTF-8 as
// U+FFFD. Never contains U+0000 (PostgreSQL text cannot hold it).
QString clean(const QByteArray &raw);

// The complete part of bytes appended to a log at offset: up to the last line end, or all of it
// when there is none in maxLineBytes (a very long line is cut). The rest waits for more output.
qsizetype completeLength(const QByteArray &bytes, qsizetype maxLineBytes = 64 * 1024);

// Cleaned text in chunks of whole lines of about maxChars, each with its byte offset in the file
// (start: the offset of bytes[0]); chunks with no letters or digits are left out.
QList<LogChunk> chunks(const QByteArray &bytes, qint64 start, qsizetype maxChars = 4000);

} // namespace Hive::TerminalText
