"""Cells of an .xlsx/.xlsm whose saved value python-calamine cannot show, found in the sheet XML.

calamine returns nothing for a formula without a saved value (a file written by a program
and never opened in Excel) and '' for an Excel error value (#DIV/0!, #REF!, ...): both
would pass for blank cells, so a money column would silently read 0. Here they become
CellIssue values in the grid, and the parser rejects the row naming the cell.

Cheap by design: pipeline/ingest/safety/ already inflates every zip member once and
notes which worksheets contain a formula or an error marker at all (has_markers); only those
are read again here, and only the cells around each marker are looked at. The zip members
passed safety's size, ratio and DOCTYPE/ENTITY checks before anything here runs.
"""
from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from pathlib import Path

from defusedxml import ElementTree
from openpyxl.utils import get_column_letter

from pipeline.ingest.values import CellIssue

WORKSHEET_PREFIX = "xl/worksheets/"
# The pre-filter safety runs on each (lower-cased) chunk of a worksheet while it streams it: a
# formula element <f …> or <x:f …>, or an error-typed cell t="e". 'f' followed by a space, '>'
# or '/' is rare in sheet XML, so one literal-led regex beats several substring scans.
_FORMULA_HINT = re.compile(rb"f[\s>/]")


def has_markers(window: bytes, single_quotes: bool = False) -> bool:
    """Whether a chunk of sheet XML may hold a formula or an error value (false hits only cost a scan)."""
    if b't="e"' in window or (single_quotes and b"t='e'" in window):
        return True
    return any(window[m.start() - 1:m.start()] in (b"<", b":") for m in _FORMULA_HINT.finditer(window))

_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"
_MARK = re.compile(rb"<" + _PREFIX + rb"f[\s>/]|\st\s*=\s*[\"']e[\"']")
_CELL_OPEN = re.compile(rb"<" + _PREFIX + rb"c[\s>/]")
_CELL_CLOSE = re.compile(rb"</" + _PREFIX + rb"c\s*>")
_ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_FORMULA = re.compile(rb"<" + _PREFIX + rb"f(?:\s[^>]*)?(?:/>|>([^<]*)<)")
_VALUE = re.compile(rb"<" + _PREFIX + rb"v(?:\s[^>]*)?(?:/>|>([^<]*)<)")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_LOOKBACK = 4096   # a cell's opening tag is never this far before its formula


def is_worksheet(member: str) -> bool:
    return member.startswith(WORKSHEET_PREFIX) and member.endswith(".xml")


def sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its worksheet member ('xl/worksheets/sheet1.xml'), from workbook.xml and its rels."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    members = {}
    for element in book.iter():
        if not element.tag.endswith("}sheet"):
            continue
        rel_id = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rel_id, "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        members[element.get("name")] = path
    return members


def _cell_position(ref: str) -> tuple[int, int] | None:
    match = _REF.match(ref)
    if not match:
        return None
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    return int(match.group(2)) - 1, column - 1


def _decide(ref: str, cell_type: str | None, formula: str | None, saved: str) -> CellIssue | None:
    if cell_type == "e":
        return CellIssue("error", ref, saved or "#ERROR")
    if formula is None or saved or cell_type == "str":   # t="str" with <v></v>: a saved ''
        return None
    return CellIssue("no_value", ref, f"={formula}" if formula else "(formula)")


def _text(raw: bytes | None) -> str:
    return html.unescape((raw or b"").decode("utf-8", "replace")).strip()


def _issue(open_tag: bytes, content: bytes) -> CellIssue | None:
    attributes = {m.group(1): (m.group(2) if m.group(2) is not None else m.group(3))
                  for m in _ATTRIBUTE.finditer(open_tag)}
    value, formula = _VALUE.search(content), _FORMULA.search(content)
    cell_type = attributes.get(b"t")
    return _decide(attributes.get(b"r", b"").decode("ascii", "replace"),
                   cell_type.decode("ascii", "replace") if cell_type else None,
                   _text(formula.group(1)) if formula else None, _text(value.group(1)) if value else "")


def scan(data: bytes) -> dict[tuple[int, int], CellIssue] | None:
    """(row, column) 0-based -> issue for one worksheet's XML; None when a cell has no address."""
    issues: dict[tuple[int, int], CellIssue] = {}
    done_until = -1
    for mark in _MARK.finditer(data):
        if mark.start() < done_until:
            continue   # a second marker inside a cell already looked at
        opens = list(_CELL_OPEN.finditer(data, max(0, mark.start() - _LOOKBACK), mark.start() + 1))
        if not opens:
            continue
        start = opens[-1].start()
        tag_end = data.find(b">", start)
        close = _CELL_CLOSE.search(data, tag_end)
        if tag_end < 0 or data[tag_end - 1:tag_end] == b"/" or close is None:
            continue
        done_until = close.end()
        issue = _issue(data[start:tag_end], data[tag_end + 1:close.start()])
        if issue is None:
            continue
        position = _cell_position(issue.cell)
        if position is None:
            return None
        issues[position] = issue
    return issues


def _scan_by_order(data: bytes) -> dict[tuple[int, int], CellIssue]:
    """The slow path, for writers that leave out cell addresses: positions counted row by row."""
    issues: dict[tuple[int, int], CellIssue] = {}
    row, col = -1, -1
    for event, element in ElementTree.iterparse(io.BytesIO(data), events=("start", "end")):
        tag = element.tag.rsplit("}", 1)[-1]
        if event == "start" and tag == "row":
            row, col = (int(element.get("r")) - 1 if element.get("r") else row + 1), -1
        elif event == "end" and tag == "c":
            row, col = _cell_position(element.get("r", "")) or (row, col + 1)
            children = {child.tag.rsplit("}", 1)[-1]: (child.text or "").strip() for child in element}
            issue = _decide(f"{get_column_letter(col + 1)}{row + 1}", element.get("t"), children.get("f"),
                            children.get("v", ""))
            if issue is not None:
                issues[(row, col)] = issue
            element.clear()
    return issues


def patch(rows: list[list], issues: dict[tuple[int, int], CellIssue]) -> None:
    """Put each issue into the grid in place of what calamine returned (nothing, or '')."""
    for (row, col), issue in issues.items():
        while len(rows) <= row:
            rows.append([])
        line = rows[row]
        if len(line) <= col:
            line.extend([""] * (col + 1 - len(line)))
        line[col] = issue


def sheet_issues(path: Path, names: list[str], flagged: frozenset[str]) -> dict[str, dict]:
    """Sheet name -> {(row, col): CellIssue} for the named sheets whose worksheet safety flagged."""
    with zipfile.ZipFile(path) as archive:
        members = sheet_members(archive)
        found = {}
        for name in names:
            member = members.get(name)
            if member in flagged:
                data = archive.read(member)
                issues = scan(data)
                found[name] = issues if issues is not None else _scan_by_order(data)
        return found
