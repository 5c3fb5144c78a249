#!/usr/bin/env python3
"""Peak server memory when one big GraphQL document arrives on /graphql/ws.

Starts the given `ill-server` on a fresh SQLite store (port 0), makes a STAFF
token through the bootstrap ADMIN, opens a graphql-transport-ws socket with
it and sends one `subscribe` message whose query is about SIZE bytes. The
server's idle memory (VmHWM after start-up and one small query on the same
socket) is the baseline; after the big message it reports the peak (VmHWM),
what stays held (VmRSS 3 s later), how the socket ended, and the slowest
`/healthz` answer meanwhile. Standard library only (the websocket handshake
and frames are written by hand), so it runs against any build:

    python3 benchmarks/ws_big_document.py target/release/ill-server
    python3 benchmarks/ws_big_document.py --shape fields --size 10000000 BIN

Shapes: `padding` is `{ __typename }` followed by spaces (what a parser
skips), `fields` is `{ __typename __typename … }` (a field every 11 bytes).
"""

import argparse
import base64
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

ADMIN_TOKEN = "ws-big-document-admin-token"


def memory(pid):
    """VmHWM and VmRSS of a process, in MiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0]) / 1024
    return fields["VmHWM"], fields["VmRSS"]


def post_graphql(port, token, query):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"query": query})
    conn.request(
        "POST",
        "/graphql",
        body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    answer = json.loads(conn.getresponse().read())
    conn.close()
    if answer.get("errors"):
        sys.exit(f"GraphQL error: {answer['errors']}")
    return answer["data"]


class Socket:
    """A client websocket: masked frames out, unmasked frames in."""

    def __init__(self, port, path):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=120)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                sys.exit("the server closed during the websocket handshake")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            sys.exit(f"no websocket upgrade: {head.decode(errors='replace')}")

    def send(self, opcode, payload):
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        # XOR the whole payload at once as one big integer (fast in CPython).
        repeated = (mask * (length // 4 + 1))[:length]
        masked = (
            int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")
        ).to_bytes(length, "big")
        self.sock.sendall(header + mask + masked)

    def send_json(self, message):
        self.send(0x1, json.dumps(message).encode())

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("the server dropped the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def receive(self):
        """The next text message as JSON, or ('close', code)."""
        while True:
            first, second = self._read(2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._read(2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._read(8))
            payload = self._read(length)
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                return ("close", code)
            if opcode == 0x9:
                self.send(0xA, payload)
            elif opcode == 0x1:
                return json.loads(payload)


def watch_health(port, stop, slowest):
    while not stop.is_set():
        started = time.monotonic()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
        except OSError:
            pass
        slowest[0] = max(slowest[0], time.monotonic() - started)
        stop.wait(0.1)


def document(shape, size):
    if shape == "padding":
        return "{ __typename }" + " " * (size - len("{ __typename }"))
    return "{ " + "__typename " * ((size - 4) // 11) + "}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("server", help="path of the ill-server binary")
    parser.add_argument("--size", type=int, default=10_000_000, help="document bytes")
    parser.add_argument("--shape", choices=["padding", "fields"], default="padding")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for an answer")
    args = parser.parse_args()

    store = tempfile.mkdtemp(prefix="ill-ws-big-")
    server = subprocess.Popen(
        [
            args.server,
            "--database-url",
            f"sqlite://{store}/ill.sqlite",
            "--listen",
            "127.0.0.1:0",
        ],
        env={**os.environ, "ILL_BOOTSTRAP_ADMIN_TOKEN": ADMIN_TOKEN},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in server.stdout:
            if line.startswith("listening on http://"):
                port = int(line.rsplit(":", 1)[1])
                break
        else:
            sys.exit("the server exited before listening")
        # Keep draining its stdout so that it never blocks on a full pipe.
        threading.Thread(target=server.stdout.read, daemon=True).start()

        staff = post_graphql(
            port,
            ADMIN_TOKEN,
            'mutation { createStaffToken(library: "NETWORK", name: "staff", role: STAFF) }',
        )["createStaffToken"]
        ws = Socket(port, "/graphql/ws")
        ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {staff}"}})
        ack = ws.receive()
        if not isinstance(ack, dict) or ack.get("type") != "connection_ack":
            sys.exit(f"no connection_ack: {ack}")
        ws.send_json({"id": "small", "type": "subscribe", "payload": {"query": "{ __typename }"}})
        while (answer := ws.receive()) and answer.get("type") != "complete":
            pass
        time.sleep(1)
        idle_hwm, idle_rss = memory(server.pid)

        message = json.dumps(
            {"id": "big", "type": "subscribe", "payload": {"query": document(args.shape, args.size)}}
        ).encode()
        stop, slowest = threading.Event(), [0.0]
        health = threading.Thread(target=watch_health, args=(port, stop, slowest))
        health.start()
        started = time.monotonic()
        try:
            ws.sock.settimeout(args.wait)
            ws.send(0x1, message)
            outcome = ws.receive()
            if isinstance(outcome, dict):
                outcome = json.dumps(outcome)[:200]
            else:
                outcome = f"closed with code {outcome[1]}"
        except socket.timeout:
            outcome = f"no answer within {args.wait:.0f} s"
        except OSError as error:
            outcome = f"connection ended: {error.__class__.__name__}"
        answered = time.monotonic() - started
        time.sleep(3)
        stop.set()
        health.join()
        peak_hwm, held_rss = memory(server.pid)
        print(
            f"{os.path.basename(args.server)} ({args.server}): {len(message):,} byte message, "
            f"shape {args.shape}\n"
            f"  idle: VmHWM {idle_hwm:.1f} MiB, VmRSS {idle_rss:.1f} MiB\n"
            f"  after: peak VmHWM {peak_hwm:.1f} MiB ({peak_hwm / idle_hwm:.1f} x idle), "
            f"VmRSS 3 s later {held_rss:.1f} MiB\n"
            f"  socket: {outcome!s} after {answered:.2f} s; slowest /healthz {slowest[0]:.3f} s"
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        subprocess.run(["rm", "-rf", store], check=False)


if __name__ == "__main__":
    main()
