#!/usr/bin/env python3
"""A small HTTP server for the builtin:fetchurl tests.

    http-server.py DIR

Serves the files in DIR on 127.0.0.1 at a free port, which it prints (one
line) before serving. Besides plain files:

    /redirect/PATH          302 to /PATH
    /redirect-loop          302 to itself, forever
    /fail/N/CODE/PATH       CODE for the first N requests of this URL, then /PATH
    /slow/PATH              /PATH in four pieces, 0.4 s apart
    /count/URL-PATH         how many requests URL-PATH had so far (text)
"""
import http.server
import os
import sys
import threading
import time

ROOT = sys.argv[1]
counts = {}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def serve_file(self, rel, slow=False):
        path = os.path.join(ROOT, rel.lstrip("/"))
        if not os.path.isfile(path):
            self.reply(404, b"not found\n")
            return
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not slow:
            self.wfile.write(data)
            return
        step = max(1, (len(data) + 3) // 4)
        for i in range(0, len(data), step):
            self.wfile.write(data[i:i + step])
            self.wfile.flush()
            time.sleep(0.4)

    def do_GET(self):
        path = self.path
        with lock:
            counts[path] = counts.get(path, 0) + 1
            seen = counts[path]
        if path.startswith("/count/"):
            with lock:
                n = counts.get(path[len("/count"):], 0)
            self.reply(200, b"%d\n" % n)
        elif path == "/redirect-loop":
            self.reply(302, headers=[("Location", "/redirect-loop")])
        elif path.startswith("/redirect/"):
            self.reply(302, headers=[("Location", path[len("/redirect"):])])
        elif path.startswith("/fail/"):
            _, _, n, code, rest = path.split("/", 4)
            if seen <= int(n):
                self.reply(int(code), b"failing on purpose\n")
            else:
                self.serve_file(rest)
        elif path.startswith("/slow/"):
            self.serve_file(path[len("/slow"):], slow=True)
        else:
            self.serve_file(path)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
