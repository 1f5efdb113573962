"""PDF reports: the HTML report printed by headless Chromium.

Chromium is found as ``SHIGEN_CHROMIUM``, else ``chromium`` / ``chromium-browser`` /
``google-chrome`` on the PATH (Debian: ``apt-get install chromium``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from shigen.errors import InputError, RunFailed
from shigen.files import atomic_path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_S = 180


def find_chromium() -> str:
    """Path of a Chromium executable, or an ``InputError`` saying how to get one."""
    env = os.environ.get("SHIGEN_CHROMIUM")
    if env:
        if Path(env).is_file() and os.access(env, os.X_OK):
            return env
        raise InputError(f"SHIGEN_CHROMIUM='{env}' is not an executable file",
                         fix="point SHIGEN_CHROMIUM at a chromium binary or unset it")
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise InputError("PDF reports need Chromium, which was not found",
                     fix="install it (Debian: apt-get install chromium), set SHIGEN_CHROMIUM, "
                         "or use --format html")


def html_to_pdf(html: str, out: Path) -> Path:
    """Print ``html`` to a PDF at ``out`` (written to a temporary name, then renamed)."""
    browser = find_chromium()
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="shigen-pdf-") as tmpdir:
        src = Path(tmpdir) / "report.html"
        src.write_text(html, encoding="utf-8")
        pdf = Path(tmpdir) / "report.pdf"
        cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
               "--disable-dev-shm-usage", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               f"--user-data-dir={tmpdir}/profile", "--no-pdf-header-footer",
               "--run-all-compositor-stages-before-draw", "--virtual-time-budget=20000",
               "--window-size=1100,1400", f"--print-to-pdf={pdf}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S,
                                  check=False)
        except subprocess.TimeoutExpired as exc:
            raise RunFailed(f"Chromium did not finish printing within {TIMEOUT_S} s") from exc
        if proc.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-3:]
            raise RunFailed("Chromium could not print the report: " + " | ".join(tail))
        with atomic_path(out) as tmp:
            shutil.copyfile(pdf, tmp)
    return out
