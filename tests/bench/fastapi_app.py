# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: Agent Hive contributors
"""The yardstick for bench_api: GET /api/v1/agents and POST /api/v1/tasks as a FastAPI + uvicorn
app would serve them, on the same PostgreSQL and with the same SQL as Agent Hive's store (the same
columns, the task row and its task.created event row in one transaction), the same bearer token
check and the same JSON. What it does not do that Agent Hive does: put the task on the Redis queue
and publish the event (Agent Hive does both after the commit, off the request's path).

Run by bench_api:  HIVE_DATABASE_URL=postgresql://… HIVE_API_TOKEN=… \
    python3 -m uvicorn fastapi_app:app --app-dir tests/bench --port N
"""
import hmac
import json
import os
import uuid
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel, ConfigDict, Field

DATABASE_URL = os.environ["HIVE_DATABASE_URL"]
TOKEN = os.environ["HIVE_API_TOKEN"].encode()
POOL_SIZE = int(os.environ.get("HIVE_POOL_SIZE", "8"))

AGENT_COLS = ("id::text, name, type, profile, interactive, status, tmux_session, workdir, "
              "current_task_id::text, created_at, last_heartbeat")
TASK_COLS = ("id::text, title, prompt, agent_type, priority, status, agent_id::text, "
             "array_to_string(depends_on, ','), attempts, max_attempts, created_at, started_at, "
             "finished_at, exit_code, output, duration_ms, cost_usd, error")

pool = AsyncConnectionPool(DATABASE_URL, min_size=POOL_SIZE, max_size=POOL_SIZE, open=False)


@asynccontextmanager
async def lifespan(_app):
    await pool.open(wait=True)
    yield
    await pool.close()


app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)


def when(t: Optional[datetime]):
    if t is None:
        return None
    return t.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def authorized(request: Request) -> bool:
    presented = request.headers.get("authorization", "").encode()
    return hmac.compare_digest(presented, b"Bearer " + TOKEN)


def agent_json(r) -> dict:
    return {"id": r[0], "name": r[1], "type": r[2], "profile": r[3], "interactive": r[4],
            "status": r[5], "tmux_session": r[6], "workdir": r[7], "current_task_id": r[8],
            "created_at": when(r[9]), "last_heartbeat": when(r[10])}


def task_json(r) -> dict:
    result = None
    if r[13] is not None:
        result = {"exit_code": r[13], "output": r[14] or "", "duration_ms": r[15] or 0,
                  "cost_usd": r[16]}
    return {"id": r[0], "title": r[1], "prompt": r[2], "agent_type": r[3], "priority": r[4],
            "status": r[5], "agent_id": r[6], "depends_on": r[7].split(",") if r[7] else [],
            "attempts": r[8], "max_attempts": r[9], "created_at": when(r[10]),
            "started_at": when(r[11]), "finished_at": when(r[12]), "result": result,
            "error": r[17]}


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    prompt: str = Field(min_length=1)
    title: str = ""
    agent_type: str = Field(default="dev", pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")
    priority: int = Field(default=0, ge=0, le=9)
    depends_on: list[str] = []
    max_attempts: int = Field(default=3, ge=1, le=100)


@app.get("/api/v1/health")
async def health():
    return {"status": "ok"}


@app.get("/api/v1/agents")
async def list_agents(request: Request):
    if not authorized(request):
        return error(401, "unauthorized", "missing or wrong bearer token")
    async with pool.connection() as conn:
        cur = await conn.execute(f"SELECT {AGENT_COLS} FROM agents ORDER BY created_at")
        rows = await cur.fetchall()
    return JSONResponse([agent_json(r) for r in rows])


@app.post("/api/v1/tasks", status_code=201)
async def create_task(request: Request, task: TaskIn):
    if not authorized(request):
        return error(401, "unauthorized", "missing or wrong bearer token")
    if not task.prompt.strip():
        return error(422, "invalid_value", "prompt: must not be empty")
    task_id = str(uuid.uuid4())
    async with pool.connection() as conn:
        async with conn.transaction():
            status = "queued"
            for dep in task.depends_on:
                cur = await conn.execute("SELECT status FROM tasks WHERE id = %s::uuid", (dep,))
                found = await cur.fetchone()
                if found is None:
                    return error(422, "invalid_value", f"depends_on: no task with id {dep}")
                if found[0] != "succeeded":
                    status = "blocked"
            cur = await conn.execute(
                "INSERT INTO tasks (id, title, prompt, agent_type, priority, status, depends_on, "
                "max_attempts, error, finished_at) VALUES (%s::uuid, %s, %s, %s, %s, %s, %s::uuid[], "
                f"%s, NULL, NULL) RETURNING {TASK_COLS}",
                (task_id, task.title, task.prompt, task.agent_type, task.priority, status,
                 "{" + ",".join(task.depends_on) + "}", task.max_attempts))
            row = await cur.fetchone()
            created = task_json(row)
            payload = json.dumps({"type": "task.created", "at": None, "seq": 0, "task": created},
                                 separators=(",", ":"))
            await conn.execute(
                "INSERT INTO events (type, agent_id, task_id, payload) "
                "VALUES ('task.created', NULL, %s::uuid, %s::jsonb) RETURNING id, at",
                (task_id, payload))
    return Response(json.dumps(created, separators=(",", ":")), status_code=201,
                    media_type="application/json",
                    headers={"Location": f"/api/v1/tasks/{task_id}"})
