"""Which commune a cover names: its name matched across every list, never guessed.

Four former communes' names differ from a unit of today's list only by their diacritics
(Mường Sai / Mường Sại, Chiềng Ân / Chiềng An, …), and a name can belong to a commune that no
longer exists. So a name is matched exactly first (diacritics included; the prefix, case, spacing
and Unicode form aside), then without diacritics, against every list; a name that fits more than
one unit, or only a former one, is answered with every candidate and where a former one went
(the crosswalks, pipeline/crosswalk.py), for the cover to reject the file with (cover.py).
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

from pipeline import crosswalk
from pipeline.ingest import reference

# A commune's prefix as written, diacritics kept or not ('Xã', 'xa', 'P.', 'Thị trấn', 'TT.').
_PREFIX = re.compile(r"^(xã|xa|x\.|phường|phuong|p\.|thị trấn|thi tran|tt\.|tt)\s+")
_SPACES = re.compile(r"\s+")


def exact_key(name: object) -> str:
    """The name as written without its prefix, case, spacing or Unicode form: 'XÃ  Mường Sai' -> 'mường sai'."""
    text = unicodedata.normalize("NFC", str(name or "")).lower()
    text = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()
    return _PREFIX.sub("", text).strip()


@dataclass(frozen=True)
class Unit:
    """A commune of some list, and its place on the list in force."""

    code: str
    name: str
    in_force: bool               # in the list the cover's period uses
    ended: dt.date | None        # the first day it no longer existed (former communes)
    today_code: str              # the unit of today's map it went into ('' when not known)
    today_name: str
    mapping: str                 # crosswalk.EXACT / APPROXIMATE / NONE

    def describe(self) -> tuple[str, str]:
        """(English, Vietnamese): the unit with its code, and for a former one where it went."""
        if self.in_force:
            return f"{self.name} (Mã xã {self.code})", f"{self.name} (Mã xã {self.code})"
        return (f"{self.name} (former commune {self.code}, {self.went_to()[0]})",
                f"{self.name} (xã cũ {self.code}, {self.went_to()[1]})")

    def went_to(self) -> tuple[str, str]:
        since = f"{self.ended:%d/%m/%Y}" if self.ended else "?"
        if not self.today_code:
            return (f"no longer exists since {since}; where it went is not known",
                    f"không còn từ {since}; không rõ nay thuộc đơn vị nào")
        part = "part of" if self.mapping == crosswalk.EXACT else "mostly part of"
        part_vi = "thuộc" if self.mapping == crosswalk.EXACT else "phần lớn thuộc"
        return (f"no longer exists since {since}: it is {part} {self.today_name}, Mã xã {self.today_code}",
                f"không còn từ {since}: nay {part_vi} {self.today_name}, Mã xã {self.today_code}")


@dataclass(frozen=True)
class NameMatch:
    how: str                     # 'exact' | 'folded' | 'none'
    units: tuple[Unit, ...]      # one unit per candidate (a former commune that went whole into a
                                 # unit of the same name is that unit)

    @property
    def unit(self) -> Unit | None:
        """The one unit in force the name identifies, else None."""
        return self.units[0] if len(self.units) == 1 and self.units[0].in_force else None


@functools.lru_cache(maxsize=None)
def _units(commune_list: str) -> tuple[Unit, ...]:
    """Every commune of every list once, seen from the list in force `commune_list`: its own communes,
    then former ones (a code with a name no longer on it), each ended the day after its last list."""
    validity = {v.commune_list: v for v in reference.list_validity()}
    current: dict[tuple, Unit] = {}
    former: dict[tuple, Unit] = {}
    for mapped in crosswalk.commune_map():   # lists oldest first: a later list's entry wins
        key = (mapped.commune_code, exact_key(mapped.commune_name))
        today = (mapped.commune_2025_code, mapped.commune_2025_name, mapped.mapping)
        if mapped.commune_list == commune_list:
            current[key] = Unit(mapped.commune_code, mapped.commune_name, True, None, *today)
            continue
        valid_to = validity[mapped.commune_list].valid_to
        ended = valid_to + dt.timedelta(days=1) if valid_to else None
        former[key] = Unit(mapped.commune_code, mapped.commune_name, False, ended, *today)
    return (*current.values(), *(unit for key, unit in former.items() if key not in current))


def _candidates(found: list[Unit]) -> tuple[Unit, ...]:
    """One per unit: a unit in force stands for a former commune of its name that went into it
    (03709 Xã Mường Sại went into 03712 Xã Mường Sại: one candidate, not two)."""
    in_force = {(u.code, exact_key(u.name)) for u in found if u.in_force}
    return tuple(u for u in found if u.in_force or (u.today_code, exact_key(u.name)) not in in_force)


@functools.lru_cache(maxsize=None)
def _by_name(commune_list: str) -> tuple[dict[str, list[Unit]], dict[str, list[Unit]]]:
    """(exact key -> units, folded key -> units) over every list, seen from `commune_list`."""
    exact: dict[str, list[Unit]] = {}
    folded: dict[str, list[Unit]] = {}
    for unit in _units(commune_list):
        exact.setdefault(exact_key(unit.name), []).append(unit)
        folded.setdefault(reference.commune_key(unit.name), []).append(unit)
    return exact, folded


def match_name(name: object, commune_list: str) -> NameMatch:
    """The communes a cover's name fits: exactly (diacritics kept) first, then without diacritics."""
    by_exact, by_folded = _by_name(commune_list)
    exact = by_exact.get(exact_key(name), [])
    if exact:
        in_force = [u for u in exact if u.in_force]
        return NameMatch("exact", _candidates(in_force or exact))
    folded = by_folded.get(reference.commune_key(name), [])
    return NameMatch("folded" if folded else "none", _candidates(folded))


def former_by_code(code: str, commune_list: str) -> list[Unit]:
    """The former communes that had this code (a code not in the list in force)."""
    return [u for u in _units(commune_list) if not u.in_force and u.code == code]


def listing(units) -> tuple[str, str]:
    """The candidates named for the clerk, in English and Vietnamese."""
    described = [u.describe() for u in units]
    return "; ".join(en for en, _ in described), "; ".join(vi for _, vi in described)
