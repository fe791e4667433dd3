// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// How the log copy turns terminal output into searchable text (no infrastructure).
#include "models/searchhit.h"
#include "services/search/logtext.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

class tst_TerminalText : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void clean_data();
    void clean();
    void completeLength();
    void chunksKeepOffsetsAndSkipBlankOnes();
    void markedSnippet();
};

void tst_TerminalText::clean_data()
{
    QTest::addColumn<QByteArray>("raw");
    QTest::addColumn<QString>("text");
    QTest::newRow("plain") << QByteArray("hello world\n") << u"hello world\n"_s;
    QTest::newRow("colours") << QByteArray("\x1b[1;32mgreen\x1b[0m text") << u"green text"_s;
    QTest::newRow("cursor moves") << QByteArray("a\x1b[2K\x1b[10;4Hb\x1b[?25l") << u"ab"_s;
    QTest::newRow("title (OSC, BEL)") << QByteArray("\x1b]0;my title\x07"
                                                    "after")
                                      << u"after"_s;
    QTest::newRow("OSC with ST") << QByteArray("\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\")
                                 << u"link"_s;
    QTest::newRow("charset") << QByteArray("\x1b(Bword") << u"word"_s;
    QTest::newRow("CRLF and CR") << QByteArray("one\r\ntwo\rthree") << u"one\ntwo\nthree"_s;
    QTest::newRow("NUL and controls") << QByteArray("a\0b\x07"
                                                    "c\x7f\td",
                                                    8)
                                      << u"abc\td"_s;
    QTest::newRow("blank runs") << QByteArray("a\n\n\n\n\nb") << u"a\n\nb"_s;
    QTest::newRow("utf-8") << QByteArray("Grüße ✓") << u"Grüße ✓"_s;
    QTest::newRow("cut escape") << QByteArray("text\x1b[") << u"text"_s;
}

void tst_TerminalText::clean()
{
    QFETCH(QByteArray, raw);
    QFETCH(QString, text);
    const QString cleaned = TerminalText::clean(raw);
    QCOMPARE(cleaned, text);
    QVERIFY(!cleaned.contains(QChar(0)));
}

void tst_TerminalText::completeLength()
{
    QCOMPARE(TerminalText::completeLength("abc\ndef"), 4);
    QCOMPARE(TerminalText::completeLength("abc\ndef\n"), 8);
    QCOMPARE(TerminalText::completeLength("no line end yet"), 0);
    QCOMPARE(TerminalText::completeLength(QByteArray(100, 'x'), 50), 100);
}

void tst_TerminalText::chunksKeepOffsetsAndSkipBlankOnes()
{
    QByteArray bytes;
    for (int i = 0; i < 300; ++i)
        bytes += "line number " + QByteArray::number(i) + "\n";
    bytes += "\x1b[2J\x1b[H   \n\n";
    const auto chunks = TerminalText::chunks(bytes, 1000, 300);
    QVERIFY(chunks.size() > 5);
    QCOMPARE(chunks.first().byteOffset, 1000);
    for (qsizetype i = 1; i < chunks.size(); ++i) {
        QVERIFY(chunks[i].byteOffset > chunks[i - 1].byteOffset);
        QVERIFY(chunks[i].text.startsWith(u"line number"_s)); // cut at line ends
        QVERIFY(chunks[i].text.size() <= 300);
    }
    QVERIFY(chunks.last().text.endsWith(u"line number 299"_s)); // the blank redraw is left out
}

void tst_TerminalText::markedSnippet()
{
    SearchHit h;
    h.setMarkedSnippet(u"fix the \x01login\x02 bug … \x01Login\x02 again 😀 \x01ok\x02"_s);
    QCOMPARE(h.snippet, u"fix the login bug … Login again 😀 ok"_s);
    QCOMPARE(h.matches.size(), 3);
    QCOMPARE(h.snippet.mid(h.matches[0].start, h.matches[0].length), u"login"_s);
    QCOMPARE(h.snippet.mid(h.matches[1].start, h.matches[1].length), u"Login"_s);
    // The API counts code points: the emoji is one, not two.
    const QJsonArray last = h.toJson().value(u"matches"_s).toArray().last().toArray();
    QCOMPARE(last.at(0).toInteger(), h.matches[2].start - 1);
    QCOMPARE(last.at(1).toInteger(), 2);
}

QTEST_GUILESS_MAIN(tst_TerminalText)
#include "tst_terminaltext.moc"
