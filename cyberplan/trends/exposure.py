"""Exposure per 1,000 IPv4 addresses: the registry counts, kept in Django's cache, and the figure."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from cyberplan.analytics.annual import per_thousand
from cyberplan.pipeline.registry import announced_ipv4, registry_version


def announced(country: str) -> int:
    """IPv4 addresses the shipped registry data assigns to ``country`` (0 if none).

    Counted once for every country (seconds), then kept in the cache, shared by every process, under the
    version of the registry data.
    """
    key = f"trends:announced-ipv4:{registry_version()}"
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        counts = announced_ipv4()
        cache.set(key, counts, timeout=None)
    return int(counts.get(country.upper(), 0))


def with_exposure(rows: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The metric rows with the exposure rows given their announced addresses and sources per 1,000."""
    if rows.get("exposure"):
        return {**rows, "exposure": per_thousand(rows["exposure"], announced)}
    return rows
