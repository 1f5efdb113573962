"""Hypothesis strategies for *valid* study files, for the API's job submission.

schemathesis generates requests from the OpenAPI schema; a study file is a string there
(format ``shigen-study``), and a random string is not a study. These strategies draw
studies that validate and run in a few seconds (supply and materials sections over
bundled data), so submitted jobs exercise the whole path: validation, queue, worker,
store, and the run's documents.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

# commodity -> years in which at least one stage of its chain has bundled data
# (the supply stage refuses a commodity with no data in any of the study's years)
SUPPLY_YEARS = {"rare-earths": [2009, 2010, 2023], "uranium": [2010, 2015],
                "crude-oil": [2023], "lng": [2022, 2023], "coal": [2024]}
ELEMENTS = ["neodymium", "praseodymium", "dysprosium", "terbium"]
# any printable text; TOML wants control characters escaped, which json.dumps does not do for all
TITLES = st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=40)
NAMES = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


@st.composite
def supply_sections(draw: st.DrawFn) -> str:
    commodities = draw(st.lists(st.sampled_from(sorted(SUPPLY_YEARS)), min_size=1,
                                max_size=3, unique=True))
    years = {draw(st.sampled_from(SUPPLY_YEARS[c])) for c in commodities}
    return (f"[supply]\ncommodities = {commodities}\nimporter = \"JPN\"\n"
            f"years = {sorted(years)}\n").replace("'", '"')


@st.composite
def materials_sections(draw: st.DrawFn) -> str:
    end = draw(st.integers(2015, 2035))
    elements = draw(st.lists(st.sampled_from(ELEMENTS), min_size=1, max_size=4, unique=True))
    level = draw(st.integers(1_000, 2_000_000))
    return (f"[materials]\nstart_year = 2000\nend_year = {end}\n"
            f"elements = {elements}\ndraws = {draw(st.integers(2, 20))}\n\n"
            "[[materials.deployment]]\nproduct = \"hev-traction-motor\"\nregion = \"JPN\"\n"
            f"values = {{ 2000 = 0, {end} = {level} }}\n").replace("'", '"')


@st.composite
def studies(draw: st.DrawFn) -> str:
    """The text of a valid study with one or two of the fast sections."""
    sections = draw(st.lists(st.sampled_from([supply_sections, materials_sections]),
                             min_size=1, max_size=2, unique=True))
    head = (f"[study]\nname = \"{draw(NAMES)}\"\n"
            f"title = {json.dumps(draw(TITLES), ensure_ascii=False)}\n"
            f"seed = {draw(st.integers(0, 2**31 - 1))}\n")
    return "\n".join([head, *(draw(s()) for s in sections)])
