#!/usr/bin/python3
"""A scriptable hostile server for wsdash's tests (tests only, stdlib only).

Listens on 127.0.0.1 (port 0 = any), prints "listening on 127.0.0.1:PORT",
then behaves according to the request path. It writes WebSocket frames by
hand on purpose: the point is to send what no correct library would.

HTTP-level (before or instead of a valid 101):
  /status/NNN        answer NNN (400 401 403 404 426 429 500 502 503 ...)
  /silent            accept TCP, never answer
  /slow              the 101 answer, one byte per second
  /garbage           non-HTTP bytes, then close
  /close             close at once
  /bad-accept        101 with a wrong Sec-WebSocket-Accept
  /no-upgrade        101 with the right accept, no Upgrade/Connection
  /redirect          302 to /elsewhere
  /redirect-loop     302 to itself, forever
  /ok                200 with a small body (a plain HTTP route)
  /escape-headers    404 whose headers carry escape sequences
  /big-headers/N     a valid 101 carrying N bytes of Set-Cookie headers,
                     then messages as /ws/ok
  /ws/no-NAME        404 to the upgrade, so a watcher polls /api/no-NAME:

Poll answers (GET /api/no-...):
  /api/no-chunk-HEX  200 chunked whose first chunk size is HEX (80000000,
                     fffffff0, ffffffff: top bit set), then a little data
  /api/no-chunk2-HEX the same after a valid first chunk
  /api/no-endless    200 chunked, 64 KiB chunks until the client gives up
  /api/no-badchunk   200 chunked with a chunk size that is not hex
  /api/no-204, /api/no-304, /api/no-302   those statuses (the connection
                     stays open after a 204/304)
  /api/no-bigjson    200, 200 KiB of valid JSON

After a valid 101 (/ws/...):
  /ws/ok             a JSON message every 100 ms, answers pings
  /ws/close-mid-frame   half a frame, then the TCP connection closes
  /ws/huge           one 64 MiB text frame, then small messages
  /ws/fragments      one message (type "fragmented", 100 KB) in 10,000
                     fragments, then small ones
  /ws/binary         binary frames
  /ws/bad-utf8       text frames with invalid UTF-8
  /ws/bad-json       malformed JSON
  /ws/deep-json      200,000-deep nested JSON
  /ws/escapes        escape sequences in every string field (and in the
                     close reason at the end)
  /ws/ping-flood     protocol PINGs as fast as the socket takes them, plus
                     a message every 100 ms
  /ws/close/CODE     a close frame with CODE and a reason, right away
  /ws/close-text/HEX a close frame with 1011 and the reason HEX spells
                     (bytes in hex, at most 123), right away
  /ws/accept-close   accept, then close at once (counts connections)
  /ws/big-json       valid JSON messages of 200 KiB (type big_update)
  /ws/pong-replay    answers the first ping, then replays that same pong
                     every 300 ms and answers nothing else
  /ws/huge-sent-at   messages whose sent_at is 1e308

Every accepted connection is logged as "conn PATH MS" on stdout (MS: the
monotonic clock in milliseconds, the same clock as the tests'), so tests can
count reconnects and measure the gaps between them.
"""
import base64
import hashlib
import json
import socket
import struct
import sys
import threading
import time

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
ESC = "\x1b[2J\x1b[H\x1b]0;pwned\x07\x1b[200~paste\x1b[201~\u009b31m\u009d0;t\u009c"


def log(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


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


def accept_of(key):
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def status(code, extra=""):
    body = "%d\n" % code
    return ("HTTP/1.1 %d Status\r\n%sContent-Length: %d\r\nConnection: close"
            "\r\n\r\n%s" % (code, extra, len(body), body)).encode()


def frame(payload, opcode=1, fin=True):
    """A server-to-client (unmasked) frame."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", b0, n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, 126, n)
    else:
        head = struct.pack("!BBQ", b0, 127, n)
    return head + payload


def text(s):
    return frame(s.encode() if isinstance(s, str) else s, 1)


def close_frame(code, reason=b""):
    return frame(struct.pack("!H", code) + reason, 8)


class Reader(threading.Thread):
    """Drain and answer the client: pongs for its pings."""

    def __init__(self, conn):
        super().__init__(daemon=True)
        self.conn = conn
        self.lock = threading.Lock()

    def send(self, data):
        with self.lock:
            self.conn.sendall(data)

    def run(self):
        buf = b""
        try:
            while True:
                chunk = self.conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
                while len(buf) >= 2:
                    b0, b1 = buf[0], buf[1]
                    n, off = b1 & 0x7f, 2
                    if n == 126:
                        if len(buf) < 4:
                            break
                        n, off = struct.unpack("!H", buf[2:4])[0], 4
                    elif n == 127:
                        if len(buf) < 10:
                            break
                        n, off = struct.unpack("!Q", buf[2:10])[0], 10
                    masked = b1 & 0x80
                    total = off + (4 if masked else 0) + n
                    if len(buf) < total:
                        break
                    mask = buf[off:off + 4] if masked else b"\0\0\0\0"
                    payload = bytes(c ^ mask[i % 4] for i, c in
                                    enumerate(buf[off + (4 if masked else 0):total]))
                    buf = buf[total:]
                    if b0 & 0x0f == 9:  # ping -> pong
                        self.send(frame(payload, 10))
                    elif b0 & 0x0f == 8:
                        return
        except OSError:
            return


def sample(i):
    return json.dumps({"type": "tick", "seq": i,
                       "sent_at": int(time.time() * 1000),
                       "data": [{"status": "running"}]})


def big_json(i):
    items = ",".join('{"status":"running","pad":"%064d"}' % k
                     for k in range(2500))
    return '{"type":"big_update","seq":%d,"data":[%s]}' % (i, items)


def pong_replay(conn):
    """Answer the first ping, then only ever replay that pong."""
    buf = b""
    first = None
    conn.settimeout(0.3)
    while True:
        try:
            chunk = conn.recv(65536)
            if not chunk:
                return
            buf += chunk
        except socket.timeout:
            pass
        while first is None and len(buf) >= 6:
            n = buf[1] & 0x7f
            if len(buf) < 6 + n:
                break
            mask = buf[2:6]
            payload = bytes(c ^ mask[i % 4] for i, c in
                            enumerate(buf[6:6 + n]))
            if buf[0] & 0x0f == 9:
                first = frame(payload, 10)
            buf = buf[6 + n:]
        if first is not None:
            conn.sendall(first)


def poll_answer(conn, path):
    """The /api/no-... poll answers (see the module docstring)."""
    chunked = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\n\r\n").encode()
    case = path[len("/api/no-"):]
    if case.startswith("chunk-") or case.startswith("chunk2-"):
        conn.sendall(chunked)
        if case.startswith("chunk2-"):
            conn.sendall(b"5\r\nhello\r\n")
        conn.sendall(case.split("-", 1)[1].encode() + b"\r\n" + b"x" * 4096)
        time.sleep(1)
    elif case == "endless":
        conn.sendall(chunked)
        block = b"10000\r\n" + b"[" * 65536 + b"\r\n"
        while True:
            conn.sendall(block)
    elif case == "badchunk":
        conn.sendall(chunked + b"zz\r\nnot a chunk\r\n0\r\n\r\n")
        time.sleep(1)
    elif case in ("204", "304"):
        conn.sendall(("HTTP/1.1 %s Status\r\n\r\n" % case).encode())
        time.sleep(5)
    elif case == "302":
        conn.sendall(status(302, "Location: /elsewhere\r\n"))
    elif case == "bigjson":
        body = big_json(1).encode()
        conn.sendall(("HTTP/1.1 200 OK\r\nContent-Type: application/json"
                      "\r\nContent-Length: %d\r\n\r\n" % len(body)).encode()
                     + body)
    else:
        conn.sendall(status(404))


def ws_mode(conn, path):
    if path == "/ws/accept-close":
        # closed before a ping can be read or answered: the stream never
        # proves to work, so the client's backoff must keep growing
        conn.shutdown(socket.SHUT_RDWR)
        return
    if path == "/ws/pong-replay":
        pong_replay(conn)
        return
    r = Reader(conn)
    r.start()
    if path == "/ws/ok":
        for i in range(1, 100000):
            r.send(text(sample(i)))
            time.sleep(0.1)
    elif path == "/ws/close-mid-frame":
        r.send(text(sample(1)))
        time.sleep(0.3)
        whole = text("x" * 1000)
        conn.sendall(whole[:20])
        time.sleep(0.2)
        conn.shutdown(socket.SHUT_RDWR)
    elif path == "/ws/huge":
        head = struct.pack("!BBQ", 0x81, 127, 64 * 1024 * 1024)
        chunk = b"a" * 65536
        with r.lock:  # no pong may land inside the frame
            conn.sendall(head)
            for _ in range(1024):
                conn.sendall(chunk)
        for i in range(1, 100000):
            r.send(text(sample(i)))
            time.sleep(0.1)
    elif path == "/ws/fragments":
        piece = b"0123456789"
        r.send(frame(b'{"type":"fragmented","data":"' + piece, 1, fin=False))
        for _ in range(9998):
            r.send(frame(piece, 0, fin=False))
        r.send(frame(piece + b'"}', 0, fin=True))
        for i in range(1, 100000):
            r.send(text(sample(i)))
            time.sleep(0.1)
    elif path == "/ws/binary":
        for i in range(1, 100000):
            r.send(frame(bytes(range(256)) * 4, 2))
            time.sleep(0.1)
    elif path == "/ws/bad-utf8":
        for i in range(1, 100000):
            r.send(frame(b'{"type":"\xff\xfe\xc0\xaf","x":"\xed\xa0\x80"}', 1))
            time.sleep(0.1)
    elif path == "/ws/bad-json":
        for i in range(1, 100000):
            r.send(text('{"type": "tick", "data": [1, 2,'))
            time.sleep(0.1)
    elif path == "/ws/big-json":
        for i in range(1, 100000):
            r.send(text(big_json(i)))
            time.sleep(0.2)
    elif path == "/ws/huge-sent-at":
        for i in range(1, 100000):
            r.send(text('{"type":"tick","seq":%d,"sent_at":1e308}' % i))
            time.sleep(0.1)
    elif path == "/ws/deep-json":
        deep = "[" * 200000 + "]" * 200000
        for i in range(1, 100000):
            r.send(text(deep))
            time.sleep(0.2)
    elif path == "/ws/escapes":
        for i in range(1, 30):
            r.send(text(json.dumps({
                "type": ESC + "evil_update",
                "seq": i, "sent_at": ESC,
                "data": [{"status": ESC + "running", "name": ESC}],
                ESC: ESC})))
            time.sleep(0.1)
        r.send(close_frame(1011, ESC.encode()[:100]))
        time.sleep(0.5)
    elif path == "/ws/ping-flood":
        t_end = time.time() + 60
        last = 0
        i = 0
        while time.time() < t_end:
            r.send(frame(b"flood", 9))
            if time.time() - last > 0.1:
                i += 1
                r.send(text(sample(i)))
                last = time.time()
    elif path.startswith("/ws/close-text/"):
        reason = bytes.fromhex(path.rsplit("/", 1)[1])[:123]
        r.send(close_frame(1011, reason))
        time.sleep(0.5)
    elif path.startswith("/ws/close/"):
        code = int(path.rsplit("/", 1)[1])
        r.send(close_frame(code, b"bye"))
        time.sleep(0.5)
    else:
        r.send(close_frame(1008, b"unknown test path"))


def handle(conn):
    try:
        path, h = read_request(conn)
        if path is None:
            return
        path = path.split("?", 1)[0]
        log("conn %s %.3f" % (path, time.monotonic() * 1000))
        key = h.get("sec-websocket-key", "")
        ok101 = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n"
                 % accept_of(key)).encode()
        if path.startswith("/status/"):
            conn.sendall(status(int(path.rsplit("/", 1)[1])))
        elif path == "/silent":
            time.sleep(60)
        elif path == "/slow":
            for ch in ok101:
                conn.sendall(bytes([ch]))
                time.sleep(1)
        elif path == "/garbage":
            conn.sendall(b"\x00\xff\x13\x37garbage\x1b[2J\x1b]0;pwned\x07\r\n\r\n")
        elif path == "/close":
            pass
        elif path == "/bad-accept":
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket"
                          "\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s"
                          "\r\n\r\n" % accept_of("other")).encode())
            time.sleep(2)
        elif path == "/no-upgrade":
            conn.sendall(("HTTP/1.1 101 Switching Protocols\r\n"
                          "Sec-WebSocket-Accept: %s\r\n\r\n" % accept_of(key)).encode())
            time.sleep(2)
        elif path == "/redirect":
            conn.sendall(status(302, "Location: /elsewhere\r\n"))
        elif path == "/ok":
            conn.sendall(status(200, "Content-Type: text/plain\r\n"))
        elif path == "/redirect-loop":
            conn.sendall(status(302, "Location: /redirect-loop\r\n"))
        elif path == "/escape-headers":
            conn.sendall(status(404, "Server: %s\r\nLocation: %s\r\n" %
                                (ESC, ESC)))
        elif path.startswith("/ws/no-"):
            conn.sendall(status(404))
        elif path.startswith("/api/no-"):
            poll_answer(conn, path)
        elif path.startswith("/big-headers/"):
            n = int(path.rsplit("/", 1)[1])
            cookies = ""
            while len(cookies) < n:
                cookies += "Set-Cookie: s%d=%s\r\n" % (len(cookies), "c" * 200)
            conn.sendall(ok101[:-2] + cookies.encode() + b"\r\n")
            ws_mode(conn, "/ws/ok")
        elif path.startswith("/ws/"):
            conn.sendall(ok101)
            ws_mode(conn, path)
        else:
            conn.sendall(status(404))
    except OSError:
        pass
    finally:
        try:
            # shutdown first: it also wakes a Reader blocked in recv(),
            # which close() alone would leave holding the connection
            conn.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            conn.close()
        except OSError:
            pass


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(512)
    log("listening on 127.0.0.1:%d" % srv.getsockname()[1])
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
