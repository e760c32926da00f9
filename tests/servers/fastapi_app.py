#!/usr/bin/python3
"""A real FastAPI backend under uvicorn (Debian's python3-fastapi and
python3-uvicorn), shaped like the app wsdash was made for: a live stream on
/ws/workflows and its polling twin /api/workflows; no other WebSocket
routes. Binds 127.0.0.1 on a free port and prints "listening on ...:PORT".
"""
import asyncio
import socket
import time

import uvicorn
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

app = FastAPI()
SEQ = {"n": 0}


@app.get("/api/workflows")
def workflows():
    return [{"id": 1, "name": "build", "status": "running",
             "start_time": "2026-11-25T22:00:00Z"}]


@app.websocket("/ws/workflows")
async def ws_workflows(ws: WebSocket):
    await ws.accept()
    seq = 0
    try:
        while True:
            seq += 1
            await ws.send_json({"type": "workflows_update", "seq": seq,
                                "sent_at": int(time.time() * 1000),
                                "data": workflows()})
            await asyncio.sleep(1)
    except (WebSocketDisconnect, RuntimeError):
        pass
    except Exception:  # the client went away mid-send
        pass


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print("listening on 127.0.0.1:%d" % sock.getsockname()[1], flush=True)
    uvicorn.run(app, fd=sock.fileno(), log_level="error")


if __name__ == "__main__":
    main()
