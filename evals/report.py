"""The HTML report: one self-contained file (inline CSS, an SVG radar drawn here, no script)
that a designer opens offline or attaches to a ticket.

The radar echoes the kit Mentor self-assessment grid: axes from the centre (0) to the edge
(100 %), grouped in coloured families, family averages beside it, and the baseline run
drawn over the current one, as the kit superposes two versions of a course.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from evals.compare import Comparison
from evals.metrics import MRR_DEPTH
from evals.scoring import lower_is_better

_TEMPLATES = Path(__file__).parent / "templates"

FAMILIES = (
    ("recherche", "Recherche des passages", "#000091"),
    ("refus-sources", "Refus et sources", "#7d4e5b"),
    ("reponse", "Réponse", "#18753c"),
)


def radar_axes(k: int) -> list[tuple[str, str, str]]:
    """(metric, short label, family) of the radar, clockwise from the top."""
    return [
        ("retrieval.hit@1", "Bon passage en tête", "recherche"),
        (f"retrieval.hit@{k}", f"Bon passage parmi {k}", "recherche"),
        (f"retrieval.mrr@{MRR_DEPTH}", "Rang du bon passage", "recherche"),
        (f"retrieval.recall@{k}", "Attendus retrouvés", "recherche"),
        ("refusal.accuracy", "Refus à bon escient", "refus-sources"),
        ("citation.precision", "Sources pertinentes", "refus-sources"),
        ("citation.support", "Phrases sourcées", "refus-sources"),
        ("answer.faithfulness", "Fidélité", "reponse"),
        ("answer.correctness", "Conformité", "reponse"),
    ]


def describe(metric: str) -> str:
    """What a metric means, in the designer's words."""
    family, _, name = metric.partition(".")
    texts = {
        "hit@1": "le premier passage trouvé est pertinent",
        "mrr": f"1 / rang du premier passage pertinent, dans les {MRR_DEPTH} premiers",
        "hit@": "un passage pertinent figure parmi les {k} premiers",
        "recall@": "part des documents et extraits attendus retrouvés dans les {k} premiers",
        "accuracy": "l’assistant refuse exactement ce qu’il doit refuser",
        "missed": "questions à refuser auxquelles l’assistant a répondu",
        "false": "questions légitimes que l’assistant a refusées",
        "suggested": "refus de questions légitimes où la bonne page était proposée à consulter",
        "precision": "part des sources citées qui sont pertinentes",
        "related": "réponses sans source pertinente où la bonne question était proposée à côté",
        "support": "part des phrases de la réponse appuyées par une source citée",
        "faithfulness": "part des phrases appuyées par les passages donnés au générateur",
        "correctness": "part de la réponse de référence que la réponse reprend",
        "hedged": "part des réponses données avec réserve (source citée, support proposé)",
    }
    if family == "latency":
        stage, _, stat = name.partition(".")
        which = "médiane" if stat.startswith("p50") else "95e centile"
        return f"durée de l’étape « {stage} », {which}"
    if family == "judge":
        return "variation du juge LLM entre ses trois passages"
    for key, text in texts.items():
        if name.startswith(key):
            return text.format(k=name.partition("@")[2])
    return ""


@dataclass(frozen=True, slots=True)
class RadarPoint:
    metric: str
    label: str
    family: str
    value: float | None
    x: float
    y: float
    label_x: float
    label_y: float
    value_y: float
    anchor: str


# Wide enough for the labels beside the left and right axes.
_WIDTH, _HEIGHT, _RADIUS = 760, 560, 180


def radar(k: int, values: dict[str, Any], baseline: dict[str, Any] | None = None) -> dict[str, Any]:
    """Coordinates for the template: axes, polygons, rings and family wedges."""
    axes = radar_axes(k)
    cx, cy = _WIDTH / 2, _HEIGHT / 2
    step = 2 * math.pi / len(axes)

    def at(index: float, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + index * step
        return (
            round(cx + _RADIUS * fraction * math.cos(angle), 1),
            round(cy + _RADIUS * fraction * math.sin(angle), 1),
        )

    points: list[RadarPoint] = []
    for index, (metric, label, family) in enumerate(axes):
        value = _fraction(values.get(metric))
        x, y = at(index, value or 0.0)
        label_x, label_y = at(index, 1.14)
        angle = -math.pi / 2 + index * step
        anchor = (
            "middle" if abs(math.cos(angle)) < 0.2 else "start" if math.cos(angle) > 0 else "end"
        )
        # Two lines (label, value) kept clear of the circle: above it at the top, below it
        # at the bottom, centred on the axis at the sides.
        lift = 18 if math.sin(angle) < -0.3 else -12 if math.sin(angle) > 0.3 else 4
        points.append(
            RadarPoint(
                metric=metric,
                label=label,
                family=family,
                value=value,
                x=x,
                y=y,
                label_x=label_x,
                label_y=label_y - lift,
                value_y=label_y - lift + 16,
                anchor=anchor,
            )
        )
    wedges = []
    for family, name, colour in FAMILIES:
        indexes = [i for i, axis in enumerate(axes) if axis[2] == family]
        start, end = at(indexes[0] - 0.5, 1.0), at(indexes[-1] + 0.5, 1.0)
        large = int(len(indexes) * step > math.pi)
        path = (
            f"M{cx},{cy} L{start[0]},{start[1]} "
            f"A{_RADIUS},{_RADIUS} 0 {large} 1 {end[0]},{end[1]} Z"
        )
        wedges.append({"family": family, "name": name, "colour": colour, "path": path})
    result: dict[str, Any] = {
        "width": _WIDTH,
        "height": _HEIGHT,
        "cx": cx,
        "cy": cy,
        "points": points,
        "polygon": " ".join(f"{p.x},{p.y}" for p in points),
        "rings": [round(_RADIUS * fraction, 1) for fraction in (0.25, 0.5, 0.75, 1.0)],
        "spokes": [at(i, 1.0) for i in range(len(axes))],
        "wedges": wedges,
        "families": _family_means(points),
        "baseline": None,
    }
    if baseline is not None:
        result["baseline"] = " ".join(
            "{},{}".format(*at(i, _fraction(baseline.get(metric)) or 0.0))
            for i, (metric, _, _) in enumerate(axes)
        )
    return result


def _family_means(points: list[RadarPoint]) -> list[dict[str, Any]]:
    means = []
    for family, name, colour in FAMILIES:
        measured = [p.value for p in points if p.family == family and p.value is not None]
        mean = sum(measured) / len(measured) if measured else None
        means.append({"name": name, "colour": colour, "mean": mean})
    return means


def _fraction(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return min(max(float(value), 0.0), 1.0)
    return None


def value_text(metric: str, value: object) -> str:
    """91,2 % ; 143 ms ; « non mesuré » — French typography, narrow no-break spaces."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return "non mesuré"
    if metric.startswith("latency."):
        return f"{value:,.0f}\u202fms".replace(",", "\u202f")
    if metric == "judge.failed_repeats":
        return f"{value:.0f}"
    return f"{value * 100:.1f}\u202f%".replace(".", ",")


def delta_text(metric: str, delta: float | None) -> str:
    if delta is None:
        return "—"
    if metric.startswith("latency."):
        return f"{delta:+,.0f}\u202fms".replace(",", "\u202f")
    if metric == "judge.failed_repeats":
        return f"{delta:+.0f}"
    return f"{delta * 100:+.1f}\u202fpt".replace(".", ",")


def render_report(data: dict[str, Any], comparison: Comparison | None = None) -> str:
    """``data`` is the run's JSON form, so the report shows exactly what the JSON holds."""
    environment = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["value"] = lambda value, metric: value_text(metric, value)
    environment.filters["delta"] = lambda delta, metric: delta_text(metric, delta)
    environment.globals["describe"] = describe
    environment.globals["lower_is_better"] = lower_is_better
    baseline = None
    if comparison is not None:
        baseline = {change.metric: change.before for change in comparison.metrics}
    k = int(data["run"]["k"])
    return environment.get_template("report.html").render(
        run=data["run"],
        k=k,
        metrics=data["metrics"],
        counts=data["counts"],
        by_tag=data["by_tag"],
        items=data["items"],
        failing=[item for item in data["items"] if not item["passed"]],
        passing=[item for item in data["items"] if item["passed"]],
        hedged=[item for item in data["items"] if item.get("confidence") == "low"],
        radar=radar(k, data["metrics"], baseline),
        radar_metrics=[axis[0] for axis in radar_axes(k)],
        comparison=comparison,
    )


def write_report(path: Path, data: dict[str, Any], comparison: Comparison | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(data, comparison), encoding="utf-8")
