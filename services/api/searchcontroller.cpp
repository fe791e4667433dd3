// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
#include "services/api/searchcontroller.h"

#include "services/engine.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Hive {

QHash<QString, ApiController::Handler> SearchController::handlers()
{
    return {{u"search"_s, bind(&SearchController::search)}};
}

QFuture<QHttpServerResponse> SearchController::search(const Call &call)
{
    if (auto e = checkQuery(call.query, {u"q"_s, u"kind"_s, u"limit"_s}))
        return ready(*e);
    const auto q = queryValue(call.query, u"q"_s);
    if (!q || q->trimmed().isEmpty())
        return ready(ApiError::invalidParameter(u"q: required, the words to look for"_s));
    if (q->size() > 1000)
        return ready(ApiError::invalidParameter(
            u"q: at most 1000 characters (this one has %1)"_s.arg(q->size())));
    if (q->contains(QChar(0)))
        return ready(ApiError::invalidParameter(u"q: must not contain U+0000"_s));
    Search::Kind kind = Search::Kind::Text;
    if (const auto k = queryValue(call.query, u"kind"_s)) {
        if (*k == u"semantic"_s)
            kind = Search::Kind::Semantic;
        else if (*k != u"text"_s)
            return ready(
                ApiError::unknownValue(u"kind: '%1' is not one of text, semantic"_s.arg(*k)));
    }
    const auto limit = queryInt(call.query, u"limit"_s, 1, 100, 20);
    if (!limit)
        return ready(ApiError::from(limit.error()));
    return respond(m_engine->search(*q, kind, *limit), [](Result<QList<SearchHit>> hits) {
        if (!hits)
            return ApiError::from(hits.error()).toResponse();
        QJsonArray out;
        for (const SearchHit &h : std::as_const(*hits))
            out.append(h.toJson());
        return jsonResponse(out);
    });
}

} // namespace Hive
