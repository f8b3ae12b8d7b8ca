"""OLE compound files (olefile reads their directory): a legacy .xls, or Excel's wrapper of an encrypted .xlsx."""
from __future__ import annotations

import struct
from typing import BinaryIO

from pipeline.ingest.safety.limits import malformed, not_workbook, password

def inspect_ole(f: BinaryIO) -> str:
    """An OLE compound file (olefile reads it): legacy .xls, or Excel's wrapper of an encrypted .xlsx."""
    import olefile

    f.seek(0)
    try:
        ole = olefile.OleFileIO(f)
    except (OSError, ValueError, IndexError, struct.error) as exc:   # olefile raises these on broken files
        raise malformed(f"the OLE structure is broken: {exc}") from exc
    try:
        names = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
        if {"EncryptionInfo", "EncryptedPackage"} & names or any(n.startswith("\x06DataSpaces") for n in names):
            raise password()
        stream = "Workbook" if "Workbook" in names else "Book" if "Book" in names else None
        if stream is None:
            if "WordDocument" in names:
                raise not_workbook("a Word document (.doc)", "một tài liệu Word (.doc)")
            if "PowerPoint Document" in names:
                raise not_workbook("a PowerPoint presentation", "một bản trình chiếu PowerPoint")
            raise not_workbook("an Office file without an Excel workbook inside",
                                "một tệp Office không chứa bảng tính Excel")
        try:
            head = ole.openstream(stream).read(64 * 1024)
        except (OSError, ValueError, IndexError, struct.error) as exc:
            raise malformed(f"the OLE structure is broken: {exc}") from exc
    finally:
        ole.close()
    _check_biff(head)
    return "xls"


def _check_biff(head: bytes) -> None:
    """The workbook globals must start with BOF; FILEPASS means encrypted."""
    if len(head) < 4:
        raise malformed("the legacy Excel (.xls) workbook stream is empty")
    rtype, rlen = struct.unpack("<HH", head[:4])
    if rtype not in (0x0809, 0x0409, 0x0209, 0x0009):
        raise malformed("the legacy Excel (.xls) workbook stream does not start like a workbook")
    pos = 4 + rlen
    while pos + 4 <= len(head):
        rtype, rlen = struct.unpack("<HH", head[pos:pos + 4])
        if rtype == 0x002F:  # FILEPASS
            raise password()
        if rtype == 0x000A:  # EOF of the globals substream
            return
        pos += 4 + rlen
