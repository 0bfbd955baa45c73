#!/usr/bin/env python3
"""A loopback git server for the tests: git's own http-backend behind HTTP basic auth.

usage: git_http_server.py PORT_FILE PROJECT_ROOT USER PASSWORD
Listens on 127.0.0.1 on a free port (written to PORT_FILE), answers 401 unless the request carries
USER:PASSWORD, and serves the repositories under PROJECT_ROOT through `git http-backend` (CGI).
Exits on its own after 120 seconds, so a test that forgets it cannot leave it running."""
import base64, http.server, os, subprocess, sys, threading

port_file, root, user, password = sys.argv[1:5]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
BACKEND = "/usr/lib/git-core/git-http-backend"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def deny(self):
        body = b"authentication required\n"
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="coffer-test"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_git(self):
        if self.headers.get("Authorization") != expected:
            return self.deny()
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        env = {
            "GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": path, "QUERY_STRING": query,
            "REQUEST_METHOD": self.command, "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(data)), "REMOTE_USER": user, "REMOTE_ADDR": "127.0.0.1",
            "GATEWAY_INTERFACE": "CGI/1.1", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HTTP_GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        out = subprocess.run([BACKEND], input=data, env=env, capture_output=True, timeout=60).stdout
        head, _, body = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.split(b"\r\n"):
            name, _, value = line.decode().partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = handle_git


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
threading.Timer(120, server.shutdown).start()
server.serve_forever()
