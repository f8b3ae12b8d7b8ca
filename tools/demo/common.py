"""Vocabulary, synthetic people, case amounts and small helpers shared by both eras."""
from __future__ import annotations

import datetime as dt
import random
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

SEED = 20250319

CATEGORIES = [("Hộ nghèo", 0.64), ("Hộ cận nghèo", 0.17), ("Hộ có công", 0.05), ("Hộ khó khăn khác", 0.14)]
NEW, REPAIR = "Xây mới", "Sửa chữa"
NORM = {NEW: 60_000_000, REPAIR: 30_000_000}
CENTRAL = {("Hộ nghèo", NEW): 40_000_000, ("Hộ cận nghèo", NEW): 40_000_000, ("Hộ có công", NEW): 50_000_000,
           ("Hộ khó khăn khác", NEW): 30_000_000, ("Hộ nghèo", REPAIR): 20_000_000,
           ("Hộ cận nghèo", REPAIR): 20_000_000, ("Hộ có công", REPAIR): 25_000_000,
           ("Hộ khó khăn khác", REPAIR): 15_000_000}
DONE, OPEN = "Hoàn thành", "Đang thi công"
PROGRAMMES = {"production": "Phát triển sản xuất", "medical": "Khám chữa bệnh",
              "students": "Hỗ trợ học sinh", "hardship_other": "Hoàn cảnh khó khăn khác"}
SOURCES_ = [("Ngân sách trung ương", 0.45), ("Ngân sách địa phương", 0.35), ("Xã hội hóa", 0.20)]
STEP = 500_000  # every house amount is a multiple: exact in (triệu đồng)
# programme -> (min n, max n, min per-unit factor, max per-unit factor, unit): small monthly grants
GRANT_UNITS = {"production": (1, 4, 30, 60, 100_000), "medical": (3, 25, 25, 45, 10_000),
               "students": (5, 40, 30, 50, 10_000), "hardship_other": (2, 20, 10, 30, 100_000)}

ETHNIC = {  # district -> weights Thái, Mông, Kinh, Mường, Khơ Mú, Dao
    "116": (5, 1, 6, 1, 0, 0), "118": (8, 2, 2, 0, 1, 0), "119": (8, 3, 1, 0, 1, 0),
    "120": (7, 4, 1, 0, 1, 0), "121": (3, 5, 1, 3, 0, 1), "122": (3, 3, 2, 5, 0, 1),
    "123": (3, 4, 4, 1, 0, 2), "124": (6, 3, 2, 0, 1, 1), "125": (6, 2, 3, 0, 2, 0),
    "126": (6, 4, 1, 0, 2, 0), "127": (5, 4, 1, 0, 1, 0), "128": (3, 5, 1, 2, 0, 2)}
ETHNIC_NAMES = ["Thái", "Mông", "Kinh", "Mường", "Khơ Mú", "Dao"]
SURNAMES = {"Thái": ["Lò", "Quàng", "Cầm", "Lường", "Tòng", "Điêu", "Hà", "Vì", "Bạc", "Lù"],
            "Mông": ["Giàng", "Sồng", "Mùa", "Thào", "Vàng", "Lầu", "Hờ", "Sùng"],
            "Kinh": ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ"],
            "Mường": ["Đinh", "Bùi", "Hà", "Xa", "Quách"],
            "Khơ Mú": ["Lò", "Quàng", "Vì", "Lường"],
            "Dao": ["Bàn", "Triệu", "Đặng", "Lý"]}
GIVEN_M = ["Pọm", "Xuân", "Chăm", "Dế", "Páo", "Chứ", "Sinh", "Tiến", "Hùng", "Ban", "Khoa", "Dũng",
           "Chính", "Sáy", "Lử", "Khánh", "Thắng", "Phong", "Sính", "Tồng", "Lả", "Hặc"]
GIVEN_F = ["Ỏn", "Hương", "Lan", "Mai", "Hoa", "Thắm", "Tươi", "Ánh", "Nhè", "Ia", "Pằng", "Xuyến",
           "Bua", "Dợ", "Mỷ", "Chi", "Lả", "Quyên"]
VILLAGES = ["Nà Sài", "Huổi Một", "Pá Sóng", "Co Mạ", "Nà Ban", "Phiêng Lanh", "Hua Mường", "Tà Làng",
            "Pá Khôm", "Nậm Giôn", "Lả Mường", "Bó Mạ", "Nà Hạ", "Co Phường", "Pom Sinh", "Cang Mường",
            "Huổi Lạ", "Kéo Cang", "Nong La", "Pá Mu", "Nà Tén", "Hát Sét"]
NOTES = ["", "", "", "", "", "", "Hộ neo đơn", "Đã nghiệm thu", "Hộ có người khuyết tật", "Vùng sạt lở"]


def strip_diacritics(text: str) -> str:
    s = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", s.replace("đ", "d").replace("Đ", "D"))


def wchoice(rng: random.Random, pairs):
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def month_end(y: int, m: int) -> dt.date:
    return (dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1))


def next_month(y: int, m: int) -> tuple[int, int]:
    return (y + 1, 1) if m == 12 else (y, m + 1)


def months(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, p = [], first
    while p <= last:
        out.append(p)
        p = next_month(*p)
    return out


def q2(x) -> Decimal:
    return Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def split_int(rng: random.Random, total: int, n: int) -> list[int]:
    """n positive integers summing to total."""
    cuts = sorted(rng.sample(range(1, total), n - 1))
    return [b - a for a, b in zip([0] + cuts, cuts + [total])]


class Person:
    """A synthetic household head: name by ethnicity, a CCCD with the marker 99 (never a real one)."""

    def __init__(self, rng: random.Random, district: str):
        eth = rng.choices(ETHNIC_NAMES, weights=ETHNIC[district])[0]
        female = rng.random() < 0.3
        middle = ("Thị" if female else ("A" if eth == "Mông" else "Văn"))
        self.name = f"{rng.choice(SURNAMES[eth])} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"
        self.ethnicity = eth
        born = rng.randint(1945, 2002)
        sexc = (1 if female else 0) + (2 if born >= 2000 else 0)
        self.cccd = f"014{sexc}{born % 100:02d}99{rng.randint(0, 9999):04d}"
        self.village = "Bản " + rng.choice(VILLAGES)


def adjust_to_total(rng: random.Random, cases: list, target: int) -> None:
    """Move local budgets in STEP units until the cases' total support is exactly target."""
    diff = target - sum(c["total"] for c in cases)
    assert diff % STEP == 0
    while diff:
        c = rng.choice(cases)
        delta = STEP if diff > 0 else -STEP
        new_local = c["local"] + delta
        new_total = c["total"] + delta
        if new_local < 0 or new_total > 2 * NORM[c["support"]] or new_total < NORM[c["support"]] // 3:
            continue
        c["local"], c["total"] = new_local, new_total
        diff -= delta


def make_case(rng: random.Random, district: str, commune, start: dt.date, completion, status) -> dict:
    """A house case; `district` picks the ethnic mix of the household (the home district in the commune era).
    For every case that is loaded, funding.py later sets its amounts by source (and, in 2025, its support)."""
    category = wchoice(rng, CATEGORIES)
    support = NEW if rng.random() < 0.62 else REPAIR
    central = CENTRAL[(category, support)]
    if support == NEW:
        local = rng.randint(16, 48) * STEP
        social = 0 if rng.random() < 0.4 else rng.randint(2, 20) * STEP
    else:
        local = rng.randint(6, 24) * STEP
        social = 0 if rng.random() < 0.4 else rng.randint(1, 10) * STEP
    return {"district": district, "commune": commune, "person": Person(rng, district), "category": category,
            "support": support, "central": central, "local": local, "social": social,
            "total": central + local + social, "start": start, "completion": completion, "status": status,
            "note": rng.choice(NOTES)}


def small_grant(rng: random.Random, prog: str) -> tuple[int, int]:
    lo, hi, plo, phi, unit = GRANT_UNITS[prog]
    n = rng.randint(lo, hi)
    return n, n * rng.randint(plo, phi) * unit
