#!/usr/bin/env python3
"""A local HTTP receiver for the events end-to-end test (plain HTTP on 127.0.0.1, which the
agent accepts only with events.allow_plain_loopback; the HTTPS path is tested by
tests/agent_events/). Writes its port to PORT_FILE, appends one JSON line per request
{"path", "body", "content_type", "authorization"} to LOG_FILE, and answers as MODE_FILE says
when the request arrives: "ok" (200 OK), "500", or "hang" (accepts, never answers)."""
import http.server
import json
import sys
import threading
import time

port_file, log_file, mode_file = sys.argv[1:4]
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        with lock, open(log_file, "a") as f:
            f.write(json.dumps({"path": self.path, "body": body,
                                "content_type": self.headers.get("Content-Type", ""),
                                "authorization": self.headers.get("Authorization", "")}) + "\n")
        try:
            mode = open(mode_file).read().strip()
        except OSError:
            mode = "ok"
        if mode == "hang":
            time.sleep(120)
            return
        status = 500 if mode == "500" else 200
        payload = b"OK" if status == 200 else b"internal error"
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
