"""The report's charts, drawn by matplotlib (Agg, no pyplot state) and returned as SVG text.

Every function takes rows of the reporting layer as queries.py returned them (and the labels as
plain data) and gives an SVG string, or None when there is nothing to draw. Text is stored as
paths (matplotlib's default svg.fonttype), so a chart looks the same on any PC, with its
Vietnamese diacritics, without a font to fetch. Output is deterministic (fixed hash salt, no
date), so an unchanged warehouse gives an identical report.

`draw(jobs)` is what the report's worker processes run (build.make_charts, concurrent.futures).
"""
from __future__ import annotations

import io
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from pipeline.report import fmt  # noqa: E402
from pipeline.report.labels import Labels  # noqa: E402

WIDTH = 9.0   # inches; the page shows them at most 900 px wide
RC = {"svg.hashsalt": "son-la-report", "font.family": "DejaVu Sans", "font.size": 9,
      "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10}
PALETTES = {
    "support_type": {"new_build": "#1f6f8b", "repair": "#99c1b9"},
    "funding_source": {"central": "#1f4e79", "local": "#5b9bd5", "social": "#f4b183"},
    "programme": {"production": "#548235", "medical": "#c00000", "students": "#2f75b5", "hardship_other": "#bf8f00"},
    "completeness_state": {"on_time": "#70ad47", "late": "#ffc000", "missing": "#c00000",
                           "rejected_only": "#7030a0", "not_due": "#bfbfbf"},
}
FALLBACK_COLOURS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"]
POVERTY_COLOUR, NEAR_POOR_COLOUR, PARTIAL_HATCH = "#c0504d", "#7f7f7f", "///"


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH, height), layout="constrained")


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _draw(height: float, draw) -> str:
    with matplotlib.rc_context(RC):
        fig = _figure(height)
        draw(fig)
        return _svg(fig)


def _label(labels: dict, domain: str, code: str) -> str:
    return Labels(labels).text(domain, code)


def _colour(domain: str, code: str, index: int) -> str:
    return PALETTES.get(domain, {}).get(code, FALLBACK_COLOURS[index % len(FALLBACK_COLOURS)])


def _vn_axis(axis, places: int = 0) -> None:
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.decimal(v, places) if places else fmt.integer(round(v))))


def _stacked(ax, categories: list, series: list[tuple[str, str, list[float]]], width: float = 0.7) -> None:
    """series: (legend label, colour, values aligned with categories)."""
    bottom = [0.0] * len(categories)
    positions = list(range(len(categories)))
    for label, colour, values in series:
        ax.bar(positions, values, width, bottom=bottom, label=label, color=colour, linewidth=0)
        bottom = [b + v for b, v in zip(bottom, values)]
    return bottom


# -- poverty -----------------------------------------------------------------------------------

def standard_runs(rows: list[dict]) -> list[list[dict]]:
    """The review years in runs of one poverty standard (a change of standard, or a mixed year, starts
    a new run): the series is never drawn across a break."""
    runs: list[list[dict]] = []
    for row in rows:
        if runs and runs[-1][-1]["poverty_standard"] == row["poverty_standard"] != "mixed":
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


BREAK_GAP = 0.7   # extra space between two runs of different standards, in bar widths


def poverty_province(rows: list[dict]) -> str | None:
    """The province's rate per review year, bars grouped by poverty standard: a gap and a dashed line
    where the standard changes, labelled with both standards (VI + EN); the near-poor rate drawn
    within each standard only."""
    rows = [r for r in rows if r["poverty_rate_pct"] is not None]
    if not rows:
        return None
    runs = standard_runs(rows)

    def draw(fig):
        ax = fig.subplots()
        positions, offset = [], 0.0
        for number, run in enumerate(runs):
            offset += BREAK_GAP if number else 0.0
            positions.append([offset + len(sum(runs[:number], [])) + i for i in range(len(run))])
        xs = [x for run in positions for x in run]
        rates = [r["poverty_rate_pct"] for r in rows]
        partial = [r["is_partial"] for r in rows]
        bars = ax.bar(xs, rates, 0.6, color=POVERTY_COLOUR, label="Tỷ lệ hộ nghèo · poverty rate")
        for bar, is_partial in zip(bars, partial):
            if is_partial:
                bar.set_hatch(PARTIAL_HATCH)
                bar.set_facecolor("#e6b8b7")
        ax.bar_label(bars, labels=[fmt.decimal(v) + " %" for v in rates], padding=2)
        near = [r["near_poor_rate_pct"] for r in rows]
        labelled = False
        for run, run_xs in zip(runs, positions):
            points = [(x, r["near_poor_rate_pct"]) for x, r in zip(run_xs, run) if r["near_poor_rate_pct"] is not None]
            if points:
                ax.plot([x for x, _ in points], [v for _, v in points], marker="o", color=NEAR_POOR_COLOUR,
                        label=None if labelled else "Tỷ lệ hộ cận nghèo · near-poor rate")
                labelled = True
        ax.set_xticks(xs, [str(r["review_year"]) for r in rows])
        ax.set_ylabel("% số hộ · % of households")
        ax.set_xlabel("Năm rà soát · review year")
        _vn_axis(ax.yaxis)
        top = max(rates + [v for v in near if v is not None])
        ax.set_ylim(0, top * (1.5 if len(runs) > 1 else 1.18))
        if len(runs) > 1:
            transform = ax.get_xaxis_transform()   # x in data, y as a share of the axes' height
            for run, run_xs in zip(runs, positions):
                ax.text((run_xs[0] + run_xs[-1]) / 2, 0.98, _standard_name(run[0]), transform=transform, ha="center",
                        va="top", fontsize=7.5, color="#404040")
            for before_xs, after_xs in zip(positions, positions[1:]):
                x = (before_xs[-1] + after_xs[0]) / 2
                ax.axvline(x, color="#404040", linestyle="--", linewidth=1)
                ax.text(x, 0.45, "đổi chuẩn · new standard", transform=transform, ha="center", va="center",
                        fontsize=7, color="#404040", rotation=90, bbox={"facecolor": "white", "edgecolor": "none",
                                                                        "pad": 1})
        handles, _ = ax.get_legend_handles_labels()
        if any(partial):   # an empty bar would show the default colour in the legend
            handles.append(Patch(facecolor="#e6b8b7", hatch=PARTIAL_HATCH, label="báo cáo chưa đủ · partial reporting"))
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=3, frameon=False)

    return _draw(3.8, draw)


def _standard_name(row: dict) -> str:
    """'Chuẩn nghèo 2016-2020' over '2016-2020 standard' (the act is in the table under the chart)."""
    standard = row["poverty_standard"]
    if standard == "mixed":
        return "Nhiều chuẩn nghèo\nmixed standards"
    if standard is None:
        return "Chưa rõ chuẩn nghèo\nstandard unknown"
    return f"Chuẩn nghèo {standard}\n{standard} standard"


def poverty_district(rows: list[dict]) -> str | None:
    """Each district: its rate in the latest review year it reported and in the first year of the same
    poverty standard (first_review_year: never a change across two standards), joined."""
    by_district: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        if row["poverty_rate_pct"] is not None:
            by_district[row["district_code"]].append(row)
    if not by_district:
        return None
    ends = []
    for code, found in by_district.items():
        found.sort(key=lambda r: r["review_year"])
        latest = found[-1]
        ends.append((next((r for r in found if r["review_year"] == latest["first_review_year"]), latest), latest))
    ends.sort(key=lambda e: e[1]["poverty_rate_pct"])
    first_years = sorted({e[0]["review_year"] for e in ends})
    last_years = sorted({e[1]["review_year"] for e in ends})

    def draw(fig):
        ax = fig.subplots()
        for i, (first, last) in enumerate(ends):
            ax.plot([first["poverty_rate_pct"], last["poverty_rate_pct"]], [i, i], color="#bfbfbf", linewidth=2, zorder=1)
            partial = last["is_partial"]
            ax.scatter([first["poverty_rate_pct"]], [i], s=36, facecolor="white", edgecolor=POVERTY_COLOUR, zorder=2)
            ax.scatter([last["poverty_rate_pct"]], [i], s=40, color="#e6b8b7" if partial else POVERTY_COLOUR,
                       hatch=PARTIAL_HATCH if partial else None, zorder=3)
            ax.annotate(fmt.decimal(last["poverty_rate_pct"]), (last["poverty_rate_pct"], i),
                        xytext=(0, 4), textcoords="offset points", ha="center", va="bottom", fontsize=7)
        ax.set_yticks(range(len(ends)), [(e[1]["district_name"] or e[1]["district_code"]) for e in ends])
        ax.set_xlabel("Tỷ lệ hộ nghèo (%) · poverty rate (%)")
        _vn_axis(ax.xaxis)
        ax.set_xlim(0, max(max(e[0]["poverty_rate_pct"], e[1]["poverty_rate_pct"]) for e in ends) * 1.08)
        standards = ", ".join(sorted({e[1]["poverty_standard"] or "–" for e in ends}))
        ax.scatter([], [], s=36, facecolor="white", edgecolor=POVERTY_COLOUR,
                   label=f"năm đầu cùng chuẩn nghèo · first year of the same standard ({', '.join(map(str, first_years))})")
        ax.scatter([], [], s=40, color=POVERTY_COLOUR,
                   label=f"năm mới nhất · latest year ({', '.join(map(str, last_years))}; chuẩn nghèo · standard "
                         f"{standards})")
        ax.legend(loc="lower right", frameon=False)

    return _draw(0.36 * len(ends) + 1.2, draw)


def poverty_commune_ranked(rows: list[dict]) -> str | None:
    """Today's communes, ranked by their poverty rate in the latest review year."""
    rows = [r for r in rows if r["poverty_rate_pct"] is not None]
    if not rows:
        return None
    ranked = sorted(rows, key=lambda r: r["poverty_rate_pct"])

    def draw(fig):
        ax = fig.subplots()
        positions = list(range(len(ranked)))
        colours = ["#e6b8b7" if r["is_partial"] else POVERTY_COLOUR for r in ranked]
        bars = ax.barh(positions, [r["poverty_rate_pct"] for r in ranked], 0.75, color=colours)
        for bar, row in zip(bars, ranked):
            if row.get("mapping") == "approximate":
                bar.set_hatch("...")
        ax.bar_label(bars, labels=[fmt.decimal(r["poverty_rate_pct"]) for r in ranked], padding=2, fontsize=7)
        ax.set_yticks(positions, [r["commune_2025_name"] or r["commune_2025_code"] for r in ranked], fontsize=7)
        ax.set_ylim(-0.6, len(ranked) - 0.4)
        ax.set_xlabel(f"Tỷ lệ hộ nghèo (%) năm {ranked[0]['review_year']} · poverty rate (%)")
        _vn_axis(ax.xaxis)

    return _draw(0.16 * len(ranked) + 1.0, draw)


def poverty_commune_map(rows: list[dict], points: dict, source: str | None) -> str | None:
    """A dot map: each commune of today's map at its centre, coloured by its poverty rate."""
    placed = [(points[r["commune_2025_code"]], r) for r in rows
              if r["poverty_rate_pct"] is not None and r["commune_2025_code"] in points]
    if not placed:
        return None

    def draw(fig):
        import math

        ax = fig.subplots()
        lons = [p[0] for p, _ in placed]
        lats = [p[1] for p, _ in placed]
        rates = [r["poverty_rate_pct"] for _, r in placed]
        sizes = [max(20.0, min(260.0, (r["total_households"] or 0) / 40)) for _, r in placed]
        dots = ax.scatter(lons, lats, c=rates, s=sizes, cmap="Reds", vmin=0, edgecolor="#404040", linewidth=0.4)
        top = sorted(placed, key=lambda pr: pr[1]["poverty_rate_pct"], reverse=True)[:5]
        for (lon, lat, _), row in top:
            ax.annotate(row["commune_2025_name"], (lon, lat), xytext=(5, 4), textcoords="offset points", fontsize=7)
        ax.set_aspect(1 / math.cos(math.radians(sum(lats) / len(lats))))
        ax.set_xlabel("Kinh độ · longitude")
        ax.set_ylabel("Vĩ độ · latitude")
        bar = fig.colorbar(dots, ax=ax, shrink=0.8)
        bar.set_label("Tỷ lệ hộ nghèo (%) · poverty rate (%)")
        _vn_axis(bar.ax.yaxis)
        if source:
            ax.text(0.0, -0.12, f"Tọa độ tâm xã · commune centres: {source}; cỡ chấm ~ số hộ · dot size ~ households",
                    transform=ax.transAxes, fontsize=7, color="#595959")

    return _draw(6.0, draw)


# -- houses and grants ---------------------------------------------------------------------------

def houses_by_year(rows: list[dict], labels: dict) -> str | None:
    """rows: rpt_houses_year (houses_completed and completed_<support type> per year); the total on
    top of each bar."""
    if not rows:
        return None
    years = [r["year"] for r in rows]
    codes = Labels(labels).codes("support_type")

    def draw(fig):
        ax = fig.subplots()
        series = [(_label(labels, "support_type", code), _colour("support_type", code, i),
                   [r[f"completed_{code}"] for r in rows]) for i, code in enumerate(codes)]
        heights = _stacked(ax, years, series)
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.bar_label(ax.containers[-1], labels=[fmt.integer(r["houses_completed"]) for r in rows], padding=2)
        ax.set_ylabel("Số nhà hoàn thành · houses completed")
        ax.set_xlabel("Năm hoàn thành · year completed")
        _vn_axis(ax.yaxis)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, max(heights) * 1.15)
        ax.legend(loc="upper left", frameon=False, ncols=len(codes))

    return _draw(3.2, draw)


def houses_cost(rows: list[dict], labels: dict) -> str | None:
    if not rows:
        return None
    years = [r["year"] for r in rows]
    columns = [(code, f"completed_{code}_vnd") for code in ("central", "local", "social")]

    def draw(fig):
        ax = fig.subplots()
        series = [(_label(labels, "funding_source", code), _colour("funding_source", code, i),
                   [(r[column] or 0) / fmt.BILLION for r in rows]) for i, (code, column) in enumerate(columns)]
        heights = _stacked(ax, years, series)
        ax.set_xticks(range(len(years)), [str(y) for y in years])
        ax.bar_label(ax.containers[-1], labels=[fmt.decimal((r["completed_vnd"] or 0) / fmt.BILLION, 1) for r in rows],
                     padding=2)
        ax.set_ylabel("Tỷ đồng · billion VND")
        ax.set_xlabel("Năm hoàn thành · year completed")
        _vn_axis(ax.yaxis)
        ax.set_ylim(0, max(heights) * 1.3)
        ax.legend(loc="upper left", frameon=False, ncols=3)

    return _draw(3.2, draw)


def _month_ticks(ax, months: list[str]) -> None:
    step = max(1, len(months) // 12)
    ticks = [i for i, m in enumerate(months) if int(m[5:7]) in (1, 7) or step == 1]
    ax.set_xticks(ticks, [fmt.month(months[i]) for i in ticks], rotation=45, ha="right")
    ax.set_xlim(-0.8, len(months) - 0.2)


def grants_by_month(rows: list[dict], labels: dict) -> str | None:
    if not rows:
        return None
    codes = Labels(labels).codes("programme", {r["programme"] for r in rows})
    months = sorted({r["period"] for r in rows})
    amount = {(r["period"], r["programme"]): r["amount_vnd"] for r in rows}

    def draw(fig):
        ax = fig.subplots()
        series = [(_label(labels, "programme", code), _colour("programme", code, i),
                   [(amount.get((m, code)) or 0) / fmt.MILLION for m in months]) for i, code in enumerate(codes)]
        _stacked(ax, months, series, width=0.8)
        _month_ticks(ax, months)
        ax.set_ylabel("Triệu đồng · million VND")
        _vn_axis(ax.yaxis)
        ax.legend(loc="upper left", frameon=False, ncols=2, fontsize=8)

    return _draw(3.8, draw)


# -- operations ----------------------------------------------------------------------------------

def completeness(rows: list[dict], labels: dict) -> str | None:
    """rows: rpt_completeness_month (units_<state> per month)."""
    if not rows:
        return None
    months = [r["period"] for r in rows]
    codes = Labels(labels).codes("completeness_state")

    def draw(fig):
        ax = fig.subplots()
        series = [(_label(labels, "completeness_state", code), _colour("completeness_state", code, i),
                   [r[f"units_{code}"] for r in rows]) for i, code in enumerate(codes)]
        _stacked(ax, months, series, width=0.85)
        _month_ticks(ax, months)
        ax.set_ylabel("Đơn vị báo cáo · reporting units")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False, ncols=3, fontsize=8)

    return _draw(3.8, draw)


def _hbar(items: list[tuple[str, int]], xlabel: str, height_per: float = 0.3) -> str:
    def draw(fig):
        ax = fig.subplots()
        ordered = list(reversed(items))
        positions = list(range(len(ordered)))
        bars = ax.barh(positions, [v for _, v in ordered], 0.6, color="#7f6084")
        ax.bar_label(bars, labels=[fmt.integer(v) for _, v in ordered], padding=2)
        ax.set_yticks(positions, [text if len(text) <= 70 else text[:67] + "…" for text, _ in ordered])
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _vn_axis(ax.xaxis)
        ax.set_xlim(0, max(v for _, v in ordered) * 1.15)

    return _draw(height_per * len(items) + 1.0, draw)


TOP_REASONS = 12


def rejected_by_reason(rows: list[dict]) -> str | None:
    if not rows:
        return None
    items = [(r["reason_vi"] or r["reason"], r["rows_rejected"]) for r in rows[:TOP_REASONS]]
    rest = sum(r["rows_rejected"] for r in rows[TOP_REASONS:])
    if rest:
        items.append((f"lý do khác · {len(rows) - TOP_REASONS} other reasons", rest))
    return _hbar(items, "Dòng bị loại · rejected rows")


def rejected_by_unit(rows: list[dict]) -> str | None:
    if not rows:
        return None
    items = [(r["unit_name"] or r["unit_code"] or "không rõ đơn vị · unit unknown", r["rows_rejected"]) for r in rows]
    return _hbar(items, "Dòng bị loại · rejected rows")


CHARTS = ("poverty_province", "poverty_district", "poverty_commune_ranked", "poverty_commune_map", "houses_by_year",
          "houses_cost", "grants_by_month", "completeness", "rejected_by_reason", "rejected_by_unit")


def draw(jobs: list[tuple[str, tuple]]) -> dict[str, str | None]:
    """{name: SVG} for (chart name, arguments) pairs: what a worker process runs."""
    unknown = [name for name, _ in jobs if name not in CHARTS]
    if unknown:
        raise ValueError(f"no such chart: {', '.join(unknown)}")
    return {name: globals()[name](*args) for name, args in jobs}


def ready() -> bool:
    """A worker's first task: importing this module (matplotlib) is the start-up worth doing early."""
    return True
