"""Agents needed per interval by Erlang C (SL-1: answered within three rings, 80% of calls).

The Erlang C formula is pyworkforce's (``ErlangC.service_level``): with ``A`` = calls × average
handle time ÷ interval (the traffic in Erlangs) and ``N`` agents, the share answered within
``t`` seconds is ``1 − C(N, A) · exp(−(N − A) · t ÷ AHT)``. The search for the smallest ``N`` is
ours, not ``required_positions``: that one starts at ``round(A + 1)`` (for A = 2.6 it never
tries 3 agents, and may ask one too many) and has no upper bound. Here:

- no calls: 0 agents needed;
- N ≤ A: the queue only grows, no service level is reached, so N starts above A;
- a need above ``max_agents`` stops the search and is reported as capped, not as a figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyworkforce.queuing import ErlangC

# More agents than any one desk could seat: beyond it the figure says "more than".
MAX_AGENTS = 200


@dataclass(frozen=True, slots=True)
class Need:
    """Agents an interval needed: ``agents`` (None when unknown), and how it was reached."""

    intensity: float  # Erlangs: calls × AHT ÷ interval length
    agents: int | None
    service_level: float | None  # expected with ``agents``
    capped: bool = False


def traffic(calls: int, handle_seconds: float, interval_seconds: int) -> float:
    return calls * handle_seconds / interval_seconds


def service_level(
    agents: int, *, calls: int, handle_seconds: float, interval_seconds: int, within: float
) -> float:
    """Share of calls answered within ``within`` seconds with ``agents`` agents (Erlang C).

    0 when the agents cannot carry the traffic (agents ≤ intensity); 1 when no call came.
    """
    if calls <= 0:
        return 1.0
    intensity = traffic(calls, handle_seconds, interval_seconds)
    if agents <= intensity:
        return 0.0
    model = ErlangC(transactions=calls, aht=handle_seconds, asa=within, interval=interval_seconds)
    return float(model.service_level(agents))


def agents_needed(
    *,
    calls: int,
    handle_seconds: float | None,
    interval_seconds: int,
    within: float,
    target: float,
    max_agents: int = MAX_AGENTS,
) -> Need:
    """The fewest agents answering ``target`` of ``calls`` within ``within`` seconds (SL-1)."""
    if calls <= 0:
        return Need(0.0, 0, None)
    if not handle_seconds or handle_seconds <= 0:
        return Need(0.0, None, None)  # no talk measured: nothing to size by
    intensity = traffic(calls, handle_seconds, interval_seconds)
    figures = {
        "calls": calls,
        "handle_seconds": handle_seconds,
        "interval_seconds": interval_seconds,
    }
    agents = math.floor(intensity) + 1  # the fewest that can carry the traffic at all
    while agents <= max_agents:
        level = service_level(agents, within=within, **figures)  # type: ignore[arg-type]
        if level >= target:
            return Need(intensity, agents, level)
        agents += 1
    return Need(intensity, max_agents, None, capped=True)
