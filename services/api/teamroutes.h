// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apiroutes.h"

#include <QJsonObject>
#include <QList>

namespace Hive::TeamRoutes {

// The operations of pause/resume/stop/start and of teams, and their schemas.
void appendOperations(QList<ApiOperation> &operations);
void insertSchemas(QJsonObject &schemas);

} // namespace Hive::TeamRoutes
