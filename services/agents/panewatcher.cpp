// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/agents/panewatcher.h"

#include <QRegularExpression>
#include <QStringList>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

QStringList trimmedLines(const QString &screen)
{
    QStringList lines = screen.split(u'\n');
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty())
        lines.removeLast();
    return lines;
}

// Screens that Claude Code shows before its hooks can report anything, recognised by their own
// words (seen on Claude Code 2.1.x) and named for the user.
struct KnownScreen
{
    QString marker;
    QString need;
};

const QList<KnownScreen> &knownScreens()
{
    static const QList<KnownScreen> screens{
        {u"Yes, I trust this folder"_s, u"Claude Code asks whether you trust this folder"_s},
        {u"Do you want to use this API key?"_s,
         u"Claude Code asks whether to use the API key in its environment"_s},
    };
    return screens;
}

} // namespace

bool PaneWatcher::isKnownScreen(const QString &need)
{
    return !need.isEmpty() && std::ranges::any_of(knownScreens(), [&need](const KnownScreen &s) {
        return s.need == need;
    });
}

QString PaneWatcher::openQuestion(const QString &screen)
{
    // Permission prompts, yes/no questions: near the bottom and followed by nothing but the
    // choices, the box around them or a key hint.
    static const QRegularExpression question(
        uR"re((\(y/n\)|\[y/N\]|\[Y/n\]|\(yes/no\)|Do you want to|Would you like to|Allow .*\?|Approve|Press Enter to|Continue\?|Proceed\?))re"_s,
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression choiceOrFrame(
        uR"re(^\s*([❯>]?\s*\d+[.)]\s|[│╭╰─┃└┌|╌]|Esc |\(esc\)|Enter to confirm))re"_s);
    const QStringList lines = trimmedLines(screen);
    const qsizetype from = qMax<qsizetype>(0, lines.size() - 8);
    for (qsizetype i = lines.size() - 1; i >= from; --i) {
        if (choiceOrFrame.match(lines[i]).hasMatch() || !question.match(lines[i]).hasMatch())
            continue; // a choice ("2. Yes, and auto-approve …") is not the question
        for (qsizetype j = i + 1; j < lines.size(); ++j) {
            if (!lines[j].trimmed().isEmpty() && !choiceOrFrame.match(lines[j]).hasMatch())
                return {}; // the question was answered: more output came after it
        }
        return lines[i].trimmed();
    }
    return {};
}

PaneWatcher::Reading PaneWatcher::read(const QString &screen, bool changedSinceLastLook)
{
    const QStringList lines = trimmedLines(screen);
    const QString bottom = lines.mid(qMax<qsizetype>(0, lines.size() - 25)).join(u'\n');
    for (const KnownScreen &s : knownScreens()) {
        if (bottom.contains(s.marker))
            return {Agent::Status::WaitingInput, s.need};
    }
    if (const QString q = openQuestion(screen); !q.isEmpty())
        return {Agent::Status::WaitingInput, q};
    return {changedSinceLastLook ? Agent::Status::Busy : Agent::Status::Idle, {}};
}

} // namespace Hive
