// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apierror.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHttpHeaders>
#include <QUrlQuery>

#include <optional>

class QHttpServerRequest;

// Who gets into the API (../shared/API.md, "Where it listens and who gets in"): the rules on the
// headers of a request, apart from any socket so that they can be tested alone. The token is
// passed in (ApiToken holds the current one); an empty token matches nothing.
namespace Hive::ApiAuth {

// Host: localhost, 127.0.0.1 or [::1], with or without a port (DNS rebinding: a page of
// evil.example that resolves to 127.0.0.1 sends Host: evil.example).
bool isAllowedHost(QByteArrayView host);

// The same time whatever the presented token: no early exit on the first different byte.
bool constantTimeEquals(QByteArrayView presented, QByteArrayView secret);
bool tokenMatches(QByteArrayView presented, QByteArrayView secret);

// The token of "Authorization: Bearer <token>" (exactly one such header), if any.
std::optional<QByteArray> bearerToken(const QHttpHeaders &headers);

bool isWebSocketUpgrade(const QHttpHeaders &headers);

// QHttpServer gives requests of a QLocalSocket no ports; a TCP connection always has both. The
// Unix socket's mode (0600) is its protection: it needs no token.
bool overUnixSocket(const QHttpServerRequest &request);

// A plain request: no Origin, one allowed Host, then, when needsToken (an operation that needs
// one, over TCP), the right bearer token. The refusal to answer with, or nothing.
std::optional<ApiError>
refusal(const QHttpHeaders &headers, bool needsToken, QByteArrayView secret);

// A WebSocket upgrade: the same Origin and Host rules, then the token as a bearer header or, for
// clients that cannot set headers, as ?token= (a bearer header, when sent, is the one checked).
std::optional<ApiError>
webSocketRefusal(const QHttpHeaders &headers, const QUrlQuery &query, QByteArrayView secret);

} // namespace Hive::ApiAuth
