"""shigen — an open scenario lab for energy and resource security.

The package turns a study file (TOML) and sourced datasets into immutable runs:
``energy → materials → supply → disruption → policy``, each stage an
``xarray.Dataset`` with named dimensions (see ``DESIGN.md``).

Examples
--------
>>> import shigen
>>> shigen.__version__ >= "0.1"
True
"""

# the one place the version is written: pyproject.toml reads it from here (setuptools
# `attr`), and a literal costs nothing at start-up where importlib.metadata costs ~0.1 s
__version__ = "0.1.0"

__all__ = ["__version__"]
