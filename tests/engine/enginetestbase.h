// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apiserver.h"
#include "services/engine.h"
#include "tests/fixture/hivefixture.h"

#include <QDeadlineTimer>
#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTest>

#include <functional>
#include <memory>

namespace Hive::Test {

// The shared set-up of the tst_engine_* tests: the whole engine against real PostgreSQL, Redis and
// tmux of one fixture, with hive-runner running the fake agent CLI in real tmux sessions, and the
// profiles "fake", "fake-json" and "missing". QTest runs the private slots below for every test
// class derived from it; the helpers are for the test functions.
class EngineTestBase : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void init();

protected:
    template<typename T>
    T wait(QFuture<T> f, int ms = 30000)
    {
        QDeadlineTimer d(ms);
        while (!f.isFinished() && !d.hasExpired())
            QTest::qWait(5);
        if (!f.isFinished())
            qFatal("future did not finish");
        return f.result();
    }
    // The engine, and the API beside it (hive-runner reaches the app through <data-dir>/api.sock).
    void startEngine();
    void startApi();   // for an engine made by the test itself
    void stopEngine(); // the API, then the engine: the app gone
    Agent spawnWorker(const QString &type,
                      const QString &profile = QStringLiteral("fake"),
                      const QString &name = {});
    Task createTask(const QString &prompt,
                    const QString &type,
                    int priority = 0,
                    const QStringList &deps = {},
                    int maxAttempts = 3);
    Task waitTask(const QString &id, std::function<bool(const Task &)> until, int ms = 30000);
    Agent waitAgent(const QString &id, std::function<bool(const Agent &)> until, int ms = 30000);
    int runsWithOutcome(const QString &taskId, const QString &outcome);
    qint64 panePid(const QString &session);
    void writeProfile(const QString &name, const QStringList &command);
    static bool finished(const Task &t);

    // Set by a derived test before initTestCase: changes the engine's options (every start).
    std::function<void(Engine::Options &)> m_configure;
    std::unique_ptr<HiveFixture> m_fx;
    std::unique_ptr<Engine> m_engine;
    std::unique_ptr<ApiServer> m_api; // after m_engine: destroyed first
    QList<Event> m_events;
};

} // namespace Hive::Test
