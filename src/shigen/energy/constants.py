"""Labels and unit factors of the energy model: definitions, not data.

The bottom of :mod:`shigen.energy`: every other module of the package may import this one,
and it imports none of them. Power technologies and vehicle drivetrains are declared with
the study section (:mod:`shigen.energy.config`), which validates names against them.
"""

from __future__ import annotations

#: end-use sectors (dimension ``demand_sector``); appliances use electricity only
SECTORS = ("industry", "buildings", "freight", "other", "appliances")
#: fuels the end-use sectors burn (dimension ``end_fuel``)
END_FUELS = ("coal", "oil", "gas", "electricity", "biomass")
#: primary fuels the power plants burn (dimension ``fuel``)
PRIMARY_FUELS = ("coal", "oil", "gas", "uranium", "biomass")
#: the primary-energy carrier of each primary fuel
FUEL_CARRIER = {"coal": "coal", "oil": "oil", "gas": "gas", "uranium": "nuclear",
                "biomass": "biomass"}
#: primary fuels a region may import (dataset ``energy-import-share``)
IMPORTED_FUELS = ("coal", "oil", "gas", "uranium")
FOSSIL = ("coal", "oil", "gas")
#: which primary fuel each power technology burns
TECH_FUEL = {"coal": "coal", "coal_ccs": "coal", "gas_ccgt": "gas", "gas_ccs": "gas",
             "oil": "oil", "nuclear": "uranium", "biomass": "biomass",
             "biomass_ccs": "biomass"}
RENEWABLE = ("hydro", "wind_onshore", "wind_offshore", "solar_pv", "csp", "biomass",
             "biomass_ccs", "geothermal")
VARIABLE = ("wind_onshore", "wind_offshore", "solar_pv")

PJ_PER_TWH = 3.6
#: PJ x USD/GJ (or GW x USD/kW, or Mt x USD/t) = 1e-3 billion USD
BN = 1e-3
