"""The provincial report: every figure selected from the reporting layer (marts.rpt_*), charts, HTML, PDF.

queries.py      the selects over marts.rpt_* (bi.duckdb or PostgreSQL) and the shaping of their rows
labels.py       the one labels helper (Vietnamese and English label of a code, a domain's order)
charts.py       matplotlib charts as SVG text (no browser, no network)
chart_worker.py what the chart worker processes run (concurrent.futures)
render.py       the tables of formatted cells; templates/ holds the page (Jinja2): one self-contained
                index.html, charts embedded as data URIs, a JSON data island
pdf.py          the same page printed to PDF by headless Chromium
dictionary.py   `dbt docs generate --static` published as data-dictionary.html
build.py        the steps above in order, for the Dagster asset and `python -m pipeline report`; charts
                drawn by worker processes, unchanged ones kept from the last report (report/.charts)

No figure is computed here: each is one dbt model's (dbt_project/models/marts/reporting/), the same
BI users read. No Dagster in here: the asset (pipeline/defs/assets/report.py) and the CLI call
build.build_report.
"""
