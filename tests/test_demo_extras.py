"""`make demo` installs what the README's tour uses (issue 17, item 4)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# a command of the tour → the extra it needs
NEEDS = {r"shigen serve": "web", r"--scheduler (tcp://|dask)": "dask",
         r"--format \w+.*netcdf|netcdf": "netcdf"}


def test_make_demo_installs_every_extra_the_readme_tour_uses() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    extras = set(re.search(r"^DEMO_EXTRAS := (.+)$", makefile, re.M).group(1).split(","))  # type: ignore[union-attr]
    assert '-e ".[$(DEMO_EXTRAS)]"' in makefile  # the demo's install line uses them
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert extras <= set(declared["project"]["optional-dependencies"])
    tour = "\n".join(re.findall(r"```sh\n(.*?)```", (ROOT / "README.md").read_text("utf-8"),
                                re.S))
    used = {extra for pattern, extra in NEEDS.items() if re.search(pattern, tour)}
    assert used == {"web", "dask", "netcdf"}, used  # the tour as written today
    assert used <= extras, f"make demo lacks {used - extras}"
