// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "services/api/apicontroller.h"
#include "services/api/apiroutes.h"

namespace Hive {

// Reviewing an agent's work: GET /agents/{id}/diff, POST /agents/{id}/merge,
// DELETE /agents/{id}/worktree?confirm=<name>, GET /tasks/{id}/changes (GitReview). Lives in the
// API thread; git runs in GitReview's pool.
class ReviewController : public ApiController
{
    Q_OBJECT

public:
    using ApiController::ApiController;

    QHash<QString, Handler> handlers() override;

    // Its rows of the route table (ApiRoutes::operations) and its schemas (openapi.json).
    static void addOperations(QList<ApiOperation> &operations);
    static void addSchemas(QJsonObject &schemas);

private:
    QFuture<QHttpServerResponse> diff(const Call &call);
    QFuture<QHttpServerResponse> merge(const Call &call);
    QFuture<QHttpServerResponse> removeWorktree(const Call &call);
    QFuture<QHttpServerResponse> taskChanges(const Call &call);
};

} // namespace Hive
