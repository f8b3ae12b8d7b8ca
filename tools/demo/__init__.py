"""Deterministic demo submissions for Son La, 2020-01 .. 2026-10, across both 2025 reforms.

    python -m tools.demo [--out sources/demo] [--plain] [--verify]
    (python -m tools.demo_data does the same)
    python -m tools.demo.check [--warehouse warehouse]   # a real load of the demo vs expected_figures()

Layout of ``sources/demo/``:

* ``<district>/<YYYY>/bao_cao_<district>_<YYYY>_<MM>.xlsx``: the 12 districts, every month
  2020-01 .. 2025-06 (district covers ``Mã huyện`` / ``Tên huyện``). Rows name communes of the
  204-list up to the 2025-01 reports and of the 200-list in 2025-02 .. 2025-06 (Resolution
  1280 took effect on 2025-02-01). Poverty reviews 2020-2024 come in the January files.
* ``communes/<code>/<YYYY>/bao_cao_xa_<code>_<YYYY>_<MM>.xlsx``: the 75 communes of today's
  map (codes of ``son_la_communes_2025_07.csv``), every month 2025-07 .. 2026-10, commune
  covers (``Mã xã`` / ``Tên xã``). About half the communes leave the commune columns out of
  their rows. The 2025 poverty review comes in the 2026-01 files, 10 communes per village
  (``Bản``).
* ``inbox_copy/`` a duplicate; ``bao_cao_119_2024_13.xlsx`` a file with period 13/2024.

The output is byte-for-byte the same on every run (fixed seeds, fixed workbook creation
dates, xlsxwriter's fixed 1980-01-01 zip member timestamps). The cases up to 2025-03 are the
households, communes and dates drawn before the commune era was added; their amounts by source
(and, in 2025, their support) are set afterwards to tell the province's published 2020-2025
(``funding.py``).

All personal data is synthetic: household-head names come from a small pool of
Vietnamese-looking names, and every ``Số CCCD`` is ``014`` (Sơn La) + sex/century digit + two
birth-year digits + the marker ``99`` + four random digits.

Figures (``expected_figures()``; ``verify()`` recomputes them from the workbooks):

The article's, hit exactly
    9,317 houses completed 2020-2024 for 441,287,000,000 VND (by year: 2020 1,486 /
    69,915,000,000; 2021 1,702 / 80,420,500,000; 2022 1,853 / 87,712,000,000; 2023 2,061 /
    97,684,000,000; 2024 2,215 / 105,555,500,000); 2,337 cases started in Q1 2025, of which
    1,787 completed by March and 550 in progress as of the 2025-03 reports; the Q1 2025
    grants (production 48 households / 250,400,000; medical 1,431 people / 474,150,000;
    students 2,191 / 916,000,000; other hardship 2,856 / 9,012,500,000);
    poverty rate 24.52 (2020), 21.66, 17.90, 14.41, 10.89 (2021-2024).
Son La's published 2025 and 2020-2025 (reference/SOURCES.md), hit exactly
    3,350 houses completed in 2025 (2,905 new builds, 445 repairs), so 12,667 in 2020-2025;
    their cost 628,934,000,000 ("over 628 billion"), of which social contributions
    443,450,000,000 ("over 443") and the state budget 185,484,000,000 ("over 185"). The
    article gives no split: the split of 2020-2024 by source is the demo's. Without district
    125's correction: the same houses, 628,937,000,000 and 185,487,000,000.
Synthetic
    everything from 2025-04 on: the 550 finished in April-May 2025 except 25; new district
    cases April-June; cases still open on 2025-06-30 handed over to their commune of today
    (same ``Mã hộ``) and finished there; new commune cases 2025-07 .. 2026-10; every 2025
    case at the 2025 norms (60 / 30 million); the split of every case by source; monthly
    grants; the 2025 review at a province rate of 8.47 %.

Ledger stories
    * ``118/2025/bao_cao_118_2025_02_lan1.xlsx`` (v1) superseded by ``..._02.xlsx`` (v2).
    * ``125/2025/bao_cao_125_2025_05_lan2.xlsx``: a district correction (``Lần gửi`` 2) of
      May 2025 prepared on 2026-02-09 (one house amount lowered by 3,000,000, one forgotten
      grant row; no case added, so 2025's houses are the same with or without it): accepted,
      supersedes ``bao_cao_125_2025_05.xlsx``.
    * ``communes/03664/2025/bao_cao_xa_03664_2025_09_lan1.xlsx`` superseded by v2.
    * ``inbox_copy/bao_cao_121_2023_06.xlsx`` duplicates ``121/2023/bao_cao_121_2023_06.xlsx``.
    * Missing: district 127 for 2024-08 (its August events come in 2024-09); communes
      04246 2025-11, 03820 2026-03, 04210 2026-06 (events come the month after).
    * Late files: see ``LATE_FILES`` and ``COMMUNE_LATE``.
    * Rejected files: ``bao_cao_119_2024_13.xlsx`` (period 13/2024);
      ``126/2025/bao_cao_126_2025_08.xlsx`` (a district report for a commune-era month);
      ``communes/03646/2025/bao_cao_xa_03646_2025_06.xlsx`` (a commune report for 2025-06).
    * Broken rows: five in 2023 district files (``BROKEN_ROWS``) and, in
      ``communes/03664/2025/bao_cao_xa_03664_2025_10.xlsx``, a row naming the neighbouring
      Phường Tô Hiệu (03646).
    * Covers: ``communes/03985/2025/..._2025_07`` still names the old district too (the period
      decides: a commune report, with a warning); commune 04018 names itself by ``Tên xã``
      only in 2025-07 .. 09.

Default output carries tolerated variations in about a quarter of the files (title row +
blank row above the header, headers without diacritics, house amounts in ``(triệu đồng)``,
a total row, a signature block); ``--plain`` switches them all off.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.config import REPO_DIR as REPO

from .figures import ARTICLE_KEYS, PUBLISHED_KEYS, expected_figures
from .generate import build, generate
from .verify import verify

__all__ = ["build", "expected_figures", "generate", "main", "verify"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "sources" / "demo"))
    ap.add_argument("--plain", action="store_true", help="no tolerated variations (title rows, units, ...)")
    ap.add_argument("--verify", action="store_true", help="read the output back and print the figures")
    a = ap.parse_args(argv)
    out = Path(a.out)
    files = generate(out, a.plain)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"wrote {len(files)} workbooks to {out} ({size / 1e6:.2f} MB)")
    if a.verify:
        import pprint
        fig = verify(out)
        exp = expected_figures()
        for title, keys in (("The article's figures", ARTICLE_KEYS),
                            ("Son La's published 2025 and 2020-2025 figures", PUBLISHED_KEYS),
                            ("Synthetic figures", [k for k in exp if k not in ARTICLE_KEYS + PUBLISHED_KEYS])):
            print(f"\n{title}:")
            pprint.pprint({k: fig.get(k) for k in keys}, width=120, sort_dicts=False)
        print("\nLedger:")
        pprint.pprint(fig["ledger"], width=120, sort_dicts=False)
        bad = [k for k in exp if fig.get(k) != exp[k]]
        if bad or fig["problems"]:
            print("MISMATCH:", bad, fig["problems"][:20], file=sys.stderr)
            return 1
        print("all figures match expected_figures()")
    return 0
