# bench/build: serves a directory over HTTP on 127.0.0.1, as
# `python3 -m http.server --bind 127.0.0.1 --directory DIR PORT` does, but
# with a listen backlog of 1024 instead of socketserver's 5: a client that
# opens more than a handful of connections at once would otherwise see SYNs
# dropped and wait out TCP's 1 s retransmission timeout, which measures the
# server, not the client. Port 0 picks a free port; the first line printed
# is "Serving HTTP on 127.0.0.1 port PORT ...", as http.server prints it.
#
#   python3 -u serve.py DIR PORT
import functools
import http.server
import sys


class Server(http.server.ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: serve.py DIR PORT")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
    with Server(("127.0.0.1", int(sys.argv[2])), handler) as httpd:
        host, port = httpd.socket.getsockname()[:2]
        print(f"Serving HTTP on {host} port {port} (http://{host}:{port}/) ...", flush=True)
        httpd.serve_forever()


if __name__ == "__main__":
    main()
