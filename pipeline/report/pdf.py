"""The report page printed to PDF by headless Chromium (Debian's `chromium`; `$PIPELINE_CHROMIUM`
names another binary). The page itself fetches nothing; the flags keep the browser from
reaching out on its own (updates, sync, safe browsing) and a fresh profile is used each time.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from pipeline import files

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
# --single-process --no-zygote: one process instead of browser + zygote + renderer + utilities.
# Measured printing one page: the same PDF text, peak RSS of the process tree ~405 MB instead
# of ~1,170 MB (it was the load's peak), and no slower.
# --disable-software-rasterizer and V8 sized for a page without scripts: ~20-40 MB less at the
# peak (~460 -> ~430 MB on the benchmark's report), the same pages (pdftoppm), no slower.
# Tried and not kept (no change in peak RSS): --num-raster-threads=1, --disable-gpu-compositing,
# --enable-low-end-device-mode, --js-flags=--lite-mode/--jitless, --window-size, fewer features.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--disable-extensions", "--no-pdf-header-footer",
         "--single-process", "--no-zygote", "--disable-software-rasterizer",
         "--js-flags=--optimize-for-size --max-semi-space-size=1 --single-threaded-gc"]
TIMEOUT_S = 180


class PdfUnavailable(RuntimeError):
    """No Chromium to print with (the HTML report is still written)."""


def find_chromium() -> str:
    named = os.environ.get("PIPELINE_CHROMIUM")
    if named:
        if not (Path(named).is_file() and os.access(named, os.X_OK)):
            raise PdfUnavailable(f"PIPELINE_CHROMIUM={named} is not an executable file")
        return named
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfUnavailable("no Chromium found to print the PDF with (Debian: apt-get install chromium; "
                         "or set PIPELINE_CHROMIUM)")


def print_pdf(html_path: Path, pdf_path: Path, chromium: str | None = None, timeout: int = TIMEOUT_S) -> Path:
    """Print html_path (a local file) to pdf_path, replacing it atomically. Raises PdfUnavailable
    without a browser, RuntimeError when the browser fails."""
    binary = chromium or find_chromium()
    with files.atomic_output(pdf_path) as temp, tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        command = [binary, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={temp}",
                   html_path.resolve().as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  env={**os.environ, "HOME": profile})
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"chromium did not print the PDF within {timeout} s") from error
        if done.returncode != 0 or not temp.exists() or temp.read_bytes()[:5] != b"%PDF-":
            raise RuntimeError(f"chromium could not print the PDF (exit {done.returncode}): {done.stderr[-2000:]}")
    return pdf_path
