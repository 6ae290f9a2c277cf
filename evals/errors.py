"""Errors of the eval runs. The CLI turns every one of them into exit code 2 (bad input)."""

from __future__ import annotations

from collections.abc import Sequence


class EvalError(Exception):
    """Base class: the message is meant for the designer and says what to fix."""


class DatasetError(EvalError):
    """The question set is malformed; every problem found carries its line number."""

    def __init__(self, path: str, problems: Sequence[tuple[int, str]]) -> None:
        self.path = path
        self.problems = tuple(problems)
        lines = "\n".join(f"  {path}:{line}: {message}" for line, message in self.problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count > 1 else ''} in {path}:\n{lines}")


class BaselineError(EvalError):
    """The --baseline file is not a run written by `mentor-assistant eval --json/--output`."""


class GateError(EvalError):
    """A --fail-under argument is not METRIC=VALUE on a metric this run measures."""
