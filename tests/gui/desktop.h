// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QString>
#include <QTemporaryDir>

#include <sys/types.h>

namespace Hive::Test {

// The rest of a desktop on a private X server, for the tray's tests: a private D-Bus session bus
// (its own configuration: no service is started on demand, so a notification server is there only
// while the test runs one), stalonetray as the XEmbed tray host (bottom right, as a panel's tray),
// and dunst as the notification server, printing every notification it receives to a log the test
// reads. Call start() before QApplication exists: it sets DBUS_SESSION_BUS_ADDRESS, and starts the
// bus and the notification server; the tray host starts with startTray(). Everything
// stops with the destructor, or with the test process if it dies (PR_SET_PDEATHSIG).
class Desktop
{
public:
    Desktop();
    ~Desktop();
    Desktop(const Desktop &) = delete;
    Desktop &operator=(const Desktop &) = delete;

    bool start(const QString &display);
    QString error() const { return m_error; }
    QString busAddress() const { return m_busAddress; }

    // The tray host and the notification server can be stopped and started again (a panel that
    // restarts, a desktop without a notification server).
    bool startTray();
    void stopTray();
    bool startNotifications();
    void stopNotifications();
    bool isTrayRunning() const { return m_tray > 0; }

    // What dunst printed (each notification as "summary: '…'", "body: '…'", "appname: '…'" …).
    QString notificationLog() const;

private:
    pid_t spawn(const char *const argv[], const QString &log);
    static void stop(pid_t &pid);

    QTemporaryDir m_dir;
    QString m_display;
    QString m_busAddress;
    QString m_error;
    pid_t m_bus = 0;
    pid_t m_tray = 0;
    pid_t m_notifications = 0;
};

} // namespace Hive::Test
