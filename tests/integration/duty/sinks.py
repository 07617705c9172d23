"""Receivers for the duty tests, each run as a subprocess on 127.0.0.1:

  sinks.py smtp DIR [PORT]  an aiosmtpd SMTP sink (Debian python3-aiosmtpd);
                            each message is written to DIR as N.eml
  sinks.py http DIR         a python http.server; each POST is written to DIR
                            as N.json ({"path": ..., "body": ...}); it answers
                            {"ok": true} (Telegram's shape) on paths with
                            /sendMessage, "ok" elsewhere, HTTP 500 under /fail/

Each prints "PORT <n>" on its first line once it listens (port 0: the OS
picks) and runs until killed."""
import http.server
import json
import os
import socket
import sys
import threading
import time

_lock = threading.Lock()


def _write(d, ext, data):
    with _lock:
        n = len([f for f in os.listdir(d) if f.endswith(ext)])
        tmp = os.path.join(d, f".{n}{ext}.tmp")
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, os.path.join(d, f"{n}{ext}"))


def smtp(d, port):
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            _write(d, ".eml", envelope.original_content or envelope.content)
            return "250 OK"

    if port == 0:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    c = Controller(Handler(), hostname="127.0.0.1", port=port)
    c.start()
    print(f"PORT {port}", flush=True)
    while True:
        time.sleep(3600)


def http_sink(d):
    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "replace")
            _write(d, ".json", json.dumps({"path": self.path, "ctype": self.headers.get("Content-Type"),
                                          "body": body}).encode())
            if self.path.startswith("/fail/"):
                self.send_response(500)
                reply = b"no"
            elif "/sendMessage" in self.path:
                self.send_response(200)
                reply = b'{"ok":true,"result":{"message_id":1}}'
            else:
                self.send_response(200)
                reply = b"ok"
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    print(f"PORT {srv.server_address[1]}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    os.makedirs(sys.argv[2], exist_ok=True)
    if sys.argv[1] == "smtp":
        smtp(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 0)
    else:
        http_sink(sys.argv[2])
