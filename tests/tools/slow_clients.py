#!/usr/bin/python3
"""Clients that hold a server's connections without finishing a request.

  slow_clients.py --port P --count N [--source 127.0.0.2 | --spread] [--mode drip|silent]
                  [--interval S] [--duration S] [--ready FILE]

drip:   each client sends a request line, then one header line every
        --interval seconds, never the blank line that ends the head.
silent: each client connects and sends nothing.

Runs for --duration seconds (touching --ready once every client has
connected), then prints one JSON object: how many connected, what the server
answered (status codes, "none" for a close without an answer), how many the
server closed and how long after connecting the last one was closed.
"""
import argparse
import json
import selectors
import socket
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--source", default="127.0.0.2")
    p.add_argument("--spread", action="store_true",
                   help="each client from an address of its own (127.1.x.y): no per-address cap helps")
    p.add_argument("--mode", choices=["drip", "silent"], default="drip")
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--duration", type=float, default=10.0)
    p.add_argument("--ready")
    a = p.parse_args()

    sel = selectors.DefaultSelector()
    clients = {}
    failed = 0
    for i in range(a.count):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            source = a.source
            if a.spread:
                source = "127.1.%d.%d" % (i // 250, i % 250 + 1)
            s.bind((source, 0))
            s.settimeout(5)
            s.connect(("127.0.0.1", a.port))
        except OSError:
            failed += 1
            s.close()
            continue
        s.setblocking(False)
        c = {"sock": s, "start": time.monotonic(), "closed": None, "answer": b"", "lines": 0}
        if a.mode == "drip":
            s.send(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n")
        clients[s.fileno()] = c
        sel.register(s, selectors.EVENT_READ, c)
    if a.ready:
        open(a.ready, "w").close()

    end = time.monotonic() + a.duration
    next_drip = time.monotonic() + a.interval
    while time.monotonic() < end:
        timeout = max(0.0, min(end, next_drip) - time.monotonic())
        for key, _ in sel.select(timeout):
            c = key.data
            try:
                data = c["sock"].recv(65536)
            except OSError:
                data = b""
            if data:
                c["answer"] += data
                continue
            c["closed"] = time.monotonic() - c["start"]
            sel.unregister(c["sock"])
        if a.mode == "drip" and time.monotonic() >= next_drip:
            next_drip += a.interval
            for c in clients.values():
                if c["closed"] is not None:
                    continue
                c["lines"] += 1
                try:
                    c["sock"].send(b"X-Drip-%d: y\r\n" % c["lines"])
                except OSError:
                    pass  # the server closed it: the read side reports that

    answers = {}
    closed = [c["closed"] for c in clients.values() if c["closed"] is not None]
    for c in clients.values():
        status = "none"
        if c["answer"].startswith(b"HTTP/"):
            status = c["answer"].split(b" ", 2)[1].decode(errors="replace")
        answers[status] = answers.get(status, 0) + 1
        c["sock"].close()
    json_bodies = sum(1 for c in clients.values() if b'{"errors":[' in c["answer"])
    print(json.dumps({
        "connected": len(clients),
        "failed_to_connect": failed,
        "answers": answers,
        "json_errors": json_bodies,
        "closed_by_server": len(closed),
        "open_at_end": len(clients) - len(closed),
        "last_close_seconds": round(max(closed), 3) if closed else None,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
