"""Trends over the citation history: velocity by least squares over real dates, rising papers."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .changes import RELATIVE_GAIN_FLOOR
from .refreshes import PaperRecord, Refresh

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

#: velocities are citations per this many days
VELOCITY_DAYS = 30


@dataclass(frozen=True, slots=True)
class Rising:
    """A list paper's citation trend over the recorded history; see :func:`rising_papers`."""

    entry: str
    title: str
    s2_id: str | None
    citation_count: int  # at the latest point
    velocity: float  # citations per VELOCITY_DAYS, least squares over the points
    growth: float  # velocity over the first count, floored at RELATIVE_GAIN_FLOOR
    points: int
    first_date: dt.date
    last_date: dt.date


def citation_series(history: Sequence[Refresh], key: str) -> list[tuple[dt.date, int, PaperRecord]]:
    """(date, count, record) of every refresh where ``key`` (entry or S2 id) has a count.

    Only the counts of the S2 paper the key has at its latest point: an entry matched to
    another paper since (a wrong match corrected by a pin) has its old paper's counts left out.
    """
    points = []
    for refresh in history:
        for paper in refresh.papers:
            if key in (paper.entry, paper.s2_id) and paper.citation_count is not None:
                points.append((refresh.date, paper.citation_count, paper))
                break
    latest = points[-1][2].s2_id if points else None
    return [point for point in points if point[2].s2_id == latest]


def _slope_per_day(points: Sequence[tuple[dt.date, int, PaperRecord]]) -> float:
    """Least-squares slope of count over real days (gaps weigh by their length)."""
    xs = [(d - points[0][0]).days for d, _, _ in points]
    ys = [c for _, c, _ in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread


def citation_velocity(history: Sequence[Refresh], s2_or_entry: str) -> float | None:
    """Return citations gained per 30 days over the recorded history, or ``None``.

    The slope of a least-squares line through (date, count) of every refresh where the paper
    (matched by entry id or S2 id) has a count. Dates are real days, so missed refreshes leave
    gaps rather than squeezing time; one noisy count pulls the slope less than it would pull a
    first-to-last difference. ``None`` with fewer than two points.

    See Also
    --------
    rising_papers
    """
    points = citation_series(history, s2_or_entry)
    if len(points) < 2:
        return None
    return _slope_per_day(points) * VELOCITY_DAYS


def rising_papers(
    history: Sequence[Refresh],
    top: int = 10,
    min_points: int = 2,
    by: Literal["velocity", "growth"] = "velocity",
) -> list[Rising]:
    """Return the list papers of the newest refresh whose citations grow fastest.

    Parameters
    ----------
    history : sequence of Refresh
        Oldest first, as :func:`load_history` returns it.
    top : int, default 10
    min_points : int, default 2
        Refreshes with a count a paper needs to be ranked (at least 2).
    by : {"velocity", "growth"}
        ``velocity`` ranks by citations per 30 days (see :func:`citation_velocity`); ``growth``
        by that velocity over the paper's first count (floored at :data:`RELATIVE_GAIN_FLOOR`),
        which lifts young papers over established ones.

    Returns
    -------
    list of Rising
        Papers with a count at the newest refresh and a positive velocity, fastest first
        (ties by entry).
    """
    if min_points < 2:
        raise ValueError(f"min_points is {min_points}; a velocity needs at least 2 points")
    if not history:
        return []
    rising = []
    for paper in history[-1].papers:
        points = citation_series(history, paper.entry)
        # a paper S2 no longer returns is reported by `changes`, not ranked on old counts
        if paper.citation_count is None or len(points) < min_points:
            continue
        velocity = _slope_per_day(points) * VELOCITY_DAYS
        if velocity <= 0:
            continue
        rising.append(
            Rising(
                entry=paper.entry,
                title=paper.title,
                s2_id=points[-1][2].s2_id,
                citation_count=points[-1][1],
                velocity=velocity,
                growth=velocity / max(points[0][1], RELATIVE_GAIN_FLOOR),
                points=len(points),
                first_date=points[0][0],
                last_date=points[-1][0],
            )
        )
    rising.sort(key=lambda r: (-(r.velocity if by == "velocity" else r.growth), r.entry))
    return rising[:top]
