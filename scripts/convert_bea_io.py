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

It also writes ``io-dependent-share-usa`` (``--shares``): for each row of
``io-entry-usa``, the share of the summary industry's output made by the BEA *detail*
industries (2017 benchmark, 402 industries: ``Detail_Use_2017_PRO_BeforeRedef_17sch.rda``
and ``Detail_IndustryCodeName_2017.rda``) whose products use the commodity — the
granularity of the USGS's 402-industry allocation. The detail industries of each row are
in ``DEPENDENT`` below, with the end use they stand for.

Rerun (reading .rda files needs the ``rdata`` package, ``pip install rdata``; it is not a
dependency of shigen)::

    git clone https://github.com/USEPA/useeior && git -C useeior checkout 1565a70b
    python scripts/convert_bea_io.py useeior/data --out io_table_usa.csv
        --shares io_dependent_share_usa.csv     (one command line)
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
DETAIL_USE = "Detail_Use_2017_PRO_BeforeRedef_17sch"
DETAIL_NAMES = "Detail_IndustryCodeName_2017"
DETAIL_OUTPUT = "T008"   # total industry output row of the detail use table
# summary industry -> the prefixes of its detail codes (BEA 2017 schema)
SUMMARY_PREFIXES = {"3361MV": ("3361", "3362", "3363")}
# (commodity, summary industry) -> (detail industries that use it, the end use they stand
# for); the end uses are those of io_entry_usa.csv (USGS Mineral Commodity Summaries)
DEPENDENT: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("gallium", "334"): (("334413",), "GaAs/GaN ICs, LEDs, laser diodes, photodetectors, "
                         "solar cells: semiconductor and related devices"),
    ("gallium", "331"): (("331490",), "specialty alloys: nonferrous (except copper, "
                         "aluminum) rolling, drawing, extruding and alloying"),
    ("germanium", "333"): (("333314",), "infrared optics: optical instrument and lens "
                           "manufacturing"),
    ("germanium", "335"): (("335920",), "fibre optics: communication and energy wire and "
                           "cable (fibre-optic cable, NAICS 335921)"),
    ("germanium", "334"): (("334413",), "solar cells and detectors: semiconductor and "
                           "related devices"),
    ("germanium", "325"): (("325211",), "PET polymerization catalysts: plastics material "
                           "and resin"),
    ("graphite", "327"): (("327100",), "refractories: clay product and refractory"),
    ("graphite", "3361MV"): (("3363A0",), "brake linings: steering, suspension and brake "
                             "systems"),
    ("graphite", "331"): (("331510", "331520"), "foundry dressings and molds: ferrous and "
                          "nonferrous foundries"),
    ("graphite", "324"): (("324190",), "lubricants: other petroleum and coal products "
                          "(lubricating oils and greases, NAICS 324191)"),
    ("graphite", "335"): (("335911", "335991"), "batteries and other: storage batteries, "
                          "carbon and graphite products"),
    ("antimony", "326"): (("326110", "326120", "326130", "326140", "326150", "326160",
                           "326190"), "flame retardants in plastics: all plastics products "
                          "(rubber products excluded)"),
    ("antimony", "335"): (("335911",), "antimonial lead: storage batteries"),
    ("antimony", "332"): (("33299A",), "ammunition, arms, ordnance and accessories"),
    ("antimony", "327"): (("327100", "327200"), "ceramics and glass: clay products, glass "
                          "and glass products"),
}
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


def dependent_shares(folder: Path, entry: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``entry``: the detail industries' share of the summary industry's output.

    The detail industries are those that use the commodity (``DEPENDENT``); year 2017.
    """
    use = read_rda(folder, DETAIL_USE)
    names = read_rda(folder, DETAIL_NAMES)
    name = dict(zip((str(c) for c in names.iloc[:, 0]), (str(n) for n in names.iloc[:, 1]),
                    strict=True))
    output = use.loc[DETAIL_OUTPUT].drop(
        [c for c in use.columns if not c[:1].isdigit()], errors="ignore").astype(float)
    rows = []
    for commodity, industry in zip(entry["commodity"], entry["industry"], strict=True):
        code = str(industry).split("-")[0]
        details, what = DEPENDENT[(commodity, code)]
        prefixes = SUMMARY_PREFIXES.get(code, (code,))
        total = float(output[[c for c in output.index if c.startswith(prefixes)]].sum())
        part = float(output[list(details)].sum())
        listed = "; ".join(f"{d} {name[d]} ({output[d]:,.0f})" for d in details)
        rows.append((commodity, industry, round(part / total, 4), "fraction", "verified",
                     f"{what}. BEA 2017 detail use table, total industry output, million "
                     f"USD: {listed} of {total:,.0f} in summary industry {code}"))
    return pd.DataFrame(rows, columns=["commodity", "industry", "value", "unit", "status",
                                       "note"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", type=Path, help="useeior's data/ folder (the .rda files)")
    ap.add_argument("--out", type=Path, default=Path("io_table_usa.csv"))
    ap.add_argument("--shares", type=Path, help="also write io_dependent_share_usa.csv for "
                    "the rows of --entry")
    ap.add_argument("--entry", type=Path, default=Path(__file__).resolve().parents[1]
                    / "src/shigen/datasets/data/io_entry_usa.csv")
    args = ap.parse_args()
    frame = convert(args.folder)
    frame.to_csv(args.out, index=False)
    print(f"{args.out}: {len(frame)} rows")
    if args.shares:
        shares = dependent_shares(args.folder, pd.read_csv(args.entry))
        shares.to_csv(args.shares, index=False)
        print(f"{args.shares}: {len(shares)} rows")


if __name__ == "__main__":
    main()
