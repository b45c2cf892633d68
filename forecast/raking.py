"""Iterative proportional fitting (raking) of a table to given margins. Pure computation.

A table (a numpy array of any number of dimensions, counts 0 or more) is scaled, one
margin at a time, until every margin matches its target: the classic algorithm of Deming
and Stephan (1940). The result keeps the seed's odds ratios (its pattern of association)
while taking the targets' totals. A seed cell that is zero stays zero, so a target that
puts children where the seed has none cannot be met: :func:`rake` then raises, unless
``floor`` gives every cell a small starting value (said by the caller).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class RakingError(ValueError):
    """The margins cannot be met (inconsistent totals, or children where the seed has none)."""


def rake(
    seed: np.ndarray,
    margins: Sequence[tuple[tuple[int, ...], np.ndarray]],
    *,
    floor: float = 0.0,
    tolerance: float = 1e-9,
    max_iterations: int = 5000,
) -> np.ndarray:
    """Scale ``seed`` so that its sum over every axis not in ``axes`` equals ``target``, for
    each ``(axes, target)`` in ``margins``.

    ``floor`` is added to every seed cell first. Targets must agree on the grand total (and on
    any shared sub-margins) within ``tolerance`` relative. Converged when no margin is off by
    more than ``tolerance`` x the grand total; raises :class:`RakingError` otherwise.
    """
    table = np.asarray(seed, dtype=float) + floor
    if (table < 0).any() or np.isnan(table).any():
        raise RakingError("the seed needs counts of 0 or more")
    ndim = table.ndim
    checked = []
    for axes, target in margins:
        target = np.asarray(target, dtype=float)
        axes = tuple(sorted(axes))
        expected_shape = tuple(table.shape[a] for a in axes)
        if target.shape != expected_shape:
            raise RakingError(f"margin over axes {axes} has shape {target.shape}, expected {expected_shape}")
        if (target < 0).any() or np.isnan(target).any():
            raise RakingError("margins need counts of 0 or more")
        checked.append((axes, target))
    totals = [t.sum() for _, t in checked]
    grand = totals[0] if totals else table.sum()
    if totals and max(totals) - min(totals) > tolerance * max(1.0, grand):
        raise RakingError(f"margins disagree on the total: {', '.join(f'{t:,.3f}' for t in totals)}")
    if grand == 0:
        return np.zeros_like(table)
    for _ in range(max_iterations):
        worst = 0.0
        for axes, target in checked:
            other = tuple(a for a in range(ndim) if a not in axes)
            current = table.sum(axis=other)
            worst = max(worst, float(np.abs(current - target).max()))
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, target / current, 0.0)
            if ((current == 0) & (target > 0)).any():
                raise RakingError(f"a margin over axes {axes} puts children where the seed has none")
            table = table * np.expand_dims(factor, other)
        if worst <= tolerance * grand:
            return table
    raise RakingError(f"raking did not converge in {max_iterations} rounds")
