// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/event.h"

#include <QMap>
#include <QObject>

class QTimer;

namespace Hive {

class Engine;

// Makes of the events as Redis delivers them (Engine::eventReceived) every committed event once,
// in seq order, for one consumer (the API's event hub, the GUI's session controller). An event
// that comes after a gap in seq waits until the gap is read from PostgreSQL (Engine::events):
// publishers race each other, and what was published while Redis was away never comes. catchUp()
// reads what was committed after the last event delivered (for when the subscription is back,
// Engine::eventsConnected).
//
// It relies on seq following commit order (Database::kEventOrderLock): an event that came through
// Redis is committed, so every smaller seq is committed too or never will be (rolled back), and a
// read made after the event came fills the gap below it for good. Lives in its consumer's thread
// and never waits: reads are futures; a read that fails is tried again a second later, the events
// behind it held back meanwhile.
class EventSequencer : public QObject
{
    Q_OBJECT

public:
    explicit EventSequencer(Engine *engine, QObject *parent = nullptr);
    ~EventSequencer() override;

    // Delivers the events after seq `after` from now on (those offered before are held until
    // then). Once only.
    void start(qint64 after);
    // The same after the newest event committed now, asked of the store (again until it answers).
    void startAtNewest();
    bool isStarted() const { return m_last >= 0; }
    // The seq of the last event delivered (or where it started); -1 before it started.
    qint64 lastSeq() const { return m_last; }

    void offer(const Hive::Event &event); // an event as Redis delivered it
    void catchUp();                       // reads what the store has after lastSeq()

    static constexpr int kPageSize = 500;
    static constexpr int kRetryMs = 1000;

Q_SIGNALS:
    void started();
    void delivered(const Hive::Event &event);

private:
    struct Held
    {
        quint64 arrival; // m_arrivals when it came
        Event event;
    };

    void drain();
    void read();
    void deliver(const Event &event);

    Engine *m_engine;
    qint64 m_last = -1;
    QMap<qint64, Held> m_held; // seq → an event behind a gap
    quint64 m_arrivals = 0;
    bool m_asking = false;
    bool m_reading = false;
    bool m_readAgain = false;
    QTimer *m_retry;
};

} // namespace Hive
