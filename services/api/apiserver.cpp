// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// Placeholder until the API lands.
#include "apiserver.h"

using namespace Qt::StringLiterals;

namespace Hive {

class ApiServer::Private
{
public:
    Options options;
    Engine *engine = nullptr;
};

ApiServer::ApiServer(const Options &options, Engine *engine, QObject *parent)
    : QObject(parent)
    , d(new Private{options, engine})
{}

ApiServer::~ApiServer()
{
    delete d;
}

QFuture<Result<QString>> ApiServer::start()
{
    return QtFuture::makeReadyValueFuture(Result<QString>(u"(the API is not built yet)"_s));
}

void ApiServer::stop() {}
int ApiServer::port() const { return 0; }
QString ApiServer::token() const { return {}; }
QString ApiServer::tokenFile() const { return {}; }
QString ApiServer::socketPath() const { return {}; }
Result<QString> ApiServer::loadOrCreateToken(const QString &) { return failure(u"not built"_s); }
Result<QString> ApiServer::regenerateToken(const QString &) { return failure(u"not built"_s); }

} // namespace Hive
