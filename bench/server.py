"""Starting and stopping the real server (gunicorn, with the project's gunicorn.conf.py)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.loadgen import is_loopback_host

PROJECT_DIR = Path(__file__).resolve().parent.parent
STARTUP_TIMEOUT_S = 60.0


class ServerError(RuntimeError):
    pass


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py newsroom.wsgi`` on a loopback port, as a context manager."""

    def __init__(self, *, host: str, port: int, workers: int, env: dict[str, str], log: Path):
        if not is_loopback_host(host):
            raise ValueError("the benchmark server listens on loopback only")
        self.host, self.port, self.workers = host, port, workers
        self.env = {
            **os.environ,
            **env,
            "BIND": f"{host}:{port}",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_ACCESS_LOG": str(log.with_suffix(".access.log")),
            "GUNICORN_LOG_LEVEL": "warning",
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> Gunicorn:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "newsroom.wsgi"],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                connection = http.client.HTTPConnection(self.host, self.port, timeout=2)
                connection.request("GET", "/")
                status = connection.getresponse().status
                connection.close()
                if status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise ServerError(
            f"gunicorn did not answer within {STARTUP_TIMEOUT_S:.0f}s; see {self.log}"
        )

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their requests
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __exit__(self, *exc_info) -> None:
        self.stop()
        self._log_file.close()
