"""The materials stage: rare-earth demand, in-use stocks, recycling and residues.

Rare-earth demand of deployment, in-use stocks (vectorised cohort models), end of
life and recycling, joint production and thorium in residues.

Public pieces: :mod:`~shigen.materials.lifetimes` (lifetime distributions and
survival matrices), :mod:`~shigen.materials.cohort` (inflow- and stock-driven
models), :mod:`~shigen.materials.graph` (the processes and flows, declared once),
:mod:`~shigen.materials.balance` (the mass-balance measure),
:func:`~shigen.materials.sankey.sankey` (nodes and links for a year) and
:mod:`~shigen.materials.testing` (array assertions for the cohort models).
"""
