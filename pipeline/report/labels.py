"""The one labels helper of the report: the Vietnamese and English label of a code, and a domain's codes
in the form's order.

The reporting layer's rows carry their labels (rpt_grants_month.programme_label_vi, …); those win.
Codes that only name a column (support types, funding sources, completeness states: the
columns of rpt_houses_year and rpt_completeness_month) take the labels of pipeline.enumerations,
the module the warehouse's seed `enumerations` is written from. Plain data inside (JSON-able, so
it travels to the chart workers and into the page's data island).
"""
from __future__ import annotations

from pipeline import enumerations

SEPARATOR = " · "


class Labels:
    def __init__(self, domains: dict[str, list[dict]] | None = None) -> None:
        self._domains: dict[str, list[dict]] = {d: [dict(item) for item in items] for d, items in (domains or {}).items()}

    @classmethod
    def defaults(cls) -> "Labels":
        return cls({domain: [{"code": code, "label_vi": vi, "label_en": en} for code, vi, en in values]
                    for domain, values in enumerations.ENUMERATIONS.items()})

    def add(self, domain: str, code: str, label_vi: str | None, label_en: str | None) -> None:
        """Labels found in the warehouse for a code (kept in place when the code is known)."""
        if code is None or not label_vi:
            return
        items = self._domains.setdefault(domain, [])
        for item in items:
            if item["code"] == code:
                item.update(label_vi=label_vi, label_en=label_en or label_vi)
                return
        items.append({"code": code, "label_vi": label_vi, "label_en": label_en or label_vi})

    def pair(self, domain: str, code) -> tuple[str, str]:
        """(Vietnamese, English); the code itself when no label is known."""
        for item in self._domains.get(domain, []):
            if item["code"] == code:
                return item["label_vi"], item["label_en"]
        return str(code), str(code)

    def text(self, domain: str, code) -> str:
        """'Xây mới · New build'."""
        return SEPARATOR.join(self.pair(domain, code))

    def codes(self, domain: str, present=()) -> list[str]:
        """The domain's codes in the form's order, then any other code the data holds."""
        known = [item["code"] for item in self._domains.get(domain, [])]
        return known + sorted({c for c in present if c not in known and c is not None})

    def as_dict(self) -> dict[str, list[dict]]:
        return {domain: [dict(item) for item in items] for domain, items in self._domains.items()}
