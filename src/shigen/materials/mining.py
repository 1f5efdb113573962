"""Joint production: primary rare earths come as a fixed basket per deposit type.

With a deposit mix ``w_d`` (shares of REO mined) and REO distributions
``c[d, e]`` (``ree-deposit-composition``), one tonne of REO mined yields
``y_e = Σ_d w_d c[d, e] · m_e`` tonnes of element ``e``, where ``m_e`` is the
metal mass fraction of its oxide (from atomic weights). Mining sized to meet the
primary demand ``D_e`` of the sizing element ``k`` is ``M = D_k / y_k`` (``max``:
the largest ``D_e / y_e``, so no element is short); then supply ``M·y_e`` minus
demand gives each element's surplus (> 0) or shortage (< 0) — the balance
problem. Thorium and uranium reporting to residues are ``M · Σ_d w_d r[d, n]``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import xarray as xr

from shigen.errors import InputError, Location
from shigen.materials.config import Mining
from shigen.materials.registry import RARE_EARTHS, oxide_formulae

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

COMPOSITION = "ree-deposit-composition"
RESIDUES = "ree-residue-radionuclides"
WEIGHTS = "element-atomic-weights"


def metal_fraction(cat: Catalogue, element: str) -> float:
    """Mass fraction of metal in the element's reporting oxide (e.g. Nd in Nd2O3)."""
    w = cat.frame(WEIGHTS).set_index("element")["value"]
    n_metal, n_oxygen = oxide_formulae()[element]
    metal = n_metal * float(w[element])
    return metal / (metal + n_oxygen * float(w["oxygen"]))


def yields(cat: Catalogue, cfg: Mining) -> xr.DataArray:
    """Tonnes of each rare-earth element per tonne of REO mined with the deposit mix."""
    # each deposit's shares sum to 1 (to 1e-6): a rule of the dataset, checked at load
    comp = cat.array(COMPOSITION).fillna(0.0)
    missing = [d for d in cfg.deposit_mix if d not in comp["deposit"].values]
    if missing:
        raise InputError(f"no composition for deposit type(s) {missing}",
                         Location(field="materials.mining.deposit_mix"),
                         f"use deposits of dataset '{COMPOSITION}'")
    mix = xr.DataArray(list(cfg.deposit_mix.values()), dims="deposit",
                       coords={"deposit": list(cfg.deposit_mix)})
    reo = (comp.sel(deposit=mix["deposit"]) * mix).sum("deposit")
    elements = [e for e in RARE_EARTHS if e in reo["element"].values]
    frac = xr.DataArray([metal_fraction(cat, e) for e in elements], dims="element",
                        coords={"element": elements})
    out = reo.sel(element=elements) * frac
    out.attrs["units"] = "t/t REO"
    return out


def residues(cat: Catalogue, cfg: Mining) -> xr.DataArray:
    """Tonnes of thorium and uranium in residues per tonne of REO mined with the mix."""
    r = cat.array(RESIDUES).fillna(0.0)
    missing = [d for d in cfg.deposit_mix if d not in r["deposit"].values]
    if missing:
        raise InputError(f"no residue data for deposit type(s) {missing}",
                         Location(field="materials.mining.deposit_mix"),
                         f"use deposits of dataset '{RESIDUES}'")
    mix = xr.DataArray(list(cfg.deposit_mix.values()), dims="deposit",
                       coords={"deposit": list(cfg.deposit_mix)})
    out = (r.sel(deposit=mix["deposit"]) * mix).sum("deposit") / 1000.0
    out.attrs["units"] = "t/t REO"
    return out


def joint_production(primary_demand: xr.DataArray, cat: Catalogue, cfg: Mining) -> xr.Dataset:
    """REO mined, supply, surplus/shortage per element and residues (t).

    ``primary_demand`` has an ``element`` dimension (magnet elements; only rare
    earths count) and any others (region, year, draw). The result's rare-earth
    dimension is ``ree`` (all rare earths of the deposits, not only magnet ones).
    """
    y = yields(cat, cfg)
    ree = [e for e in primary_demand["element"].values if e in y["element"].values]
    demand = primary_demand.sel(element=ree).reindex(element=y["element"].values,
                                                     fill_value=0.0)
    need = xr.where(demand > 0, demand / y.where(y > 0), 0.0)
    if cfg.sized_by == "max":
        unmet = [str(e) for e in ree if float(y.sel(element=e)) == 0.0
                 and float(demand.sel(element=e).max()) > 0]
        if unmet:
            raise InputError(f"deposit mix {cfg.deposit_mix} yields no {unmet}, so no tonnage "
                             "of mining can meet the demand",
                             Location(field="materials.mining.sized_by"),
                             "add a deposit type that contains them or size mining by one "
                             "element (sized_by = \"neodymium\")")
        mined = need.fillna(0.0).max("element")
    else:
        if float(y.sel(element=cfg.sized_by)) == 0.0:
            raise InputError(f"the deposit mix yields no {cfg.sized_by}",
                             Location(field="materials.mining.sized_by"),
                             "size mining by an element the deposits contain")
        mined = need.sel(element=cfg.sized_by, drop=True)
    supply = mined * y
    res = mined * residues(cat, cfg)
    out = xr.Dataset({
        "mined_reo": mined,
        "primary_supply": supply,
        "supply_balance": supply - demand,
        "residue_thorium": res.sel(nuclide="thorium", drop=True) if "thorium" in res["nuclide"]
        else mined * 0.0,
        "residue_uranium": res.sel(nuclide="uranium", drop=True) if "uranium" in res["nuclide"]
        else mined * 0.0,
        "element_yield": y,
    })
    # magnet flows span magnet elements; joint production spans all rare earths
    return out.rename(element="ree")



