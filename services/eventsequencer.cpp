// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/eventsequencer.h"

#include "services/core/logging.h"
#include "services/engine.h"

#include <QTimer>

namespace Hive {

namespace {
auto log()
{
    return Logging::get("events");
}
} // namespace

EventSequencer::EventSequencer(Engine *engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_retry(new QTimer(this))
{
    m_retry->setSingleShot(true);
    m_retry->setInterval(kRetryMs);
    connect(m_retry, &QTimer::timeout, this, &EventSequencer::read);
}

EventSequencer::~EventSequencer() = default;

void EventSequencer::start(qint64 after)
{
    if (isStarted())
        return;
    m_last = qMax<qint64>(after, 0);
    Q_EMIT started();
    drain();
}

void EventSequencer::startAtNewest()
{
    if (isStarted() || m_asking)
        return;
    m_asking = true;
    m_engine->lastEventSeq().then(this, [this](Result<qint64> seq) {
        m_asking = false;
        if (!seq) {
            log()->warn("cannot ask for the newest event ({}); asking again", seq.error());
            QTimer::singleShot(kRetryMs, this, &EventSequencer::startAtNewest);
            return;
        }
        start(*seq);
    });
}

void EventSequencer::offer(const Event &event)
{
    if (event.seq <= 0) {
        log()->warn("an event without a seq ({}) is left out", event.type);
        return;
    }
    if ((isStarted() && event.seq <= m_last) || m_held.contains(event.seq))
        return; // delivered already (read from the store, or Redis delivered it twice)
    m_held.insert(event.seq, {m_arrivals++, event});
    drain();
}

void EventSequencer::catchUp()
{
    read();
}

// Delivers what follows the last event without a gap; reads the store when there is a gap.
void EventSequencer::drain()
{
    if (!isStarted())
        return;
    while (!m_held.isEmpty()) {
        const auto it = m_held.begin();
        if (it.key() <= m_last) {
            m_held.erase(it);
            continue;
        }
        if (it.key() != m_last + 1)
            break;
        const Event e = it->event;
        m_held.erase(it);
        deliver(e); // may come back here (a slot offering more): the loop starts afresh
    }
    if (!m_held.isEmpty())
        read();
}

void EventSequencer::read()
{
    if (!isStarted())
        return;
    if (m_reading) {
        m_readAgain = true;
        return;
    }
    m_reading = true;
    m_readAgain = false;
    m_retry->stop();
    const quint64 askedAt = m_arrivals;
    m_engine->events(m_last, kPageSize).then(this, [this, askedAt](Result<QList<Event>> page) {
        m_reading = false;
        if (!page) {
            log()->warn("cannot read the events after {} ({}); trying again", m_last, page.error());
            m_retry->start();
            return;
        }
        for (const Event &e : std::as_const(*page))
            if (e.seq > m_last)
                deliver(e);
        if (page->size() >= kPageSize) {
            read(); // more to read
            return;
        }
        // The events held before this read was asked for were committed before it: the read had
        // everything below them. Left only when not in the store at all; they go out now, so that
        // nothing is held forever.
        QList<Event> known;
        for (auto it = m_held.begin(); it != m_held.end();) {
            if (it.key() <= m_last) {
                it = m_held.erase(it);
            } else if (it->arrival < askedAt) {
                known << it->event;
                it = m_held.erase(it);
            } else {
                ++it;
            }
        }
        for (const Event &e : std::as_const(known))
            if (e.seq > m_last)
                deliver(e);
        const bool again = std::exchange(m_readAgain, false);
        drain();
        if (again && !m_reading)
            read();
    });
}

void EventSequencer::deliver(const Event &event)
{
    m_last = event.seq;
    Q_EMIT delivered(event);
}

} // namespace Hive
