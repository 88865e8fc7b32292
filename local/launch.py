"""The local stack as a child process: `python -m local.server` (what `make dev` runs) on a free port,
its combined output collected line by line. The e2e tests drive it over HTTP, and so does the bench."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping

import requests

from local.polling import GENEROUS, NotYet, eventually
from local.template import ROOT

# Starting imports moto, werkzeug, boto3 and the zygote's libraries: seconds alone, a minute or more on a
# machine shared with other test runs. A ceiling, not an expectation.
START_WITHIN = 120.0
# How long a client of the launched stack waits for one answer: a ceiling for a stack on a loaded machine
# (a burst of concurrent requests forks a container each, and each imports its handler), not an expectation.
REQUEST_TIMEOUT = 120.0
READY = r"Stop:\s+Ctrl-C"  # the greeting's last line (local.server prints it once it is ready)
# What the in-process set-up (local.in_process) puts in the environment; the child makes its own.
_IN_PROCESS = frozenset({"TABLE_NAME", "EVENT_BUS_NAME", "CURSOR_SIGNING_KEY", "CURSOR_KEY_SECRET", "LOCAL_JWT_SECRET",
                         "PROVISIONER_FUNCTION"})


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(port: int, **variables: str) -> dict[str, str]:
    """The developer's environment minus AWS, Powertools and in-process settings, plus ``variables``."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "POWERTOOLS_")) and key not in _IN_PROCESS}
    env.update({"PORT": str(port), "PYTHONUNBUFFERED": "1", **variables})
    return env


class ServerProcess:
    """A running `python -m local.server` whose combined output is collected line by line;
    ``variables`` (e.g. ``LOCAL_JWT_SECRET``, ``TABLE_NAME``) go into its environment."""

    def __init__(self, port: int | None = None, variables: Mapping[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lines: list[str] = []
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "local.server"], cwd=ROOT, env=server_environment(self.port, **(variables or {})),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8", bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self._lock:
                self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        with self._lock:
            return "\n".join(self.lines)

    def wait_ready(self, timeout: float = START_WITHIN) -> None:
        """Until the stack answers /health and has printed its greeting."""
        def answering() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"local.server exited with {self.process.returncode}:\n{self.output}")
            try:
                return requests.get(f"{self.url}/health", timeout=1).status_code == 200
            except requests.RequestException:  # not listening yet, or busy starting
                return False

        try:
            eventually(answering, True, within=timeout, interval=0.1)
        except NotYet as error:
            raise RuntimeError(f"local.server did not answer /health in {timeout} s:\n{self.output}") from error
        # It serves before it has checked that every handler imports; the greeting says it is ready.
        self.wait_for(READY, within=timeout)

    def wait_for(self, pattern: str, within: float = GENEROUS) -> str:
        """The first output line matching ``pattern`` (a regex), waiting for it to be printed."""
        compiled = re.compile(pattern)

        def first_match() -> str | None:
            with self._lock:
                return next((line for line in self.lines if compiled.search(line)), None)

        try:
            return str(eventually(first_match, lambda line: line is not None, within=within))
        except NotYet as error:
            raise AssertionError(f"no output line matches {pattern!r}:\n{self.output}") from error

    def stop(self, timeout: float = GENEROUS) -> int:
        """SIGTERM, then SIGKILL if it has not exited within ``timeout``; the exit code (-9 when killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=2)
        return int(self.process.returncode)
