"""The example notebook runs (offline, on the session's flagship run) and shows rich results."""

from __future__ import annotations

from pathlib import Path

# part of what `make test` installs: missing, the test fails rather than skips
import ipykernel  # noqa: F401
import nbclient
import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "docs" / "notebooks" / "flagship-rare-earths.ipynb"


def test_flagship_notebook_answers_its_question(flagship_home, monkeypatch) -> None:
    """Executed top to bottom in a fresh kernel; the run is a cache hit of the session's."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    text = "".join(o.get("text", "") for o in outputs)
    # the run displays through the registry: labels and units, no raw keys, warnings
    assert "Import HHI · rare-earths · 2009" in html and "Gt CO2/year" in html
    assert "co2_gt" not in html and "Before you quote a number" in html
    # the seed question's answer, as the run's JSON has it (CHN 85.49 % of Japan's 2009
    # imports, Ministry of Finance)
    ree = flagship_home.summary["supply"]["commodities"]["rare-earths"]["2009"]
    assert ree["top_supplier"] == "CHN" and ree["top_supplier_share"] == pytest.approx(0.8549)
    assert "Top supplier's share: 0.855 fraction" in text and "top supplier: CHN" in text
    assert "japan-ree-imports" in text
