"""Which unit sent a report: the cover's unit labels (code, name, or the office in Đơn vị báo cáo), never guessed.

A name is matched against every list (units.py): a name that fits one unit in force is that unit;
one that fits a former commune, or several units, rejects the file naming every candidate and
where a former one went; a code and a name naming two units reject it (one unit's figures are
never credited to another); a name that fits no unit at all is a warning, the code wins.
"""
from __future__ import annotations

from pipeline.ingest import reference, units
from pipeline.ingest.problem import CoverError, CoverWarning
from pipeline.rulebook import reading
from pipeline.text import cell_text, fold


def district(values: dict[str, object]) -> tuple[str, list[CoverWarning]]:
    code_value, name_value = values.get("district_code"), values.get("district_name")
    code = None
    if code_value is not None:
        try:
            code = reference.normalise_code(code_value, 3)
        except ValueError:
            raise CoverError(
                f"district code '{cell_text(code_value)}' is not a 3-digit code",
                f"mã huyện '{cell_text(code_value)}' không phải mã 3 chữ số",
            ) from None
    name = cell_text(name_value) if name_value is not None else None
    district, mismatch = reference.find_district(code, name)
    if district is None:
        shown = code or name
        raise CoverError(
            f"unknown district '{shown}': not a district of Son La",
            f"huyện '{shown}' không có trong danh mục tỉnh Sơn La",
        )
    warnings = []
    if mismatch:
        _other_district(district, name, _written_as(values, "district", name))
        warnings.append(CoverWarning(mismatch, f"tên huyện '{name}' không khớp mã {district}; dùng theo mã",
                                     reading.COVER_NAME_MATCHES_CODE))
    return district, warnings


def _other_district(code: str, name: str, written: tuple[str, str]) -> None:
    """Mã huyện and Tên huyện naming two districts: the code's is not credited with another's figures.
    written: (label, value), the name as the clerk wrote it ('Tên huyện', 'X')."""
    districts = reference.all_district_codes()
    other = [c for c, n in districts.items() if c != code and reference.district_key(n) == reference.district_key(name)]
    if other:
        label, shown = written
        raise CoverError(
            f"the cover names two districts: Mã huyện {code} is {districts[code]}, but {label} '{shown}' is "
            f"{districts[other[0]]} (Mã huyện {other[0]}); which one sent the report is not ours to guess: correct "
            f"Mã huyện or {label}",
            f"trang bìa ghi hai huyện khác nhau: Mã huyện {code} là {districts[code]}, nhưng {label} '{shown}' là "
            f"{districts[other[0]]} (Mã huyện {other[0]}); hãy sửa Mã huyện hoặc {label} cho đúng")


# 'UBND xã Mường Chiên', 'Ủy ban nhân dân phường Tô Hiệu', 'UBND huyện Mai Sơn' (folded words)
_OFFICE_WORDS = (("ubnd",), ("uy", "ban", "nhan", "dan"))
_COMMUNE_WORDS = ("xa", "phuong", "thi tran", "tt", "tt.", "x.", "p.")
_DISTRICT_WORDS = ("huyen", "thi xa", "thanh pho", "tp", "tp.")
# A unit named by its office is quoted as the clerk wrote it: cover.cover_values keeps the office's label as
# written under this key of the cover's values, named_by_office the office as written under '<kind>_name_office'.
OFFICE_LABEL = "reporting_unit_label"


def office_as_written(values: dict[str, object], key: str) -> tuple[str, str] | None:
    """(label, office) as the clerk wrote them ('Đơn vị báo cáo', 'UBND xã X') where the cover named this kind
    of unit ('commune', 'district') only by its office, else None."""
    office = values.get(f"{key}_name_office")
    return None if office is None else (str(values.get(OFFICE_LABEL) or "Đơn vị báo cáo"), str(office))


def _written_as(values: dict[str, object], key: str, name: str) -> tuple[str, str]:
    """(label, value): the name as the clerk wrote it, under the label used: ('Tên xã', 'X') or
    ('Đơn vị báo cáo', 'UBND xã X')."""
    return office_as_written(values, key) or (("Tên xã" if key == "commune" else "Tên huyện"), name)


def named_by_office(values: dict[str, object]) -> None:
    """A cover naming its unit by its office (Đơn vị báo cáo: UBND xã …): the commune's or district's
    name, where the cover gives no name of that kind of unit; beside a code it is checked against the
    code like a written name (a neighbour's template with its code kept is not credited to that code)."""
    office = values.get("reporting_unit")
    if not isinstance(office, str):
        return
    words = office.split()
    folded = [fold(word) for word in words]
    for prefix in _OFFICE_WORDS:
        if tuple(folded[:len(prefix)]) == prefix:
            words, folded = words[len(prefix):], folded[len(prefix):]
            break
    text = " ".join(folded)
    if any(text.startswith(w + " ") for w in _COMMUNE_WORDS):
        key = "commune"
    elif any(text.startswith(w + " ") for w in _DISTRICT_WORDS):
        key = "district"
    else:
        return
    if values.get(f"{key}_name") is None:
        values[f"{key}_name"] = " ".join(words)
        values[f"{key}_name_office"] = " ".join(office.split())


def commune(values: dict[str, object]) -> tuple[str, list[CoverWarning]]:
    """The submitting commune (today's list: communes only report from 2025-07), with a name warning."""
    code_value, name_value = values.get("commune_code"), values.get("commune_name")
    code = None
    if code_value is not None:
        try:
            code = reference.normalise_code(code_value, 5)
        except ValueError:
            raise CoverError(f"commune code (Mã xã) '{cell_text(code_value)}' is not a 5-digit code",
                             f"Mã xã '{cell_text(code_value)}' không phải mã 5 chữ số") from None
    name = cell_text(name_value) if name_value is not None else None
    commune_list = reference.list_for_month(reference.COMMUNE_ERA)
    if code is None:
        return _commune_by_name(name, commune_list), []
    commune = reference.unit_list(commune_list).communes.get(code)
    if commune is None:
        raise _unknown_code(code)
    return code, (_name_against_code(name, commune, commune_list, _written_as(values, "commune", name)) if name else [])


def _unknown_commune(shown: str) -> CoverError:
    return CoverError(f"unknown commune '{shown}': not one of Son La's 75 communes in force since 01/07/2025",
                      f"xã '{shown}' không có trong danh mục 75 xã, phường của tỉnh Sơn La từ 01/07/2025")


def _unknown_code(code: str) -> CoverError:
    former = units.former_by_code(code, reference.list_for_month(reference.COMMUNE_ERA))
    if not former:
        return _unknown_commune(code)
    went, went_vi = former[0].went_to()
    return CoverError(f"unknown commune '{code}': Mã xã {code} was {former[0].name}, which {went}; give the Mã xã "
                      "of the commune that sends the report",
                      f"xã '{code}' không có trong danh mục: Mã xã {code} là của {former[0].name}, {went_vi}; hãy ghi "
                      "Mã xã của xã gửi báo cáo")


def _commune_by_name(name: str, commune_list: str) -> str:
    """The commune a cover names without a code: the one unit in force the name fits, else rejected
    with every candidate (and where a former one went)."""
    match = units.match_name(name, commune_list)
    if match.unit is not None:
        return match.unit.code
    if not match.units:
        raise _unknown_commune(name)
    if len(match.units) == 1:   # only a commune that no longer exists
        unit = match.units[0]
        went, went_vi = unit.went_to()
        raise CoverError(
            f"{unit.name} {went}. Its figures are reported by the commune it is part of now, with that "
            "commune's name and Mã xã on the cover",
            f"{unit.name} {went_vi}. Số liệu của xã này do xã mới báo cáo, ghi tên và Mã xã của xã mới trên trang bìa")
    listed, listed_vi = units.listing(match.units)
    raise CoverError(
        f"the commune name '{name}' on the cover fits {len(match.units)} communes: {listed}. Which one sent the "
        "report is not ours to guess: write the name with its diacritics, or give Mã xã",
        f"tên xã '{name}' trên trang bìa ứng với {len(match.units)} xã: {listed_vi}. Hãy ghi tên xã có đủ dấu, hoặc "
        "ghi Mã xã")


def _name_against_code(name: str, commune: reference.Commune, commune_list: str,
                       written: tuple[str, str]) -> list[CoverWarning]:
    """Tên xã against Mã xã: the code's commune (or a former commune now part of it) is fine; another unit
    rejects the file (a neighbour's template reused); a name of no unit at all is a warning, the code wins.
    written: (label, value), the name as the clerk wrote it ('Tên xã', 'X'; 'Đơn vị báo cáo', 'UBND xã X')."""
    match = units.match_name(name, commune_list)
    if any(u.in_force and u.code == commune.code for u in match.units):
        return []
    former = [u for u in match.units if not u.in_force and u.today_code == commune.code]
    if former:
        went, went_vi = former[0].went_to()
        return [CoverWarning(
            f"commune name '{name}' is a former commune, {former[0].name}, which {went}; Mã xã {commune.code} is used",
            f"tên xã '{name}' là xã cũ {former[0].name}, {went_vi}; dùng theo Mã xã {commune.code}",
            reading.COVER_NAME_MATCHES_CODE)]
    if match.units:
        listed, listed_vi = units.listing(match.units)
        label, shown = written
        raise CoverError(
            f"the cover names two communes: Mã xã {commune.code} is {commune.name}, but {label} '{shown}' is "
            f"{listed}. One commune's figures are never credited to another: correct Mã xã or {label}",
            f"trang bìa ghi hai xã khác nhau: Mã xã {commune.code} là {commune.name}, nhưng {label} '{shown}' là "
            f"{listed_vi}. Hãy sửa Mã xã hoặc {label} cho đúng")
    mismatch = f"commune name '{name}' does not match code {commune.code} ({commune.name}); the code is used"
    return [CoverWarning(mismatch, f"tên xã '{name}' không khớp Mã xã {commune.code}; dùng theo mã",
                         reading.COVER_NAME_MATCHES_CODE)]
