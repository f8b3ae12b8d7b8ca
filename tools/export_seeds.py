"""Write dbt's enumeration seed from the one list in Python (pipeline/enumerations.py).

    python -m tools.export_seeds            # (re)write dbt_project/seeds/enumerations.csv
    python -m tools.export_seeds --check    # exit 1 when the committed seed is out of date

The seed is generated, never edited by hand: dbt's `in_enumeration` tests and the published
`marts.dim_enumeration` read it, the parser reads pipeline.enumerations, and a test
(tests/test_dbt_project.py) keeps the committed file equal to what this writes.
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from pipeline.enumerations import seed_rows

SEED_PATH = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "enumerations.csv"
HEADER = ("domain", "code", "label_vi", "label_en", "sort_order")


def enumerations_csv() -> str:
    """The text of enumerations.csv: a header, then one row per (domain, code), in form order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(seed_rows())
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.export_seeds", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the seed differs")
    args = parser.parse_args(argv)
    text = enumerations_csv()
    current = SEED_PATH.read_text(encoding="utf-8") if SEED_PATH.exists() else None
    if args.check:
        if current != text:
            print(f"{SEED_PATH} is out of date: run python -m tools.export_seeds", file=sys.stderr)
            return 1
        print(f"{SEED_PATH} is up to date")
        return 0
    if current != text:
        SEED_PATH.write_text(text, encoding="utf-8", newline="")
        print(f"wrote {SEED_PATH} ({len(text.splitlines()) - 1} rows)")
    else:
        print(f"{SEED_PATH} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
