"""Prefect's API for one run of the command line, started before it is needed.

With no ``PREFECT_API_URL`` set, Prefect starts a temporary server the moment
a flow first calls its API, and the flow waits the five seconds or so that
takes. :func:`temporary_api` starts the same server (Prefect's app factory
under uvicorn, as Prefect's own ``SubprocessASGIServer`` runs it) first thing,
so it comes up while this process imports the pipeline and plans its batch,
and points ``PREFECT_API_URL`` at it. Nothing here imports Prefect: its
settings are read from the environment when it is first imported.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager

API_URL = "PREFECT_API_URL"
STARTUP_TIMEOUT_S = 60.0


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _launch(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PREFECT_UI_ENABLED": "0",
        # What Prefect sets for its own temporary server: an app without UI or background
        # services, and the last one on this database (it may run migrations).
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    env.pop(API_URL, None)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)


class TemporaryApi:
    """A Prefect server process for this run; :meth:`wait` blocks until it answers."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = _launch(self.port)
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.ready = False

    def wait(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self.ready:
            if self.process.poll() is not None:  # lost the port to another process: once more
                self.port = _free_port()
                self.process = _launch(self.port)
                self.url = f"http://127.0.0.1:{self.port}/api"
                os.environ[API_URL] = self.url
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                    self.ready = answer.status == 200
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"Prefect's temporary server did not start within {STARTUP_TIMEOUT_S:g} s"
                    ) from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextmanager
def temporary_api() -> Iterator[TemporaryApi | None]:
    """A temporary Prefect server for the block, unless ``PREFECT_API_URL`` names one, or Prefect
    is imported already (it has read its settings: it would start its own when needed)."""
    if os.environ.get(API_URL) or "prefect" in sys.modules:
        yield None
        return
    api = TemporaryApi()
    os.environ[API_URL] = api.url
    try:
        yield api
    finally:
        api.stop()
        if os.environ.get(API_URL) == api.url:
            del os.environ[API_URL]
