// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

// What tmuxcontroller.cpp (the control client) and tmuxcommands.cpp (the commands) share. Not
// part of the interface.

#include "services/core/logging.h"
#include "services/core/result.h"

#include <QFuture>
#include <QPromise>
#include <QString>
#include <QStringList>

#include <memory>

namespace Hive::TmuxDetail {

using namespace Qt::StringLiterals;

// The control client's own session; its name is not a valid agent session name, so it cannot
// collide with one, and listSessions() leaves it out.
inline const QString s_controlSession = u"_hive_ctl"_s;
constexpr int s_startTimeoutMs = 10000;

inline auto tmuxLog()
{
    static auto logger = Logging::get("tmux");
    return logger;
}

// A future that is fulfilled later, in this thread, from a reply callback.
template<typename T>
class Promised
{
public:
    Promised() { m_promise->start(); }
    QFuture<T> future() const { return m_promise->future(); }
    void finish(T value) const
    {
        m_promise->addResult(std::move(value));
        m_promise->finish();
    }

private:
    std::shared_ptr<QPromise<T>> m_promise = std::make_shared<QPromise<T>>();
};

template<typename T>
QFuture<Result<T>> failed(const QString &message)
{
    return QtFuture::makeReadyValueFuture(Result<T>(failure(message)));
}

// tmux can carry neither a newline (it ends the command line) nor a NUL in an argument.
inline bool isTransmittable(const QString &s)
{
    return !s.contains(u'\n') && !s.contains(QChar(0));
}

// Arguments that tmux expands as a format (new-session -c, pipe-pane's command): '#' → "##".
inline QString formatEscaped(QString s)
{
    return s.replace(u'#', u"##"_s);
}

// POSIX sh single quoting, for the one place where tmux hands a string to /bin/sh (pipe-pane).
inline QString shellQuoted(QString s)
{
    return u'\'' + s.replace(u'\'', u"'\\''"_s) + u'\'';
}

// The first error line of a reply, or fallback.
QString errorText(const QStringList &lines, const QString &fallback);

} // namespace Hive::TmuxDetail
