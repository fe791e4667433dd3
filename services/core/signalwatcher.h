// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Hive {

// Turns SIGTERM, SIGINT and SIGHUP into a Qt signal in the thread that made the watcher (the
// self-pipe trick); Unix only. One watcher per process.
class SignalWatcher : public QObject
{
    Q_OBJECT

public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

Q_SIGNALS:
    void signalled(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Hive
