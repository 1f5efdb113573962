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

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("shigen")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.1.0"

__all__ = ["__version__"]
