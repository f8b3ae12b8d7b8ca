"""Where the communes of today's map are: centre points shipped inside the `vietnamadminunits`
package (MIT; its data/dataset.db, table admin_units = the 34-province map of 2025-07, with
wardLat/wardLon and wardAreaKm2). Read from the installed file with sqlite3: nothing is fetched,
and the package's own modules (which import shapely and geopy) are not imported.

Only points: the package ships no commune boundaries, so the report draws a dot map.
"""
from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import sqlite3
from pathlib import Path

PROVINCE_CODE = "14"   # Sơn La (GSO)


def _dataset() -> Path | None:
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "dataset.db"
    return path if path.exists() else None


def source() -> str | None:
    """'vietnamadminunits 1.0.4' when the coordinates are available."""
    if _dataset() is None:
        return None
    return f"vietnamadminunits {importlib.metadata.version('vietnamadminunits')}"


@functools.cache
def commune_points(province_code: str = PROVINCE_CODE) -> dict[str, tuple[float, float, float | None]]:
    """commune_2025_code -> (longitude, latitude, area km²) of the units of today's map."""
    path = _dataset()
    if path is None:
        return {}
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        found = con.execute("select wardCode, wardLon, wardLat, wardAreaKm2 from admin_units "
                            "where provinceCode = ? and wardLat is not null and wardLon is not null",
                            [province_code]).fetchall()
    finally:
        con.close()
    return {code: (float(lon), float(lat), area) for code, lon, lat, area in found}
