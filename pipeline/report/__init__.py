"""The provincial report: every figure by SQL over the published bi.duckdb, charts, HTML, PDF.

queries.py  figures as SQL over bi.duckdb (read-only): plain dicts and lists, JSON-able
charts.py   matplotlib charts as SVG text (no browser, no network); also the drawing worker
render.py   one self-contained index.html (charts embedded as data URIs, a JSON data island)
pdf.py      the same page printed to PDF by headless Chromium
dictionary.py  `dbt docs generate --static` published as data-dictionary.html
build.py    the steps above in order, for the Dagster asset and `python -m pipeline report`; charts
            drawn by worker processes, unchanged ones kept from the last report (report/.charts)

No Dagster in here: the asset (pipeline/defs/assets/report.py) and the CLI call build.build_report.
"""
