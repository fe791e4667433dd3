// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#pragma once

#include "models/task.h"
#include "services/api/apicontroller.h"

namespace Hive {

// /tasks: list, create, get, cancel, retry. Lives in the API thread.
class TaskController : public ApiController
{
    Q_OBJECT

public:
    TaskController(Engine *engine, QObject *parent);

    QHash<QString, Handler> handlers() override;

private:
    QFuture<QHttpServerResponse> list(const Call &call);
    QFuture<QHttpServerResponse> create(const Call &call);
    QFuture<QHttpServerResponse> get(const Call &call);
    QFuture<QHttpServerResponse> cancel(const Call &call);
    QFuture<QHttpServerResponse> retry(const Call &call);

    // A task as it is, or the refusal (cancel, retry and get answer alike).
    QFuture<QHttpServerResponse> answer(QFuture<Result<Task>> task);
};

} // namespace Hive
