"""Energy pathways: a least-cost capacity-expansion LP (linopy + HiGHS).

See ``docs/methods/energy.md``. Entry points: :func:`shigen.energy.model.run_model`
(build and solve one configuration) and the ``energy`` stage in :mod:`shigen.energy.stage`.
"""
