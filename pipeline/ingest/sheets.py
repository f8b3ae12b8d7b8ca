"""What each sheet of a district workbook may hold: names, headers, types, enumerations.

Everything here is data about the submission format; the code that applies it is in
pipeline/tables.py. Aliases are compared after text.fold(), so diacritics, case, spacing
and Unicode form never matter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.enumerations import ENUMERATIONS
from pipeline.text import compact, fold

SHEET_NAMES = {
    "cover": ["Thông tin", "Cover", "Info"],
    "houses": ["Nhà ở", "Houses"],
    "grants": ["Hỗ trợ", "Grants"],
    "poverty": ["Hộ nghèo", "Poverty"],
}
CANONICAL_SHEET_NAME = {kind: names[0] for kind, names in SHEET_NAMES.items()}
DATA_SHEETS = ("houses", "grants", "poverty")


def sheet_kind(name: str) -> str | None:
    key = compact(name)
    for kind, names in SHEET_NAMES.items():
        if key in {compact(n) for n in names}:
            return kind
    return None


# What Excel, LibreOffice and people add to a copied sheet's name: 'Nhà ở (2)', 'Nha_o_2',
# 'Nhà ở - Copy', 'Copy of Nhà ở', 'Nhà ở (bản sao)' (compared compacted, like sheet names).
_COPY_SUFFIX = re.compile(r"^-?\(?(\d+|copy\d*|bansao\d*)\)?$")


def copy_of(name: str) -> str | None:
    """The kind whose sheet this one looks like a copy of (it is not read), else None."""
    key = compact(name)
    key = key[len("copyof"):] + "copy" if key.startswith("copyof") else key
    for kind, names in SHEET_NAMES.items():
        for known in names:
            base = compact(known)
            if key.startswith(base) and _COPY_SUFFIX.match(key[len(base):]):
                return kind
    return None


def _enum(values: dict[str, list[str]]) -> dict[str, str]:
    """{english: [vietnamese...]} -> {folded written form: english}."""
    mapping = {}
    for english, written in values.items():
        for text in [english, *written]:
            mapping[fold(text)] = english
    return mapping


@dataclass(frozen=True)
class Column:
    key: str
    header: str                      # canonical Vietnamese header
    aliases: tuple[str, ...] = ()
    kind: str = "text"               # text | code | amount | count | date | enum | year | decimal | national_id | ignore
    required: bool = False           # the column must exist, and the value must be given
    personal: bool = False           # never copied out of the raw layer
    enum: dict[str, str] = field(default_factory=dict)
    summable: bool = False           # checked against a total row
    raw_name: str | None = None      # its column in the raw layer, when not `key`
    sub_aliases: tuple[str, ...] = ()   # spellings that name it only under a group header (second header row)

    def header_keys(self) -> set[str]:
        return {fold(h) for h in (self.header, self.key, *self.aliases)}

    def sub_header_keys(self) -> set[str]:
        return {fold(h) for h in self.sub_aliases}

    @property
    def raw_column(self) -> str:
        return self.raw_name or self.key


COMMUNE_COLUMNS = (
    Column("commune_code", "Mã xã", ("ma xa", "commune code", "mã đơn vị"), kind="code"),
    Column("commune_name", "Tên xã", ("xã", "commune", "tên xã, phường, thị trấn", "xã, phường, thị trấn")),
)

# Spellings accepted besides the code and the Vietnamese label (pipeline/enumerations.py).
ENUM_ALIASES = {
    "category": {"poor": ["nghèo"], "near_poor": ["cận nghèo"],
                 "meritorious": ["có công", "hộ có công với cách mạng"],
                 "other": ["khó khăn khác", "hộ khó khăn"]},
    "support_type": {"new_build": ["làm mới"]},
    "house_status": {"in_progress": ["đang xây dựng"], "completed": ["đã hoàn thành"]},
    "programme": {"production": ["hỗ trợ phát triển sản xuất"], "medical": ["hỗ trợ khám chữa bệnh"],
                  "students": ["học sinh"], "hardship_other": ["hỗ trợ hoàn cảnh khó khăn khác"]},
    "funding_source": {"central": ["NSTW"], "local": ["NSĐP"], "social": ["XHH"]},
}


def _domain(domain: str) -> dict[str, str]:
    aliases = ENUM_ALIASES.get(domain, {})
    return _enum({code: [label, *aliases.get(code, [])] for code, label, _ in ENUMERATIONS[domain]})


CATEGORY = _domain("category")
SUPPORT_TYPE = _domain("support_type")
HOUSE_STATUS = _domain("house_status")
PROGRAMME = _domain("programme")
FUNDING_SOURCE = _domain("funding_source")

HOUSES = (
    Column("no", "STT", ("số thứ tự", "tt"), kind="ignore"),
    Column("household_id", "Mã hộ", ("ma ho",), required=True),
    *COMMUNE_COLUMNS,
    Column("village", "Bản", ("ban", "bản, tiểu khu", "thôn, bản")),
    Column("household_head", "Họ tên chủ hộ", ("họ và tên chủ hộ", "chủ hộ"), required=True, personal=True),
    Column("national_id", "Số CCCD", ("cccd", "số căn cước", "số căn cước công dân"), kind="national_id", personal=True),
    Column("ethnicity", "Dân tộc"),
    Column("category", "Đối tượng", ("đối tượng hỗ trợ",), kind="enum", required=True, enum=CATEGORY),
    Column("support_type", "Hình thức hỗ trợ", (), kind="enum", required=True, enum=SUPPORT_TYPE),
    Column("central_budget", "Ngân sách trung ương",
           ("nstw", "ns trung ương", "ns tw", "ngân sách tw", "vốn nstw", "vốn ngân sách trung ương"),
           kind="amount", summable=True, raw_name="central_budget_vnd", sub_aliases=("trung ương", "tw")),
    Column("local_budget", "Ngân sách địa phương",
           ("nsđp", "nsdp", "ns địa phương", "ns đp", "ngân sách đp", "vốn nsđp", "vốn ngân sách địa phương"),
           kind="amount", summable=True, raw_name="local_budget_vnd", sub_aliases=("địa phương", "đp")),
    Column("social_contribution", "Xã hội hóa",
           ("xhh", "xã hội hoá", "huy động xhh", "huy động xã hội hóa", "vốn xã hội hóa", "vốn xhh"),
           kind="amount", summable=True, raw_name="social_contribution_vnd", sub_aliases=("xã hội hóa",)),
    Column("start_date", "Ngày khởi công", (), kind="date"),
    Column("completion_date", "Ngày hoàn thành", (), kind="date"),
    Column("status", "Tình trạng", ("trạng thái",), kind="enum", required=True, enum=HOUSE_STATUS),
    Column("notes", "Ghi chú", ()),
)

GRANTS = (
    Column("no", "STT", ("số thứ tự", "tt"), kind="ignore"),
    *COMMUNE_COLUMNS,
    Column("programme", "Chương trình", ("chương trình hỗ trợ", "nội dung hỗ trợ"), kind="enum", required=True, enum=PROGRAMME),
    Column("beneficiaries", "Số đối tượng", ("số đối tượng hỗ trợ",), kind="count", required=True, summable=True),
    Column("amount", "Số tiền", ("kinh phí", "số tiền hỗ trợ"), kind="amount", required=True, summable=True, raw_name="amount_vnd"),
    Column("funding_source", "Nguồn kinh phí", ("nguồn vốn",), kind="enum", required=True, enum=FUNDING_SOURCE),
    Column("notes", "Ghi chú", ()),
)

POVERTY = (
    Column("no", "STT", ("số thứ tự", "tt"), kind="ignore"),
    *COMMUNE_COLUMNS,
    # A commune may give its review per village (bản); its figures are then their sum.
    Column("village", "Bản", ("ban", "village", "bản, tiểu khu", "thôn, bản")),
    Column("review_year", "Năm rà soát", ("năm",), kind="year", required=True),
    Column("total_households", "Tổng số hộ", (), kind="count", required=True, summable=True),
    Column("poor_households", "Số hộ nghèo", (), kind="count", required=True, summable=True),
    Column("near_poor_households", "Số hộ cận nghèo", (), kind="count", required=True, summable=True),
    Column("poor_ethnic_minority_households", "Hộ nghèo DTTS", ("số hộ nghèo dtts", "hộ nghèo dân tộc thiểu số"), kind="count", summable=True),
    Column("poverty_rate_pct", "Tỷ lệ hộ nghèo", ("tỷ lệ hộ nghèo (%)", "tỷ lệ nghèo"), kind="decimal", raw_name="poverty_rate_pct_written"),
)

COLUMNS = {"houses": HOUSES, "grants": GRANTS, "poverty": POVERTY}

# Programme norms (VND) for the soft outlier rule: a total above 3x the norm is a warning.
HOUSE_NORM_VND = {"new_build": 60_000_000, "repair": 30_000_000}
NORM_MULTIPLE = 3
RATE_TOLERANCE_PP = 0.05

COVER_LABELS = {
    "district_code": ["Mã huyện", "district_code", "district code"],
    "district_name": ["Tên huyện", "district_name", "district name"],
    "commune_code": ["Mã xã", "commune_code", "commune code"],      # commune reports, from 2025-07
    "commune_name": ["Tên xã", "commune_name", "commune name"],
    "period": ["Kỳ báo cáo", "period", "reporting period"],
    "version": ["Lần gửi", "version"],
    "prepared_on": ["Ngày lập", "prepared_on"],
    "prepared_by": ["Người lập", "prepared_by"],
}
