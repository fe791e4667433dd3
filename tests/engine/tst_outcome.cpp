// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "app/runner/outcome.h"

#include <QJsonDocument>
#include <QTest>
#include <QTimeZone>

using namespace Qt::StringLiterals;
using namespace Hive;

// How hive-runner judges a finished command from Claude Code's stream-json result event, with the
// events exactly as tests/claude/FINDINGS.md recorded them from the real CLI 2.1.332.
class tst_Outcome : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void successfulWrite();
    void deniedWrite();
    void apiError();
    void maxTurns();
    void bareExitCodeSaysTheLastLine();
    void reportRoundTripsThroughJson();
    void rateLimitFromClaudesResult();
    void resetTimes_data();
    void resetTimes();
    void noRateLimitInOtherFailures();
};

namespace {
const QByteArray kInit
    = R"J({"type":"system","subtype":"init","cwd":"/ws","session_id":"2f672582-dbab-426f-8d07-223831026d49","permissionMode":"acceptEdits"})J";

QByteArray stream(const QByteArray &result)
{
    return kInit + "\n"
           + R"J({"type":"assistant","message":{"content":[{"type":"text","text":"x"}]}})J" + "\n"
           + result + "\n";
}
} // namespace

void tst_Outcome::successfulWrite()
{
    const QByteArray out = stream(
        R"J({"type":"result","subtype":"success","is_error":false,"num_turns":2,"result":"Done. Last tool result: File created successfully at: /ws/a.txt","session_id":"2f672582-dbab-426f-8d07-223831026d49","stop_reason":"end_turn","terminal_reason":"completed","total_cost_usd":0.0042212,"duration_ms":202,"api_error_status":null,"usage":{"input_tokens":22,"cache_creation_input_tokens":444,"cache_read_input_tokens":6666,"output_tokens":29,"output_tokens_details":{"thinking_tokens":0},"service_tier":"standard"},"modelUsage":{"claude-opus-5-5":{"inputTokens":22,"outputTokens":29,"costUSD":0.0042212}},"permission_denials":[]})J");
    const auto parsed = Outcome::parseStreamJson(out);
    QVERIFY(parsed);
    const AgentReport &r = parsed->report;
    QCOMPARE(r.answer, u"Done. Last tool result: File created successfully at: /ws/a.txt"_s);
    QCOMPARE(r.sessionId, u"2f672582-dbab-426f-8d07-223831026d49"_s);
    QCOMPARE(r.numTurns.value_or(0), 2);
    QCOMPARE(r.model, u"claude-opus-5-5"_s);
    QVERIFY(r.usage);
    QCOMPARE(r.usage->inputTokens, qint64(22));
    QCOMPARE(r.usage->outputTokens, qint64(29));
    QCOMPARE(r.usage->cacheCreationTokens, qint64(444));
    QCOMPARE(r.usage->cacheReadTokens, qint64(6666));
    QVERIFY(!r.apiErrorStatus);
    QCOMPARE(parsed->costUsd.value_or(0), 0.0042212);
    const auto v = Outcome::judge({0, false, false, u"/ws"_s, u"acceptEdits"_s, out}, r);
    QVERIFY(v.succeeded);
    QVERIFY(v.error.isEmpty());
}

void tst_Outcome::deniedWrite()
{
    // rc 0, subtype success, is_error false: and yet the file was not written.
    const QByteArray out = stream(
        R"J({"type":"result","subtype":"success","is_error":false,"num_turns":2,"result":"Done. Last tool result: Claude requested permissions to write to /ws/b.txt, but you haven't granted it yet.","session_id":"s","terminal_reason":"completed","total_cost_usd":0.004,"permission_denials":[{"tool_name":"Write","tool_use_id":"toolu_1","tool_input":{"file_path":"/ws/b.txt","content":"denied"}},{"tool_name":"Bash","tool_use_id":"toolu_2","tool_input":{"command":"rm -rf build"}}]})J");
    const auto parsed = Outcome::parseStreamJson(out);
    QVERIFY(parsed);
    QCOMPARE(parsed->report.permissionDenials.size(), 2);
    QCOMPARE(parsed->report.deniedSummary(u"/ws"_s), u"Write b.txt, Bash rm -rf build"_s);
    const auto v = Outcome::judge({0, false, false, u"/ws"_s, u"default"_s, out}, parsed->report);
    QVERIFY(!v.succeeded);
    QVERIFY(!v.retryable);
    QVERIFY2(
        v.error.startsWith(
            u"needs permission: Write b.txt, Bash rm -rf build (the agent's permission mode is default"_s),
        qPrintable(v.error));
}

void tst_Outcome::apiError()
{
    const QByteArray out = stream(
        R"J({"type":"result","subtype":"success","is_error":true,"terminal_reason":"api_error","api_error_status":429,"api_error_type":"rate_limit_error","num_turns":1,"total_cost_usd":0,"usage":{"input_tokens":0,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":0},"result":"API Error: Request rejected (429) · Number of request tokens has exceeded your per-minute rate limit"})J");
    const auto parsed = Outcome::parseStreamJson(out);
    QVERIFY(parsed);
    QCOMPARE(parsed->report.apiErrorStatus.value_or(0), 429);
    QCOMPARE(parsed->report.apiErrorType, u"rate_limit_error"_s);
    const auto v
        = Outcome::judge({1, false, false, u"/ws"_s, u"acceptEdits"_s, out}, parsed->report);
    QVERIFY(!v.succeeded);
    QVERIFY(v.retryable);
    QCOMPARE(
        v.error,
        u"Anthropic API error 429 (rate limited): API Error: Request rejected (429) · Number of request tokens has exceeded your per-minute rate limit"_s);
    QCOMPARE(Outcome::apiError(529), u"Anthropic API error 529 (overloaded)"_s);
    QCOMPARE(Outcome::apiError(500), u"Anthropic API error 500 (server error)"_s);
}

void tst_Outcome::maxTurns()
{
    const QByteArray out = stream(
        R"J({"type":"result","subtype":"error_max_turns","is_error":true,"result":null,"num_turns":2,"terminal_reason":"max_turns","errors":["Reached maximum number of turns (1)"]})J");
    const auto parsed = Outcome::parseStreamJson(out);
    QVERIFY(parsed);
    QVERIFY(parsed->report.answer.isEmpty());
    const auto v = Outcome::judge({1, false, false, {}, {}, out}, parsed->report);
    QVERIFY(!v.succeeded);
    QCOMPARE(v.error,
             u"stopped at the maximum number of turns (Reached maximum number of turns (1))"_s);
}

void tst_Outcome::bareExitCodeSaysTheLastLine()
{
    const QByteArray out = "--dangerously-skip-permissions cannot be used with root/sudo "
                           "privileges for security reasons\n";
    QVERIFY(!Outcome::parseStreamJson(out));
    const auto v = Outcome::judge({1, false, false, {}, {}, out}, std::nullopt);
    QCOMPARE(
        v.error,
        u"the command exited with code 1: --dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons"_s);
    QCOMPARE(Outcome::judge({0, true, true, {}, {}, {}}, std::nullopt).error, u"cancelled"_s);
}

void tst_Outcome::reportRoundTripsThroughJson()
{
    const QByteArray out = stream(
        R"J({"type":"result","subtype":"success","is_error":false,"num_turns":3,"result":"ok","session_id":"s1","terminal_reason":"completed","usage":{"input_tokens":1,"cache_creation_input_tokens":2,"cache_read_input_tokens":3,"output_tokens":4},"modelUsage":{"m":{"outputTokens":4}},"permission_denials":[{"tool_name":"Read","tool_input":{"file_path":"/etc/hostname"}}]})J");
    const AgentReport r = Outcome::parseStreamJson(out)->report;
    TaskResult result;
    result.report = r;
    const TaskResult back = TaskResult::fromJson(result.toJson());
    QVERIFY(back.report);
    QCOMPARE(back.report->toJson(), r.toJson());
    QCOMPARE(back.report->usage->cacheReadTokens, qint64(3));
    QCOMPARE(back.report->permissionDenials.first().target(), u"/etc/hostname"_s);
    // No report: the same keys, empty, and none comes back.
    TaskResult plain;
    const QJsonObject o = plain.toJson();
    QVERIFY(o.contains(u"session_id"_s) && o.value(u"session_id").isNull());
    QVERIFY(!TaskResult::fromJson(o).report);
}

// The real CLI's result for a usage-limit 429 (FINDINGS.md, "Rate and usage limits"): a limit
// until the epoch it names; a plain 429 without a reset: the default pause.
void tst_Outcome::rateLimitFromClaudesResult()
{
    const QDateTime now = QDateTime::fromSecsSinceEpoch(1796065000, QTimeZone::UTC);
    const QByteArray limited = stream(
        R"J({"type":"result","subtype":"success","is_error":true,"terminal_reason":"api_error","api_error_status":429,"api_error_type":"rate_limit_error","num_turns":1,"total_cost_usd":0,"result":"API Error: Request rejected (429) · Claude AI usage limit reached|1796065133"})J");
    const auto parsed = Outcome::parseStreamJson(limited);
    QVERIFY(parsed);
    const Outcome::Exit exit{1, false, false, u"/ws"_s, {}, limited};
    const auto limit = Outcome::rateLimit(exit, parsed->report, now);
    QVERIFY(limit);
    QCOMPARE(limit->until, QDateTime::fromSecsSinceEpoch(1796065133, QTimeZone::UTC));
    QVERIFY(limit->reason.contains(u"usage limit reached"_s));

    const QByteArray plain = stream(
        R"J({"type":"result","subtype":"success","is_error":true,"terminal_reason":"api_error","api_error_status":429,"api_error_type":"rate_limit_error","num_turns":1,"result":"API Error: Request rejected (429) · Number of request tokens has exceeded your per-minute rate limit"})J");
    const auto p2 = Outcome::parseStreamJson(plain);
    const auto l2 = Outcome::rateLimit({1, false, false, u"/ws"_s, {}, plain}, p2->report, now);
    QVERIFY(l2);
    QCOMPARE(l2->until, now.addSecs(Outcome::kDefaultLimitPauseS));
}

void tst_Outcome::resetTimes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected");
    const QDateTime now(QDate(2026, 11, 30), QTime(14, 10), QTimeZone::UTC);
    QTest::newRow("epoch") << u"Claude AI usage limit reached|1796065133"_s
                           << QDateTime::fromSecsSinceEpoch(1796065133, QTimeZone::UTC);
    QTest::newRow("iso") << u"limit reached, resets at 2026-12-01T03:00:00Z"_s
                         << QDateTime(QDate(2026, 12, 1), QTime(3, 0), QTimeZone::UTC);
    QTest::newRow("3pm UTC") << u"You've hit your session limit · resets 3pm (UTC)"_s
                             << QDateTime(QDate(2026, 11, 30), QTime(15, 0), QTimeZone::UTC);
    QTest::newRow("2pm UTC: tomorrow")
        << u"5-hour limit reached ∙ resets 2pm (UTC)"_s
        << QDateTime(QDate(2026, 12, 1), QTime(14, 0), QTimeZone::UTC);
    QTest::newRow("retry after") << u"HTTP 429 Too Many Requests, retry after 30 seconds"_s
                                 << now.addSecs(30);
    QTest::newRow("none") << u"rate limited"_s << QDateTime();
}

void tst_Outcome::resetTimes()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const QDateTime now(QDate(2026, 11, 30), QTime(14, 10), QTimeZone::UTC);
    const auto at = Outcome::resetTime(text, now);
    if (!expected.isValid()) {
        QVERIFY(!at);
        return;
    }
    QVERIFY(at);
    QCOMPARE(at->toUTC(), expected);
}

// Another CLI's failure that says nothing of a limit, a success, and a cancelled run are no limit.
void tst_Outcome::noRateLimitInOtherFailures()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QVERIFY(!Outcome::rateLimit({2, false, false, {}, {}, "error: no such file\n"}, {}, now));
    QVERIFY(!Outcome::rateLimit({0, false, false, {}, {}, "rate limit reached\n"}, {}, now));
    QVERIFY(!Outcome::rateLimit({1, false, true, {}, {}, "rate limit reached\n"}, {}, now));
    const auto other
        = Outcome::rateLimit({1, false, false, {}, {}, "Error: 429 Too Many Requests\n"}, {}, now);
    QVERIFY(other);
    QCOMPARE(other->until, now.addSecs(Outcome::kDefaultLimitPauseS));
}

QTEST_GUILESS_MAIN(tst_Outcome)
#include "tst_outcome.moc"
