#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# A stand-in for an OpenAI-compatible embeddings endpoint (POST /v1/embeddings), for the search
# tests: each text becomes a bag-of-words vector (words hashed into DIM buckets, normalised), so
# texts that share words are near each other. Prints "PORT <n>" once listening on 127.0.0.1.
# Logs every request body's model and input count to stderr. Options: --dim N (default 64),
# --fail (answer 500 to everything).
import argparse, hashlib, json, math, re, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = argparse.ArgumentParser()
args.add_argument("--dim", type=int, default=64)
args.add_argument("--fail", action="store_true")
opts = args.parse_args()


def embed(text):
    v = [0.0] * opts.dim
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if len(word) < 3:
            continue
        h = int.from_bytes(hashlib.sha1(word.encode()).digest()[:4], "big")
        v[h % opts.dim] += 1.0
    norm = math.sqrt(sum(x * x for x in v)) or 1.0
    return [x / norm for x in v]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        inputs = body.get("input", [])
        if isinstance(inputs, str):
            inputs = [inputs]
        print(f"request model={body.get('model')} inputs={len(inputs)} path={self.path}",
              file=sys.stderr, flush=True)
        if opts.fail or self.path != "/v1/embeddings":
            self.send_response(500 if opts.fail else 404)
            self.end_headers()
            return
        out = {"object": "list", "model": body.get("model"),
               "data": [{"object": "embedding", "index": i, "embedding": embed(t)}
                        for i, t in enumerate(inputs)]}
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"PORT {server.server_address[1]}", flush=True)
server.serve_forever()
