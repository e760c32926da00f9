#!/usr/bin/python3
"""A real, independent WebSocket server for wsdash's tests: Debian's
python3-websockets (10.x). Echoes text, answers {"type":"ping"} with a pong,
and can serve TLS with a certificate the test made.

usage: wsecho.py [--tls CERT KEY] [--subprotocol P] [--log-headers]
Prints "listening on 127.0.0.1:PORT" when ready. Paths other than /ws/...
are refused with 404 (as a FastAPI app would); the close code the client
sent is printed as "closed CODE" for the tests to read.
"""
import asyncio
import http
import json
import ssl
import sys

import websockets


async def handler(ws, path):
    try:
        async for msg in ws:
            try:
                j = json.loads(msg)
            except ValueError:
                j = None
            if isinstance(j, dict) and j.get("type") == "ping":
                await ws.send(json.dumps({"type": "pong",
                                          "timestamp": j.get("timestamp")}))
            else:
                await ws.send(msg)
    except websockets.ConnectionClosed:
        pass
    finally:
        print("closed %s" % ws.close_code, flush=True)


LOG_HEADERS = False


async def process_request(path, headers):
    if LOG_HEADERS:
        for k, v in headers.raw_items():
            print("hdr %s: %s" % (k.lower(), v), flush=True)
    if not path.startswith("/ws/"):
        return http.HTTPStatus.NOT_FOUND, [], b"not found\n"
    return None


async def main():
    ctx = None
    subprotocols = None
    args = sys.argv[1:]
    while args:
        if args[0] == "--tls":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(args[1], args[2])
            args = args[3:]
        elif args[0] == "--log-headers":
            global LOG_HEADERS
            LOG_HEADERS = True
            args = args[1:]
        elif args[0] == "--subprotocol":
            subprotocols = [args[1]]
            args = args[2:]
        else:
            sys.exit("unknown argument " + args[0])
    async with websockets.serve(handler, "127.0.0.1", 0, ssl=ctx,
                                process_request=process_request,
                                subprotocols=subprotocols) as server:
        port = server.sockets[0].getsockname()[1]
        print("listening on 127.0.0.1:%d" % port, flush=True)
        await asyncio.Future()


asyncio.run(main())
