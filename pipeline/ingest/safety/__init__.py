"""Hostile-file gate: decide, with cheap bounded reads, whether an inbox file may be parsed.

Call :func:`inspect` on every file *before* handing it to openpyxl /
python-calamine. It returns the file format ('xlsx', 'xls' or 'ods') or raises
:class:`FileRejected`, whose ``reason`` (English) and ``reason_vi`` (Vietnamese)
go into the ledger as the rejection reason, in words a district clerk can act on.

The format comes from the bytes, never from the file name: a workbook saved as
``.xls`` that is really OOXML comes back as 'xlsx', and readers should dispatch
on the returned format. The checks live in limits.py (the limits and the reasons),
zipped.py (OOXML and OpenDocument) and ole.py (legacy .xls, encrypted .xlsx).

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

from pipeline.ingest.safety.limits import (  # noqa: F401  (the limits, read by tests and the docs)
    MAX_CENTRAL_DIRECTORY_BYTES, MAX_COMPRESSION_RATIO, MAX_FILE_BYTES, MAX_MEMBER_UNCOMPRESSED_BYTES, MAX_MEMBERS,
    MAX_TOTAL_UNCOMPRESSED_BYTES, OLE_MAGIC, RATIO_CHECK_MIN_BYTES, ZIP_EMPTY, ZIP_LOCAL, FileRejected, empty,
    malformed, not_workbook, too_large_on_disk,
)
from pipeline.ingest.safety.ole import inspect_ole
from pipeline.ingest.safety.zipped import inspect_zip


def assert_defusedxml() -> None:
    """Raise RuntimeError unless openpyxl parses XML through defusedxml."""
    import openpyxl

    if not getattr(openpyxl, "DEFUSEDXML", False):
        raise RuntimeError(
            "openpyxl is not using defusedxml (openpyxl.DEFUSEDXML is False): it would "
            "expand XML entities in hostile workbooks. Install the 'defusedxml' package."
        )


@dataclass(frozen=True)
class Inspection:
    file_format: str                            # 'xlsx' (also .xlsm), 'xls' or 'ods'
    # Worksheet members (xlsx) holding a formula or an Excel error value somewhere: only these
    # are read again for cells without a saved value (pipeline/ingest/xmlcells.py).
    flagged: frozenset[str] = frozenset()


def inspect(path: str | os.PathLike) -> Inspection:
    """The file's format and its worksheets with formula/error markers, or raise FileRejected."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise FileRejected(
            f"The file could not be opened ({exc.strerror or exc}).",
            f"Không mở được tệp ({exc.strerror or exc}).",
            "unreadable",
        ) from exc
    if size == 0:
        raise empty()
    if size > MAX_FILE_BYTES:
        raise too_large_on_disk(size)

    with open(path, "rb") as f:
        head = f.read(4096)
        try:
            if head.startswith(ZIP_LOCAL):
                return Inspection(*inspect_zip(f, size))
            if head.startswith(OLE_MAGIC):
                return Inspection(inspect_ole(f))
        except FileRejected:
            raise
        except (OSError, ValueError, EOFError, IndexError, OverflowError, struct.error,
                zlib.error, zipfile.BadZipFile, NotImplementedError, UnicodeError) as exc:
            # Hostile bytes must end as a ledger reason, never as a crash.
            raise malformed(f"{type(exc).__name__}: {exc}") from exc
        if head.startswith(ZIP_EMPTY):
            raise not_workbook("an empty zip archive", "một tệp nén rỗng")
        raise not_workbook(*_sniff(head))


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
