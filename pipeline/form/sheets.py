"""The submission format, written once: every sheet, cover label and column, and the limits.

The ingest reads workbooks with it (sheet names, headers, aliases, value types, units),
the rule book (pipeline/rulebook/) states its rules over it, the monthly templates
(pipeline/templates/) are drawn from it, and the test, demo and benchmark workbook builders
take their headers from it. Adding a column: a Column here, its column in
pipeline/warehouse/raw_schema.sql (`raw_name`), and the dbt models that carry it.
"""
from __future__ import annotations

import datetime as dt

from pipeline.form.model import Column, CoverLabel, Sheet, Template

# -- limits: the numbers the ingest, the rule book and the templates share ----------------------
FIRST_PERIOD = dt.date(2020, 1, 1)              # the first reporting month
FIRST_REVIEW_YEAR = 2020                        # the first poverty review a report may carry
EARLIEST_DATE = dt.date(2015, 1, 1)             # no house was started or finished before this
HOUSE_NORM_VND = {"new_build": 60_000_000, "repair": 30_000_000}   # programme norms per support type
NORM_MULTIPLE = 3                               # a total above 3x the norm is a warning
MAX_NORM_MULTIPLE = 10                          # above 10x: an error (đồng typed under a triệu header, extra zeros)
MIN_NORM_SHARE = 0.01                           # a case's positive total below 1 % of its norm: an error
GRANT_PER_BENEFICIARY_VND = (10_000, 100_000_000)   # a grant's amount per beneficiary outside this: an error
MIN_AMOUNT_VND = 1_000                          # a positive amount below this was written without its unit
RATE_TOLERANCE_PP = 0.05                        # poverty rate vs poor / total x 100, in points
NATIONAL_ID_DIGITS = 12
MAX_AMOUNT_VND = 100_000_000_000                # the template's ceiling (100 tỷ): far above any case or grant
MAX_COUNT = 10_000_000                          # the template's ceiling for counts

# Spellings a clerk writes besides the code and the Vietnamese label (pipeline/enumerations.py).
CHOICE_ALIASES = {
    "category": {"poor": ["nghèo"], "near_poor": ["cận nghèo"],
                 "meritorious": ["có công", "hộ có công với cách mạng"],
                 "other": ["khó khăn khác", "hộ khó khăn"]},
    "support_type": {"new_build": ["làm mới"]},
    "house_status": {"in_progress": ["đang xây dựng"], "completed": ["đã hoàn thành"]},
    "programme": {"production": ["hỗ trợ phát triển sản xuất"], "medical": ["hỗ trợ khám chữa bệnh"],
                  "students": ["học sinh"], "hardship_other": ["hỗ trợ hoàn cảnh khó khăn khác"]},
    "funding_source": {"central": ["NSTW"], "local": ["NSĐP"], "social": ["XHH"]},
}

COVER_LABELS = (
    CoverLabel("district_code", "Mã huyện", ("district code",)),
    CoverLabel("district_name", "Tên huyện", ("district name",)),
    CoverLabel("commune_code", "Mã xã", ("commune code",)),       # commune reports, from 2025-07
    CoverLabel("commune_name", "Tên xã", ("commune name",)),
    # the office that reports, 'UBND xã Mường Chiên': names the unit when its own labels are absent
    CoverLabel("reporting_unit", "Đơn vị báo cáo", ("đơn vị", "cơ quan báo cáo", "reporting unit")),
    CoverLabel("period", "Kỳ báo cáo", ("reporting period",)),
    CoverLabel("version", "Lần gửi"),
    CoverLabel("prepared_on", "Ngày lập"),
    CoverLabel("prepared_by", "Người lập"),
    # A supplement ('Bổ sung') is merged by key into the month's figures; anything else is a full report.
    CoverLabel("report_type", "Loại báo cáo", ("report type",)),
    # The poverty standard the review used, by legal act or period (pipeline/standards.py): not given, the
    # review year's default in the seed poverty_standards.csv.
    CoverLabel("poverty_standard", "Chuẩn nghèo", ("poverty standard",)),
)
SUPPLEMENT = "Bổ sung"                          # the one value of Loại báo cáo that makes a supplement

# -- columns ---------------------------------------------------------------------------------
_SELECT = "Chọn trong danh sách."
_AMOUNT_HINT = "Ghi số tiền bằng ĐỒNG, số nguyên, không ghi chữ 'đ' (ví dụ 40000000 là 40 triệu đồng). Để trống là 0."

NO = Column("no", "STT", ("số thứ tự", "tt"), value_type="ignore", template=Template(5))
COMMUNE_CODE = Column(
    "commune_code", "Mã xã", ("ma xa", "commune code", "mã đơn vị"), value_type="code", fill_down=True,
    template=Template(9, "Chọn mã xã trong danh sách (xã của đơn vị). Có thể chỉ ghi Tên xã.", text_format=True,
                      units=("district",)))   # a commune's own report has no commune column: its rows are its own
COMMUNE_NAME = Column(
    "commune_name", "Tên xã", ("xã", "commune", "tên xã, phường, thị trấn", "xã, phường, thị trấn"), fill_down=True,
    template=Template(22, "Chọn tên xã trong danh sách (xã của đơn vị).", check="commune_name", units=("district",)))
NOTES = Column("notes", "Ghi chú", fill_down=True, template=Template(20, prefill=False))   # the clerk's, each month


def _amount(key: str, header: str, aliases=(), sub_aliases=(), raw_name=None, required=False, parts=()) -> Column:
    return Column(key, header, aliases, value_type="amount", required=required, summable=True, minimum=0,
                  raw_name=raw_name or f"{key}_vnd", sub_aliases=sub_aliases, parts=parts,
                  template=Template(16, _AMOUNT_HINT))


# The local budget split by level under its group: their sum is the local budget (a 'Xã' there is money,
# never the commune column).
_LOCAL_PARTS = tuple(f"{prefix}{level}" for level in ("tỉnh", "huyện", "xã", "thành phố", "thị xã")
                     for prefix in ("", "cấp ", "ngân sách ", "ns ", "ngân sách cấp ", "ns cấp "))
# What a village is called where: a ward's residential groups, lowland hamlets, townships' quarters.
_VILLAGE_ALIASES = ("ban", "bản, tiểu khu", "thôn, bản", "tổ dân phố", "tổ", "thôn", "xóm", "tiểu khu", "khối",
                    "bản, tổ dân phố", "thôn, bản, tổ dân phố", "bản/tổ dân phố")


HOUSES = Sheet("houses", "Nhà ở", ("Houses",), key_column="household_id", columns=(
    NO,
    Column("household_id", "Mã hộ", ("ma ho",), value_type="case_id", required=True,
           template=Template(12, "Mã hộ không được trùng. Hộ đã báo cáo: mã đã điền sẵn, không sửa. Hộ mới: ghi mã "
                                 "mới.", check="unique", text_format=True)),
    COMMUNE_CODE,
    COMMUNE_NAME,
    Column("village", "Bản", _VILLAGE_ALIASES, fill_down=True, template=Template(14, "Tên bản / tiểu khu.")),
    Column("household_head", "Họ tên chủ hộ", ("họ và tên chủ hộ", "chủ hộ"), required=True, personal=True,
           template=Template(22, "Bắt buộc với hộ mới. Hộ đã báo cáo có thể để trống (giữ tên đã báo cáo).")),
    Column("national_id", "Số CCCD", ("cccd", "số căn cước", "số căn cước công dân"), value_type="national_id",
           personal=True,
           template=Template(15, "Số căn cước công dân: đúng 12 chữ số (không bắt buộc).", text_format=True)),
    Column("ethnicity", "Dân tộc", fill_down=True, template=Template(10)),
    Column("category", "Đối tượng", ("đối tượng hỗ trợ",), value_type="choice", choices="category", required=True,
           fill_down=True, template=Template(17, _SELECT)),
    Column("support_type", "Hình thức hỗ trợ", value_type="choice", choices="support_type", required=True,
           fill_down=True, template=Template(12, "Chọn Xây mới hoặc Sửa chữa.")),
    _amount("central_budget", "Ngân sách trung ương",
            ("nstw", "ns trung ương", "ns tw", "ngân sách tw", "vốn nstw", "vốn ngân sách trung ương"),
            ("trung ương", "tw")),
    _amount("local_budget", "Ngân sách địa phương",
            ("nsđp", "nsdp", "ns địa phương", "ns đp", "ngân sách đp", "vốn nsđp", "vốn ngân sách địa phương"),
            ("địa phương", "đp"), parts=_LOCAL_PARTS),
    _amount("social_contribution", "Xã hội hóa",
            ("xhh", "xã hội hoá", "huy động xhh", "huy động xã hội hóa", "vốn xã hội hóa", "vốn xhh"),
            ("xã hội hóa",)),
    Column("start_date", "Ngày khởi công", value_type="date", fill_down=True,
           template=Template(12, "Ngày/tháng/năm, ví dụ 06/01/2025.")),
    Column("completion_date", "Ngày hoàn thành", value_type="date", fill_down=True,
           template=Template(12, "Bắt buộc khi Hoàn thành; không trước Ngày khởi công, không sau tháng báo cáo.")),
    Column("status", "Tình trạng", ("trạng thái",), value_type="choice", choices="house_status", required=True,
           fill_down=True, template=Template(15, "Chọn trong danh sách. Hoàn thành thì ghi Ngày hoàn thành.")),
    NOTES,
))

GRANTS = Sheet("grants", "Hỗ trợ", ("Grants",), key_column="programme", columns=(
    NO,
    COMMUNE_CODE,
    COMMUNE_NAME,
    Column("programme", "Chương trình", ("chương trình hỗ trợ", "nội dung hỗ trợ"), value_type="choice",
           choices="programme", required=True, fill_down=True, template=Template(22, _SELECT)),
    Column("beneficiaries", "Số đối tượng", ("số đối tượng hỗ trợ",), value_type="count", required=True,
           summable=True, minimum=0,
           template=Template(11, "Số nguyên ≥ 0: số hộ (sản xuất, khó khăn khác), số người (khám chữa bệnh), số "
                                 "học sinh (hỗ trợ học sinh).")),
    _amount("amount", "Số tiền", ("kinh phí", "số tiền hỗ trợ"), required=True),
    Column("funding_source", "Nguồn kinh phí", ("nguồn vốn",), value_type="choice", choices="funding_source",
           required=True, fill_down=True,
           template=Template(20, "Chọn trong danh sách. Mỗi xã, chương trình và nguồn kinh phí một dòng.")),
    NOTES,
))


def _households(key: str, header: str, hint: str, aliases=(), required=True, minimum=0) -> Column:
    return Column(key, header, aliases, value_type="count", required=required, summable=True, minimum=minimum,
                  template=Template(11, hint))


POVERTY = Sheet("poverty", "Hộ nghèo", ("Poverty",), key_column="review_year", columns=(
    NO,
    COMMUNE_CODE,
    COMMUNE_NAME,
    # A commune may give its review per village (bản); its figures are then their sum.
    Column("village", "Bản", ("village", *_VILLAGE_ALIASES), fill_down=True,
           template=Template(14, "Một dòng cho cả xã, hoặc một dòng cho mỗi bản.", units=("commune",))),
    Column("review_year", "Năm rà soát", ("năm",), value_type="year", required=True, fill_down=True,
           minimum=FIRST_REVIEW_YEAR, template=Template(10, "Năm của kỳ rà soát hộ nghèo (năm vừa kết thúc).")),
    _households("total_households", "Tổng số hộ", "Số nguyên > 0.", minimum=1),
    _households("poor_households", "Số hộ nghèo", "Số nguyên, không lớn hơn Tổng số hộ."),
    _households("near_poor_households", "Số hộ cận nghèo", "Số nguyên; hộ nghèo + cận nghèo không lớn hơn Tổng số hộ."),
    _households("poor_ethnic_minority_households", "Hộ nghèo DTTS",
                "Số hộ nghèo dân tộc thiểu số (không bắt buộc), không lớn hơn Số hộ nghèo.",
                ("số hộ nghèo dtts", "hộ nghèo dân tộc thiểu số"), required=False, minimum=None),
    Column("poverty_rate_pct", "Tỷ lệ hộ nghèo (%)", ("tỷ lệ hộ nghèo", "tỷ lệ nghèo"), value_type="decimal",
           raw_name="poverty_rate_pct_written",
           template=Template(11, "Không bắt buộc. Số hộ nghèo / Tổng số hộ × 100, ví dụ 10,5.", check="percent")),
))

COVER = Sheet("cover", "Thông tin", ("Cover", "Info"))
SHEETS = {sheet.kind: sheet for sheet in (COVER, HOUSES, GRANTS, POVERTY)}
