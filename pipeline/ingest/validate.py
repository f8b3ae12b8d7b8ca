"""The rule book's set-wise rules over a batch: derived columns (pandas), then Great Expectations judges.

The frame of a sheet kind holds the typed rows of every submission in a batch. derive() adds
the columns the rules compare and the flags of the vectorised and lookup rules
(pipeline/rulebook/); validate() runs the kind's expectation suite, each expectation carrying its
rule's name in `meta`; GX's row-level results (unexpected_index_list on `row_key`) become
findings. Great Expectations is imported lazily: it costs seconds and ~280 MB, and neither a
load with nothing new nor a batch whose rows no rule could fail (pipeline/ingest/precheck.py)
pays for it.
"""
from __future__ import annotations

import functools
import itertools
import logging
import os
import re
import threading
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from pipeline import rulebook
from pipeline.ingest import precheck
from pipeline.rulebook import Lookup, Rule


@dataclass
class Finding:
    row_key: int
    rule: Rule


def _no_answer(_asked) -> set | dict:
    return {}


def derive(sheet_kind: str, frame: pd.DataFrame, lookups: dict[str, Callable] | None = None) -> pd.DataFrame:
    """A copy of the frame with the columns the kind's rules compare and the flags they derive.

    lookups: the warehouse lookups a Lookup rule names (pipeline/ingest/batch.py supplies them);
    without one, the warehouse knows nothing."""
    frame = frame.copy()
    rulebook.PREPARE[sheet_kind](frame)
    for rule in rulebook.judged(sheet_kind):
        check = rule.check
        if isinstance(check, Lookup):
            frame[check.column] = check.derive(frame, (lookups or {}).get(check.lookup, _no_answer))
        elif isinstance(check, rulebook.Flag):
            frame[check.column] = check.derive(frame)
    return frame


def rule_columns(sheet_kind: str, frame: pd.DataFrame) -> list[str]:
    """row_key plus every frame column a rule of the kind names (arguments or row condition)."""
    wanted = {"row_key"}
    for rule in rulebook.judged(sheet_kind):
        kwargs = rule.kwargs
        wanted.update(kwargs[name] for name in ("column", "column_A", "column_B") if name in kwargs)
        wanted.update(kwargs.get("column_list", ()))
        wanted.update(re.findall(r"[A-Za-z_]\w*", kwargs.get("row_condition", "")))
    return [column for column in frame.columns if column in wanted]


def validate(sheet_kind: str, frame: pd.DataFrame) -> tuple[list[Finding], dict[str, dict]]:
    """Run the kind's suite on a derived frame: (row findings, per-rule summary for the asset checks).

    GX judges only the rows some rule could fail (pipeline/ingest/precheck.py, vectorised over
    the whole frame, a superset of GX's findings); rows no rule could fail pass every rule, so
    a clean batch needs neither GX's import nor a validation.
    """
    rules = rulebook.judged(sheet_kind)
    passed = {rule.name: {"success": True, "unexpected": 0, "severity": rule.severity} for rule in rules}
    if frame.empty:
        return [], passed
    # Only the columns the rules read: GX hashes the whole frame (twice) per validation.
    frame = frame[rule_columns(sheet_kind, frame)]
    suspect = precheck.suspects(rules, frame)
    if not suspect.any():
        return [], passed
    return gx_validate(sheet_kind, frame[suspect.to_numpy()])


_RUNS = itertools.count()
_CONTEXT_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx  # lazy: seconds and ~280 MB
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


@functools.lru_cache(maxsize=None)
def _suite(sheet_kind: str):
    """(batch definition, suite) of a kind, built once per process.

    Built per validation they cost ~0.1 s each and the context kept every data source with
    its frame (memory grew with the batches); one source per kind holds only the last frame.
    """
    with _CONTEXT_LOCK:
        gx, context = _gx_context()
    run = next(_RUNS)   # names must be unique within the (cached) context
    source = context.data_sources.add_pandas(f"{sheet_kind}_source_{run}")
    definition = source.add_dataframe_asset(sheet_kind).add_batch_definition_whole_dataframe("batch")
    suite = gx.ExpectationSuite(name=f"{sheet_kind}_rules_{run}")
    for rule in rulebook.judged(sheet_kind):
        suite.add_expectation(getattr(gx.expectations, rule.expectation)(**rule.kwargs, meta={"rule": rule.name}))
    return definition, context.suites.add(suite)


def gx_validate(sheet_kind: str, frame: pd.DataFrame) -> tuple[list[Finding], dict[str, dict]]:
    """The kind's GX suite on these rows (row_key identifies them)."""
    definition, suite = _suite(sheet_kind)
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_key"]},
    )
    del batch, frame
    findings, summary = [], {}
    for outcome in result.results:
        rule = rulebook.rule(outcome.expectation_config.meta["rule"])
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(f"rule {rule.name} could not run: {outcome.exception_info.get('exception_message')}")
        keys = [int(item["row_key"]) for item in outcome.result.get("unexpected_index_list") or []]
        findings.extend(Finding(key, rule) for key in keys)
        summary[rule.name] = {"success": bool(outcome.success), "unexpected": len(keys), "severity": rule.severity}
    return findings, summary
