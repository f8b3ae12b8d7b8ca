"""The grants sheet's rules (money paid in the month, one row per commune, programme and funding source)."""
from __future__ import annotations

from pipeline import form
from pipeline.rulebook.make import at_least, flagged, plausible_amount, required, unique, valid_choice

G = "grants"
LOW, HIGH = form.GRANT_PER_BENEFICIARY_VND


def prepare(frame) -> None:
    """The amount per beneficiary, where both are positive (the plausibility rules read it)."""
    import pandas as pd

    amount = pd.to_numeric(frame["amount"], errors="coerce").astype("Float64")
    count = pd.to_numeric(frame["beneficiaries"], errors="coerce").astype("Float64")
    frame["per_beneficiary_vnd"] = (amount / count).where((amount > 0) & (count > 0))


def _per_beneficiary_between(lowest: float, highest: float):
    """Rows whose amount per beneficiary is in [lowest, highest) (an amount below MIN_AMOUNT_VND is
    already an error of its own)."""
    def derive(frame):
        per = frame["per_beneficiary_vnd"]
        amount = frame["amount"].astype("Float64")
        found = (per >= lowest) & (per < highest) & (amount >= form.MIN_AMOUNT_VND)
        return frame["amount"].where(found.fillna(False))
    return derive


def _without_beneficiaries(frame):
    amount, count = frame["amount"].astype("Float64"), frame["beneficiaries"].astype("Float64")
    return frame["amount"].where(((amount > 0) & (count == 0)).fillna(False))


_PER = f"the amount per beneficiary (Số tiền / Số đối tượng) is below {LOW:,} đồng"
_PER_VI = f"số tiền cho mỗi đối tượng (Số tiền / Số đối tượng) dưới {LOW:,} đồng"
_UNIT = "put the unit in the header, e.g. 'Số tiền ({})', or a line 'ĐVT: {}' above the table"
_UNIT_VI = "hãy ghi đơn vị ở tiêu đề cột, ví dụ 'Số tiền ({})', hoặc dòng 'ĐVT: {}' phía trên bảng"

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
    # Amounts that cannot be true for the number paid: each names the likely unit.
    flagged("grant_amount_needs_beneficiaries", G, "beneficiaries", "amount_without_beneficiaries",
            _without_beneficiaries, "an amount is paid to 0 beneficiaries (Số đối tượng): give the number of "
            "households, people or students paid", "có số tiền nhưng Số đối tượng là 0: hãy ghi số hộ, số người "
            "hoặc số học sinh được hỗ trợ", ("beneficiaries", "amount")),
    flagged("grant_amount_perhaps_in_nghin", G, "amount", "per_beneficiary_in_nghin", _per_beneficiary_between(10, LOW),
            f"{_PER}: it was probably written in nghìn đồng without the unit; "
            + _UNIT.format("nghìn đồng", "nghìn đồng"),
            f"{_PER_VI}: có lẽ số tiền được ghi theo nghìn đồng mà không ghi đơn vị; "
            + _UNIT_VI.format("nghìn đồng", "nghìn đồng")),
    flagged("grant_amount_perhaps_in_trieu", G, "amount", "per_beneficiary_in_trieu", _per_beneficiary_between(0, 10),
            f"{_PER} (below 10 đồng): it was probably written in triệu đồng without the unit; "
            + _UNIT.format("triệu đồng", "triệu đồng"),
            f"{_PER_VI} (dưới 10 đồng): có lẽ số tiền được ghi theo triệu đồng mà không ghi đơn vị; "
            + _UNIT_VI.format("triệu đồng", "triệu đồng")),
    flagged("grant_per_beneficiary_at_most_100m", G, "amount", "per_beneficiary_too_large",
            lambda frame: frame["amount"].where((frame["per_beneficiary_vnd"] > HIGH).fillna(False)),
            f"the amount per beneficiary (Số tiền / Số đối tượng) is above {HIGH:,} đồng: it was probably typed in "
            "đồng under a header in nghìn or triệu đồng, or has extra zeros; check the number and the unit in the "
            "header", f"số tiền cho mỗi đối tượng (Số tiền / Số đối tượng) trên {HIGH:,} đồng: có lẽ số tiền được ghi "
            "theo đồng dưới tiêu đề tính bằng nghìn hoặc triệu đồng, hoặc thừa chữ số 0; hãy kiểm tra số tiền và đơn "
            "vị ở tiêu đề cột"),
]
