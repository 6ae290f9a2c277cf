"""Concurrent queries share one forward pass.

On 2 cores a batch of 8 short questions costs about 2.5 single ones (bench/README.md), so
the questions that arrive while the model is busy wait for it and then go through together.
A question that arrives alone runs at once: no timer, no added latency.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass
class _Pending:
    text: str
    vector: np.ndarray | None = None
    error: BaseException | None = None
    done: bool = False


class QueryBatcher:
    """``embed`` is called from many threads; ``run`` sees at most ``most`` texts at a time."""

    def __init__(self, run: Callable[[Sequence[str]], np.ndarray], most: int) -> None:
        self._run = run
        self._most = most
        self._waiting: list[_Pending] = []
        self._busy = False
        self._changed = threading.Condition()

    def embed(self, text: str) -> np.ndarray:
        mine = _Pending(text)
        with self._changed:
            self._waiting.append(mine)
            while self._busy and not mine.done:
                self._changed.wait()
            if not mine.done:
                self._busy = True
        # The thread that found the model idle runs the batches, oldest questions first,
        # until its own is done; then the next waiting thread takes over.
        while not mine.done:
            with self._changed:
                batch, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
            try:
                vectors = self._run([pending.text for pending in batch])
            except BaseException as error:  # each waiting question gets the model's error
                for pending in batch:
                    pending.error = error
            else:
                for pending, vector in zip(batch, vectors, strict=True):
                    pending.vector = vector
            with self._changed:
                for pending in batch:
                    pending.done = True
                self._busy = mine.done is False
                self._changed.notify_all()
        if mine.error is not None:
            raise mine.error
        assert mine.vector is not None
        return mine.vector
