"""A webhook receiver for tests: verifies every delivery with the Standard
Webhooks reference library (PyPI `standardwebhooks`) and logs it.

    python webhook_receiver.py PORT DIR

Each request reads DIR/secrets (one secret per line; the delivery must
verify with at least one) and DIR/mode (`ok`, `fail` to answer 500, or
`sleep N` to answer 200 after N seconds), then appends one JSON line to
DIR/received.jsonl: the webhook-id, the event type, the status answered,
whether it verified and with which secrets. Each request's webhook-id is
also appended to DIR/arrived.log as soon as it arrives.
"""

import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

PORT = int(sys.argv[1])
DIR = sys.argv[2]
LOCK = threading.Lock()


def read(name, default):
    try:
        with open(os.path.join(DIR, name), encoding="utf-8") as f:
            return f.read().strip()
    except FileNotFoundError:
        return default


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        # Each arrival, before any answer: what a test waits for to know a
        # request reached the receiver while its answer is held back.
        with LOCK:
            with open(os.path.join(DIR, "arrived.log"), "a", encoding="utf-8") as f:
                f.write((self.headers.get("webhook-id") or "") + "\n")
        headers = {k: v for k, v in self.headers.items()}
        verified_with = []
        for index, secret in enumerate(read("secrets", "").splitlines()):
            if not secret.strip():
                continue
            try:
                Webhook(secret.strip()).verify(body, headers)
                verified_with.append(index)
            except WebhookVerificationError:
                pass
        mode = read("mode", "ok")
        status = 200
        if mode == "fail":
            status = 500
        elif mode.startswith("sleep "):
            time.sleep(float(mode.split()[1]))
        event_type = None
        try:
            event_type = json.loads(body).get("type")
        except ValueError:
            pass
        line = {
            "id": self.headers.get("webhook-id"),
            "type": event_type,
            "status": status,
            "verified": bool(verified_with),
            "verified_with": verified_with,
            "path": self.path,
        }
        with LOCK:
            with open(os.path.join(DIR, "received.jsonl"), "a", encoding="utf-8") as f:
                f.write(json.dumps(line) + "\n")
        try:
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            # The sender gave up waiting (a timeout the test asked for).
            pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


Server(("127.0.0.1", PORT), Handler).serve_forever()
