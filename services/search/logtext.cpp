// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/search/logtext.h"

namespace Hive::TerminalText {

namespace {

// Where the escape sequence starting at bytes[i] (an ESC) ends (one past it).
qsizetype escapeEnd(const QByteArray &b, qsizetype i)
{
    const qsizetype n = b.size();
    if (i + 1 >= n)
        return n;
    const char kind = b[i + 1];
    if (kind == '[') { // CSI: parameters and intermediates, then a final byte 0x40-0x7e
        qsizetype j = i + 2;
        while (j < n && (uchar(b[j]) < 0x40 || uchar(b[j]) > 0x7e))
            ++j;
        return qMin(n, j + 1);
    }
    if (kind == ']' || kind == 'P' || kind == '_' || kind == '^' || kind == 'X') {
        // OSC, DCS, APC, PM, SOS: up to BEL or ST (ESC \)
        for (qsizetype j = i + 2; j < n; ++j) {
            if (b[j] == '\a')
                return j + 1;
            if (b[j] == '\x1b' && j + 1 < n && b[j + 1] == '\\')
                return j + 2;
        }
        return n;
    }
    if (kind == '(' || kind == ')' || kind == '*' || kind == '+' || kind == '#')
        return qMin(n, i + 3); // charset designation: ESC ( B
    return i + 2;              // ESC 7, ESC =, ESC M, …
}

} // namespace

QString clean(const QByteArray &raw)
{
    QByteArray out;
    out.reserve(raw.size());
    const qsizetype n = raw.size();
    for (qsizetype i = 0; i < n;) {
        const uchar c = uchar(raw[i]);
        if (c == 0x1b) {
            i = escapeEnd(raw, i);
            continue;
        }
        if (c == '\r') {
            out += '\n';
            i += (i + 1 < n && raw[i + 1] == '\n') ? 2 : 1;
            continue;
        }
        if (c == '\n' || c == '\t' || c >= 0x20) {
            if (c != 0x7f)
                out += char(c);
        }
        ++i;
    }
    QString text = QString::fromUtf8(out);
    // Blank runs of lines a redraw leaves: at most one empty line in a row.
    QString tidy;
    tidy.reserve(text.size());
    int newlines = 0;
    for (const QChar ch : std::as_const(text)) {
        if (ch == u'\n') {
            if (++newlines > 2)
                continue;
        } else if (!ch.isSpace()) {
            newlines = 0;
        }
        tidy += ch;
    }
    return tidy;
}

qsizetype completeLength(const QByteArray &bytes, qsizetype maxLineBytes)
{
    const qsizetype lastNewline = bytes.lastIndexOf('\n');
    if (lastNewline >= 0)
        return lastNewline + 1;
    return bytes.size() >= maxLineBytes ? bytes.size() : 0;
}

QList<LogChunk> chunks(const QByteArray &bytes, qint64 start, qsizetype maxChars)
{
    QList<LogChunk> out;
    qsizetype from = 0;
    while (from < bytes.size()) {
        // Take whole lines up to about maxChars bytes (cleaning only shortens).
        qsizetype to = qMin(bytes.size(), from + maxChars);
        if (to < bytes.size()) {
            const qsizetype nl = bytes.lastIndexOf('\n', to - 1);
            if (nl >= from)
                to = nl + 1;
        }
        const QString text = clean(bytes.mid(from, to - from)).trimmed();
        const bool hasWords
            = std::any_of(text.cbegin(), text.cend(), [](QChar c) { return c.isLetterOrNumber(); });
        if (hasWords)
            out.append(LogChunk{start + from, text});
        from = to;
    }
    return out;
}

} // namespace Hive::TerminalText
