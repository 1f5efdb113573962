"""Linear expressions as plain numpy arrays, handed to linopy once per constraint family.

linopy builds every intermediate expression as an xarray Dataset, and each step (multiply,
sum, add) aligns and copies it: a few milliseconds per operation, which was most of the
energy model's build time. :class:`Terms` holds the same content - per cell of named
dimensions, the coefficients and variable labels of its terms (last axis) and a constant -
as numpy arrays with one ``pandas.Index`` per dimension. Operations are numpy broadcasts
and reshapes; :func:`constraint` and :meth:`Terms.to_linopy` build the linopy object once.

Alignment rules (stricter than linopy's legacy ones, on purpose): dimensions match by
name; a coefficient array is reindexed to the expression's labels (0 where it has none);
two expressions added together must share the labels of common dimensions or are
reindexed to their union (no term where one of them has none).

Examples
--------
>>> import linopy, pandas as pd, xarray as xr
>>> m = linopy.Model()
>>> x = m.add_variables(lower=0, coords=[pd.Index(["a", "b"], name="k")], name="x")
>>> t = (Terms.of(x) * xr.DataArray([2.0, 3.0], dims="k", coords={"k": ["a", "b"]})).sum()
>>> t.dims, t.coeffs.tolist()
((), [2.0, 3.0])
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import linopy
import numpy as np
import pandas as pd
import xarray as xr

TERM = "_term"


@dataclass(frozen=True)
class Terms:
    """A linear expression: ``sum_k coeffs[..., k] * x[vars[..., k]] + const``.

    ``coords`` names the dimensions in axis order; ``coeffs`` and ``vars`` have one more
    axis (the terms), ``const`` has none. A label of -1 is no variable.
    """

    coords: dict[str, pd.Index]
    coeffs: np.ndarray
    vars: np.ndarray
    const: np.ndarray

    #: numpy defers to Terms: ``ndarray * Terms`` is a TypeError, not an object array
    __array_ufunc__ = None

    # ---- construction -------------------------------------------------------------------
    @classmethod
    def of(cls, var: linopy.Variable) -> Terms:
        """A variable as an expression (coefficient 1, constant 0)."""
        labels = var.labels
        coords = {str(d): labels.indexes[d] for d in labels.dims}
        lab = np.asarray(labels.values)[..., None]
        return cls(coords, np.ones(lab.shape), lab, np.zeros(lab.shape[:-1]))

    @classmethod
    def from_linopy(cls, expr: linopy.LinearExpression) -> Terms:
        """A linopy linear expression as Terms (same cells, terms and constant)."""
        data = expr.data
        dims = [str(d) for d in data["const"].dims]
        coeffs = data["coeffs"].transpose(*dims, TERM)
        return cls({d: data.indexes[d] for d in dims}, np.asarray(coeffs.values, dtype=float),
                   np.asarray(data["vars"].transpose(*dims, TERM).values),
                   np.asarray(data["const"].values, dtype=float))

    @classmethod
    def wrap(cls, x: Any) -> Terms:
        """A Terms as is; a linopy variable as :meth:`of`."""
        return x if isinstance(x, Terms) else cls.of(x)

    @property
    def dims(self) -> tuple[str, ...]:
        return tuple(self.coords)

    #: the name accounts.evaluate and linopy use for an expression's dimensions
    coord_dims = dims

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(i) for i in self.coords.values())

    @property
    def nterm(self) -> int:
        return int(self.coeffs.shape[-1])

    # ---- alignment helpers --------------------------------------------------------------
    def _expand(self, coords: dict[str, pd.Index]) -> Terms:
        """Broadcast onto ``coords`` (a superset of own dims, same labels where shared)."""
        if list(coords) == list(self.coords) and all(
                coords[d] is self.coords[d] or coords[d].equals(self.coords[d])
                for d in coords):
            return self
        own = self._reindexed({d: coords[d] for d in self.coords})
        perm = [own.dims.index(d) for d in coords if d in own.coords]
        shape = [len(coords[d]) for d in coords]
        idx = tuple(slice(None) if d in own.coords else None for d in coords)
        c = own.coeffs.transpose(perm + [len(perm)])[idx]
        v = np.broadcast_to(own.vars, own.coeffs.shape).transpose(perm + [len(perm)])[idx]
        k = own.const.transpose(perm)[idx]
        c = np.broadcast_to(c, shape + [own.nterm])
        v = np.broadcast_to(v, shape + [own.nterm])
        k = np.broadcast_to(k, shape)
        return Terms(dict(coords), c, v, k)

    def _reindexed(self, coords: dict[str, pd.Index]) -> Terms:
        """Own dims onto other labels (same dims): no term where a label is new."""
        if all(coords[d].equals(self.coords[d]) for d in self.coords):
            return self
        c, v, k = self.coeffs, self.vars, self.const
        for ax, d in enumerate(self.coords):
            if coords[d].equals(self.coords[d]):
                continue
            pos = self.coords[d].get_indexer(coords[d])
            ok = pos >= 0
            take = np.where(ok, pos, 0)
            c = np.take(c, take, axis=ax)
            v = np.take(v, take, axis=ax)
            k = np.take(k, take, axis=ax)
            shp = [1] * c.ndim
            shp[ax] = len(ok)
            c = np.where(ok.reshape(shp), c, 0.0)
            v = np.where(ok.reshape(shp), v, -1)
            k = np.where(ok.reshape(shp[:-1]), k, 0.0)
        return Terms({d: coords[d] for d in self.coords}, c, v, k)

    def _coef(self, coef: xr.DataArray, fill: float = 0.0
              ) -> tuple[dict[str, pd.Index], np.ndarray]:
        """A coefficient array on the expression's labels (``fill`` where it has none)."""
        coords = dict(self.coords)
        for d in coef.dims:
            d = str(d)
            if d in coords:
                if not coef.indexes[d].equals(coords[d]):
                    coef = coef.reindex({d: coords[d]}, fill_value=fill)
            else:
                coords[d] = coef.indexes[d]
        order = [d for d in coords if d in coef.dims]
        arr = np.asarray(coef.transpose(*order).values, dtype=float)
        idx = tuple(slice(None) if d in coef.dims else None for d in coords)
        return coords, arr[idx]

    # ---- arithmetic ---------------------------------------------------------------------
    def __mul__(self, other: Any) -> Terms:
        if isinstance(other, (int, float, np.floating, np.integer)):
            _finite(np.asarray(float(other)), {}, "coefficient")
            return Terms(self.coords, self.coeffs * float(other), self.vars,
                         self.const * float(other))
        if not isinstance(other, xr.DataArray):
            return NotImplemented
        coords, arr = self._coef(other)
        _finite(arr, coords, f"coefficient {other.name or ''}".strip())
        me = self._expand(coords)
        return Terms(coords, me.coeffs * arr[..., None],
                     np.broadcast_to(me.vars, me.coeffs.shape[:-1] + (me.nterm,)),
                     me.const * arr)

    __rmul__ = __mul__

    def __neg__(self) -> Terms:
        return Terms(self.coords, -self.coeffs, self.vars, -self.const)

    def __truediv__(self, other: Any) -> Terms:
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = 1.0 / other  # a zero divisor becomes inf, refused by __mul__
        return self * inv

    def __add__(self, other: Any) -> Terms:
        if isinstance(other, (Terms, linopy.Variable)):
            return Terms.merge([self, Terms.wrap(other)])
        if isinstance(other, (int, float, np.floating, np.integer)):
            return Terms(self.coords, self.coeffs, self.vars, self.const + float(other))
        if isinstance(other, xr.DataArray):
            coords, arr = self._coef(other)
            me = self._expand(coords)
            return Terms(coords, me.coeffs, me.vars, me.const + arr)
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Any) -> Terms:
        if isinstance(other, linopy.Variable):
            other = Terms.of(other)
        return self + (-other)

    def __rsub__(self, other: Any) -> Terms:
        return (-self) + other

    @staticmethod
    def merge(parts: Sequence[Terms]) -> Terms:
        """The sum of expressions: union of dimensions and labels, terms side by side."""
        coords: dict[str, pd.Index] = {}
        for p in parts:
            for d, i in p.coords.items():
                if d not in coords:
                    coords[d] = i
                elif not coords[d].equals(i):
                    coords[d] = coords[d].append(i.difference(coords[d], sort=False))
        full = [p._expand(coords) for p in parts]
        return Terms(coords, np.concatenate([p.coeffs for p in full], axis=-1),
                     np.concatenate([np.broadcast_to(p.vars, p.coeffs.shape) for p in full],
                                    axis=-1),
                     sum((p.const for p in full[1:]), full[0].const))

    # ---- reshaping ----------------------------------------------------------------------
    def sum(self, dims: str | Iterable[str] | None = None) -> Terms:
        """Sum over dimensions: their cells become terms."""
        drop = list(self.coords) if dims is None else (
            [dims] if isinstance(dims, str) else list(dims))
        if not drop:
            return self
        keep = [d for d in self.coords if d not in drop]
        pos = [self.dims.index(d) for d in keep] + [self.dims.index(d) for d in drop]
        c = np.transpose(self.coeffs, pos + [len(pos)])
        v = np.transpose(np.broadcast_to(self.vars, self.coeffs.shape), pos + [len(pos)])
        shape = tuple(len(self.coords[d]) for d in keep)
        const = np.transpose(self.const, pos).reshape(shape + (-1,)).sum(-1)
        return Terms({d: self.coords[d] for d in keep}, c.reshape(shape + (-1,)),
                     v.reshape(shape + (-1,)), const)

    def rename(self, **names: str) -> Terms:
        coords = {names.get(d, d): i.rename(names.get(d, d)) for d, i in self.coords.items()}
        return Terms(coords, self.coeffs, self.vars, self.const)

    def sel(self, **pick: Any) -> Terms:
        """Pick labels: a scalar drops its dimension (xarray's ``drop=True``), a list keeps it."""
        pick.pop("drop", None)  # always dropped, as xarray's sel(..., drop=True)
        c, v, k = self.coeffs, np.broadcast_to(self.vars, self.coeffs.shape), self.const
        coords = dict(self.coords)
        for d, lab in pick.items():
            ax = list(coords).index(d)
            if isinstance(lab, (list, tuple, np.ndarray, pd.Index)):
                pos = coords[d].get_indexer(list(lab))
                if (pos < 0).any():
                    raise KeyError(f"{d}: {list(lab)} not all in {list(coords[d])}")
                c, v, k = (np.take(a, pos, axis=ax) for a in (c, v, k))
                coords[d] = coords[d][pos]
            else:
                i = coords[d].get_loc(lab)
                c, v, k = (np.take(a, i, axis=ax) for a in (c, v, k))
                del coords[d]
        return Terms(coords, c, v, k)

    def groupby_sum(self, dim: str, groups: Sequence[Hashable], name: str) -> Terms:
        """Sum cells of ``dim`` that share a group label into a new dimension ``name``."""
        labels = pd.Index(list(dict.fromkeys(groups)), name=name)
        parts = []
        for g in labels:
            members = [lab for lab, gg in zip(self.coords[dim], groups, strict=True) if gg == g]
            parts.append(self.sel(**{dim: members}).sum(dim))
        width = max(p.nterm for p in parts)
        pad = [Terms(p.coords, np.pad(p.coeffs, [(0, 0)] * (p.coeffs.ndim - 1)
                                      + [(0, width - p.nterm)]),
                     np.pad(p.vars, [(0, 0)] * (p.vars.ndim - 1) + [(0, width - p.nterm)],
                            constant_values=-1), p.const) for p in parts]
        coords = {name: labels, **pad[0].coords}
        return Terms(coords, np.stack([p.coeffs for p in pad]),
                     np.stack([p.vars for p in pad]), np.stack([p.const for p in pad]))

    # ---- to linopy ----------------------------------------------------------------------
    def _dataset(self) -> xr.Dataset:
        dims = self.dims
        return xr.Dataset(
            {"coeffs": (dims + (TERM,), np.ascontiguousarray(self.coeffs)),
             "vars": (dims + (TERM,), np.ascontiguousarray(self.vars)),
             "const": (dims, np.asarray(self.const, dtype=float))},
            coords={d: i for d, i in self.coords.items()})

    def to_linopy(self, m: linopy.Model) -> linopy.LinearExpression:
        return linopy.LinearExpression(self._dataset(), m)

    def dataarray(self, values: np.ndarray) -> xr.DataArray:
        """Numbers on this expression's cells as a labelled array."""
        return xr.DataArray(values, dims=self.dims, coords=dict(self.coords))


def _finite(arr: np.ndarray, coords: dict[str, pd.Index], what: str) -> None:
    """Refuse NaN or inf coefficients (they would reach the solver), naming one cell."""
    bad = ~np.isfinite(arr)
    if not bad.any():
        return
    pos = tuple(np.argwhere(bad)[0]) if arr.ndim else ()
    # axes of length 1 may be broadcast (a dimension the coefficient lacks): not named
    cell = {d: coords[d][i] for d, i, n in zip(coords, pos, arr.shape, strict=True)
            if n == len(coords[d])}
    cell = {d: v.item() if isinstance(v, np.generic) else v for d, v in cell.items()}
    raise ValueError(f"{what} is not finite ({arr[pos]}) at {cell or 'every cell'}")


def constraint(m: linopy.Model, lhs: Terms, sign: str, rhs: Any) -> linopy.Constraint:
    """``lhs sign rhs`` as an unassigned linopy constraint built in one step.

    The constant of ``lhs`` moves to the right-hand side; ``rhs`` is a number or a
    DataArray on (some of) the expression's dimensions, reindexed to its labels. A NaN
    right-hand side (NaN data, or a label the DataArray lacks) raises: linopy would drop
    the cell silently; leave cells out with ``mask`` instead. An infinite one is allowed
    (no bound).
    """
    if isinstance(rhs, (Terms, linopy.Variable)):
        lhs, rhs = lhs - rhs, 0.0
    if isinstance(rhs, xr.DataArray):
        extra = set(map(str, rhs.dims)) - set(lhs.dims)
        if extra:
            raise ValueError(f"right-hand side has dimensions {extra} the expression lacks")
        coords, arr = Terms(lhs.coords, lhs.coeffs[..., :0], lhs.vars[..., :0],
                            lhs.const)._coef(rhs.astype(float), np.nan)
        value = np.broadcast_to(arr, lhs.shape) - lhs.const
    else:
        value = np.broadcast_to(float(rhs) - lhs.const, lhs.shape)
    if np.isnan(value).any():  # linopy would silently drop these cells: use ``mask`` instead
        _finite(np.where(np.isnan(value), np.nan, 0.0), lhs.coords, "right-hand side")
    ds = xr.Dataset(
        {"coeffs": (lhs.dims + (TERM,), np.ascontiguousarray(lhs.coeffs)),
         "vars": (lhs.dims + (TERM,), np.ascontiguousarray(
             np.broadcast_to(lhs.vars, lhs.coeffs.shape))),
         "sign": (lhs.dims, np.full(lhs.shape, sign)),
         "rhs": (lhs.dims, np.array(value, dtype=float)),
         "scaling": (lhs.dims, np.ones(lhs.shape))},
        coords={d: i for d, i in lhs.coords.items()})
    # every field is already on the full cells: linopy's broadcast would only copy
    return linopy.Constraint(ds, m, skip_broadcast=True)
