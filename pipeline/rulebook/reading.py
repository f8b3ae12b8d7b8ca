"""What reading a workbook can find wrong, by name: the parser's problems and warnings.

The parser's message says exactly what was found (the cell, the value, the unit); these are
the rules it applies, for the audit tables and the rule list a clerk or operator reads.
"""
from __future__ import annotations

from pipeline.rulebook.model import ERROR, WARNING, Reading, Rule

ANY = None   # a rule of every data sheet
FILE_ACCEPTABLE = "file_acceptable"
HEADER_FOUND = "header_found"
REQUIRED_COLUMNS_PRESENT = "required_columns_present"
COLUMN_GIVEN_ONCE = "column_given_once"
UNIT_UNDERSTOOD = "unit_understood"
CELLS_NOT_MERGED = "cells_not_merged"
CELL_READABLE = "cell_readable"
COMMUNE_KNOWN = "commune_known"
UNIT_LINE_UNDERSTOOD = "unit_line_understood"
NOTHING_BELOW_SIGNATURE = "nothing_below_signature"
MONEY_UNDER_KNOWN_HEADER = "money_under_known_header"
TOTAL_ROW_MATCHES = "total_row_matches"
COVER_NAME_MATCHES_CODE = "cover_name_matches_code"
COVER_NAMES_ONE_UNIT = "cover_names_one_unit"
PREPARED_ON_READABLE = "prepared_on_readable"
SHEET_VISIBLE = "sheet_visible"
SHEET_NAMED_EXACTLY = "sheet_named_exactly"


def _rule(name, sheet_kind, severity, reason, reason_vi) -> Rule:
    return Rule(name, sheet_kind, None, severity, reason, reason_vi, Reading())


RULES = [
    _rule(FILE_ACCEPTABLE, "cover", ERROR,
          "the file is a readable, safe workbook with one cover sheet naming a reporting unit in force and a "
          "reporting month, and at least one data sheet; otherwise nothing in it is loaded",
          "tệp là bảng tính đọc được, an toàn, có một trang bìa ghi đơn vị báo cáo còn hiệu lực và kỳ báo cáo, và ít "
          "nhất một trang số liệu; nếu không, không dòng nào được nhận"),
    _rule(HEADER_FOUND, ANY, ERROR, "a data sheet has its header row within its first 30 rows",
          "trang số liệu có dòng tiêu đề trong 30 dòng đầu"),
    _rule(REQUIRED_COLUMNS_PRESENT, ANY, ERROR, "a data sheet has every required column (and a commune column on a "
          "district's report)", "trang số liệu có đủ các cột bắt buộc (và cột xã trong báo cáo của huyện)"),
    _rule(COLUMN_GIVEN_ONCE, ANY, ERROR, "no two columns hold the same field", "không có hai cột cùng một nội dung"),
    _rule(UNIT_UNDERSTOOD, ANY, ERROR, "the unit of every amount column is known and clear",
          "đơn vị của mỗi cột số tiền rõ ràng và hợp lệ"),
    _rule(CELLS_NOT_MERGED, ANY, ERROR, "a data cell is not merged across columns, nor over rows where the value "
          "cannot be shared", "ô số liệu không bị gộp qua nhiều cột, hoặc qua nhiều dòng khi giá trị không dùng chung"),
    _rule(CELL_READABLE, ANY, ERROR, "a cell reads as its column's type (number, whole number, date, …): no formula "
          "without a saved value, no Excel error, no number that can be read two ways",
          "ô đọc được theo kiểu của cột (số, số nguyên, ngày, …): không có công thức chưa có giá trị, lỗi Excel, hay "
          "số hiểu được theo hai cách"),
    _rule(COMMUNE_KNOWN, ANY, ERROR, "a row names a commune of the reporting unit in the list in force for it, by "
          "code or name, and the two agree", "dòng ghi xã của đơn vị báo cáo trong danh mục áp dụng, theo mã hoặc tên, "
          "và mã với tên khớp nhau"),
    _rule(UNIT_LINE_UNDERSTOOD, ANY, WARNING, "a unit line above the table names a known unit",
          "dòng đơn vị phía trên bảng ghi đơn vị hợp lệ"),
    _rule(NOTHING_BELOW_SIGNATURE, ANY, WARNING, "no row that looks like data below the signature block",
          "không có dòng số liệu nằm dưới phần ký tên"),
    _rule(MONEY_UNDER_KNOWN_HEADER, "houses", WARNING, "numbers in a column we do not know, while an amount column "
          "is missing, may be money", "cột không rõ tên có số liệu trong khi thiếu cột số tiền: có thể là số tiền"),
    _rule(TOTAL_ROW_MATCHES, ANY, WARNING, "a total row matches the sum of the rows above it",
          "dòng tổng khớp tổng các dòng phía trên"),
    _rule(COVER_NAME_MATCHES_CODE, "cover", WARNING, "the unit's name on the cover matches its code (the code wins)",
          "tên đơn vị trên trang bìa khớp với mã (dùng theo mã)"),
    _rule(COVER_NAMES_ONE_UNIT, "cover", WARNING, "the cover names a district or a commune, not both (the period "
          "decides which counts)", "trang bìa ghi huyện hoặc xã, không ghi cả hai (kỳ báo cáo quyết định)"),
    _rule(PREPARED_ON_READABLE, "cover", WARNING, "the date prepared (Ngày lập) is a date",
          "Ngày lập là một ngày"),
    _rule(SHEET_VISIBLE, ANY, WARNING, "a sheet of ours is visible (a hidden one is not read)",
          "trang tính đang hiện (trang ẩn không được đọc)"),
    _rule(SHEET_NAMED_EXACTLY, ANY, WARNING, "a sheet of ours has its exact name (a copy such as 'Nhà ở (2)' is not "
          "read)", "trang tính có đúng tên (bản sao như 'Nhà ở (2)' không được đọc)"),
]
