// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apicontroller.h"

namespace Hive {

// GET /health, GET /openapi.json, and the plain GET of /events (a page of stored events; the
// WebSocket upgrade of the same path is EventHub's). Lives in the API thread.
class SystemController : public ApiController
{
    Q_OBJECT

public:
    SystemController(Engine *engine, QObject *parent);

    QHash<QString, Handler> handlers() override;
    // Once listening: the base URL openapi.json names, and the TCP port.
    void setServer(const QString &url, quint16 port);

private:
    QFuture<QHttpServerResponse> health(const Call &call);
    QFuture<QHttpServerResponse> openApi(const Call &call);
    QFuture<QHttpServerResponse> events(const Call &call);

    static constexpr int kEventPage = 100;     // events in a page of GET /events by default
    static constexpr int kMaxEventPage = 1000; // and at most

    QByteArray m_openApi; // compact JSON, made once
    quint16 m_port = 0;
};

} // namespace Hive
