"""The hostile-file gate's limits (the ONLY place they are set) and its reasons, in words a clerk can act on.

Each reason builder returns a FileRejected whose ``reason`` (English) and ``reason_vi``
(Vietnamese) go into the ledger.
"""
from __future__ import annotations

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

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_LOCAL = b"PK\x03\x04"
ZIP_EMPTY = b"PK\x05\x06"


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


# Reasons (English + Vietnamese), one builder per problem.
def mb(n: int) -> str:
    return f"{n / MB:.1f} MB"


def empty() -> FileRejected:
    return FileRejected(
        "The file is empty (0 bytes), so it is not an Excel workbook. Please send the workbook again.",
        "Tệp rỗng (0 byte) nên không phải là bảng tính Excel. Vui lòng gửi lại bảng tính.",
        "empty",
    )


def too_large_on_disk(size: int) -> FileRejected:
    return FileRejected(
        f"The file is too large ({mb(size)}; the limit is {mb(MAX_FILE_BYTES)}). "
        "Remove pictures and unused sheets, save, and send it again.",
        f"Tệp quá lớn ({mb(size)}; giới hạn là {mb(MAX_FILE_BYTES)}). "
        "Vui lòng xóa hình ảnh và các trang tính không dùng, lưu lại rồi gửi lại.",
        "too_large",
    )


def not_workbook(what: str, what_vi: str, hint: str = "", hint_vi: str = "") -> FileRejected:
    hint = hint or "Please send the report as an Excel workbook (.xlsx)."
    hint_vi = hint_vi or "Vui lòng gửi báo cáo dưới dạng bảng tính Excel (.xlsx)."
    return FileRejected(
        f"The file is not an Excel workbook (it is {what}). {hint}",
        f"Tệp không phải là bảng tính Excel (đây là {what_vi}). {hint_vi}",
        "not_workbook",
    )


def password() -> FileRejected:
    return FileRejected(
        "The workbook is password-protected (encrypted), so it cannot be read. "
        "Open it in Excel, remove the password (File > Info > Protect Workbook > "
        "Encrypt with Password, clear the box), save, and send it again.",
        "Bảng tính được đặt mật khẩu (đã mã hóa) nên không đọc được. "
        "Vui lòng mở bằng Excel, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ Sổ làm việc > "
        "Mã hóa bằng Mật khẩu, xóa mật khẩu), lưu lại rồi gửi lại.",
        "password",
    )


def malformed(detail: str) -> FileRejected:
    return FileRejected(
        f"The file is damaged or incomplete: a malformed Excel archive ({detail}). "
        "Open it in Excel, save it again, and send the new file.",
        f"Tệp bị hỏng hoặc không đầy đủ: tệp nén Excel bị lỗi ({detail}). "
        "Vui lòng mở bằng Excel, lưu lại rồi gửi tệp mới.",
        "malformed",
    )


def too_large_unpacked(detail: str, detail_vi: str) -> FileRejected:
    return FileRejected(
        f"The workbook is too large when unpacked ({detail}); it may be a 'zip bomb', "
        "so it was not opened. A normal district report is far smaller: send a copy "
        "with only the report sheets.",
        f"Bảng tính quá lớn khi giải nén ({detail_vi}); có thể là 'bom nén' (zip bomb) "
        "nên không được mở. Báo cáo bình thường nhỏ hơn nhiều: vui lòng gửi bản chỉ "
        "gồm các trang tính báo cáo.",
        "zip_bomb",
    )


def too_compressed(name: str, ratio: float) -> FileRejected:
    return FileRejected(
        f"The workbook looks like a 'zip bomb': part '{name}' is compressed {ratio:.0f} "
        f"times (the limit is {MAX_COMPRESSION_RATIO}), so it is too large when unpacked "
        "and was not opened. Open it in Excel, save it as a new .xlsx, and send it again.",
        f"Bảng tính có dấu hiệu 'bom nén' (zip bomb): phần '{name}' bị nén {ratio:.0f} lần "
        f"(giới hạn là {MAX_COMPRESSION_RATIO}) nên quá lớn khi giải nén và không được mở. "
        "Vui lòng mở bằng Excel, lưu thành tệp .xlsx mới rồi gửi lại.",
        "zip_bomb",
    )


def entity(name: str) -> FileRejected:
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
