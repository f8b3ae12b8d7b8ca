"""A real spreadsheet program accepts the templates: LibreOffice Calc (Debian's libreoffice-calc,
which scripts/test installs where missing) opens one headless, with its own throw-away profile, and
  - converts it to PDF without error; pdftoppm turns the houses page into a PNG kept in
    tests/artifacts/template_houses.png (committed: what a clerk sees);
  - saves it again as .xlsx through its own writer: every dropdown, check, name and protection
    the template carries comes back, so LibreOffice read them all (none dropped as unknown).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pipeline.templates import build
from templates_small import write_small_warehouse

pytestmark = pytest.mark.slow   # a real office program (as the browser tests)

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lo")
    run = build.build_templates(dt.date(2025, 1, 1), write_small_warehouse(root), root / "out",
                                today=dt.date(2026, 12, 2))
    return run.files["116"]


def soffice(source: Path, out_dir: Path, target: str, profile: Path) -> subprocess.CompletedProcess:
    assert SOFFICE, "LibreOffice is not installed (scripts/test installs libreoffice-calc)"
    return subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                           "--convert-to", target, "--outdir", str(out_dir), str(source)],
                          capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(profile)})


def test_libreoffice_converts_a_template_to_pdf(template, tmp_path):
    result = soffice(template, tmp_path, "pdf", tmp_path / "profile")
    pdf = tmp_path / (template.stem + ".pdf")
    assert result.returncode == 0 and pdf.exists(), (result.stdout, result.stderr)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("Mã huyện", "Thành phố Sơn La", "01/2025", "Mã hộ", "Tình trạng", "A1", "Đang thi công",
                     "40,000,000", "Phường Chiềng Lề", "Hộ nghèo"):
        assert expected in text, expected
    pages = text.count("\f")
    houses_page = next(i for i, page in enumerate(text.split("\f"), start=1) if "Mã hộ" in page)
    ARTIFACTS.mkdir(exist_ok=True)
    # the top of the page (title, header, the pre-filled rows) at a readable size
    subprocess.run(["pdftoppm", "-png", "-r", "130", "-x", "0", "-y", "60", "-W", "1520", "-H", "260",
                    "-f", str(houses_page), "-l", str(houses_page), "-singlefile",
                    str(pdf), str(ARTIFACTS / "template_houses")], check=True)
    png = ARTIFACTS / "template_houses.png"
    assert png.exists() and png.stat().st_size > 5_000 and pages >= 4


def test_libreoffice_keeps_every_check(template, tmp_path):
    out = tmp_path / "saved"
    result = soffice(template, out, "xlsx:Calc MS Excel 2007 XML", tmp_path / "profile")
    assert result.returncode == 0, (result.stdout, result.stderr)
    original, saved = openpyxl.load_workbook(template), openpyxl.load_workbook(out / template.name)
    assert saved.sheetnames == original.sheetnames
    ours_with_two = {"whole", "decimal", "date"}   # between minimum and maximum
    for name in original.sheetnames:
        # (LibreOffice writes a formula2 of 0 where a check has none)
        theirs = {(str(d.sqref), d.type, d.formula1, d.formula2 if d.type in ours_with_two else None, d.prompt,
                   d.promptTitle, d.error, d.errorTitle) for d in saved[name].data_validations.dataValidation}
        ours = {(str(d.sqref), d.type, d.formula1, d.formula2, d.prompt, d.promptTitle, d.error, d.errorTitle)
                for d in original[name].data_validations.dataValidation if d.type}
        assert ours <= theirs, (name, ours - theirs)
        assert saved[name].protection.sheet
    names = {d.name: d.attr_text for d in saved.defined_names.values()}
    assert names["ds_ma_xa"] == "'Danh mục xã'!$A$2:$A$13" and names["ds_ten_xa"] == "'Danh mục xã'!$B$2:$B$13"
    cover = saved["Thông tin"]
    assert not cover["B7"].protection.locked and not cover["B8"].protection.locked and cover["B3"].protection.locked
