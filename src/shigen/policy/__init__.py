"""Policy appraisal: packages compared and ranked, global sensitivity, ensembles.

A *package* is a named set of overrides of study fields by dotted path; the policy
stage re-runs the upstream stages on each package's study with the same seed
(common random numbers), reads criteria from the stages' summaries, and ranks the
packages (weighted sum or TOPSIS) with the share of weight space where each ranks
first. Sobol indices (SALib) and ensembles go through one executor interface
(:mod:`shigen.policy.executor`): local processes or Dask distributed.
"""
