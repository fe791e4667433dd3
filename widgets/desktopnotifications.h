// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <optional>

namespace Hive {

// The desktop's notification server (org.freedesktop.Notifications on the D-Bus session bus, as
// GNOME, KDE, XFCE, dunst, mako … provide), spoken to directly: Qt's QSystemTrayIcon::showMessage
// uses it only when the tray is a StatusNotifierItem host and otherwise draws a balloon of its own
// next to an XEmbed tray, or nothing at all without a tray (stock GNOME). Every call is
// asynchronous (the GUI thread never waits on the bus). A notice given with a key replaces the
// previous one with that key still on screen; clicking it reports the key. Linux and other
// freedesktop platforms only; elsewhere isAvailable() is false. GUI thread.
class DesktopNotifications : public QObject
{
    Q_OBJECT

public:
    explicit DesktopNotifications(QObject *parent = nullptr);
    ~DesktopNotifications() override;

    // A server runs on the session bus, or the bus starts one on demand. Learnt asynchronously
    // (false until the bus answered) and kept up to date: availableChanged().
    bool isAvailable() const { return m_running || m_activatable; }
    // Sends it (after the server's capabilities are known, the first time). False, and nothing
    // sent, without a server; a server that refuses it later is reported by notShown().
    bool show(const QString &title, const QString &body, bool warning, const QString &key = {});
    // Takes the notice with this key off the screen, if it is still there (it is answered).
    void withdraw(const QString &key);

Q_SIGNALS:
    void availableChanged(bool available);
    // The user clicked the notice with this key (the server's default action).
    void activated(const QString &key);
    // The server refused or vanished before it could show this one.
    void notShown(const QString &title, const QString &body, bool warning, const QString &key);

private Q_SLOTS:
    // D-Bus signals of the server (string-based connections: QtDBus has no other).
    void onActionInvoked(uint id, const QString &action);
    void onNotificationClosed(uint id, uint reason);

private:
    struct Notice
    {
        QString title, body, key;
        bool warning = false;
    };
    void setRunning(bool running);
    void askCapabilities();
    void send(const Notice &notice);

    bool m_running = false;
    bool m_activatable = false;
    enum class Capabilities { Unknown, Asking, Known } m_capabilities = Capabilities::Unknown;
    bool m_markup = false;
    bool m_actions = false;
    // A notice with a key sent, its number not yet known: what to do once it is.
    struct Flight
    {
        std::optional<Notice> next; // a newer notice with that key, to replace it with
        bool withdraw = false;
    };
    QList<Notice> m_pending;           // waiting for the capabilities
    QHash<QString, Flight> m_inFlight; // by key
    QHash<QString, uint> m_idByKey;    // notices on screen, by the caller's key
    QHash<uint, QString> m_keyById;
};

} // namespace Hive
