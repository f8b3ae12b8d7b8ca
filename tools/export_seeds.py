"""Write dbt's generated seeds from the one rule in Python.

    python -m tools.export_seeds            # (re)write the generated seeds
    python -m tools.export_seeds --check    # exit 1 when a committed seed is out of date

- enumerations.csv from pipeline/enumerations.py: dbt's `in_enumeration` tests and the
  published `marts.dim_enumeration` read it, the parser reads pipeline.enumerations.
- commune_map.csv from pipeline/crosswalk.py: every commune of the 204-, 200- and 75-lists
  with its unit of today's map and the mapping's quality (stg_commune_map reads it).
- rules.csv from pipeline/rulebook/: every rule with its sheet, column, severity, what evaluates
  it and its reasons (published as audit.rules; audit.rejected_rows and audit.warnings name them).

The seeds are generated, never edited by hand; tests keep the committed files equal to
what this writes (tests/test_dbt_project.py, tests/test_crosswalk.py).
"""
from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from pipeline import rulebook
from pipeline.crosswalk import commune_map_csv
from pipeline.enumerations import seed_rows

SEED_PATH = Path(__file__).resolve().parents[1] / "dbt_project" / "seeds" / "enumerations.csv"
COMMUNE_MAP_PATH = SEED_PATH.with_name("commune_map.csv")
RULES_PATH = SEED_PATH.with_name("rules.csv")
HEADER = ("domain", "code", "label_vi", "label_en", "sort_order")


def _csv(header, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def enumerations_csv() -> str:
    """The text of enumerations.csv: a header, then one row per (domain, code), in form order."""
    return _csv(HEADER, seed_rows())


def rules_csv() -> str:
    """The text of rules.csv: a header, then one row per rule, in the rule book's order."""
    return _csv(rulebook.SEED_HEADER, rulebook.seed_rows())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.export_seeds", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the seed differs")
    args = parser.parse_args(argv)
    status = 0
    for path, text in ((SEED_PATH, enumerations_csv()), (COMMUNE_MAP_PATH, commune_map_csv()),
                       (RULES_PATH, rules_csv())):
        status = max(status, _write(path, text, args.check))
    return status


def _write(path: Path, text: str, check: bool) -> int:
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if check:
        if current != text:
            print(f"{path} is out of date: run python -m tools.export_seeds", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    if current != text:
        path.write_text(text, encoding="utf-8", newline="")
        print(f"wrote {path} ({len(text.splitlines()) - 1} rows)")
    else:
        print(f"{path} unchanged")
    return 0

if __name__ == "__main__":
    sys.exit(main())
