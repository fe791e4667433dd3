// SPDX-License-Identifier: GPL-3.0-or-later
// SPDX-FileCopyrightText: Agent Hive contributors
// Search: full text over prompts, answers and terminal logs (tsvector columns with GIN indexes,
// migration 0004), embeddings for semantic search, and the log copy's bookkeeping.
#include "services/store/database.h"

#include "models/validation.h"
#include "services/store/rows.h"

using namespace Qt::StringLiterals;

namespace Hive {

namespace {

// ts_headline's options: markers that cannot be in cleaned text, a few short fragments.
const QString kHeadline = u"'StartSel=\x01, StopSel=\x02, MaxFragments=2, MaxWords=24, "
                          "MinWords=8, ShortWord=2, FragmentDelimiter=\" … \"'"_s;

QString vectorText(const QList<float> &v)
{
    QString s = u"["_s;
    for (qsizetype i = 0; i < v.size(); ++i) {
        if (i)
            s += u',';
        s += QString::number(double(v[i]), 'g', 8);
    }
    return s + u']';
}

SearchHit hitFromRow(const Rows &row)
{
    SearchHit h;
    h.kind
        = SearchHit::kindFromName(row.value(u"kind"_s).toString()).value_or(SearchHit::Kind::Task);
    h.taskId = row.value(u"task_id"_s).toString();
    h.agentId = row.value(u"agent_id"_s).toString();
    h.agentName = row.value(u"agent_name"_s).toString();
    h.title = row.value(u"title"_s).toString();
    h.score = row.value(u"score"_s).toDouble();
    h.at = row.value(u"at"_s).toDateTime();
    h.logId = row.value(u"log_id"_s).toLongLong();
    h.setMarkedSnippet(row.value(u"snippet"_s).toString());
    return h;
}

} // namespace

Result<QList<SearchHit>> Database::search(const QString &query, int limit)
{
    limit = qBound(1, limit, 200);
    // Each kind keeps its best `limit` first (its GIN index answers), then the best of those;
    // snippets are made only for the hits that are returned (ts_headline reads the whole text).
    const QString sql = uR"(
WITH q AS (SELECT websearch_to_tsquery('english', ?) AS q),
hits AS (
    (SELECT 'prompt'::text AS kind, t.id AS task_id, t.agent_id, NULL::bigint AS log_id,
            ts_rank_cd(t.prompt_search, q.q) AS score, t.created_at AS at
       FROM tasks t, q WHERE t.prompt_search @@ q.q ORDER BY score DESC, at DESC LIMIT ?)
    UNION ALL
    (SELECT 'answer', t.id, t.agent_id, NULL, ts_rank_cd(t.output_search, q.q) AS score,
            coalesce(t.finished_at, t.created_at) AS at
       FROM tasks t, q WHERE t.output_search @@ q.q ORDER BY score DESC, at DESC LIMIT ?)
    UNION ALL
    (SELECT 'log', NULL, l.agent_id, l.id, ts_rank_cd(l.search, q.q) AS score, l.at
       FROM agent_logs l, q WHERE l.search @@ q.q ORDER BY score DESC, at DESC LIMIT ?)
),
top AS (SELECT * FROM hits ORDER BY score DESC, at DESC LIMIT ?)
SELECT top.kind, top.task_id::text AS task_id, top.agent_id::text AS agent_id, top.log_id,
       top.score, top.at, coalesce(t.title, a.name, '') AS title, coalesce(a.name, '') AS agent_name,
       ts_headline('english',
                   CASE top.kind WHEN 'prompt' THEN left(t.title || E'\n' || t.prompt, 200000)
                                 WHEN 'answer' THEN left(t.output, 200000)
                                 ELSE l.text END,
                   (SELECT q FROM q), )"_s
                        + kHeadline + uR"() AS snippet
  FROM top LEFT JOIN tasks t ON t.id = top.task_id
           LEFT JOIN agents a ON a.id = top.agent_id
           LEFT JOIN agent_logs l ON l.id = top.log_id
 ORDER BY top.score DESC, top.at DESC)"_s;
    auto q = exec(sql, {query, limit, limit, limit, limit});
    if (!q)
        return failure(q.error());
    QList<SearchHit> out;
    while (q->next())
        out << hitFromRow(*q);
    return out;
}

Result<QList<SearchHit>>
Database::nearestTasks(const QList<float> &embedding, const QString &model, int limit)
{
    auto q = exec(uR"(
SELECT 'task' AS kind, t.id::text AS task_id, t.agent_id::text AS agent_id, NULL::bigint AS log_id,
       1 - (e.embedding <=> ?::vector) AS score, coalesce(t.finished_at, t.created_at) AS at,
       t.title, coalesce(a.name, '') AS agent_name, left(t.prompt, 300) AS snippet
  FROM task_embeddings e JOIN tasks t ON t.id = e.task_id LEFT JOIN agents a ON a.id = t.agent_id
 WHERE e.model = ? AND vector_dims(e.embedding) = ?
 ORDER BY e.embedding <=> ?::vector LIMIT ?)"_s,
                  {vectorText(embedding),
                   model,
                   int(embedding.size()),
                   vectorText(embedding),
                   qBound(1, limit, 200)});
    if (!q)
        return failure(q.error());
    QList<SearchHit> out;
    while (q->next())
        out << hitFromRow(*q);
    return out;
}

Result<QList<EmbeddingJob>> Database::tasksToEmbed(const QString &model, int limit)
{
    // A task without an embedding of this model, or answered since its embedding was made.
    auto q = exec(uR"(
SELECT t.id::text AS id, t.title || E'\n' || left(t.prompt, 6000)
       || coalesce(E'\n\n' || left(t.output, 6000), '') AS text
  FROM tasks t LEFT JOIN task_embeddings e ON e.task_id = t.id
 WHERE e.task_id IS NULL OR e.model <> ?
    OR (t.finished_at IS NOT NULL AND e.created_at < t.finished_at)
 ORDER BY t.created_at DESC LIMIT ?)"_s,
                  {model, qBound(1, limit, 256)});
    if (!q)
        return failure(q.error());
    QList<EmbeddingJob> out;
    while (q->next())
        out << EmbeddingJob{q->value(u"id"_s).toString(), q->value(u"text"_s).toString()};
    return out;
}

Result<>
Database::storeEmbedding(const QString &taskId, const QString &model, const QList<float> &v)
{
    if (v.isEmpty())
        return failure(Error::invalid(u"an embedding has no values"_s));
    auto r = exec(u"INSERT INTO task_embeddings (task_id, model, embedding, created_at) "
                  "SELECT ?::uuid, ?, ?::vector, clock_timestamp() "
                  "WHERE EXISTS (SELECT 1 FROM tasks WHERE id = ?::uuid) "
                  "ON CONFLICT (task_id) DO UPDATE SET model = EXCLUDED.model, "
                  "embedding = EXCLUDED.embedding, created_at = EXCLUDED.created_at"_s,
                  {taskId, model, vectorText(v), taskId});
    if (!r)
        return failure(r.error());
    return {};
}

Result<qint64> Database::logOffset(const QString &file)
{
    auto q = exec(u"SELECT byte_offset FROM log_offsets WHERE file = ?"_s, {file});
    if (!q)
        return failure(q.error());
    return q->next() ? q->value(u"byte_offset"_s).toLongLong() : 0;
}

Result<> Database::appendLog(const QString &file,
                             const QString &agentId,
                             const QList<LogChunk> &chunks,
                             qint64 newOffset)
{
    return transaction([&]() -> Result<> {
        for (const LogChunk &c : chunks) {
            auto r = exec(u"INSERT INTO agent_logs (agent_id, byte_offset, text) "
                          "VALUES (?::uuid, ?, ?)"_s,
                          {agentId, c.byteOffset, c.text});
            if (!r)
                return failure(r.error());
        }
        auto r = exec(u"INSERT INTO log_offsets (file, byte_offset) VALUES (?, ?) "
                      "ON CONFLICT (file) DO UPDATE SET byte_offset = EXCLUDED.byte_offset"_s,
                      {file, newOffset});
        if (!r)
            return failure(r.error());
        return {};
    });
}

Result<QHash<QString, QString>> Database::agentIdsByName()
{
    auto q = exec(u"SELECT DISTINCT ON (name) name, id::text AS id FROM agents "
                  "ORDER BY name, created_at DESC"_s);
    if (!q)
        return failure(q.error());
    QHash<QString, QString> out;
    while (q->next())
        out.insert(q->value(u"name"_s).toString(), q->value(u"id"_s).toString());
    return out;
}

Result<LogText> Database::logText(qint64 id)
{
    auto q = exec(u"SELECT l.id, l.agent_id::text AS agent_id, a.name, l.byte_offset, l.text "
                  "FROM agent_logs l JOIN agents a ON a.id = l.agent_id WHERE l.id = ?"_s,
                  {id});
    if (!q)
        return failure(q.error());
    if (!q->next())
        return failure(notFound(u"log chunk"_s, QString::number(id)));
    return LogText{q->value(u"id"_s).toLongLong(),
                   q->value(u"agent_id"_s).toString(),
                   q->value(u"name"_s).toString(),
                   q->value(u"byte_offset"_s).toLongLong(),
                   q->value(u"text"_s).toString()};
}

} // namespace Hive
