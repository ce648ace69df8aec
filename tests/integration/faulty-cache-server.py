#!/usr/bin/env python3
"""A binary-cache HTTP server that misbehaves on purpose (t0400-binary-cache.sh).

    faulty-cache-server.py DIR PORTFILE MODE

Serves the files of the binary cache DIR on 127.0.0.1 at a free port, which
it writes to PORTFILE once it accepts connections. MODE says what goes wrong:

    ok                    nothing: a plain static server
    drop-nar              every nar/ file: the headers promise the whole file,
                          half of it is sent, then the connection is dropped
    404-narinfo:HASHPART  HASHPART.narinfo answers 404 (the rest is served)
    500-nar               every nar/ file answers 500
    wrong-nar             every nar/ file is served with one byte of the first
                          regular file's contents in the NAR changed (then
                          recompressed): a well-formed NAR of the same size
                          whose hash is not the narinfo's NarHash

Every request is logged to stderr.
"""
import http.server
import lzma
import os
import socket
import struct
import sys


def corrupt_nar(nar: bytes) -> bytes:
    """Changes the first byte of the first non-empty file contents."""
    token = struct.pack("<Q", 8) + b"contents"
    pos = 0
    while True:
        i = nar.find(token, pos)
        if i < 0:
            raise ValueError("no file contents in the NAR")
        start = i + len(token)
        (length,) = struct.unpack("<Q", nar[start:start + 8])
        if length > 0:
            data = bytearray(nar)
            data[start + 8] ^= 0x01
            return bytes(data)
        pos = start


def main():
    directory, port_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=directory, **kwargs)

        def do_GET(self):
            name = self.path.lstrip("/").split("?")[0]
            is_nar = name.startswith("nar/")
            if mode == "500-nar" and is_nar:
                self.send_error(500, "injected failure")
                return
            if mode.startswith("404-narinfo:") and name == mode.split(":", 1)[1] + ".narinfo":
                self.send_error(404, "injected: no such narinfo")
                return
            if is_nar and mode in ("drop-nar", "wrong-nar"):
                path = os.path.join(directory, name)
                try:
                    with open(path, "rb") as f:
                        body = f.read()
                except OSError:
                    self.send_error(404)
                    return
                if mode == "wrong-nar":
                    if name.endswith(".xz"):
                        body = lzma.compress(corrupt_nar(lzma.decompress(body)), format=lzma.FORMAT_XZ)
                    else:
                        body = corrupt_nar(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-nix-nar")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "drop-nar":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    # Drop the connection without finishing the body.
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                else:
                    self.wfile.write(body)
                return
            super().do_GET()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
