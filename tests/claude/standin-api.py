#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# SPDX-FileCopyrightText: Agent Hive contributors
"""A local stand-in for the Anthropic Messages API, for running the real Claude Code CLI offline.

    standin-api.py [--port N] [--port-file F] [--log F.jsonl] [--model NAME]

Listens on 127.0.0.1 (port 0 = any free port; the port is printed as the first line of stdout and
written to --port-file). Every request is appended to --log as one JSON line
{"n", "time", "method", "path", "headers", "body"}; tests read it to check the exact prompt text
and the earlier turns that Claude Code sent.

The answer is scripted by the last text the user typed (the last text block of the last user
message that is not a <system-reminder>). Only the first word, in capitals, is a directive;
anything else - prompts starting with "-", "--help", "-p", quotes, "$(id)" - is plain text and is
answered with "Stand-in reply to: <text>".

    REPLY <text>                     answer exactly <text>
    WRITE <path> <content>           Write tool (\\n in content = newline), then "Done."
    READ <path>                      Read tool
    EDIT <path> <old> => <new>       Read, then Edit (Claude Code refuses an Edit of an unread file)
    BASH <command>                   Bash tool
    ERROR 429|500|overloaded [N]     HTTP error (429 with retry-after: 1) for the first N attempts
                                     of this prompt (default: every attempt), then a normal answer
    LIMIT <seconds> [N]              HTTP 429 of a usage limit: anthropic-ratelimit-unified-status
                                     rejected, -reset = now + seconds (epoch), retry-after seconds,
                                     for the first N attempts (default: every attempt)
    SLOW <ms> <rest>                 stream every delta <ms> apart, then handle <rest>

Tool directives act only in requests that offer the tool (the main conversation); side requests
(titles, summaries...) get a short plain answer. After the last tool's result comes back the
model answers "Done. Last tool result: <first line of the result>".

As HTTPS_PROXY (with NO_PROXY=127.0.0.1) it logs and refuses every CONNECT: the traffic the CLI
attempts to anywhere else (telemetry, update checks...).

Usage in every answer: input 11, cache_creation_input 222, cache_read_input 3333,
output = number of words in the answer + 1 (distinct numbers so tests can tell them apart).
"""
import argparse, itertools, json, re, sys, threading, time, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USAGE = {"input_tokens": 11, "cache_creation_input_tokens": 222, "cache_read_input_tokens": 3333}
ERRORS = {  # kind: (status, error type, message)
    "429": (429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"),
    "500": (500, "api_error", "Internal server error"),
    "overloaded": (529, "overloaded_error", "Overloaded"),
}
args = None
log_lock = threading.Lock()
counter = itertools.count(1)
attempts = {}  # prompt text -> number of requests seen (for ERROR ... N)


def log_request(handler, body):
    rec = {"n": next(counter), "time": round(time.time(), 3), "method": handler.command,
           "path": handler.path, "headers": {k.lower(): v for k, v in handler.headers.items()
                                             if k.lower() not in ("x-api-key", "authorization")},
           "body": body}
    if args.log:
        with log_lock, open(args.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
    if args.verbose:
        print(f"{rec['n']} {handler.command} {handler.path}", file=sys.stderr, flush=True)


def texts(content):
    if isinstance(content, str):
        return [content]
    return [b.get("text", "") for b in content or [] if b.get("type") == "text"]


def last_prompt(messages):
    """(prompt text, tool results after it, tool_use count after it)."""
    results, tool_uses = [], 0
    for m in reversed(messages):
        if m.get("role") == "assistant":
            tool_uses += sum(1 for b in m.get("content") or [] if isinstance(b, dict) and b.get("type") == "tool_use")
            continue
        if m.get("role") != "user":  # Claude Code 2.1 also puts "system" messages in the list
            continue
        content = m.get("content")
        if isinstance(content, list):
            results = [b for b in content if b.get("type") == "tool_result"] + results
        user_texts = [t for t in texts(content) if not t.lstrip().startswith("<system-reminder>")]
        if user_texts:
            return user_texts[-1].strip(), results, tool_uses
    return "", results, tool_uses


def result_text(block):
    c = block.get("content")
    text = c if isinstance(c, str) else " ".join(texts(c))
    return text.strip().splitlines()[0] if text.strip() else ""


def plan(prompt):
    """Directive -> (list of (tool, input)), reply text, error spec, delay seconds)."""
    delay = 0.0
    m = re.match(r"SLOW (\d+)\s*(.*)", prompt, re.S)
    if m:
        delay, prompt = int(m.group(1)) / 1000.0, m.group(2)
    word, _, rest = prompt.partition(" ")
    tools, reply, error = [], f"Stand-in reply to: {prompt}", None
    if word == "REPLY":
        reply = rest
    elif word == "WRITE":
        path, _, content = rest.partition(" ")
        tools = [("Write", {"file_path": path, "content": content.replace("\\n", "\n")})]
    elif word == "READ":
        tools = [("Read", {"file_path": rest.strip()})]
    elif word == "EDIT":
        path, _, change = rest.partition(" ")
        old, _, new = change.partition(" => ")
        tools = [("Read", {"file_path": path}),
                 ("Edit", {"file_path": path, "old_string": old, "new_string": new})]
    elif word == "BASH":
        tools = [("Bash", {"command": rest, "description": "Run a command for the stand-in"})]
    elif word == "ERROR":
        kind, _, times = rest.partition(" ")
        if kind in ERRORS:
            error = (kind, int(times) if times.strip().isdigit() else None)
    elif word == "LIMIT":
        secs, _, times = rest.partition(" ")
        if secs.strip().isdigit():
            error = ("limit:" + secs.strip(), int(times) if times.strip().isdigit() else None)
    return tools, reply, error, delay, prompt


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send_json(self, status, obj, headers=()):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.send_header("request-id", "req_standin_" + uuid.uuid4().hex[:16])
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode(errors="replace")

    def do_GET(self):
        log_request(self, None)
        path = self.path.split("?")[0]
        if path.startswith("/v1/models"):
            model = {"type": "model", "id": args.model, "display_name": "Stand-in", "created_at": "2025-01-01T00:00:00Z"}
            if path == "/v1/models":
                return self.send_json(200, {"data": [model], "has_more": False, "first_id": args.model, "last_id": args.model})
            return self.send_json(200, dict(model, id=path.rsplit("/", 1)[1]))
        self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": f"stand-in: no {path}"}})

    def do_CONNECT(self):  # as HTTPS_PROXY: log where the CLI would go beyond the API, refuse it
        log_request(self, None)
        self.send_response(403)
        self.send_header("content-length", "0")
        self.end_headers()
        self.close_connection = True

    def do_HEAD(self):
        log_request(self, None)
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def do_POST(self):
        body = self.read_body()
        log_request(self, body)
        path = self.path.split("?")[0]
        if path == "/v1/messages/count_tokens":
            return self.send_json(200, {"input_tokens": max(1, len(json.dumps(body)) // 4)})
        if path != "/v1/messages" or not isinstance(body, dict):
            return self.send_json(404, {"type": "error", "error": {"type": "not_found_error", "message": f"stand-in: no {path}"}})
        self.messages(body)

    def messages(self, body):
        prompt, results, done = last_prompt(body.get("messages") or [])
        tools, reply, error, delay, prompt = plan(prompt)
        offered = {t.get("name") for t in body.get("tools") or []}
        if not offered:  # a side request (title, summary, quota check...): short text, no errors
            tools, error, reply = [], None, "Stand-in"
        if error:
            with log_lock:
                attempts[prompt] = attempts.get(prompt, 0) + 1
                n = attempts[prompt]
            if error[1] is None or n <= error[1]:
                if error[0].startswith("limit:"):
                    secs = int(error[0][6:])
                    reset = int(time.time()) + secs
                    hdrs = [("retry-after", str(secs)),
                            ("anthropic-ratelimit-unified-status", "rejected"),
                            ("anthropic-ratelimit-unified-reset", str(reset)),
                            ("anthropic-ratelimit-unified-representative-claim", "five_hour")]
                    return self.send_json(429, {"type": "error", "error": {"type": "rate_limit_error", "message": f"Claude AI usage limit reached|{reset}"}}, hdrs)
                status, etype, msg = ERRORS[error[0]]
                hdrs = [("retry-after", "1")] if status == 429 else []
                return self.send_json(status, {"type": "error", "error": {"type": etype, "message": msg}}, hdrs)
        blocks = []
        if done < len(tools) and tools[done][0] in offered:
            name, inp = tools[done]
            blocks.append({"type": "tool_use", "id": "toolu_standin_" + uuid.uuid4().hex[:20], "name": name, "input": inp})
            stop = "tool_use"
        else:
            if results:
                reply = "Done. Last tool result: " + result_text(results[-1])
            blocks.append({"type": "text", "text": reply})
            stop = "end_turn"
        out_tokens = sum(len(b.get("text", json.dumps(b.get("input"))).split()) for b in blocks) + 1
        usage = dict(USAGE, output_tokens=out_tokens, service_tier="standard")
        msg = {"id": "msg_standin_" + uuid.uuid4().hex[:20], "type": "message", "role": "assistant",
               "model": body.get("model") or args.model, "content": blocks, "stop_reason": stop,
               "stop_sequence": None, "usage": usage}
        if not body.get("stream"):
            return self.send_json(200, msg)
        self.stream(msg, delay)

    def stream(self, msg, delay):
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("request-id", "req_standin_" + uuid.uuid4().hex[:16])
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True

        def event(name, data):
            self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
            self.wfile.flush()

        start = dict(msg, content=[], stop_reason=None, usage=dict(msg["usage"], output_tokens=1))
        event("message_start", {"type": "message_start", "message": start})
        event("ping", {"type": "ping"})
        for i, b in enumerate(msg["content"]):
            if b["type"] == "text":
                event("content_block_start", {"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}})
                pieces, kind, key = re.findall(r"\S+\s*|\s+", b["text"]) or [""], "text_delta", "text"
            else:
                event("content_block_start", {"type": "content_block_start", "index": i,
                                              "content_block": dict(b, input={})})
                js = json.dumps(b["input"])
                pieces, kind, key = [""] + [js[j:j + 24] for j in range(0, len(js), 24)], "input_json_delta", "partial_json"
            for p in pieces:
                if delay:
                    time.sleep(delay)
                event("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {"type": kind, key: p}})
            event("content_block_stop", {"type": "content_block_stop", "index": i})
        event("message_delta", {"type": "message_delta", "delta": {"stop_reason": msg["stop_reason"], "stop_sequence": None},
                                "usage": {"output_tokens": msg["usage"]["output_tokens"]}})
        event("message_stop", {"type": "message_stop"})


def main():
    global args
    p = argparse.ArgumentParser(description="Stand-in for the Anthropic Messages API")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log", help="append every request as a JSON line to this file")
    p.add_argument("--model", default="claude-sonnet-4-5-20250929")
    p.add_argument("--verbose", action="store_true", help="one line per request on stderr")
    args = p.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(f"{port}\n")
        import os
        os.replace(args.port_file + ".tmp", args.port_file)
    print(port, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
