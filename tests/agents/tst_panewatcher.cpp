// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// The pane-watching rules against screens as agent CLIs draw them (Claude Code 2.1.x screens as
// seen in tmux, tests/claude/FINDINGS.md).
#include "services/agents/panewatcher.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace Hive;

class TestPaneWatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void read_data();
    void read();
};

void TestPaneWatcher::read_data()
{
    QTest::addColumn<QString>("screen");
    QTest::addColumn<bool>("changed");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("need");
    const int idle = int(Agent::Status::Idle), busy = int(Agent::Status::Busy),
              waiting = int(Agent::Status::WaitingInput);

    const QString trust = uR"(────────────────────────────────────────────────
 Accessing workspace:

 /tmp/ccx/i2/ws

 Quick safety check: Is this a project you created or one you trust? (Like your own code, a well-known open source project, or work from your team). If not, take a moment to review what's in this folder first.

 Claude Code'll be able to read, edit, and execute files here.

 Security guide

 ❯ No, exit
   Yes, I trust this folder

 Enter to confirm · Esc to cancel


)"_s;
    QTest::newRow("claude folder trust")
        << trust << false << waiting << u"Claude Code asks whether you trust this folder"_s;

    const QString permission = uR"(● Write(y.txt)

──────────────────────────────────────────
 Create file
 y.txt
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
  1 hello y
╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌╌
 Do you want to create y.txt?
 ❯ 1. Yes
   2. Yes, and switch to accept edits (auto-approve file edits and common file commands) for this session (shift+tab)
   3. No

 Esc to cancel · Tab to amend
)"_s;
    QTest::newRow("claude permission prompt")
        << permission << true << waiting << u"Do you want to create y.txt?"_s;

    const QString apiKey = uR"(  Detected a custom API key in your environment

  ANTHROPIC_API_KEY: sk-ant-...00000000000000000000

  Do you want to use this API key?

    Yes
  ❯ No (recommended)

  Enter to confirm · Esc to cancel
)"_s;
    QTest::newRow("claude api key")
        << apiKey << false << waiting
        << u"Claude Code asks whether to use the API key in its environment"_s;

    QTest::newRow("y/n at the bottom") << u"building...\nOverwrite file? (y/n)\n"_s << false
                                       << waiting << u"Overwrite file? (y/n)"_s;
    QTest::newRow("answered question")
        << u"Overwrite file? (y/n) y\nwriting file\ndone\n"_s << true << busy << QString();
    QTest::newRow("question then more output")
        << u"Do you want to continue?\nyes\ncompiling 3 files\n"_s << false << idle << QString();
    const QString idleClaude = uR"(● Stand-in reply to: hello

✻ Sautéed for 0s · done 12:53 PM

────────────────────────────────────────────────
❯ 
────────────────────────────────────────────────
  ⏵⏵ accept edits on (shift+tab to cycle)
)"_s;
    QTest::newRow("claude idle prompt") << idleClaude << false << idle << QString();
    QTest::newRow("output changing") << u"line 1\nline 2\n"_s << true << busy << QString();
    QTest::newRow("empty screen") << QString() << false << idle << QString();
}

void TestPaneWatcher::read()
{
    QFETCH(QString, screen);
    QFETCH(bool, changed);
    QFETCH(int, status);
    QFETCH(QString, need);
    const PaneWatcher::Reading r = PaneWatcher::read(screen, changed);
    QCOMPARE(Agent::statusName(r.status), Agent::statusName(Agent::Status(status)));
    QCOMPARE(r.need, need);
}

QTEST_GUILESS_MAIN(TestPaneWatcher)
#include "tst_panewatcher.moc"
