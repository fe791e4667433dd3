// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "widgets/desktopnotifications.h"

#ifdef HIVE_DBUS_NOTIFICATIONS
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QVariantMap>
#endif

using namespace Qt::StringLiterals;

namespace Hive {

#ifdef HIVE_DBUS_NOTIFICATIONS

namespace {

// The Desktop Notifications Specification 1.2.
const QString kService = u"org.freedesktop.Notifications"_s;
const QString kPath = u"/org/freedesktop/Notifications"_s;
const QString &kInterface = kService;
const QString kDefaultAction = u"default"_s;
// The name of the installed .desktop file and icon (packaging/linux/agenthive.desktop).
const QString kDesktopEntry = u"agenthive"_s;

QDBusMessage busCall(const QString &method)
{
    return QDBusMessage::createMethodCall(
        u"org.freedesktop.DBus"_s, u"/org/freedesktop/DBus"_s, u"org.freedesktop.DBus"_s, method);
}

// Calls asynchronously; onReply(reply) in this thread when the answer (or an error) is in.
template<typename Reply, typename F>
void callAsync(QObject *context, const QDBusMessage &message, F onReply)
{
    auto *watcher
        = new QDBusPendingCallWatcher(QDBusConnection::sessionBus().asyncCall(message), context);
    QObject::connect(watcher,
                     &QDBusPendingCallWatcher::finished,
                     context,
                     [onReply](QDBusPendingCallWatcher *w) {
                         w->deleteLater();
                         onReply(Reply(*w));
                     });
}

} // namespace

DesktopNotifications::DesktopNotifications(QObject *parent)
    : QObject(parent)
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return;
    auto *watcher
        = new QDBusServiceWatcher(kService, bus, QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(watcher,
            &QDBusServiceWatcher::serviceOwnerChanged,
            this,
            [this](const QString &, const QString &, const QString &newOwner) {
                setRunning(!newOwner.isEmpty());
            });
    bus.connect(kService,
                kPath,
                kInterface,
                u"ActionInvoked"_s,
                this,
                SLOT(onActionInvoked(uint, QString)));
    bus.connect(kService,
                kPath,
                kInterface,
                u"NotificationClosed"_s,
                this,
                SLOT(onNotificationClosed(uint, uint)));

    QDBusMessage hasOwner = busCall(u"NameHasOwner"_s);
    hasOwner << kService;
    callAsync<QDBusPendingReply<bool>>(this, hasOwner, [this](const QDBusPendingReply<bool> &r) {
        if (r.isValid() && r.value())
            setRunning(true);
    });
    // A server the bus starts on the first call counts as one.
    callAsync<QDBusPendingReply<QStringList>>(
        this, busCall(u"ListActivatableNames"_s), [this](const QDBusPendingReply<QStringList> &r) {
            const bool before = isAvailable();
            m_activatable = r.isValid() && r.value().contains(kService);
            if (isAvailable() != before)
                Q_EMIT availableChanged(isAvailable());
        });
}

DesktopNotifications::~DesktopNotifications() = default;

void DesktopNotifications::setRunning(bool running)
{
    const bool before = isAvailable();
    m_running = running;
    if (!running) {
        // Its notices are gone with it; another server may be able to do other things.
        m_idByKey.clear();
        m_keyById.clear();
        if (m_capabilities == Capabilities::Known)
            m_capabilities = Capabilities::Unknown;
    }
    if (isAvailable() != before)
        Q_EMIT availableChanged(isAvailable());
}

bool DesktopNotifications::show(const QString &title,
                                const QString &body,
                                bool warning,
                                const QString &key)
{
    if (!isAvailable())
        return false;
    const Notice notice{title, body, key, warning};
    if (m_capabilities == Capabilities::Known) {
        send(notice);
    } else {
        m_pending << notice;
        askCapabilities();
    }
    return true;
}

void DesktopNotifications::withdraw(const QString &key)
{
    if (key.isEmpty())
        return;
    m_pending.removeIf([&key](const Notice &n) { return n.key == key; });
    // Not yet numbered by the server: taken off once it is.
    if (const auto flight = m_inFlight.find(key); flight != m_inFlight.end()) {
        flight->next.reset();
        flight->withdraw = true;
        return;
    }
    const auto id = m_idByKey.find(key);
    if (id == m_idByKey.end())
        return;
    QDBusMessage close
        = QDBusMessage::createMethodCall(kService, kPath, kInterface, u"CloseNotification"_s);
    close << *id;
    m_keyById.remove(*id);
    m_idByKey.erase(id);
    QDBusConnection::sessionBus().send(close);
}

// Whether the body may carry markup (then text must be escaped) and whether a click can be told
// apart (the "default" action) differ between servers.
void DesktopNotifications::askCapabilities()
{
    if (m_capabilities == Capabilities::Asking)
        return;
    m_capabilities = Capabilities::Asking;
    callAsync<QDBusPendingReply<QStringList>>(
        this,
        QDBusMessage::createMethodCall(kService, kPath, kInterface, u"GetCapabilities"_s),
        [this](const QDBusPendingReply<QStringList> &r) {
            const QList<Notice> pending = std::exchange(m_pending, {});
            if (!r.isValid()) {
                // No server after all (none runs, and starting one failed).
                m_capabilities = Capabilities::Unknown;
                const bool before = isAvailable();
                m_activatable = false;
                if (isAvailable() != before)
                    Q_EMIT availableChanged(isAvailable());
                for (const Notice &n : pending)
                    Q_EMIT notShown(n.title, n.body, n.warning, n.key);
                return;
            }
            m_capabilities = Capabilities::Known;
            m_markup = r.value().contains(u"body-markup"_s);
            m_actions = r.value().contains(u"actions"_s);
            for (const Notice &n : pending)
                send(n);
        });
}

void DesktopNotifications::send(const Notice &n)
{
    // A notice replaces the one before with its key by that one's number, which the server gives
    // in its answer: until then the newest one waits (sent at once, both would stay on screen).
    if (!n.key.isEmpty()) {
        if (const auto flight = m_inFlight.find(n.key); flight != m_inFlight.end()) {
            flight->next = n;
            flight->withdraw = false;
            return;
        }
        m_inFlight.insert(n.key, {});
    }
    QDBusMessage notify = QDBusMessage::createMethodCall(kService, kPath, kInterface, u"Notify"_s);
    QStringList actions;
    if (m_actions)
        actions << kDefaultAction << tr("Show");
    const QVariantMap hints{{u"desktop-entry"_s, kDesktopEntry},
                            {u"urgency"_s, QVariant::fromValue(uchar(1))}};
    const uint replaces = m_idByKey.value(n.key, 0u);
    const QString icon = n.warning ? u"dialog-warning"_s : kDesktopEntry;
    const QString body = m_markup ? n.body.toHtmlEscaped() : n.body;
    const int expireTimeout = -1; // as the server likes it
    notify.setArguments(
        {u"Agent Hive"_s, replaces, icon, n.title, body, actions, hints, expireTimeout});
    callAsync<QDBusPendingReply<uint>>(this, notify, [this, n](const QDBusPendingReply<uint> &r) {
        const Flight flight = n.key.isEmpty() ? Flight{} : m_inFlight.take(n.key);
        if (!r.isValid()) {
            Q_EMIT notShown(n.title, n.body, n.warning, n.key);
        } else {
            const uint id = r.value();
            if (!n.key.isEmpty()) {
                if (const uint old = m_idByKey.value(n.key); old != id)
                    m_keyById.remove(old);
                m_idByKey.insert(n.key, id);
            }
            m_keyById.insert(id, n.key);
        }
        if (flight.withdraw)
            withdraw(n.key);
        else if (flight.next)
            send(*flight.next);
    });
}

void DesktopNotifications::onActionInvoked(uint id, const QString &action)
{
    if (action == kDefaultAction && m_keyById.contains(id))
        Q_EMIT activated(m_keyById.value(id));
}

void DesktopNotifications::onNotificationClosed(uint id, uint reason)
{
    Q_UNUSED(reason)
    const QString key = m_keyById.take(id);
    if (!key.isEmpty() && m_idByKey.value(key) == id)
        m_idByKey.remove(key);
}

#else // no D-Bus: no freedesktop notification server to talk to

DesktopNotifications::DesktopNotifications(QObject *parent)
    : QObject(parent)
{}

DesktopNotifications::~DesktopNotifications() = default;

void DesktopNotifications::setRunning(bool) {}

bool DesktopNotifications::show(const QString &, const QString &, bool, const QString &)
{
    return false;
}

void DesktopNotifications::withdraw(const QString &) {}

void DesktopNotifications::askCapabilities() {}

void DesktopNotifications::send(const Notice &) {}

void DesktopNotifications::onActionInvoked(uint, const QString &) {}

void DesktopNotifications::onNotificationClosed(uint, uint) {}

#endif

} // namespace Hive
