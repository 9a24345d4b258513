"""What every benchmark shares: one result row, the statistics, and how the table is shown.

A row compares the kiosk's figure with a bare baseline measured in the same run. Its goal is
either on the ratio (kiosk / baseline) or on the value itself; `met` says whether the figure
the goal is on is within it.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"
README = BENCH_DIR.parent / "README.md"
TABLE_START = "<!-- bench:start -->"
TABLE_END = "<!-- bench:end -->"


@dataclass(frozen=True)
class Row:
    name: str
    value: float
    unit: str
    baseline: float
    ratio: float
    goal: float
    goal_on: str  # "ratio" or "value"
    met: bool
    note: str = ""


def row(name: str, value: float, unit: str, baseline: float, *, goal: float,
        goal_on: str, note: str = "") -> Row:
    if goal_on not in ("ratio", "value"):
        raise ValueError(goal_on)
    ratio = value / baseline if baseline > 0 else float("inf")
    judged = ratio if goal_on == "ratio" else value
    return Row(name, round(value, 3), unit, round(baseline, 3), round(ratio, 3), goal,
               goal_on, judged <= goal, note)


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: the value below which `pct` % of the samples fall."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceiling without floats
    return ordered[int(rank) - 1]


def save(rows: list[Row]) -> None:
    RESULTS.write_text(json.dumps([asdict(r) for r in rows], indent=2) + "\n")


def table(rows: list[Row], *, judged: bool = True) -> str:
    """A Markdown table: the same text is printed and put in the README. Rows that are not
    `judged` (the issue sets them no goal) show their comparison bar, and no verdict."""
    lines = ["| benchmark | kiosk | bare baseline | ratio | goal | met |",
             "| --- | ---: | ---: | ---: | --- | :---: |"]
    for r in rows:
        goal = f"≤ {r.goal:g}×" if r.goal_on == "ratio" else f"≤ {r.goal:g} {r.unit}"
        met = ("yes" if r.met else "**no**") if judged else "—"
        if not judged:
            goal = f"none ({goal} for comparison)"
        lines.append(f"| {r.name} | {r.value:g} {r.unit} | {r.baseline:g} {r.unit} | "
                     f"{r.ratio:.2f}× | {goal} | {met} |")
    return "\n".join(lines)


def update_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    start, end = readme.find(TABLE_START), readme.find(TABLE_END)
    if start < 0 or end < start:
        return
    readme = readme[:start + len(TABLE_START)] + "\n" + text + "\n" + readme[end:]
    README.write_text(readme, encoding="utf-8")
