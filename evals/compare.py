"""What a CI gates on: ``--fail-under`` thresholds, and the change from a baseline run."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evals.errors import BaselineError, GateError
from evals.results import SCHEMA
from evals.scoring import lower_is_better, quality_metrics

# -- gates -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gate:
    metric: str
    minimum: float


@dataclass(frozen=True, slots=True)
class GateOutcome:
    gate: Gate
    measured: float | None

    @property
    def held(self) -> bool:
        # A gate on a metric no item measured cannot be said to hold.
        return self.measured is not None and self.measured >= self.gate.minimum


def parse_gates(arguments: Iterable[str], k: int) -> list[Gate]:
    """``METRIC=VALUE`` pairs, checked before the run so a typo costs no model call."""
    gateable = [name for name in quality_metrics(k) if not lower_is_better(name)]
    gates: list[Gate] = []
    for argument in arguments:
        metric, sep, value = argument.partition("=")
        metric = metric.strip()
        if not sep:
            raise GateError(f"--fail-under {argument!r}: expected METRIC=VALUE")
        try:
            minimum = float(value)
        except ValueError as error:
            raise GateError(f"--fail-under {argument!r}: {value!r} is not a number") from error
        if metric not in gateable:
            raise GateError(
                f"--fail-under {argument!r}: {metric!r} cannot be gated with --k {k}; "
                f"choose one of {', '.join(gateable)} (refusal.missed and refusal.false "
                "fall when things improve: gate on refusal.accuracy)"
            )
        gates.append(Gate(metric, minimum))
    return gates


def check_gates(gates: Sequence[Gate], measured: Mapping[str, float | None]) -> list[GateOutcome]:
    return [GateOutcome(gate, measured.get(gate.metric)) for gate in gates]


# -- baseline ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MetricChange:
    metric: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def verdict(self) -> str:
        """``better``, ``worse`` or ``same``, whichever way the metric improves."""
        delta = self.delta
        if delta is None or abs(delta) < 1e-9:
            return "same"
        return "better" if (delta < 0) == lower_is_better(self.metric) else "worse"


@dataclass(frozen=True, slots=True)
class ItemChange:
    id: str
    question: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    baseline: Path
    baseline_run: Mapping[str, Any]
    metrics: tuple[MetricChange, ...]
    regressed: tuple[ItemChange, ...]
    improved: tuple[ItemChange, ...]
    notes: tuple[str, ...]


def load_baseline(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BaselineError(f"cannot read the baseline {path}: {error.strerror}") from error
    except (ValueError, UnicodeDecodeError) as error:
        raise BaselineError(f"the baseline {path} is not JSON: {error}") from error
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("run"), dict)
        or not isinstance(data.get("metrics"), dict)
        or not isinstance(data.get("items"), list)
    ):
        raise BaselineError(
            f"the baseline {path} is not an eval run: write one with "
            "`mentor-assistant eval DATASET --output RUN.json`"
        )
    if data["run"].get("schema") != SCHEMA:
        raise BaselineError(
            f"the baseline {path} has schema {data['run'].get('schema')!r}, "
            f"this version reads schema {SCHEMA}"
        )
    return data


def compare(current: Mapping[str, Any], baseline: Mapping[str, Any], path: Path) -> Comparison:
    names = list(dict.fromkeys([*current["metrics"], *baseline["metrics"]]))
    changes = tuple(
        MetricChange(name, _number(baseline["metrics"].get(name)), current["metrics"].get(name))
        for name in names
    )
    before = {item["id"]: item for item in baseline["items"] if isinstance(item, dict)}
    regressed: list[ItemChange] = []
    improved: list[ItemChange] = []
    for item in current["items"]:
        old = before.get(item["id"])
        if old is None:
            continue
        old_checks = _checks(old)
        new_checks = _checks(item)
        change = ItemChange(item["id"], item["question"], old_checks, new_checks)
        if set(new_checks) - set(old_checks):
            regressed.append(change)
        elif set(old_checks) - set(new_checks):
            improved.append(change)
    return Comparison(
        path,
        baseline["run"],
        changes,
        tuple(regressed),
        tuple(improved),
        tuple(_notes(current, baseline, before)),
    )


def _checks(item: Mapping[str, Any]) -> tuple[str, ...]:
    failures = item.get("failures") or []
    return tuple(sorted({str(f.get("check")) for f in failures if isinstance(f, dict)}))


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _notes(
    current: Mapping[str, Any], baseline: Mapping[str, Any], before: Mapping[str, Any]
) -> list[str]:
    notes: list[str] = []
    now, then = current["run"], baseline["run"]
    if now.get("dataset", {}).get("sha256") != then.get("dataset", {}).get("sha256"):
        notes.append("Le jeu de questions a changé depuis la référence.")
    ids = {item["id"] for item in current["items"]}
    added, removed = len(ids - set(before)), len(set(before) - ids)
    if added or removed:
        notes.append(f"Questions ajoutées : {added} ; retirées : {removed}.")
    for key, label in (("answer_measure", "Mesure des réponses"), ("k", "Paramètre k")):
        if now.get(key) != then.get(key):
            notes.append(f"{label} différent : {then.get(key)} → {now.get(key)}.")
    return notes
