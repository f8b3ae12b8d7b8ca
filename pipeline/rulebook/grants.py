"""The grants sheet's rules (money paid in the month, one row per commune, programme and funding source)."""
from __future__ import annotations

from pipeline.rulebook.make import at_least, plausible_amount, required, unique, valid_choice

G = "grants"


def prepare(frame) -> None:
    """Nothing shared: each grant rule reads the columns as typed."""


RULES = [
    required("programme_required", G, "programme"),
    valid_choice("programme_valid", G, "programme"),
    required("funding_source_required", G, "funding_source"),
    valid_choice("funding_source_valid", G, "funding_source"),
    required("beneficiaries_required", G, "beneficiaries"),
    at_least("beneficiaries_not_negative", G, "beneficiaries"),
    required("amount_required", G, "amount"),
    at_least("amount_not_negative", G, "amount"),
    plausible_amount(G, "amount"),
    unique("grant_unique", G, ["commune_code", "programme", "funding_source"], "programme",
           "commune, programme and funding source", "xã, chương trình và nguồn kinh phí"),
]
