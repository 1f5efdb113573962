"""Convert BEA's summary make and use tables into shigen's ``io-table-usa`` (long CSV).

Source: U.S. Bureau of Economic Analysis, Input-Output Accounts, summary level (71
industries, 73 commodities), **before redefinitions, producers' prices**, year 2023 (2017
benchmark schema), as redistributed unchanged by the U.S. EPA's useeior R package
(GitHub USEPA/useeior, ``data/Summary_Use_2023_PRO_BeforeRedef_17sch.rda`` and
``data/Summary_Make_2023_BeforeRedef_17sch.rda`` plus the code-name tables
``data/Summary_IndustryCodeName_2017.rda`` / ``Summary_ValueAddedCodeName_2017.rda``;
commit 1565a70b7da2e50ff7ab5fc344fc0ba95f307a8a). BEA data are U.S. Government works in
the public domain. Values are million USD.

What it does: builds industry-by-industry flows with the industry-technology assumption
(:func:`shigen.economy.iotable.industry_by_industry`, BEA's own convention for its
industry-by-industry tables), and writes long rows ``row, column, value`` with a
``row_kind`` column: ``industry`` (flows), ``other-input`` (purchases of commodities no
U.S. industry makes: non-comparable imports, used goods) and ``value-added`` (BEA's V001
compensation, V002 taxes less subsidies, V003 gross operating surplus). Every column then
adds up to the industry's output in BEA's table (checked below).

Rerun (reading .rda files needs the ``rdata`` package, ``pip install rdata``; it is not a
dependency of shigen)::

    git clone https://github.com/USEPA/useeior && git -C useeior checkout 1565a70b
    python scripts/convert_bea_io.py useeior/data --out io_table_usa.csv
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from shigen.economy.iotable import industry_by_industry  # noqa: E402

YEAR = 2023
USE = f"Summary_Use_{YEAR}_PRO_BeforeRedef_17sch"
MAKE = f"Summary_Make_{YEAR}_BeforeRedef_17sch"
INDUSTRY_NAMES = "Summary_IndustryCodeName_2017"
VA_NAMES = "Summary_ValueAddedCodeName_2017"


def read_rda(folder: Path, name: str) -> pd.DataFrame:
    import rdata  # one-off conversion: not a dependency of shigen

    frame = rdata.read_rda(str(folder / f"{name}.rda"))[name]
    frame.index = [str(i) for i in frame.index]
    frame.columns = [str(c) for c in frame.columns]
    return frame


def slug(code: str, name: str) -> str:
    return f"{code}-" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def convert(folder: Path) -> pd.DataFrame:
    use, make = read_rda(folder, USE), read_rda(folder, MAKE)
    names = read_rda(folder, INDUSTRY_NAMES)
    industries = [str(c) for c in names.iloc[:, 0]]
    label = {c: slug(c, str(n)) for c, n in zip(names.iloc[:, 0], names.iloc[:, 1],
                                                strict=True)}
    va_names = read_rda(folder, VA_NAMES)
    va_codes = [str(c) for c in va_names.iloc[:, 0]]
    va_label = {c: slug(c, str(n)) for c, n in zip(va_names.iloc[:, 0], va_names.iloc[:, 1],
                                                   strict=True)}
    # commodities: the use table's rows before its totals (73, incl. Used and Other)
    commodities = [r for r in use.index if r not in ("Total Intermediate", *va_codes,
                                                     "Total Value Added",
                                                     "Total Industry Output")]
    v = make.reindex(index=industries, columns=commodities).fillna(0.0).to_numpy(float)
    u = use.reindex(index=commodities, columns=industries).fillna(0.0).to_numpy(float)
    z = industry_by_industry(v, u)
    output = use.loc["Total Industry Output", industries].to_numpy(float)
    inter = use.loc["Total Intermediate", industries].to_numpy(float)
    va = use.loc[va_codes, industries].to_numpy(float)
    other = inter - z.sum(axis=0)       # commodities no industry makes (q = 0)
    gap = z.sum(axis=0) + other + va.sum(axis=0) - output
    if np.abs(gap).max() > 1.0:         # BEA tables are rounded to USD 1 M
        raise SystemExit(f"columns do not add up to industry output: max gap {gap.max()}")
    rows = []
    for i, ri in enumerate(industries):
        for j, cj in enumerate(industries):
            if z[i, j] != 0.0:
                rows.append((label[ri], label[cj], z[i, j], "industry"))
    for j, cj in enumerate(industries):
        if abs(other[j]) > 1e-9:
            rows.append(("other-inputs", label[cj], other[j], "other-input"))
        for k, code in enumerate(va_codes):
            rows.append((va_label[code], label[cj], va[k, j], "value-added"))
    out = pd.DataFrame(rows, columns=["row", "column", "value", "row_kind"])
    # BEA publishes whole million USD; a split flow keeps one decimal (USD 0.1 M)
    out["value"] = out["value"].round(1)
    out["unit"] = "MUSD"
    return out[["row_kind", "row", "column", "value", "unit"]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path, help="useeior's data/ folder (the .rda files)")
    ap.add_argument("--out", type=Path, default=Path("io_table_usa.csv"))
    args = ap.parse_args()
    frame = convert(args.folder)
    frame.to_csv(args.out, index=False)
    print(f"{args.out}: {len(frame)} rows")


if __name__ == "__main__":
    main()
