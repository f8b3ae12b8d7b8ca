"""The sheet-XML scan for formulas without a saved value and Excel error values, on XML that
openpyxl and XlsxWriter do not write: namespace prefixes, cells without addresses."""
from pipeline.ingest import xmlcells
from pipeline.ingest.values import CellIssue

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def test_prefixed_elements():
    data = (f'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
            '<x:row r="2"><x:c r="A2"><x:v>5</x:v></x:c><x:c r="B2"><x:f>SUM(A1:A2)</x:f></x:c>'
            '<x:c r="C2" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c><x:c r="D2"><x:f>A2*2</x:f><x:v>10</x:v></x:c>'
            '</x:row></x:sheetData></x:worksheet>').encode()
    assert xmlcells.has_markers(data.lower())
    assert xmlcells.scan(data) == {(1, 1): CellIssue("no_value", "B2", "=SUM(A1:A2)"),
                                   (1, 2): CellIssue("error", "C2", "#DIV/0!")}


def test_cells_without_addresses_are_counted_in_order():
    data = (f'<worksheet {NS}><sheetData><row><c><v>1</v></c><c><f>A1&amp;"x"</f></c></row>'
            '<row r="3"><c t="e"><v>#N/A</v></c></row></sheetData></worksheet>').encode()
    assert xmlcells.scan(data) is None     # no address on a flagged cell: the slow path
    assert xmlcells._scan_by_order(data) == {(0, 1): CellIssue("no_value", "B1", '=A1&"x"'),
                                             (2, 0): CellIssue("error", "A3", "#N/A")}


def test_saved_values_and_saved_empty_strings_are_not_issues():
    data = (f'<worksheet {NS}><sheetData><row r="1"><c r="A1" t="str"><f>IF(B1="","",B1)</f><v></v></c>'
            '<c r="B1"><f t="shared" ref="B1:B9" si="0">C1</f><v>0</v></c><c r="C1" t="s"><v>3</v></c>'
            '</row></sheetData></worksheet>').encode()
    assert xmlcells.scan(data) == {}


def test_the_pre_filter():
    assert not xmlcells.has_markers(b'<c r="f5" s="1" t="s"><v>12</v></c><is><t>of course</t></is>')
    assert xmlcells.has_markers(b'<c r="a1"><f>sum(b1)</f></c>')
    assert xmlcells.has_markers(b"<c r='a1' t='e'><v>#ref!</v></c>", single_quotes=True)
