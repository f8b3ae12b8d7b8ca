"""Every reporting unit's template for one month: units in force -> open cases -> workbooks.

No Dagster here: the CLI (`python -m pipeline templates`) and the asset monthly_templates
(pipeline/defs/assets/templates.py) both call build_templates().
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import config, form
from pipeline.templates.cases import open_cases
from pipeline.templates.units import ReportingUnit, units_in_force
from pipeline.templates.workbook import write_template
from pipeline.text import strip_diacritics

@dataclass
class TemplateRun:
    period: dt.date
    out_dir: Path
    due: dt.date
    files: dict[str, Path] = field(default_factory=dict)        # unit code -> workbook
    open_cases: dict[str, int] = field(default_factory=dict)    # unit code -> cases pre-filled
    reported_since: dict[str, int] = field(default_factory=dict)   # unit code -> cases left out (see cases.py)

    def lines(self) -> list[str]:
        return [f"  {path.name}: {self.open_cases[code]} open case(s) pre-filled" for code, path in self.files.items()]

    def warnings(self) -> list[str]:
        """Cases a template for a month long past cannot show (their state then is no longer kept)."""
        left_out = sum(self.reported_since.values())
        if not left_out:
            return []
        return [f"{left_out} case(s) known before {self.period:%m/%Y} were reported again in or after it: their "
                f"state as of {self.period:%m/%Y} is not kept, so they are not pre-filled (templates are meant "
                "for the month just ended)"]


def previous_month(today: dt.date) -> dt.date:
    """The month being reported: on 1 December the province sends the November templates."""
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def parse_period(text: str) -> dt.date:
    """'2024-11' -> 2024-11-01; ValueError with a plain message otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"period '{text}' is not a month written YYYY-MM (e.g. 2024-11)")
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def check_period(period: dt.date, today: dt.date) -> None:
    if period < form.FIRST_PERIOD:
        raise ValueError(f"period {period:%Y-%m} is before {form.FIRST_PERIOD:%Y-%m}, the first reporting month")
    if period > today.replace(day=1):
        raise ValueError(f"period {period:%Y-%m} is in the future (today is {today:%Y-%m-%d})")


@functools.cache
def due_day() -> int:
    """The day of the following month a report is due: the dbt var the completeness mart uses."""
    text = (config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8")
    return int(re.search(r"^\s*due_day:\s*(\d+)", text, re.MULTILINE).group(1))


def due_date(period: dt.date) -> dt.date:
    following = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following.replace(day=due_day())


def file_name(unit: ReportingUnit, period: dt.date) -> str:
    """'Mau_bao_cao_2024-11_116_Thanh_pho_Son_La.xlsx': month, code and name, so a clerk knows it is theirs."""
    name = re.sub(r"[^A-Za-z0-9]+", "_", strip_diacritics(unit.name)).strip("_")
    return f"Mau_bao_cao_{period:%Y-%m}_{unit.code}_{name}.xlsx"


def default_out_dir(warehouse_dir: Path, period: dt.date) -> Path:
    return warehouse_dir / "templates" / f"{period:%Y-%m}"


def build_templates(period: dt.date, warehouse_dir: Path, out_dir: Path | None = None,
                    today: dt.date | None = None, url: str | None = None) -> TemplateRun:
    """`url`: the warehouse on PostgreSQL (its marts schema), else the folder's DuckDB file."""
    check_period(period, today or dt.date.today())
    out_dir = out_dir or default_out_dir(warehouse_dir, period)
    units = units_in_force(period)
    cases, reported_since = open_cases(warehouse_dir, period, units, url)
    run = TemplateRun(period, out_dir, due_date(period), reported_since=reported_since)
    for unit in units:
        run.files[unit.code] = write_template(out_dir / file_name(unit, period), unit, period, cases[unit.code],
                                              run.due)
        run.open_cases[unit.code] = len(cases[unit.code])
    return run
