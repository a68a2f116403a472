"""The TLP marking of a report, as FIRST's TLP 2.0 writes it: the same on every page of every format."""

from __future__ import annotations

#: The colour of each TLP label, printed on black (FIRST TLP 2.0).
TLP_COLOURS = {
    "clear": "#FFFFFF",
    "green": "#33FF00",
    "amber": "#FFC000",
    "amber+strict": "#FFC000",
    "red": "#FF2B2B",
}


def marking(tlp: str) -> str:
    """The marking as FIRST writes it (``TLP:AMBER+STRICT``); it is never translated."""
    return f"TLP:{tlp.upper()}"
