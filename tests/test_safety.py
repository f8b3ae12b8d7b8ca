"""Hostile-file gate: every hostile file is built inside its test, in tmp_path."""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pipeline.ingest import safety
from pipeline.ingest.safety import FileRejected, assert_defusedxml


def file_format(path) -> str:
    """What the gate says a file is: 'xlsx' (also .xlsm), 'xls' or 'ods' (or it raises FileRejected)."""
    return safety.inspect(path).file_format

SHEET = "xl/worksheets/sheet1.xml"
REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- helpers
def valid_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Thông tin"
    ws.append(["Mã huyện", "116"])
    ws.append(["Kỳ báo cáo", "03/2025"])
    data = wb.create_sheet("Nhà ở")
    data.append(["Mã hộ", "Tên xã", "Tình trạng"])
    for i in range(50):
        data.append([f"H{i:04d}", "Xã Chiềng Sinh", "Hoàn thành"])
    wb.save(path)
    return path


def rewrite_zip(src: Path, dst: Path, replace: dict | None = None, add: dict | None = None) -> Path:
    """Copy a zip, replacing members. A value may be bytes or a callable(writer)."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in replace:
                continue
            zout.writestr(info.filename, zin.read(info.filename))
        for name, value in {**replace, **add}.items():
            if callable(value):
                with zout.open(name, "w", force_zip64=True) as w:
                    value(w)
            else:
                zout.writestr(name, value)
    return dst


def repeated_xml(total_bytes: int):
    """A writer that streams `total_bytes` of repetitive sheet XML in 1 MB chunks."""
    row = b'<row r="1"><c r="A1" t="n"><v>0</v></c></row>'
    chunk = row * (1024 * 1024 // len(row))

    def write(w):
        w.write(b'<?xml version="1.0"?><worksheet><sheetData>')
        left = total_bytes
        while left > 0:
            piece = chunk[:left]
            w.write(piece)
            left -= len(piece)
        w.write(b"</sheetData></worksheet>")

    return write


def patch_member(path: Path, name: str, *, size: int | None = None, crc: int | None = None) -> None:
    """Overwrite the declared uncompressed size and/or CRC of one member, in the
    local header and the central directory (both agree, so only streaming can tell)."""
    data = bytearray(path.read_bytes())
    bname = name.encode()
    for sig, name_at, crc_at, size_at in ((b"PK\x03\x04", 30, 14, 22), (b"PK\x01\x02", 46, 16, 24)):
        pos = data.find(sig)
        hits = 0
        while pos >= 0:
            if data[pos + name_at:pos + name_at + len(bname)] == bname:
                if size is not None:
                    data[pos + size_at:pos + size_at + 4] = struct.pack("<L", size)
                if crc is not None:
                    data[pos + crc_at:pos + crc_at + 4] = struct.pack("<L", crc)
                hits += 1
            pos = data.find(sig, pos + 4)
        assert hits == 1, (sig, hits)
    path.write_bytes(bytes(data))


def build_cfb(streams: dict[str, bytes]) -> bytes:
    """A minimal v3 OLE compound file (512-byte sectors); every stream is padded
    to >= 4096 bytes so it lives in regular sectors. At most 3 streams."""
    assert len(streams) <= 3
    ss, END, FREE, FATSECT, NOSTREAM = 512, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [FATSECT, END]  # sector 0: FAT, sector 1: directory
    body, placed = b"", []
    next_sid = 2
    for name, data in streams.items():
        data = data.ljust(max(4096, -(-len(data) // ss) * ss), b"\x00")
        n = len(data) // ss
        placed.append((name, next_sid, len(data)))
        fat += [next_sid + k + 1 for k in range(n - 1)] + [END]
        next_sid += n
        body += data
    assert len(fat) <= 128
    fat_sector = struct.pack("<128L", *(fat + [FREE] * (128 - len(fat))))

    def entry(name, etype, left, right, child, start, size):
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB3L", len(raw), etype, 1, left, right, child)
                + b"\x00" * 16 + struct.pack("<LQQLQ", 0, 0, 0, start, size))

    entries = [entry("Root Entry", 5, NOSTREAM, NOSTREAM, 1 if placed else NOSTREAM, END, 0)]
    for i, (name, start, size) in enumerate(placed):
        right = i + 2 if i + 1 < len(placed) else NOSTREAM
        entries.append(entry(name, 2, NOSTREAM, right, NOSTREAM, start, size))
    while len(entries) < 4:
        entries.append(b"\x00" * 64 + struct.pack("<HBB3L", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM)
                       + b"\x00" * 16 + struct.pack("<LQQLQ", 0, 0, 0, 0, 0))
    header = (safety.OLE_MAGIC + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<LLLLLLLLL", 0, 1, 1, 0, 4096, END, 0, END, 0)
              + struct.pack("<109L", 0, *([FREE] * 108)))
    assert len(header) == 512
    return header + fat_sector + b"".join(entries) + body


def biff(*records: tuple[int, bytes]) -> bytes:
    return b"".join(struct.pack("<HH", t, len(d)) + d for t, d in records)


BOF = (0x0809, struct.pack("<HHHHLL", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0))
EOF = (0x000A, b"")


def rejected(path: Path) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        file_format(path)
    exc = info.value
    assert exc.reason and exc.reason_vi and exc.reason != exc.reason_vi
    assert str(exc) == exc.reason
    return exc


# --------------------------------------------------------------------------- accepted
def test_valid_openpyxl_workbook_passes(tmp_path):
    assert file_format(valid_xlsx(tmp_path / "report.xlsx")) == "xlsx"


def test_kind_comes_from_bytes_not_name(tmp_path):
    assert file_format(valid_xlsx(tmp_path / "report.xls")) == "xlsx"


def test_macro_enabled_xlsm_passes(tmp_path):
    src = valid_xlsx(tmp_path / "plain.xlsx")
    with zipfile.ZipFile(src) as z:
        ct = z.read("[Content_Types].xml").replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000)  # an opaque binary part
    xlsm = rewrite_zip(src, tmp_path / "report.xlsm", replace={"[Content_Types].xml": ct},
                       add={"xl/vbaProject.bin": vba})
    assert file_format(xlsm) == "xlsx"
    assert openpyxl.load_workbook(xlsm, read_only=True).sheetnames == ["Thông tin", "Nhà ở"]


def test_legacy_xls_passes(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(build_cfb({"Workbook": biff(BOF, (0x0042, b"\xb0\x04"), EOF)}))
    import olefile  # cross-check the hand-built file is a real CFB (comes with msoffcrypto-tool)
    with olefile.OleFileIO(str(path)) as ole:
        assert ole.exists("Workbook")
    assert file_format(path) == "xls"


def test_opendocument_spreadsheet_passes(tmp_path):
    path = tmp_path / "report.ods"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>',
                   zipfile.ZIP_DEFLATED)
    assert file_format(path) == "ods"


# --------------------------------------------------------------------------- not a workbook
def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    exc = rejected(path)
    assert exc.code == "empty" and "empty" in exc.reason


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.xlsx"
    path.write_bytes(b"\x00\xff\x13" + os.urandom(10_000))
    exc = rejected(path)
    assert exc.code == "not_workbook" and "not an Excel workbook" in exc.reason


def test_text_file_named_xlsx(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_text("Mã huyện,Kỳ báo cáo\n116,03/2025\n", encoding="utf-8")
    exc = rejected(path)
    assert "not an Excel workbook" in exc.reason and "text" in exc.reason


def test_html_saved_as_xls(tmp_path):
    path = tmp_path / "report.xls"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    exc = rejected(path)
    assert "not an Excel workbook" in exc.reason and "HTML" in exc.reason


def test_pdf_header(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    exc = rejected(path)
    assert "not an Excel workbook" in exc.reason and "PDF" in exc.reason


def test_docx_under_spreadsheet_name(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    exc = rejected(path)
    assert "not an Excel workbook" in exc.reason and "Word" in exc.reason


def test_zip_without_workbook(tmp_path):
    path = tmp_path / "report.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("photo.txt", "hello")
    assert "not an Excel workbook" in rejected(path).reason


def test_xlsb_is_refused_with_hint(tmp_path):
    path = tmp_path / "report.xlsb"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.bin", b"\x83\x01\x00")
    exc = rejected(path)
    assert ".xlsb" in exc.reason and ".xlsx" in exc.reason


def test_legacy_word_doc(tmp_path):
    path = tmp_path / "report.xls"
    path.write_bytes(build_cfb({"WordDocument": b"\xec\xa5" + b"\x00" * 100}))
    exc = rejected(path)
    assert "not an Excel workbook" in exc.reason and "Word" in exc.reason


def test_too_large_on_disk(tmp_path):
    path = tmp_path / "huge.xlsx"
    with open(path, "wb") as f:  # sparse: costs no disk or memory
        f.write(b"PK\x03\x04")
        f.truncate(safety.MAX_FILE_BYTES + 1)
    exc = rejected(path)
    assert exc.code == "too_large" and "too large" in exc.reason


# --------------------------------------------------------------------------- password
def test_encrypted_ooxml_workbook(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    src = valid_xlsx(tmp_path / "plain.xlsx")
    path = tmp_path / "locked.xlsx"
    with open(src, "rb") as fin, open(path, "wb") as fout:
        OOXMLFile(fin).encrypt("1234", fout)
    assert path.read_bytes()[:8] == safety.OLE_MAGIC
    exc = rejected(path)
    assert exc.code == "password" and "password" in exc.reason and "mật khẩu" in exc.reason_vi


def test_ole_gate_reads_streams_with_olefile(tmp_path):
    """The OLE gate (olefile) sees Excel's encryption streams, whose small EncryptionInfo
    sits in the mini stream: the file is rejected as password-protected, not as malformed."""
    import olefile
    from msoffcrypto.format.ooxml import OOXMLFile

    src = valid_xlsx(tmp_path / "plain.xlsx")
    path = tmp_path / "locked.xlsx"
    with open(src, "rb") as fin, open(path, "wb") as fout:
        OOXMLFile(fin).encrypt("1234", fout)
    with olefile.OleFileIO(str(path)) as ole:
        assert len(ole.openstream("EncryptionInfo").read()) < 4096   # a mini-stream stream
    assert "password" in rejected(path).reason


def test_encrypted_legacy_xls_filepass(tmp_path):
    path = tmp_path / "locked.xls"
    filepass = (0x002F, struct.pack("<HHH", 1, 1, 1) + b"\x00" * 48)
    path.write_bytes(build_cfb({"Workbook": biff(BOF, filepass, EOF)}))
    assert "password" in rejected(path).reason


def test_zip_level_encryption_flag(tmp_path):
    path = valid_xlsx(tmp_path / "report.xlsx")
    data = bytearray(path.read_bytes())
    pos = data.find(b"PK\x01\x02")
    data[pos + 8] |= 0x01  # general-purpose flag bit 0 of the first central entry
    path.write_bytes(bytes(data))
    assert "password" in rejected(path).reason


# --------------------------------------------------------------------------- malformed
@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_truncated_zip(tmp_path, keep):
    path = valid_xlsx(tmp_path / "report.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    exc = rejected(path)
    assert exc.code == "malformed" and "damaged or incomplete" in exc.reason


def test_truncated_member_with_directory_kept(tmp_path):
    """Bytes cut out of the middle while the end record survives."""
    path = valid_xlsx(tmp_path / "report.xlsx")
    data = path.read_bytes()
    first_cd = data.find(b"PK\x01\x02")
    path.write_bytes(data[:first_cd // 2] + data[first_cd:])
    assert rejected(path).code == "malformed"


def test_corrupted_crc(tmp_path):
    path = valid_xlsx(tmp_path / "report.xlsx")
    with zipfile.ZipFile(path) as z:
        good = z.getinfo(SHEET).CRC
    patch_member(path, SHEET, crc=good ^ 0xDEADBEEF)
    exc = rejected(path)
    assert exc.code == "malformed" and "CRC" in exc.reason and SHEET in exc.reason


def test_corrupted_compressed_bytes(tmp_path):
    path = valid_xlsx(tmp_path / "report.xlsx")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(SHEET)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(SHEET)
    for k in range(start + 10, start + info.compress_size - 10, 7):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))
    assert rejected(path).code == "malformed"


def test_fuzzed_files_never_crash(tmp_path):
    """Random byte damage to a workbook and to an .xls ends as a kind or FileRejected."""
    import random

    rng = random.Random(20250301)
    xlsx = valid_xlsx(tmp_path / "plain.xlsx").read_bytes()
    xls = build_cfb({"Workbook": biff(BOF, EOF)})
    path = tmp_path / "fuzz.xlsx"
    outcomes = set()
    for i in range(400):
        data = bytearray(xlsx if i % 2 else xls)
        for _ in range(rng.randint(1, 8)):
            k = rng.randrange(len(data))
            data[k] = rng.randrange(256)
        if rng.random() < 0.2:
            data = data[: rng.randrange(1, len(data))]
        path.write_bytes(bytes(data))
        try:
            outcomes.add(file_format(path))
        except FileRejected as exc:
            assert exc.reason and exc.reason_vi
            outcomes.add(exc.code)
    assert "malformed" in outcomes


# --------------------------------------------------------------------------- zip bombs
def test_zip_bomb_300mb_sheet(tmp_path):
    src = valid_xlsx(tmp_path / "plain.xlsx")
    bomb = rewrite_zip(src, tmp_path / "bomb.xlsx", replace={SHEET: repeated_xml(300 * 1024 * 1024)})
    assert bomb.stat().st_size < 2 * 1024 * 1024
    exc = rejected(bomb)
    assert exc.code == "zip_bomb" and "too large when unpacked" in exc.reason
    assert "zip bomb" in exc.reason


def test_zip_bomb_by_ratio_under_size_limits(tmp_path):
    src = valid_xlsx(tmp_path / "plain.xlsx")
    bomb = rewrite_zip(src, tmp_path / "bomb.xlsx", replace={SHEET: repeated_xml(20 * 1024 * 1024)})
    exc = rejected(bomb)
    assert exc.code == "zip_bomb" and "compressed" in exc.reason and "zip bomb" in exc.reason


def test_zip_bomb_with_lying_sizes(tmp_path):
    """The headers declare 2,000 bytes; the member really inflates to 50 MB."""
    src = valid_xlsx(tmp_path / "plain.xlsx")
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != SHEET:
                zout.writestr(info.filename, zin.read(info.filename))
        with zout.open(SHEET, "w") as w:  # no force_zip64: plain 32-bit size fields
            repeated_xml(50 * 1024 * 1024)(w)
    patch_member(path, SHEET, size=2000)
    with zipfile.ZipFile(path) as z:
        assert z.getinfo(SHEET).file_size == 2000  # the lie is what the directory says
    exc = rejected(path)
    assert exc.code == "zip_bomb" and "declares" in exc.reason and "too large" in exc.reason


def test_too_many_members(tmp_path):
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(safety.MAX_MEMBERS + 1):
            z.writestr(f"xl/media/p{i}.bin", b"")
    exc = rejected(path)
    assert exc.code == "zip_bomb" and "parts" in exc.reason


def test_peak_memory_stays_low_on_bombs(tmp_path):
    """Inspect the bombs in a fresh process and read its peak RSS."""
    src = valid_xlsx(tmp_path / "plain.xlsx")
    honest = rewrite_zip(src, tmp_path / "bomb.xlsx", replace={SHEET: repeated_xml(300 * 1024 * 1024)})
    liar = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != SHEET:
                zout.writestr(info.filename, zin.read(info.filename))
        with zout.open(SHEET, "w") as w:
            repeated_xml(80 * 1024 * 1024)(w)
    # The liar declares 1,000 bytes (below the ratio-check threshold), so only the
    # streaming byte cap can catch it.
    patch_member(liar, SHEET, size=1000)
    code = (
        "import json, resource, sys, psutil\n"
        "from pipeline.ingest.safety import inspect, FileRejected\n"
        "out = []\n"
        "for p in sys.argv[1:]:\n"
        "    try:\n"
        "        inspect(p); out.append('accepted')\n"
        "    except FileRejected as e:\n"
        "        out.append(e.code)\n"
        # VmHWM resets at exec; ru_maxrss would carry over the parent's (pytest's) peak
        "kb = int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])\n"
        "print(json.dumps({'codes': out, 'peak_mb': kb / 1024,\n"
        "                  'rss_mb': psutil.Process().memory_info().rss / 2**20}))\n"
    )
    res = subprocess.run([sys.executable, "-c", code, str(honest), str(liar)], cwd=REPO,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    report = json.loads(res.stdout)
    assert report["codes"] == ["zip_bomb", "zip_bomb"]
    assert report["peak_mb"] < 300, report


def test_streaming_inflate_is_bounded_in_process(tmp_path):
    """Same check with psutil in this process, on a bomb that must be streamed."""
    import psutil
    src = valid_xlsx(tmp_path / "plain.xlsx")
    liar = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(liar, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != SHEET:
                zout.writestr(info.filename, zin.read(info.filename))
        with zout.open(SHEET, "w") as w:
            repeated_xml(60 * 1024 * 1024)(w)
    patch_member(liar, SHEET, size=500_000)
    proc = psutil.Process()
    before = proc.memory_info().rss
    with pytest.raises(FileRejected) as info:
        file_format(liar)
    assert info.value.code == "zip_bomb"
    assert proc.memory_info().rss - before < 100 * 1024 * 1024


# --------------------------------------------------------------------------- XML entities
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData>
</worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData>
</worksheet>"""


def test_billion_laughs_sheet(tmp_path):
    path = rewrite_zip(valid_xlsx(tmp_path / "plain.xlsx"), tmp_path / "lol.xlsx",
                       replace={SHEET: BILLION_LAUGHS})
    exc = rejected(path)
    assert exc.code == "xml_entity" and "ENTITY" in exc.reason and "entity" in exc.reason
    assert SHEET in exc.reason


def test_external_entity_sheet(tmp_path):
    path = rewrite_zip(valid_xlsx(tmp_path / "plain.xlsx"), tmp_path / "xxe.xlsx",
                       replace={SHEET: EXTERNAL_ENTITY})
    exc = rejected(path)
    assert exc.code == "xml_entity" and "entit" in exc.reason


def test_entity_in_utf16_xml(tmp_path):
    payload = EXTERNAL_ENTITY.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    path = rewrite_zip(valid_xlsx(tmp_path / "plain.xlsx"), tmp_path / "u16.xlsx",
                       replace={SHEET: "\ufeff".encode("utf-16-le") + payload.encode("utf-16-le")})
    assert rejected(path).code == "xml_entity"


def test_doctype_after_long_padding_and_in_other_parts(tmp_path):
    """The declaration is found anywhere in the part, and in any XML-like part."""
    padded = b'<?xml version="1.0"?>' + b" " * 700_000 + b'<!DOCTYPE x [<!ENTITY a "b">]><x/>'
    path = rewrite_zip(valid_xlsx(tmp_path / "plain.xlsx"), tmp_path / "pad.xlsx",
                       replace={SHEET: padded})
    assert rejected(path).code == "xml_entity"
    path2 = rewrite_zip(valid_xlsx(tmp_path / "plain2.xlsx"), tmp_path / "rels.xlsx",
                        add={"customXml/item1.dat": b'<?xml version="1.0"?><!DOCTYPE x><x/>'})
    assert rejected(path2).code == "xml_entity"


# --------------------------------------------------------------------------- defusedxml
def test_assert_defusedxml_passes_when_installed():
    assert openpyxl.DEFUSEDXML is True
    assert_defusedxml()


def test_assert_defusedxml_raises_without_it(monkeypatch):
    monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        assert_defusedxml()


def test_limits_are_documented_constants():
    assert safety.MAX_FILE_BYTES == 50 * 2**20
    assert safety.MAX_TOTAL_UNCOMPRESSED_BYTES == 200 * 2**20
    assert safety.MAX_MEMBER_UNCOMPRESSED_BYTES <= safety.MAX_TOTAL_UNCOMPRESSED_BYTES
    assert safety.MAX_COMPRESSION_RATIO == 100
    assert safety.RATIO_CHECK_MIN_BYTES == 2**20
    assert safety.MAX_MEMBERS >= 500

