"""Start the production stack (gunicorn's sync workers behind the shipped nginx configuration) and
show that the site answers while 50 slow clients hold connections open, each sending one header
line every 5 seconds; then, for comparison, the same clients straight at gunicorn.

    .venv/bin/python deploy/slow_clients_check.py [--workers 2] [--slow 50]

Needs Debian's nginx (``apt-get install nginx``). Runs in a temporary folder with its own SQLite
database; exits 1 if any request through nginx failed or took more than 5 s. CI runs it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PROBES = ["/", "/entities/", "/api/v1/", "/static/site/site.css"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, name: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{name} stopped at start (exit {process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{name} did not listen on {port} within {seconds} s")


def nginx_conf(folder: Path, nginx_port: int, app_port: int, static: Path) -> Path:
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir()
    conf = folder / "nginx.conf"
    conf.write_text(f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream observatory {{ server 127.0.0.1:{app_port} fail_timeout=0; }}
    server {{
        listen 127.0.0.1:{nginx_port};
        location /static/ {{ alias {static}/; gzip_static on; expires 1y; }}
        include {ROOT}/deploy/nginx/observatory-proxy.conf;
    }}
}}
""", encoding="utf-8")
    return conf


def slow_clients(port: int, count: int, stop: threading.Event) -> list[socket.socket]:
    """``count`` connections that send a request's headers one line every 5 s and never finish."""
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sockets.append(s)

    def trickle():
        n = 0
        while not stop.wait(5):
            n += 1
            for s in sockets:
                try:
                    s.sendall(f"X-Slow-{n}: {'a' * 10}\r\n".encode())
                except OSError:
                    pass  # the server closed it (nginx's client_header_timeout): the point

    threading.Thread(target=trickle, daemon=True).start()
    return sockets


def probe(port: int, rounds: int, timeout: float) -> list[tuple[str, int | str, float]]:
    results = []
    for _ in range(rounds):
        for path in PROBES:
            start = time.monotonic()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as response:
                    status: int | str = response.status
                    response.read()
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError as exc:
                status = type(exc).__name__
            results.append((path, status, time.monotonic() - start))
    return results


def under_slow_clients(port: int, count: int, rounds: int, timeout: float):
    stop = threading.Event()
    sockets = slow_clients(port, count, stop)
    time.sleep(1)
    try:
        return probe(port, rounds, timeout)
    finally:
        stop.set()
        for s in sockets:
            s.close()


def summary(label: str, results) -> bool:
    ok = [r for r in results if r[1] == 200 and r[2] <= 5]
    slowest = max(r[2] for r in results)
    failed = sorted({f"{path} → {status}" for path, status, _ in results if status != 200})
    print(f"{label}: {len(ok)}/{len(results)} answered 200 within 5 s; slowest {slowest:.2f} s"
          + (f"; failures: {', '.join(failed)}" if failed else ""))
    return len(ok) == len(results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slow", type=int, default=50)
    parser.add_argument("--no-compare", action="store_true", help="skip the run straight at gunicorn")
    args = parser.parse_args()
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("nginx is not installed: apt-get install nginx")
    folder = Path(tempfile.mkdtemp(prefix="observatory-stack-"))
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(40),
           "ALLOWED_HOSTS": "127.0.0.1,localhost", "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false",
           "SECURE_HSTS_SECONDS": "0", "OBSERVATORY_VAR_DIR": str(folder / "var"), "OBSERVATORY_TRUSTED_PROXIES": "1",
           "USE_X_FORWARDED_PROTO": "true"}
    env.pop("DATABASE_URL", None)
    (folder / "var").mkdir()
    manage = [str(BIN / "python"), str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, cwd=ROOT)
    app_port, nginx_port = free_port(), free_port()
    gunicorn = subprocess.Popen([str(BIN / "gunicorn"), "observatory.wsgi:application", "--bind",
                                 f"127.0.0.1:{app_port}", "--workers", str(args.workers), "--timeout", "60"],
                                env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    server = None
    try:
        wait_for(app_port, gunicorn, "gunicorn")
        conf = nginx_conf(folder, nginx_port, app_port, folder / "var" / "static")
        subprocess.run([nginx, "-t", "-q", "-p", str(folder), "-c", str(conf)], check=True)
        server = subprocess.Popen([nginx, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"])
        wait_for(nginx_port, server, "nginx")
        print(f"gunicorn: {args.workers} sync workers; nginx in front with deploy/nginx/observatory-proxy.conf; "
              f"{args.slow} slow clients each sending a header line every 5 s")
        summary("warm-up through nginx, no slow client", probe(nginx_port, rounds=1, timeout=30))
        passed = summary("through nginx", under_slow_clients(nginx_port, args.slow, rounds=3, timeout=10))
        if not args.no_compare:
            summary("straight at gunicorn (for comparison; not a failure)",
                    under_slow_clients(app_port, args.slow, rounds=1, timeout=3))
        return 0 if passed else 1
    finally:
        for process in (server, gunicorn):
            if process is not None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
