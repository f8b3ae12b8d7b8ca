"""Numbers and dates as a Vietnamese reader writes them: 9.317 nhà, 10,89 %, 441,287 tỷ đồng, 03/2025."""
from __future__ import annotations

import datetime as dt

BILLION = 1_000_000_000
MILLION = 1_000_000


def integer(value) -> str:
    """9317 -> '9.317' (a point groups the thousands)."""
    if value is None:
        return "–"
    return f"{int(value):,}".replace(",", ".")


def decimal(value, places: int = 2, signed: bool = False) -> str:
    """10.89 -> '10,89'; signed: -3.52 -> '−3,52', 0.5 -> '+0,50'."""
    if value is None:
        return "–"
    text = f"{abs(float(value)):,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if float(value) < 0:
        return "−" + text
    return ("+" + text) if signed and float(value) > 0 else text


def billions(vnd, places: int = 3) -> str:
    """441287000000 -> '441,287' (tỷ đồng, billion VND)."""
    return "–" if vnd is None else decimal(vnd / BILLION, places)


def millions(vnd, places: int = 1) -> str:
    return "–" if vnd is None else decimal(vnd / MILLION, places)


def as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def month(value) -> str:
    """'2025-03-01' -> '03/2025'."""
    day = as_date(value)
    return "–" if day is None else f"{day.month:02d}/{day.year}"


def day(value) -> str:
    """'2025-03-31' -> '31/03/2025'."""
    found = as_date(value)
    return "–" if found is None else f"{found.day:02d}/{found.month:02d}/{found.year}"


def timestamp(value) -> str:
    """'2026-11-28 22:16:47' -> '22:16 28/11/2026'."""
    if value is None:
        return "–"
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return f"{moment:%H:%M} {moment.day:02d}/{moment.month:02d}/{moment.year}"
