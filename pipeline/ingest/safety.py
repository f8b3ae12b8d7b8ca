"""Hostile-file gate: decide, with cheap bounded reads, whether an inbox file may be parsed.

Call :func:`inspect_workbook` on every file *before* handing it to openpyxl /
python-calamine. It returns the format kind ('xlsx', 'xls' or 'ods') or raises
:class:`FileRejected`, whose ``reason`` (English) and ``reason_vi`` (Vietnamese)
go into the ledger as the rejection reason, in words a district clerk can act on.

The kind comes from the bytes, never from the file name: a workbook saved as
``.xls`` that is really OOXML comes back as 'xlsx', and readers should dispatch
on the returned kind.

What is checked (all without loading a whole zip member or file into memory):

* empty file; file larger than :data:`MAX_FILE_BYTES`;
* not a workbook: random bytes, text/CSV/HTML, PDF, a Word/PowerPoint file or any
  zip without ``xl/workbook.xml`` (or an OpenDocument spreadsheet ``mimetype``);
  an ``.xlsb`` binary workbook is refused with a "save as .xlsx" hint;
* password protection: an OLE compound file holding ``EncryptionInfo`` /
  ``EncryptedPackage`` streams (how Excel stores an encrypted .xlsx), IRM
  ``\\x06DataSpaces``, a legacy .xls with a FILEPASS record, or zip members
  flagged as encrypted. The OLE directory is read with olefile;
* a malformed zip: unreadable central directory, truncated data, bad local
  headers, overlapping members, bad CRC, unsupported compression;
* zip bombs: too many members, member or total uncompressed size above the
  limits, or a compression ratio above :data:`MAX_COMPRESSION_RATIO`, checked
  first on the central directory's *declared* sizes and then again while
  *streaming* every member through zlib with a byte cap, so a member that
  inflates past the size its header declares is refused as soon as it does;
* XML entity tricks: any XML member with a ``<!DOCTYPE`` or ``<!ENTITY``
  declaration (billion laughs, external entities), found while streaming.
  Excel never writes these. Also call :func:`assert_defusedxml` once at start-up:
  openpyxl expands entities unless defusedxml is installed.

Macro-enabled .xlsm files pass: macros are never run, only cells are read.
"""
from __future__ import annotations

import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO

from pipeline.ingest.xmlcells import has_markers, is_worksheet

__all__ = [
    "FileRejected",
    "Inspection",
    "inspect",
    "inspect_workbook",
    "assert_defusedxml",
    "MAX_FILE_BYTES",
    "MAX_TOTAL_UNCOMPRESSED_BYTES",
    "MAX_MEMBER_UNCOMPRESSED_BYTES",
    "MAX_COMPRESSION_RATIO",
    "RATIO_CHECK_MIN_BYTES",
    "MAX_MEMBERS",
    "MAX_CENTRAL_DIRECTORY_BYTES",
]

MB = 1024 * 1024

# ---------------------------------------------------------------------------
# Limits: the ONLY place they are set. A real district workbook is well under
# 5 MB on disk and under 20 MB unpacked; sheet XML written by Excel or openpyxl
# compresses about 10-15:1 (measured: a 60,000-row sheet, 20 MB of XML, 13.8:1).
# ---------------------------------------------------------------------------
#: Largest file accepted on disk.
MAX_FILE_BYTES = 50 * MB
#: Largest sum of the uncompressed sizes of all zip members (declared AND actual).
MAX_TOTAL_UNCOMPRESSED_BYTES = 200 * MB
#: Largest uncompressed size of any one zip member (declared AND actual).
MAX_MEMBER_UNCOMPRESSED_BYTES = 100 * MB
#: Largest uncompressed:compressed ratio of one member; zeros deflate ~1000:1.
MAX_COMPRESSION_RATIO = 100
#: The ratio is only checked for members whose uncompressed size exceeds this
#: (tiny members such as docProps/app.xml legitimately have odd ratios).
RATIO_CHECK_MIN_BYTES = 1 * MB
#: Most zip members (parts) a workbook may have; a real one has 10-200.
MAX_MEMBERS = 2000
#: Largest zip central directory; bounds the memory zipfile spends on its index
#: even if the member count in the end record lies.
MAX_CENTRAL_DIRECTORY_BYTES = 4 * MB

# Streaming granularity: compressed bytes read per step, and the most bytes one
# zlib call may produce. Peak memory per member stays around these sizes.
_READ_CHUNK = 256 * 1024
_INFLATE_CHUNK = 1 * MB

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_LOCAL = b"PK\x03\x04"
_ZIP_EMPTY = b"PK\x05\x06"
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_ENTITY_PATTERNS = tuple(
    word.encode(enc)
    for word in ("<!doctype", "<!entity")
    for enc in ("utf-8", "utf-16-le", "utf-16-be")
)
_PATTERN_OVERLAP = max(len(p) for p in _ENTITY_PATTERNS)


class FileRejected(Exception):
    """The file must not be parsed. ``reason``/``reason_vi`` are for the ledger.

    ``code`` is a short machine-readable category: 'empty', 'too_large',
    'not_workbook', 'password', 'malformed', 'zip_bomb', 'xml_entity'.
    """

    def __init__(self, reason: str, reason_vi: str, code: str = "rejected"):
        super().__init__(reason)
        self.reason = reason
        self.reason_vi = reason_vi
        self.code = code

    def __str__(self) -> str:  # pragma: no cover - trivial
        return self.reason


def assert_defusedxml() -> None:
    """Raise RuntimeError unless openpyxl parses XML through defusedxml."""
    import openpyxl

    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise RuntimeError(
            "openpyxl is not using defusedxml (openpyxl.DEFUSEDXML is False): it would "
            "expand XML entities in hostile workbooks. Install the 'defusedxml' package."
        )


# ---------------------------------------------------------------------------
# Reasons (English + Vietnamese), one builder per problem.
# ---------------------------------------------------------------------------
def _mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def _empty() -> FileRejected:
    return FileRejected(
        "The file is empty (0 bytes), so it is not an Excel workbook. Please send the workbook again.",
        "Tệp rỗng (0 byte) nên không phải là bảng tính Excel. Vui lòng gửi lại bảng tính.",
        "empty",
    )


def _too_large_on_disk(size: int) -> FileRejected:
    return FileRejected(
        f"The file is too large ({_mb(size)}; the limit is {_mb(MAX_FILE_BYTES)}). "
        "Remove pictures and unused sheets, save, and send it again.",
        f"Tệp quá lớn ({_mb(size)}; giới hạn là {_mb(MAX_FILE_BYTES)}). "
        "Vui lòng xóa hình ảnh và các trang tính không dùng, lưu lại rồi gửi lại.",
        "too_large",
    )


def _not_workbook(what: str, what_vi: str, hint: str = "", hint_vi: str = "") -> FileRejected:
    hint = hint or "Please send the report as an Excel workbook (.xlsx)."
    hint_vi = hint_vi or "Vui lòng gửi báo cáo dưới dạng bảng tính Excel (.xlsx)."
    return FileRejected(
        f"The file is not an Excel workbook (it is {what}). {hint}",
        f"Tệp không phải là bảng tính Excel (đây là {what_vi}). {hint_vi}",
        "not_workbook",
    )


def _password() -> FileRejected:
    return FileRejected(
        "The workbook is password-protected (encrypted), so it cannot be read. "
        "Open it in Excel, remove the password (File > Info > Protect Workbook > "
        "Encrypt with Password, clear the box), save, and send it again.",
        "Bảng tính được đặt mật khẩu (đã mã hóa) nên không đọc được. "
        "Vui lòng mở bằng Excel, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ Sổ làm việc > "
        "Mã hóa bằng Mật khẩu, xóa mật khẩu), lưu lại rồi gửi lại.",
        "password",
    )


def _malformed(detail: str) -> FileRejected:
    return FileRejected(
        f"The file is damaged or incomplete: a malformed Excel archive ({detail}). "
        "Open it in Excel, save it again, and send the new file.",
        f"Tệp bị hỏng hoặc không đầy đủ: tệp nén Excel bị lỗi ({detail}). "
        "Vui lòng mở bằng Excel, lưu lại rồi gửi tệp mới.",
        "malformed",
    )


def _too_large_unpacked(detail: str, detail_vi: str) -> FileRejected:
    return FileRejected(
        f"The workbook is too large when unpacked ({detail}); it may be a 'zip bomb', "
        "so it was not opened. A normal district report is far smaller: send a copy "
        "with only the report sheets.",
        f"Bảng tính quá lớn khi giải nén ({detail_vi}); có thể là 'bom nén' (zip bomb) "
        "nên không được mở. Báo cáo bình thường nhỏ hơn nhiều: vui lòng gửi bản chỉ "
        "gồm các trang tính báo cáo.",
        "zip_bomb",
    )


def _ratio(name: str, ratio: float) -> FileRejected:
    return FileRejected(
        f"The workbook looks like a 'zip bomb': part '{name}' is compressed {ratio:.0f} "
        f"times (the limit is {MAX_COMPRESSION_RATIO}), so it is too large when unpacked "
        "and was not opened. Open it in Excel, save it as a new .xlsx, and send it again.",
        f"Bảng tính có dấu hiệu 'bom nén' (zip bomb): phần '{name}' bị nén {ratio:.0f} lần "
        f"(giới hạn là {MAX_COMPRESSION_RATIO}) nên quá lớn khi giải nén và không được mở. "
        "Vui lòng mở bằng Excel, lưu thành tệp .xlsx mới rồi gửi lại.",
        "zip_bomb",
    )


def _entity(name: str) -> FileRejected:
    return FileRejected(
        f"The workbook contains an XML DOCTYPE/ENTITY declaration in part '{name}'. "
        "Excel never writes these; they are used for attacks (entity expansion, external "
        "entities), so the file was not opened. Open it in Excel, save it as a new .xlsx, "
        "and send it again.",
        f"Bảng tính chứa khai báo XML DOCTYPE/ENTITY trong phần '{name}'. Excel không bao "
        "giờ tạo ra khai báo này; nó được dùng để tấn công (mở rộng thực thể, thực thể bên "
        "ngoài) nên tệp không được mở. Vui lòng mở bằng Excel, lưu thành tệp .xlsx mới rồi "
        "gửi lại.",
        "xml_entity",
    )


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Inspection:
    kind: str                                   # 'xlsx' (also .xlsm), 'xls' or 'ods'
    # Worksheet members (xlsx) holding a formula or an Excel error value somewhere: only these
    # are read again for cells without a saved value (pipeline/ingest/xmlcells.py).
    flagged: frozenset[str] = frozenset()


def inspect_workbook(path: str | os.PathLike) -> str:
    """Return 'xlsx' (also .xlsm), 'xls' or 'ods', or raise FileRejected."""
    return inspect(path).kind


def inspect(path: str | os.PathLike) -> Inspection:
    """The format kind and the worksheets with formula/error markers, or raise FileRejected."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise FileRejected(
            f"The file could not be opened ({exc.strerror or exc}).",
            f"Không mở được tệp ({exc.strerror or exc}).",
            "unreadable",
        ) from exc
    if size == 0:
        raise _empty()
    if size > MAX_FILE_BYTES:
        raise _too_large_on_disk(size)

    with open(path, "rb") as f:
        head = f.read(4096)
        try:
            if head.startswith(_ZIP_LOCAL):
                return _inspect_zip(f, size)
            if head.startswith(_OLE_MAGIC):
                return Inspection(_inspect_ole(f, size))
        except FileRejected:
            raise
        except (OSError, ValueError, EOFError, IndexError, OverflowError, struct.error,
                zlib.error, zipfile.BadZipFile, NotImplementedError, UnicodeError) as exc:
            # Hostile bytes must end as a ledger reason, never as a crash.
            raise _malformed(f"{type(exc).__name__}: {exc}") from exc
        if head.startswith(_ZIP_EMPTY):
            raise _not_workbook("an empty zip archive", "một tệp nén rỗng")
        raise _not_workbook(*_sniff(head))


def _sniff(head: bytes) -> tuple[str, str]:
    """Name what a non-zip, non-OLE file looks like, for the reason text."""
    h = head.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n")
    lower = h[:512].lower()
    if h.startswith(b"%PDF"):
        return "a PDF document", "một tài liệu PDF"
    if h.startswith(b"{\\rtf"):
        return "an RTF text document", "một tài liệu văn bản RTF"
    if lower.startswith((b"<!doctype html", b"<html")) or b"<html" in lower:
        return ("a web page (HTML) saved with an Excel name",
                "một trang web (HTML) được đặt tên như tệp Excel")
    if lower.startswith(b"<?xml") or lower.startswith(b"<"):
        return "an XML or text file", "một tệp XML hoặc văn bản"
    if h.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "a picture", "một tệp hình ảnh"
    if h.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "a compressed archive (RAR/7z/gzip)", "một tệp nén (RAR/7z/gzip)"
    sample = head[:4096]
    try:
        sample.decode("utf-8")
        is_text = b"\x00" not in sample
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        is_text = exc.start >= len(sample) - 3 and b"\x00" not in sample
    if is_text:
        return ("a plain text or CSV file saved with an Excel name",
                "một tệp văn bản hoặc CSV được đặt tên như tệp Excel")
    return "unrecognised data", "dữ liệu không nhận dạng được"


# ---------------------------------------------------------------------------
# OOXML / ODS (zip)
# ---------------------------------------------------------------------------
def _read_at(f: BinaryIO, offset: int, n: int) -> bytes:
    f.seek(offset)
    return f.read(n)


def _check_end_record(f: BinaryIO, size: int) -> None:
    """Bound the central directory before zipfile builds its index from it."""
    tail_len = min(size, 22 + 65535 + 20)
    tail = _read_at(f, size - tail_len, tail_len)
    pos = tail.rfind(_ZIP_EMPTY)
    if pos < 0 or len(tail) - pos < 22:
        raise _malformed("the end of the archive is missing; the file was probably cut off")
    (_, _, _, _, entries, cd_size, cd_offset, _) = struct.unpack("<4s4H2LH", tail[pos:pos + 22])
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        loc = tail[pos - 20:pos] if pos >= 20 else b""
        if not loc.startswith(b"PK\x06\x07"):
            raise _malformed("the zip64 end record is missing")
        z64_offset = struct.unpack("<Q", loc[8:16])[0]
        rec = _read_at(f, z64_offset, 56) if z64_offset < size else b""
        if len(rec) < 56 or not rec.startswith(b"PK\x06\x06"):
            raise _malformed("the zip64 end record is broken")
        entries, cd_size, cd_offset = struct.unpack("<QQQ", rec[32:56])
    if entries > MAX_MEMBERS:
        raise _too_large_unpacked(f"{entries} parts; the limit is {MAX_MEMBERS}",
                                  f"{entries} phần; giới hạn là {MAX_MEMBERS}")
    if cd_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise _too_large_unpacked(
            f"an index of {_mb(cd_size)}; the limit is {_mb(MAX_CENTRAL_DIRECTORY_BYTES)}",
            f"mục lục {_mb(cd_size)}; giới hạn là {_mb(MAX_CENTRAL_DIRECTORY_BYTES)}")
    if cd_size > size:
        raise _malformed("the archive index is larger than the file; the file was probably cut off")


def _inspect_zip(f: BinaryIO, size: int) -> Inspection:
    _check_end_record(f, size)
    try:
        zf = zipfile.ZipFile(f)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError,
            struct.error, OSError, NotImplementedError) as exc:
        raise _malformed(f"cannot read the archive index: {exc}") from exc

    if len(infos) > MAX_MEMBERS:
        raise _too_large_unpacked(f"{len(infos)} parts; the limit is {MAX_MEMBERS}",
                                  f"{len(infos)} phần; giới hạn là {MAX_MEMBERS}")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise _malformed("the same part is stored twice")
    kind = _zip_kind(set(names))
    # Encrypted members: a zip-level password (Excel itself uses OLE, see below).
    if any(i.flag_bits & 0x1 for i in infos):
        raise _password()
    _check_declared_sizes(infos)
    data_starts = _check_member_layout(f, infos, size)

    # Stream every member through zlib with byte caps: the actual sizes, CRCs,
    # ratios and XML declarations are checked without trusting any header.
    budget = [MAX_TOTAL_UNCOMPRESSED_BYTES]
    mimetype = b""
    flagged: set[str] = set()
    for info in infos:
        first = _stream_member(f, info, data_starts[info.filename], budget, flagged)
        if info.filename == "mimetype":
            mimetype = first
    if kind == "ods" and not mimetype.strip().startswith(
            b"application/vnd.oasis.opendocument.spreadsheet"):
        raise _not_workbook("an OpenDocument file that is not a spreadsheet",
                            "một tệp OpenDocument không phải bảng tính")
    return Inspection(kind, frozenset(flagged))


def _zip_kind(name_set: set[str]) -> str:
    """What kind of zip it is, decided on member names only (cheap), before any inflating."""
    if "xl/workbook.xml" in name_set:
        return "xlsx"
    if "xl/workbook.bin" in name_set:
        raise _not_workbook(
            "an Excel Binary Workbook (.xlsb)", "một sổ làm việc nhị phân Excel (.xlsb)",
            "Open it in Excel, choose Save As > Excel Workbook (.xlsx), and send it again.",
            "Vui lòng mở bằng Excel, chọn Lưu thành > Sổ làm việc Excel (.xlsx) rồi gửi lại.")
    if "mimetype" in name_set and "content.xml" in name_set:
        return "ods"  # confirmed from the mimetype member later
    if "word/document.xml" in name_set:
        raise _not_workbook("a Word document", "một tài liệu Word")
    if "ppt/presentation.xml" in name_set:
        raise _not_workbook("a PowerPoint presentation", "một bản trình chiếu PowerPoint")
    raise _not_workbook("a zip archive without an Excel workbook inside",
                        "một tệp nén không chứa bảng tính Excel")


def _check_declared_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Declared sizes, from the central directory. Cheap, and catches honest bombs."""
    total = 0
    for i in infos:
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _malformed(f"part '{i.filename}' uses an unsupported compression method "
                             f"({i.compress_type})")
        if i.file_size > MAX_MEMBER_UNCOMPRESSED_BYTES:
            raise _too_large_unpacked(
                f"part '{i.filename}' declares {_mb(i.file_size)}; the limit per part is "
                f"{_mb(MAX_MEMBER_UNCOMPRESSED_BYTES)}",
                f"phần '{i.filename}' khai báo {_mb(i.file_size)}; giới hạn mỗi phần là "
                f"{_mb(MAX_MEMBER_UNCOMPRESSED_BYTES)}")
        total += i.file_size
        if total > MAX_TOTAL_UNCOMPRESSED_BYTES:
            raise _too_large_unpacked(
                f"more than {_mb(MAX_TOTAL_UNCOMPRESSED_BYTES)} declared in total",
                f"khai báo tổng cộng hơn {_mb(MAX_TOTAL_UNCOMPRESSED_BYTES)}")
        if i.file_size > RATIO_CHECK_MIN_BYTES:
            ratio = i.file_size / max(i.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise _ratio(i.filename, ratio)


def _check_member_layout(f: BinaryIO, infos: list[zipfile.ZipInfo], size: int) -> dict[str, int]:
    """Where each member's data starts; members must not overlap (a known bomb technique),
    and each member's compressed data must lie inside the file."""
    spans = sorted((i.header_offset, i) for i in infos)
    starts = [s for s, _ in spans] + [size]
    data_starts: dict[str, int] = {}
    for idx, (offset, info) in enumerate(spans):
        if offset < 0 or offset >= size:
            raise _malformed(f"part '{info.filename}' starts outside the file")
        header = _read_at(f, offset, 30)
        if len(header) < 30 or not header.startswith(_ZIP_LOCAL):
            raise _malformed(f"the local header of part '{info.filename}' is missing")
        flags, method = struct.unpack("<HH", header[6:10])
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        if flags & 0x1:
            raise _password()
        if method != info.compress_type:
            raise _malformed(f"part '{info.filename}' has inconsistent headers")
        raw_name = _read_at(f, offset + 30, name_len)
        if info.orig_filename not in (raw_name.decode("utf-8", "replace"),
                                      raw_name.decode("cp437")):
            raise _malformed(f"part '{info.filename}' has inconsistent names")
        data_start = offset + 30 + name_len + extra_len
        data_end = data_start + info.compress_size
        if data_end > size:
            raise _malformed(f"part '{info.filename}' is cut off; the file is incomplete")
        if data_end > starts[idx + 1]:
            raise _malformed(f"part '{info.filename}' overlaps another part")
        data_starts[info.filename] = data_start
    return data_starts


def _has_entity(data: bytes) -> bool:
    """A DOCTYPE/ENTITY declaration, any case, UTF-8 or UTF-16. Each spelling holds a '!', which
    sheet XML rarely does: finding that byte is ~100x cheaper than lower() and six searches."""
    if b"!" not in data:
        return False
    lowered = data.lower()
    return any(p in lowered for p in _ENTITY_PATTERNS)


def _is_xml_start(first: bytes) -> bool:
    return first.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").startswith(b"<")


class _MemberCheck:
    """One member's inflated bytes, checked as they arrive: sizes, ratio, CRC, XML declarations,
    and (worksheets) whether a formula or error marker occurs at all."""

    def __init__(self, info: zipfile.ZipInfo, budget: list[int], flagged: set[str]):
        self.info, self.name, self.budget, self.flagged = info, info.filename, budget, flagged
        self.remaining_in = info.compress_size
        self.produced = 0
        self.crc = 0
        self.first = b""
        self.scan: bool | None = True if self.name.lower().endswith(_XML_SUFFIXES) else None
        self.markers = is_worksheet(self.name)
        self.tail = b""

    def take(self, out: bytes) -> None:
        if not out:
            return
        self._count(out)
        self.crc = zlib.crc32(out, self.crc)
        if len(self.first) < 256:
            self.first += out[: 256 - len(self.first)]
        if self.scan is None and len(self.first) >= min(64, self.info.file_size):
            self.scan = _is_xml_start(self.first)
            if self.scan and _has_entity(self.first):
                raise _entity(self.name)
        if self.scan:
            window = self.tail + out
            if _has_entity(window):
                raise _entity(self.name)
            # Writers that quote attributes with ' do so from the first line on.
            if self.markers and has_markers(window.lower(), b"='" in self.first):
                self.flagged.add(self.name)
                self.markers = False
            self.tail = window[-_PATTERN_OVERLAP:]

    def _count(self, out: bytes) -> None:
        name, declared = self.name, self.info.file_size
        self.produced += len(out)
        if self.produced > declared:
            raise _too_large_unpacked(
                f"part '{name}' unpacks to more than the {declared} bytes it declares",
                f"phần '{name}' giải nén ra nhiều hơn {declared} byte đã khai báo")
        if self.produced > MAX_MEMBER_UNCOMPRESSED_BYTES:  # unreachable given declared check
            raise _too_large_unpacked(f"part '{name}' is over the per-part limit",
                                      f"phần '{name}' vượt giới hạn mỗi phần")
        self.budget[0] -= len(out)
        if self.budget[0] < 0:
            raise _too_large_unpacked(
                f"more than {_mb(MAX_TOTAL_UNCOMPRESSED_BYTES)} in total",
                f"tổng cộng hơn {_mb(MAX_TOTAL_UNCOMPRESSED_BYTES)}")
        if self.produced > RATIO_CHECK_MIN_BYTES:
            consumed = self.info.compress_size - self.remaining_in
            ratio = self.produced / max(consumed, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise _ratio(name, ratio)

    def finish(self) -> None:
        if self.scan is None and self.first:
            self.scan = _is_xml_start(self.first)
            if self.scan and _has_entity(self.first):
                raise _entity(self.name)
        if self.produced != self.info.file_size:
            raise _malformed(f"part '{self.name}' has {self.produced} bytes but declares {self.info.file_size}")
        if self.crc != self.info.CRC:
            raise _malformed(f"part '{self.name}' fails its checksum (bad CRC)")


def _stream_member(f: BinaryIO, info: zipfile.ZipInfo, data_start: int,
                   budget: list[int], flagged: set[str]) -> bytes:
    """Inflate one member in bounded chunks; return its first bytes (<= 256)."""
    check = _MemberCheck(info, budget, flagged)
    f.seek(data_start)
    try:
        if info.compress_type == zipfile.ZIP_DEFLATED:
            _inflate(f, check)
        else:
            _copy_stored(f, check)
    except zlib.error as exc:
        raise _malformed(f"part '{info.filename}' is damaged: {exc}") from exc
    check.finish()
    return check.first


def _read_chunk(f: BinaryIO, check: _MemberCheck) -> bytes:
    chunk = f.read(min(_READ_CHUNK, check.remaining_in))
    if not chunk:
        raise _malformed(f"part '{check.name}' is cut off; the file is incomplete")
    check.remaining_in -= len(chunk)
    return chunk


def _copy_stored(f: BinaryIO, check: _MemberCheck) -> None:
    while check.remaining_in > 0:
        check.take(_read_chunk(f, check))


def _inflate(f: BinaryIO, check: _MemberCheck) -> None:
    inflater = zlib.decompressobj(-15)
    while check.remaining_in > 0 and not inflater.eof:
        data = _read_chunk(f, check)
        while data:
            check.take(inflater.decompress(data, _INFLATE_CHUNK))
            data = inflater.unconsumed_tail
            if inflater.eof:
                break
    # Drain anything still buffered, still in bounded steps.
    while not inflater.eof:
        out = inflater.decompress(inflater.unconsumed_tail, _INFLATE_CHUNK)
        if not out:
            break
        check.take(out)
    if not inflater.eof:
        raise _malformed(f"part '{check.name}' is cut off or damaged (incomplete data)")


# ---------------------------------------------------------------------------
# OLE compound files (legacy .xls, and Excel's wrapper for encrypted .xlsx)
# ---------------------------------------------------------------------------
def _inspect_ole(f: BinaryIO, size: int) -> str:
    """An OLE compound file (olefile reads it): legacy .xls, or Excel's wrapper of an encrypted .xlsx."""
    import olefile

    f.seek(0)
    try:
        ole = olefile.OleFileIO(f)
    except (OSError, ValueError, IndexError, struct.error) as exc:   # olefile raises these on broken files
        raise _malformed(f"the OLE structure is broken: {exc}") from exc
    try:
        names = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
        if {"EncryptionInfo", "EncryptedPackage"} & names or any(n.startswith("\x06DataSpaces") for n in names):
            raise _password()
        stream = "Workbook" if "Workbook" in names else "Book" if "Book" in names else None
        if stream is None:
            if "WordDocument" in names:
                raise _not_workbook("a Word document (.doc)", "một tài liệu Word (.doc)")
            if "PowerPoint Document" in names:
                raise _not_workbook("a PowerPoint presentation", "một bản trình chiếu PowerPoint")
            raise _not_workbook("an Office file without an Excel workbook inside",
                                "một tệp Office không chứa bảng tính Excel")
        try:
            head = ole.openstream(stream).read(64 * 1024)
        except (OSError, ValueError, IndexError, struct.error) as exc:
            raise _malformed(f"the OLE structure is broken: {exc}") from exc
    finally:
        ole.close()
    _check_biff(head)
    return "xls"


def _check_biff(head: bytes) -> None:
    """The workbook globals must start with BOF; FILEPASS means encrypted."""
    if len(head) < 4:
        raise _malformed("the legacy Excel (.xls) workbook stream is empty")
    rtype, rlen = struct.unpack("<HH", head[:4])
    if rtype not in (0x0809, 0x0409, 0x0209, 0x0009):
        raise _malformed("the legacy Excel (.xls) workbook stream does not start like a workbook")
    pos = 4 + rlen
    while pos + 4 <= len(head):
        rtype, rlen = struct.unpack("<HH", head[pos:pos + 4])
        if rtype == 0x002F:  # FILEPASS
            raise _password()
        if rtype == 0x000A:  # EOF of the globals substream
            return
        pos += 4 + rlen
