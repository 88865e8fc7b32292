"""The gateway's end of the local Lambda containers: the zygote (``python -m local.zygote``) it
asks for new containers, and a handle per container process (``local.container`` is the other end).

A container connects back over a Unix socket (``multiprocessing.connection``, authenticated with a
key only this process and the zygote know) and says which request for a container it answers.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from multiprocessing.connection import Connection, Listener
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 60.0  # a container's init (imports) on a busy machine


class FunctionError(Exception):
    """An error a function raised (in its init or its handler), as Lambda reports it."""

    def __init__(self, error_type: str, message: str, trace: str = "") -> None:
        super().__init__(message)
        self.error_type = error_type
        self.trace = trace

    @classmethod
    def of(cls, info: Any) -> FunctionError:
        error_type, message, trace = info
        return cls(str(error_type), str(message), str(trace))


class Container:
    """The gateway's end of one container process."""

    def __init__(self, conn: Connection, pid: int) -> None:
        self._conn = conn
        self.pid = pid
        self.alive = True

    def invoke(self, event: dict[str, Any]) -> tuple[Any, FunctionError | None, list[str]]:
        try:
            self._conn.send(event)
            reply = self._conn.recv()
        except (EOFError, OSError) as exc:  # the process died mid-invocation
            self.alive = False
            return None, FunctionError("Runtime.ExitError", f"the container exited ({exc or 'no reply'})"), []
        if reply[0] == "ok":
            return reply[1], None, list(reply[2])
        return None, FunctionError.of(reply[1]), list(reply[2])

    def stop(self) -> None:
        """Ask the container to exit (it also exits when the connection closes)."""
        self.alive = False
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(None)
        self._conn.close()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)


class Zygote:
    """``python -m local.zygote`` and the socket its containers connect back to."""

    def __init__(self) -> None:
        self._directory = tempfile.mkdtemp(prefix="clientele-local-")
        address = str(Path(self._directory) / "containers.sock")
        authkey = os.urandom(16)
        self._listener = Listener(address, family="AF_UNIX", authkey=authkey)
        self._waiting: dict[str, queue.Queue[tuple[Connection, int]]] = {}
        self._lock = threading.Lock()
        self._closed = False
        # Started from the server's main thread: Linux's parent-death signal follows the thread.
        self._process = subprocess.Popen([sys.executable, "-m", "local.zygote"], cwd=ROOT,
                                         stdin=subprocess.PIPE, text=True)
        self._send({"address": address, "authkey": authkey.hex()})
        self._accepting = threading.Thread(target=self._accept, name="containers", daemon=True)
        self._accepting.start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def _send(self, message: dict[str, Any]) -> None:
        assert self._process.stdin is not None
        with self._lock:
            if self._process.poll() is not None:
                raise RuntimeError(f"the container zygote exited with {self._process.returncode}")
            self._process.stdin.write(json.dumps(message) + "\n")
            self._process.stdin.flush()

    def _accept(self) -> None:
        while not self._closed:
            try:
                conn = self._listener.accept()
                hello = conn.recv()
            except (OSError, EOFError):
                if self._closed:
                    return
                continue
            slot = self._waiting.pop(str(hello[1]), None) if hello[0] == "hello" else None
            if slot is None:
                conn.close()
                continue
            slot.put((conn, int(hello[2])))

    def fork(self, request: dict[str, Any]) -> tuple[Connection, int]:
        """A new process for ``request``, connected; raises when none arrives in time."""
        request = {**request, "id": uuid.uuid4().hex}
        slot: queue.Queue[tuple[Connection, int]] = queue.Queue(maxsize=1)
        self._waiting[request["id"]] = slot
        self._send(request)
        try:
            return slot.get(timeout=START_SECONDS)
        except queue.Empty:
            self._waiting.pop(request["id"], None)
            raise RuntimeError(f"no container started for {request.get('function')} in {START_SECONDS:.0f} s") \
                from None

    def close(self) -> None:
        self._closed = True
        if self._process.stdin is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._listener.close()
        shutil.rmtree(self._directory, ignore_errors=True)


def await_reply(conn: Connection, what: str) -> Any:
    if not conn.poll(START_SECONDS):
        raise RuntimeError(f"{what} did not finish its init in {START_SECONDS:.0f} s")
    return conn.recv()
