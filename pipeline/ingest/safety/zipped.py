"""OOXML and OpenDocument workbooks (zip archives), checked with bounded reads before any reader opens them.

The central directory is bounded first, then every member's declared sizes and layout, then
every member is streamed through zlib with byte caps: actual sizes, CRCs, compression ratios
and XML DOCTYPE/ENTITY declarations are checked without trusting any header, and worksheets
holding a formula or an Excel error are noted for pipeline/ingest/xmlcells.py.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from typing import BinaryIO

from pipeline.ingest.safety.limits import (
    MAX_CENTRAL_DIRECTORY_BYTES, MAX_COMPRESSION_RATIO, MAX_MEMBER_UNCOMPRESSED_BYTES, MAX_MEMBERS,
    MAX_TOTAL_UNCOMPRESSED_BYTES, MB, RATIO_CHECK_MIN_BYTES, ZIP_EMPTY, ZIP_LOCAL, entity, malformed, mb, not_workbook,
    password, too_compressed, too_large_unpacked,
)
from pipeline.ingest.xmlcells import has_markers, is_worksheet

# Streaming granularity: compressed bytes read per step, and the most bytes one
# zlib call may produce. Peak memory per member stays around these sizes.
_READ_CHUNK = 256 * 1024
_INFLATE_CHUNK = 1 * MB

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_ENTITY_PATTERNS = tuple(
    word.encode(enc)
    for word in ("<!doctype", "<!entity")
    for enc in ("utf-8", "utf-16-le", "utf-16-be")
)
_PATTERN_OVERLAP = max(len(p) for p in _ENTITY_PATTERNS)


def _read_at(f: BinaryIO, offset: int, n: int) -> bytes:
    f.seek(offset)
    return f.read(n)


def _check_end_record(f: BinaryIO, size: int) -> None:
    """Bound the central directory before zipfile builds its index from it."""
    tail_len = min(size, 22 + 65535 + 20)
    tail = _read_at(f, size - tail_len, tail_len)
    pos = tail.rfind(ZIP_EMPTY)
    if pos < 0 or len(tail) - pos < 22:
        raise malformed("the end of the archive is missing; the file was probably cut off")
    (_, _, _, _, entries, cd_size, cd_offset, _) = struct.unpack("<4s4H2LH", tail[pos:pos + 22])
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        loc = tail[pos - 20:pos] if pos >= 20 else b""
        if not loc.startswith(b"PK\x06\x07"):
            raise malformed("the zip64 end record is missing")
        z64_offset = struct.unpack("<Q", loc[8:16])[0]
        rec = _read_at(f, z64_offset, 56) if z64_offset < size else b""
        if len(rec) < 56 or not rec.startswith(b"PK\x06\x06"):
            raise malformed("the zip64 end record is broken")
        entries, cd_size, cd_offset = struct.unpack("<QQQ", rec[32:56])
    if entries > MAX_MEMBERS:
        raise too_large_unpacked(f"{entries} parts; the limit is {MAX_MEMBERS}",
                                  f"{entries} phần; giới hạn là {MAX_MEMBERS}")
    if cd_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise too_large_unpacked(
            f"an index of {mb(cd_size)}; the limit is {mb(MAX_CENTRAL_DIRECTORY_BYTES)}",
            f"mục lục {mb(cd_size)}; giới hạn là {mb(MAX_CENTRAL_DIRECTORY_BYTES)}")
    if cd_size > size:
        raise malformed("the archive index is larger than the file; the file was probably cut off")


def inspect_zip(f: BinaryIO, size: int) -> tuple[str, frozenset[str]]:
    _check_end_record(f, size)
    try:
        zf = zipfile.ZipFile(f)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError,
            struct.error, OSError, NotImplementedError) as exc:
        raise malformed(f"cannot read the archive index: {exc}") from exc

    if len(infos) > MAX_MEMBERS:
        raise too_large_unpacked(f"{len(infos)} parts; the limit is {MAX_MEMBERS}",
                                  f"{len(infos)} phần; giới hạn là {MAX_MEMBERS}")
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        raise malformed("the same part is stored twice")
    file_format = _zip_format(set(names))
    # Encrypted members: a zip-level password (Excel itself uses OLE, see below).
    if any(i.flag_bits & 0x1 for i in infos):
        raise password()
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
    if file_format == "ods" and not mimetype.strip().startswith(
            b"application/vnd.oasis.opendocument.spreadsheet"):
        raise not_workbook("an OpenDocument file that is not a spreadsheet",
                            "một tệp OpenDocument không phải bảng tính")
    return file_format, frozenset(flagged)


def _zip_format(name_set: set[str]) -> str:
    """Which workbook format the zip holds, decided on member names only (cheap), before any inflating."""
    if "xl/workbook.xml" in name_set:
        return "xlsx"
    if "xl/workbook.bin" in name_set:
        raise not_workbook(
            "an Excel Binary Workbook (.xlsb)", "một sổ làm việc nhị phân Excel (.xlsb)",
            "Open it in Excel, choose Save As > Excel Workbook (.xlsx), and send it again.",
            "Vui lòng mở bằng Excel, chọn Lưu thành > Sổ làm việc Excel (.xlsx) rồi gửi lại.")
    if "mimetype" in name_set and "content.xml" in name_set:
        return "ods"  # confirmed from the mimetype member later
    if "word/document.xml" in name_set:
        raise not_workbook("a Word document", "một tài liệu Word")
    if "ppt/presentation.xml" in name_set:
        raise not_workbook("a PowerPoint presentation", "một bản trình chiếu PowerPoint")
    raise not_workbook("a zip archive without an Excel workbook inside",
                        "một tệp nén không chứa bảng tính Excel")


def _check_declared_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Declared sizes, from the central directory. Cheap, and catches honest bombs."""
    total = 0
    for i in infos:
        if i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise malformed(f"part '{i.filename}' uses an unsupported compression method "
                             f"({i.compress_type})")
        if i.file_size > MAX_MEMBER_UNCOMPRESSED_BYTES:
            raise too_large_unpacked(
                f"part '{i.filename}' declares {mb(i.file_size)}; the limit per part is "
                f"{mb(MAX_MEMBER_UNCOMPRESSED_BYTES)}",
                f"phần '{i.filename}' khai báo {mb(i.file_size)}; giới hạn mỗi phần là "
                f"{mb(MAX_MEMBER_UNCOMPRESSED_BYTES)}")
        total += i.file_size
        if total > MAX_TOTAL_UNCOMPRESSED_BYTES:
            raise too_large_unpacked(
                f"more than {mb(MAX_TOTAL_UNCOMPRESSED_BYTES)} declared in total",
                f"khai báo tổng cộng hơn {mb(MAX_TOTAL_UNCOMPRESSED_BYTES)}")
        if i.file_size > RATIO_CHECK_MIN_BYTES:
            ratio = i.file_size / max(i.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise too_compressed(i.filename, ratio)


def _check_member_layout(f: BinaryIO, infos: list[zipfile.ZipInfo], size: int) -> dict[str, int]:
    """Where each member's data starts; members must not overlap (a known bomb technique),
    and each member's compressed data must lie inside the file."""
    spans = sorted((i.header_offset, i) for i in infos)
    starts = [s for s, _ in spans] + [size]
    data_starts: dict[str, int] = {}
    for idx, (offset, info) in enumerate(spans):
        if offset < 0 or offset >= size:
            raise malformed(f"part '{info.filename}' starts outside the file")
        header = _read_at(f, offset, 30)
        if len(header) < 30 or not header.startswith(ZIP_LOCAL):
            raise malformed(f"the local header of part '{info.filename}' is missing")
        flags, method = struct.unpack("<HH", header[6:10])
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        if flags & 0x1:
            raise password()
        if method != info.compress_type:
            raise malformed(f"part '{info.filename}' has inconsistent headers")
        raw_name = _read_at(f, offset + 30, name_len)
        if info.orig_filename not in (raw_name.decode("utf-8", "replace"),
                                      raw_name.decode("cp437")):
            raise malformed(f"part '{info.filename}' has inconsistent names")
        data_start = offset + 30 + name_len + extra_len
        data_end = data_start + info.compress_size
        if data_end > size:
            raise malformed(f"part '{info.filename}' is cut off; the file is incomplete")
        if data_end > starts[idx + 1]:
            raise malformed(f"part '{info.filename}' overlaps another part")
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
                raise entity(self.name)
        if self.scan:
            window = self.tail + out
            if _has_entity(window):
                raise entity(self.name)
            # Writers that quote attributes with ' do so from the first line on.
            if self.markers and has_markers(window.lower(), b"='" in self.first):
                self.flagged.add(self.name)
                self.markers = False
            self.tail = window[-_PATTERN_OVERLAP:]

    def _count(self, out: bytes) -> None:
        name, declared = self.name, self.info.file_size
        self.produced += len(out)
        if self.produced > declared:
            raise too_large_unpacked(
                f"part '{name}' unpacks to more than the {declared} bytes it declares",
                f"phần '{name}' giải nén ra nhiều hơn {declared} byte đã khai báo")
        if self.produced > MAX_MEMBER_UNCOMPRESSED_BYTES:  # unreachable given declared check
            raise too_large_unpacked(f"part '{name}' is over the per-part limit",
                                      f"phần '{name}' vượt giới hạn mỗi phần")
        self.budget[0] -= len(out)
        if self.budget[0] < 0:
            raise too_large_unpacked(
                f"more than {mb(MAX_TOTAL_UNCOMPRESSED_BYTES)} in total",
                f"tổng cộng hơn {mb(MAX_TOTAL_UNCOMPRESSED_BYTES)}")
        if self.produced > RATIO_CHECK_MIN_BYTES:
            consumed = self.info.compress_size - self.remaining_in
            ratio = self.produced / max(consumed, 1)
            if ratio > MAX_COMPRESSION_RATIO:
                raise too_compressed(name, ratio)

    def finish(self) -> None:
        if self.scan is None and self.first:
            self.scan = _is_xml_start(self.first)
            if self.scan and _has_entity(self.first):
                raise entity(self.name)
        if self.produced != self.info.file_size:
            raise malformed(f"part '{self.name}' has {self.produced} bytes but declares {self.info.file_size}")
        if self.crc != self.info.CRC:
            raise malformed(f"part '{self.name}' fails its checksum (bad CRC)")


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
        raise malformed(f"part '{info.filename}' is damaged: {exc}") from exc
    check.finish()
    return check.first


def _read_chunk(f: BinaryIO, check: _MemberCheck) -> bytes:
    chunk = f.read(min(_READ_CHUNK, check.remaining_in))
    if not chunk:
        raise malformed(f"part '{check.name}' is cut off; the file is incomplete")
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
        raise malformed(f"part '{check.name}' is cut off or damaged (incomplete data)")
