"""The fast expression path (shigen.energy.terms) builds the same LP as linopy's algebra.

Reference objectives (bn USD 2005, present value incl. sunk O&M) were computed by the
code without it (main at commit b022fa5, linopy expressions throughout; extracted with
``git archive b022fa5``) with::

    PYTHONPATH=src python -c "from pathlib import Path; from shigen.datasets import Catalogue;
    from shigen.energy.model import run_model; from shigen.study import load_study;
    [print(n, repr(run_model(load_study(Path('studies')/f'{n}.toml').energy,
     Catalogue.bundled()).objective)) for n in ('etp2008-blue', 'etp2008-baseline',
     'etp2008-act', 'japan-nnes-2006')]"

Tolerance 1e-6 relative: the LP is the same, HiGHS may stop at another optimal vertex.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shigen.energy.model import Status

ROOT = Path(__file__).resolve().parents[1]

REFERENCE = {
    "etp2008-blue": 56728.0244585491,
    "etp2008-baseline": 59397.489677008016,
    "etp2008-act": 56200.50930766624,
    "japan-nnes-2006": 2525.0655025870947,
}


# one worker solves each study once for this file and test_energy_invariants.py
pytestmark = pytest.mark.xdist_group("energy-solves")


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_energy_objective_unchanged_by_build_path(name: str, solved_energy: Any) -> None:
    out = solved_energy(name)
    assert out.status is Status.OPTIMAL
    assert out.objective == pytest.approx(REFERENCE[name], rel=1e-6)
