// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include <QByteArray>
#include <QString>

namespace Hive::Test {

// The rows of tst_ApiRefusals::refusals, by subject, in the order the test runs them (its
// refusals_data adds the columns: method, path, body, headers, token, status, code, mentions).
void refusalRow(const char *name,
                const char *method,
                const QString &path,
                const QByteArray &body,
                const QByteArray &headers,
                bool token,
                int status,
                const QString &code,
                const QString &mentions);
void addWhoGetsInRefusals(); // refusalrows_access.cpp
void addBodyRefusals();      // refusalrows_access.cpp
void addValueRefusals();     // refusalrows_values.cpp: enums, query parameters, invalid, too big
void addPathRefusals();      // refusalrows_values.cpp: unknown ids and paths, wrong methods

} // namespace Hive::Test
