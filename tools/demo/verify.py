"""Independent read-back: open every workbook with openpyxl, apply the file and row rules of the
specs the way the pipeline must, and recompute every figure the demo is built to produce."""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from .common import CATEGORIES, DONE, NEW, NORM, OPEN, PROGRAMMES, REPAIR, month_end, next_month, q2, strip_diacritics
from .communes import COMMUNE_PERIODS
from .districts import CORRECTION, DISTRICTS, PERIODS
from .units import list_for_period, lists

AMOUNTS = ("ngan sach trung uong", "ngan sach dia phuong", "xa hoi hoa")
SHEETS = (("houses", "nhao"), ("grants", "hotro"), ("poverty", "hongheo"))


def _fold(v) -> str:
    return " ".join(strip_diacritics(str(v)).lower().replace("_", " ").split()) if v is not None else ""


def read_back(out: Path) -> list[dict]:
    """Each workbook as {rel, sha, cover: {folded label: value}, sheets: {kind: [(excel row, record)]}}."""
    import openpyxl
    parsed = []
    for path in sorted(out.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
        sheets = {_fold(n).replace(" ", ""): wb[n] for n in wb.sheetnames}
        cover = {}
        for row in sheets["thongtin"].iter_rows(values_only=True):
            if row[0]:
                cover[_fold(row[0]).rstrip(":")] = row[1]
        recs = {key: _records(list(sheets[name].iter_rows(values_only=True)))
                for key, name in SHEETS if name in sheets}
        parsed.append({"rel": path.relative_to(out).as_posix(), "sha": hashlib.sha256(path.read_bytes()).hexdigest(),
                       "cover": cover, "sheets": recs})
        wb.close()
    return parsed


def _records(rows: list) -> list:
    keys = ("ma ho", "chuong trinh", "nam ra soat")
    hi = next(i for i, r in enumerate(rows[:30]) if any(_fold(c) in keys for c in r))
    cols, units = {}, {}
    for j, h in enumerate(rows[hi]):
        f, unit = _fold(h), 1
        if f.endswith("(trieu dong)"):
            f, unit = f[: -len("(trieu dong)")].strip(), 1_000_000
        cols[f], units[f] = j, unit
    out = []
    for i, r in enumerate(rows[hi + 1:], hi + 2):
        first = next((c for c in r if c not in (None, "")), None)
        if isinstance(first, str) and _fold(first).startswith(("nguoi lap", "thu truong")):
            break  # signature block: everything below is footer
        if first is None or (isinstance(first, str) and _fold(first).startswith(("tong", "cong"))):
            continue
        rec = {f: r[j] if j < len(r) else None for f, j in cols.items()}
        for f, u in units.items():
            if u != 1 and rec[f] is not None:
                rec[f] = rec[f] * u
        out.append((i, rec))
    return out


def _unit_of(cover: dict, period: tuple[int, int]):
    """(kind, code) the cover names; with both a district and a commune the period decides."""
    ls = lists()
    commune = cover.get("ma xa")
    if not commune and cover.get("ten xa"):
        commune = next((c for c, n in ls.c75.items() if _fold(n) == _fold(cover["ten xa"])), None)
    district = cover.get("ma huyen")
    if commune and (not district or period >= (2025, 7)):
        return "commune", commune
    return "district", district


def _row_error(key: str, rec: dict, kind: str, unit: str, lst: str, review_ok) -> str | None:
    ls = lists()
    code, name = rec.get("ma xa"), rec.get("ten xa")
    if kind == "commune":
        if code in (None, "") and name in (None, ""):
            code, name = unit, ls.c75[unit]
        if code != unit:
            return f"commune {code} is not the submitting commune {unit}"
        if name != ls.c75[unit]:
            return "commune name"
    else:
        valid = dict(ls.c24[unit] if lst == "2024" else ls.c25[unit])
        if code not in valid:
            return f"commune {code} not in district {unit} ({lst} list)"
        if valid[code] != name:
            return "commune name"
    if key == "houses":
        if rec["tinh trang"] not in (DONE, OPEN, "Chưa khởi công"):
            return f"status {rec['tinh trang']}"
        if min(rec[f] or 0 for f in AMOUNTS) < 0:
            return "negative amount"
    if key == "grants" and rec["chuong trinh"] not in PROGRAMMES.values():
        return f"programme {rec['chuong trinh']}"
    if key == "poverty" and not review_ok(rec["nam ra soat"]):
        return f"review year {rec['nam ra soat']}"
    return None


def _submissions(parsed: list[dict], ledger: dict, problems: list) -> list[dict]:
    seen, subs = {}, []
    for p in parsed:
        rel, cover = p["rel"], p["cover"]
        if p["sha"] in seen:
            ledger["duplicate"].append(f"{rel} (= {seen[p['sha']]})")
            continue
        seen[p["sha"]] = rel
        mm, yy = (int(x) for x in str(cover["ky bao cao"]).split("/"))
        if not 1 <= mm <= 12:
            ledger["rejected"].append(f"{rel} (period {cover['ky bao cao']})")
            continue
        if not p["sheets"]:
            ledger["rejected"].append(f"{rel} (no data sheet)")
            continue
        kind, unit = _unit_of(cover, (yy, mm))
        if kind == "district" and (yy, mm) >= (2025, 7):
            ledger["rejected"].append(f"{rel} (district report for {yy}-{mm:02d}: communes report since 2025-07)")
            continue
        if kind == "commune" and (yy, mm) < (2025, 7):
            ledger["rejected"].append(f"{rel} (commune report for {yy}-{mm:02d}: districts reported then)")
            continue
        prepared = cover["ngay lap"].date()
        ny, nm = next_month(yy, mm)
        if prepared > dt.date(ny, nm, 10):
            ledger["late"].append(f"{rel} (prepared {prepared})")
        lst = list_for_period(yy, mm)
        review_ok = (lambda y: y >= 2025) if kind == "commune" else (lambda y: 2020 <= y <= 2024)
        sub = {"rel": rel, "kind": kind, "unit": unit, "p": (yy, mm), "v": int(cover.get("lan gui") or 1),
               "list": lst, "houses": [], "grants": [], "poverty": [], "rejected_rows": []}
        for key, recs in p["sheets"].items():
            for i, rec in recs:
                if all(v in (None, "") for f, v in rec.items() if f not in ("stt", "ma xa", "ten xa", "ban")):
                    continue
                err = _row_error(key, rec, kind, unit, "2024" if key == "poverty" and kind == "district" else lst,
                                 review_ok)
                if err:
                    sub["rejected_rows"].append(f"{rel} {key} row {i}: {err}")
                else:
                    sub[key].append(dict(rec, ma_xa=rec.get("ma xa") or unit))
        subs.append(sub)
    return subs


def _live(subs: list[dict], ledger: dict) -> list[dict]:
    best = {}
    for s in subs:
        k = (s["kind"], s["unit"], s["p"])
        if k not in best or s["v"] > best[k]["v"]:
            best[k] = s
    for s in subs:
        if best[(s["kind"], s["unit"], s["p"])] is not s:
            ledger["superseded"].append(f"{s['rel']} (v{s['v']})")
    live = sorted(best.values(), key=lambda s: (s["p"], s["v"]))
    for s in live:
        ledger["rejected_rows"] += s["rejected_rows"]
    present = set(best)
    ledger["missing"] = [f"{d} {y}-{m:02d}" for (y, m) in PERIODS for d in DISTRICTS
                         if ("district", d, (y, m)) not in present]
    ledger["missing"] += [f"{c} {y}-{m:02d}" for (y, m) in COMMUNE_PERIODS for c in sorted(lists().c75)
                          if ("commune", c, (y, m)) not in present]
    return live


def _house_states(live: list[dict], problems: list, upto=(9999, 12)) -> dict:
    """Latest state per case (Mã hộ; its commune of today must agree across all its rows)."""
    ls = lists()
    state = {}
    holder: dict[str, str] = {}   # Số CCCD -> the one case that household is
    for s in live:
        if s["p"] > upto:
            continue
        ids = [r["ma ho"] for r in s["houses"]]
        if len(ids) != len(set(ids)):
            problems.append(f"{s['rel']}: duplicate household ids")
        pend = month_end(*s["p"])
        for r in s["houses"]:
            st = r["ngay khoi cong"].date() if r["ngay khoi cong"] else None
            cp = r["ngay hoan thanh"].date() if r["ngay hoan thanh"] else None
            tot = sum(int(r[f] or 0) for f in AMOUNTS)
            if any(r[f] is not None and r[f] != int(r[f]) for f in AMOUNTS):
                problems.append(f"{s['rel']}: inexact amount {r['ma ho']}")
            if r["tinh trang"] == DONE and (cp is None or cp > pend or cp < st or tot <= 0):
                problems.append(f"{s['rel']}: bad completed row {r['ma ho']}")
            if tot > 3 * NORM[r["hinh thuc ho tro"]] or r["doi tuong"] not in dict(CATEGORIES):
                problems.append(f"{s['rel']}: bad row {r['ma ho']}")
            if not (isinstance(r["so cccd"], str) and len(r["so cccd"]) == 12 and r["so cccd"].isdigit()):
                problems.append(f"{s['rel']}: bad CCCD {r['so cccd']}")
            if holder.setdefault(r["so cccd"], r["ma ho"]) != r["ma ho"]:
                problems.append(f"{s['rel']}: case {r['ma ho']} has the Số CCCD of case {holder[r['so cccd']]}")
            today = ls.today(r["ma_xa"], s["list"])
            prev = state.get(r["ma ho"])
            if prev and prev["today"] != today:
                problems.append(f"{s['rel']}: case {r['ma ho']} moves from {prev['today']} to {today}")
            if r.get("ho ten chu ho") in (None, ""):
                problems.append(f"{s['rel']}: blank household head {r['ma ho']}")
            kinds = (prev["kinds"] if prev else set()) | {s["kind"]}
            state[r["ma ho"]] = {"status": r["tinh trang"], "start": st, "completion": cp, "total": tot,
                                 "today": today, "kinds": kinds, "support": r["hinh thuc ho tro"],
                                 **{k: int(r[f] or 0) for k, f in zip(("central", "local", "social"), AMOUNTS)}}
    return state


def _poverty(live: list[dict], problems: list) -> dict:
    pov = {}
    for s in live:
        sums = defaultdict(lambda: defaultdict(int))
        for r in s["poverty"]:
            if r["so ho ngheo"] + r["so ho can ngheo"] > r["tong so ho"] or r["ho ngheo dtts"] > r["so ho ngheo"] \
                    or abs(r["ty le ho ngheo (%)"] - r["so ho ngheo"] * 100 / r["tong so ho"]) > 0.0051:
                problems.append(f"{s['rel']}: bad poverty row {r['ma_xa']} {r.get('ban')}")
            agg = sums[(r["ma_xa"], r["nam ra soat"])]
            for f in ("tong so ho", "so ho ngheo", "so ho can ngheo"):
                agg[f] += r[f]
            agg["villages"] += 1 if r.get("ban") else 0
        pov.update(sums)
    return pov


def evaluate(parsed: list[dict], correction: bool = True) -> dict:
    """The figures; with correction=False as if district 125's late correction were held back
    (its file left out: the version it supersedes stands), under `houses_without_the_correction`."""
    ledger, problems = defaultdict(list), []
    live = _live(_submissions(parsed, ledger, problems), ledger)
    final = _house_states(live, problems)
    q1 = _house_states(live, [], upto=(2025, 3))
    fig = {"houses_by_completion_year": {}}
    for y in range(2020, 2025):
        sel = [v for v in final.values() if v["status"] == DONE and v["completion"].year == y]
        fig["houses_by_completion_year"][y] = {"cases": len(sel), "amount": sum(v["total"] for v in sel)}
    old = [v for v in final.values() if v["start"].year < 2025]
    fig["houses_completed_2020_2024"] = sum(1 for v in old if v["status"] == DONE and v["completion"].year <= 2024)
    fig["houses_amount_2020_2024"] = sum(v["total"] for v in old if v["status"] == DONE and v["completion"].year <= 2024)
    if any(v["status"] != DONE for v in old):
        problems.append("a 2020-2024 case is not completed")
    new = [v for v in q1.values() if dt.date(2025, 1, 1) <= v["start"] <= dt.date(2025, 3, 31)]
    fig["houses_started_2025q1"] = len(new)
    fig["houses_completed_2025q1"] = sum(1 for v in new if v["status"] == DONE)
    fig["houses_completed_2025q1_amount"] = sum(v["total"] for v in new if v["status"] == DONE)
    fig["houses_in_progress_2025q1"] = sum(1 for v in new if v["status"] == OPEN)
    fig["houses_in_progress_2025q1_amount"] = sum(v["total"] for v in new if v["status"] == OPEN)
    fig.update(_new_house_figures(final))
    fig.update(_programme_figures(final))
    fig.update(_grant_figures(live, problems))
    if correction:
        rel = "{}/{}/bao_cao_{}_{}_{:02d}_lan2.xlsx".format(CORRECTION[0], CORRECTION[1], *CORRECTION[:3])
        held = evaluate([p for p in parsed if p["rel"] != rel], correction=False)
        fig["houses_without_the_correction"] = {
            **{k: held[k] for k in ("houses_completed_2025", "houses_completed_2020_2025", "houses_cost_2020_2025")},
            "grants_amount_2025": held["grants_amount_by_year"][2025]}
    pov = _poverty(live, problems)
    fig["poverty_rate_pct"], fig["poverty_households"] = {}, {}
    for y in range(2020, 2026):
        rows = [r for (c, yy), r in pov.items() if yy == y]
        T, P = sum(r["tong so ho"] for r in rows), sum(r["so ho ngheo"] for r in rows)
        fig["poverty_rate_pct"][y] = float(q2(Decimal(P) * 100 / T))
        fig["poverty_households"][y] = {"communes": len(rows), "total": T, "poor": P,
                                        "near_poor": sum(r["so ho can ngheo"] for r in rows)}
    fig["poverty_2025_by_village"] = {"communes": sum(1 for (c, y), r in pov.items() if y == 2025 and r["villages"]),
                                      "village_rows": sum(r["villages"] for (c, y), r in pov.items() if y == 2025)}
    fig["ledger_counts"] = {k: len(v) for k, v in sorted(ledger.items())}
    fig["ledger_files"] = {k: sorted(e.split(" ")[0] for e in v) if k != "missing" else v
                           for k, v in sorted(ledger.items())}
    fig["ledger"] = dict(ledger)
    fig["problems"] = problems
    return fig


def _new_house_figures(final: dict) -> dict:
    fig = {"houses_started_by_year": {}, "houses_completed_by_year": {}}
    for y in (2025, 2026):
        fig["houses_started_by_year"][y] = sum(1 for v in final.values() if v["start"].year == y)
        done = [v for v in final.values() if v["status"] == DONE and v["completion"].year == y]
        fig["houses_completed_by_year"][y] = {"cases": len(done), "amount": sum(v["total"] for v in done)}
    still = [v for v in final.values() if v["status"] != DONE]
    fig["houses_open_at_2026_10"] = {"cases": len(still), "amount": sum(v["total"] for v in still)}
    cross = [v for v in final.values() if v["kinds"] == {"district", "commune"}]
    fig["houses_crossing_the_reform"] = {"cases": len(cross), "completed": sum(v["status"] == DONE for v in cross),
                                         "amount": sum(v["total"] for v in cross)}
    return fig


def _programme_figures(final: dict) -> dict:
    """The province's published period (2020-2025) and the cost of each year by source."""
    done = [v for v in final.values() if v["status"] == DONE]
    y25 = [v for v in done if v["completion"].year == 2025]
    span = [v for v in done if 2020 <= v["completion"].year <= 2025]
    fig = {"houses_completed_2025": {"cases": len(y25), "new_build": sum(v["support"] == NEW for v in y25),
                                     "repair": sum(v["support"] == REPAIR for v in y25)},
           "houses_completed_2020_2025": len(span),
           "houses_cost_2020_2025": {"amount": sum(v["total"] for v in span),
                                     "social": sum(v["social"] for v in span),
                                     "state": sum(v["central"] + v["local"] for v in span)},
           "houses_cost_by_completion_year": {}}
    for y in sorted({v["completion"].year for v in done}):
        sel = [v for v in done if v["completion"].year == y]
        fig["houses_cost_by_completion_year"][y] = {k: sum(v[k] for v in sel) for k in ("central", "local", "social")}
    return fig


def _grant_figures(live: list[dict], problems: list) -> dict:
    progs = {v: k for k, v in PROGRAMMES.items()}
    q1 = defaultdict(lambda: {"beneficiaries": 0, "amount": 0})
    by_year = defaultdict(int)
    for s in live:
        keys = [(r["ma_xa"], r["chuong trinh"], r["nguon kinh phi"]) for r in s["grants"]]
        if len(keys) != len(set(keys)):
            problems.append(f"{s['rel']}: duplicate grant keys")
        for r in s["grants"]:
            by_year[s["p"][0]] += r["so tien"]
            if (2025, 1) <= s["p"] <= (2025, 3):
                q1[progs[r["chuong trinh"]]]["beneficiaries"] += r["so doi tuong"]
                q1[progs[r["chuong trinh"]]]["amount"] += r["so tien"]
    return {"grants_2025q1": dict(sorted(q1.items())), "grants_amount_by_year": dict(sorted(by_year.items()))}


def from_model(subs) -> list[dict]:
    """The submissions as built in memory, in read_back's shape (no workbook written): for fast tests."""
    parsed, sha = [], {}
    for s in subs:
        sha[s.rel] = sha[s.copy_of] if s.copy_of else s.rel
        src = next(x for x in subs if x.rel == s.copy_of) if s.copy_of else s
        cover = {_fold(label): _cell(kind, v) for label, kind, v in src.cover_rows()}
        sheets = {}
        if src.houses or src.extra_house or src.empty_sheets:
            sheets["houses"] = [(i, _house_rec(c, src)) for i, c in enumerate(src.houses + src.extra_house, 2)]
        if src.grants or src.extra_grant or src.empty_sheets:
            sheets["grants"] = [(i, _grant_rec(g, src)) for i, g in enumerate(src.grants + src.extra_grant, 2)]
        if src.poverty:
            sheets["poverty"] = [(i, _poverty_rec(y, r, src)) for i, (y, r) in enumerate(src.poverty, 2)]
        parsed.append({"rel": s.rel, "sha": sha[s.rel], "cover": cover, "sheets": sheets})
    return sorted(parsed, key=lambda p: p["rel"])


def _cell(kind, v):
    return dt.datetime(v.year, v.month, v.day) if kind == "d" and v is not None else v


def _commune_cells(commune, sub) -> dict:
    return {} if sub.omit_commune else {"ma xa": commune[0], "ten xa": commune[1]}


def _house_rec(c, sub) -> dict:
    return {"ma ho": c["id"], **_commune_cells(c["commune"], sub), "ban": c["person"].village,
            "ho ten chu ho": c["person"].name, "so cccd": c["person"].cccd,
            "dan toc": c["person"].ethnicity, "doi tuong": c["category"], "hinh thuc ho tro": c["support"],
            "ngan sach trung uong": c["central"], "ngan sach dia phuong": c["local"], "xa hoi hoa": c["social"],
            "ngay khoi cong": _cell("d", c["start"]), "ngay hoan thanh": _cell("d", c["completion"]),
            "tinh trang": c["status"], "ghi chu": c["note"]}


def _grant_rec(g, sub) -> dict:
    return {**_commune_cells(g["commune"], sub), "chuong trinh": PROGRAMMES.get(g["programme"], g["programme"]),
            "so doi tuong": g["n"], "so tien": g["amount"], "nguon kinh phi": g["source"]}


def _poverty_rec(year, r, sub) -> dict:
    return {**_commune_cells(r["commune"], sub), "ban": r.get("village"), "nam ra soat": year,
            "tong so ho": r["total"], "so ho ngheo": r["poor"], "so ho can ngheo": r["near"],
            "ho ngheo dtts": r["dtts"], "ty le ho ngheo (%)": r["rate"]}


def verify(out: Path) -> dict:
    """Read every workbook under out back and recompute the figures."""
    return evaluate(read_back(out))
