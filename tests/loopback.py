"""The real service on a loopback port, in a thread: the one way the tests serve an app."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

# Generous: only a start that is broken waits it out (a cold start loads the model, opens
# the index and, for the sync tests, follows a Moodle site, on a loaded 2-core machine).
START_TIMEOUT_S = 300


class Loopback:
    """A loopback port, bound now and served later: an app may need its own URL to be built.

    Bound here and handed to uvicorn, so there is no window for another process to take the
    port between choosing it and listening on it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    @contextmanager
    def serving(self, app: Any) -> Iterator[str]:
        """Serves ``app`` and yields its URL; on exit the server stops and the port closes."""
        server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [self._sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            while not server.started:
                if not thread.is_alive() or time.monotonic() > deadline:
                    pytest.fail("the assistant service did not start")
                time.sleep(0.05)
            yield self.url
        finally:
            server.should_exit = True
            thread.join(timeout=60)
            self._sock.close()
