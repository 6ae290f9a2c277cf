"""Questions that arrive while the model is busy share its next forward pass."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from knowledge.embedders.batching import QueryBatcher


class GatedModel:
    """A model whose first pass waits until the test has queued the other questions."""

    def __init__(self) -> None:
        self.passes: list[list[str]] = []
        self.first_pass_started = threading.Event()
        self.release = threading.Event()

    def run(self, texts: Sequence[str]) -> np.ndarray:
        self.passes.append(list(texts))
        if len(self.passes) == 1:
            self.first_pass_started.set()
            self.release.wait(10)
        if "panne" in texts:
            raise RuntimeError("le modèle a échoué")
        return np.asarray([[float(len(text))] for text in texts])


def wait_for_waiters(batcher: QueryBatcher, count: int) -> None:
    for _ in range(1000):
        if len(batcher._waiting) >= count:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"{count} questions never queued")


def test_questions_queued_behind_a_busy_model_go_through_in_one_pass() -> None:
    model = GatedModel()
    batcher = QueryBatcher(model.run, most=4)
    questions = [f"question {index}" for index in range(7)]
    with ThreadPoolExecutor(1 + len(questions)) as pool:
        first = pool.submit(batcher.embed, "seule")
        assert model.first_pass_started.wait(10)
        others = [pool.submit(batcher.embed, question) for question in questions]
        wait_for_waiters(batcher, len(questions))
        model.release.set()
        assert first.result()[0] == len("seule")
        for question, future in zip(questions, others, strict=True):
            assert future.result()[0] == len(question)  # each thread gets its own vector
    # One pass alone, then the 7 waiting questions in passes of at most 4.
    assert [len(texts) for texts in model.passes] == [1, 4, 3]
    assert sorted(text for texts in model.passes[1:] for text in texts) == sorted(questions)


def test_a_failed_pass_fails_its_questions_only() -> None:
    model = GatedModel()
    batcher = QueryBatcher(model.run, most=8)
    with ThreadPoolExecutor(3) as pool:
        first = pool.submit(batcher.embed, "seule")
        assert model.first_pass_started.wait(10)
        failing = pool.submit(batcher.embed, "panne")
        wait_for_waiters(batcher, 1)
        model.release.set()
        first.result()
        with pytest.raises(RuntimeError, match="le modèle a échoué"):
            failing.result()
    # The model is free again for the next question.
    assert batcher.embed("encore")[0] == len("encore")
