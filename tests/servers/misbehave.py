#!/usr/bin/python3
"""A deliberately broken HTTP/WebSocket server for wsdash's tests.

Listens on 127.0.0.1 (port 0 = any free port), prints "listening on
127.0.0.1:PORT" and then answers each request according to its path:

  /426            426 Upgrade Required
  /NNN            status NNN (400, 401, 403, 404, 429, 500, 502, 503...)
  /bad-accept     101 with a wrong Sec-WebSocket-Accept
  /no-upgrade     101 with the right accept but no Upgrade/Connection
  /redirect       302 to /elsewhere (and /redirect-loop to itself)
  /silent         accepts and never answers
  /slow           the 101 answer one byte per second
  /garbage        non-HTTP bytes, then close
  /close          closes at once
  /ok             200 with a small body (a plain HTTP route)
  anything else   404

It never speaks WebSocket after a 101: the point is the handshake. Test
code only (stdlib), started and stopped by the tests.
"""
import base64
import hashlib
import socket
import sys
import threading
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 426: "Upgrade Required", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable", 200: "OK", 302: "Found"}


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return None, {}
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return (parts[1] if len(parts) > 1 else "/"), headers


def status(code, extra=""):
    body = "%d %s\n" % (code, REASONS.get(code, ""))
    return ("HTTP/1.1 %d %s\r\n%sContent-Length: %d\r\n"
            "Connection: close\r\n\r\n%s" %
            (code, REASONS.get(code, "Status"), extra, len(body), body)).encode()


def accept_of(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def handle(conn):
    try:
        path, h = read_request(conn)
        if path is None:
            return
        path = path.split("?", 1)[0]
        key = h.get("sec-websocket-key", "")
        if path == "/426":
            conn.sendall(status(426, "Sec-WebSocket-Version: 13\r\n"))
        elif path == "/bad-accept":
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\n"
                          "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Accept: %s\r\n\r\n" %
                          accept_of("not-the-key")).encode())
            time.sleep(2)
        elif path == "/no-upgrade":
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\n"
                          "Sec-WebSocket-Accept: %s\r\n\r\n" %
                          accept_of(key)).encode())
            time.sleep(2)
        elif path == "/redirect":
            conn.sendall(status(302, "Location: /elsewhere\r\n"))
        elif path == "/redirect-loop":
            conn.sendall(status(302, "Location: /redirect-loop\r\n"))
        elif path == "/silent":
            time.sleep(30)
        elif path == "/slow":
            answer = ("HTTP/1.1 101 Switching Protocols\r\n"
                      "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n" % accept_of(key))
            for ch in answer.encode():
                conn.sendall(bytes([ch]))
                time.sleep(1)
        elif path == "/garbage":
            conn.sendall(b"\x00\xff\x13\x37garbage\x1b[2J\x1b]0;pwned\x07\r\n\r\n")
        elif path == "/close":
            pass
        elif path == "/ok":
            conn.sendall(status(200, "Content-Type: text/plain\r\n"))
        elif path[1:].isdigit():
            conn.sendall(status(int(path[1:])))
        else:
            conn.sendall(status(404))
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(128)
    print("listening on 127.0.0.1:%d" % srv.getsockname()[1], flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
