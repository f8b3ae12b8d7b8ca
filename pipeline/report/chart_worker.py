"""What the report's chart worker processes run (build.chart_pool: concurrent.futures, spawned
Pythons). Kept apart from charts.py so the process that submits the work never imports
matplotlib: only the workers do, in their first task."""
from __future__ import annotations


def ready() -> bool:
    """Import matplotlib and the drawing code (~0.7 s of CPU) while the figures are being read."""
    from pipeline.report import charts

    return charts.ready()


def draw(jobs: list[tuple[str, tuple]]) -> dict[str, str | None]:
    """{chart name: SVG or None} for (chart name, arguments) pairs."""
    from pipeline.report import charts

    return charts.draw(jobs)
