#!/usr/bin/python3
"""A real FastAPI backend under uvicorn (Debian's python3-fastapi and
python3-uvicorn), shaped like the tac-webbuilder backend wsdash was made
for, in its /api/v1 layout: live streams on /api/v1/ws/workflows and
/api/v1/ws/routes with their HTTP twins /api/v1/workflows and
/api/v1/routes; no other WebSocket routes (so the other streams of the
layout are refused with 403, as Starlette refuses unknown paths).

As the real backend does: a new socket waits up to 2 s for a first frame
(any), then gets its snapshot; every message is {"type", "data"} only and
every broadcast goes to every open socket, whatever its path, and only
when the data changed; {"type": "ping"} is answered with a pong.

Binds 127.0.0.1 on a free port and prints "listening on ...:PORT".
"""
import asyncio
import json
import socket

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()

PHASES = ["plan", "build", "test", "review", "document", "ship"]
WORLD = {"tick": 0}
SOCKETS = set()


@app.get("/api/v1/workflows")
def workflows():
    t = WORLD["tick"]
    return [{"adw_id": "a1b2c3d%d" % i, "issue_number": 40 + i,
             "phase": PHASES[(t + i) % len(PHASES)],
             "github_url": "https://github.com/example/tac/issues/%d"
                           % (40 + i)}
            for i in range(3)]


@app.get("/api/v1/routes")
def routes():
    items = [{"path": path, "method": "GET", "name": name,
              "summary": name.replace("_", " ").title(),
              "description": "", "tags": ["Demo"]}
             for path, name in (("/api/v1/workflows", "get_workflows"),
                                ("/api/v1/routes", "get_routes"))]
    return {"routes": items, "total": len(items)}


async def broadcast(message):
    """Every message to every open socket; the dead ones are dropped."""
    for ws in list(SOCKETS):
        try:
            await ws.send_json(message)
        except Exception:  # the client went away mid-send
            SOCKETS.discard(ws)


async def watch_workflows():
    """The world moves every second; a change is broadcast."""
    last = None
    while True:
        await asyncio.sleep(1)
        WORLD["tick"] += 1
        data = workflows()
        if SOCKETS and json.dumps(data) != last:
            last = json.dumps(data)
            await broadcast({"type": "workflows_update", "data": data})


@app.on_event("startup")
async def start_watchers():
    asyncio.get_running_loop().create_task(watch_workflows())


async def serve_socket(ws: WebSocket, snapshot):
    await ws.accept()
    SOCKETS.add(ws)
    try:
        try:
            await asyncio.wait_for(ws.receive_text(), timeout=2.0)
        except asyncio.TimeoutError:
            pass  # no ready signal: send the snapshot anyway
        await ws.send_json(snapshot())
        while True:
            try:
                msg = json.loads(await ws.receive_text())
            except ValueError:
                continue
            if isinstance(msg, dict) and msg.get("type") == "ping":
                await ws.send_json({"type": "pong",
                                    "timestamp": msg.get("timestamp")})
    except (WebSocketDisconnect, RuntimeError):
        pass
    except Exception:  # the client went away mid-send
        pass
    finally:
        SOCKETS.discard(ws)


@app.websocket("/api/v1/ws/workflows")
async def ws_workflows(ws: WebSocket):
    await serve_socket(ws, lambda: {"type": "workflows_update",
                                    "data": workflows()})


@app.websocket("/api/v1/ws/routes")
async def ws_routes(ws: WebSocket):
    await serve_socket(ws, lambda: {"type": "routes_update",
                                    "data": routes()})


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # listening before saying so: connections wait in the backlog until
    # uvicorn serves, instead of being refused while it starts
    sock.listen(128)
    print("listening on 127.0.0.1:%d" % sock.getsockname()[1], flush=True)
    uvicorn.run(app, fd=sock.fileno(), log_level="error")


if __name__ == "__main__":
    main()
