"""Gaps and the TLP marking of a document that would cite them.

A document (strategy document, assessment report) is marked with one TLP label and may be read by
anyone that label allows. A gap marked with a more restricted label must not reach it: the document
leaves such gaps out and says how many it left out, and the request form warns beforehand (how many
gaps, at which labels) and asks the requester to confirm.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.core.choices import TLP, TLP_RANK

from .models import Gap


def within_marking(tlp: str, marking: str) -> bool:
    """Whether a record labelled ``tlp`` may appear in a document marked ``marking``."""
    return TLP_RANK[TLP(tlp)] <= TLP_RANK[TLP(marking)]


@dataclass(frozen=True)
class Withheld:
    """The gaps a document marked ``marking`` leaves out, counted per label."""

    marking: str
    by_label: dict[str, int]

    @property
    def count(self) -> int:
        return sum(self.by_label.values())

    def warning(self) -> str:
        """What the request form says before the document is made ("" when nothing is left out)."""
        if not self.count:
            return ""
        labels = ", ".join(
            f"{count} {TLP(label).label}"
            for label, count in sorted(self.by_label.items(), key=lambda item: -TLP_RANK[TLP(item[0])])
        )
        return ngettext(
            "%(count)d gap this document would cite is marked above its marking %(marking)s (%(labels)s): "
            "the document leaves its title out and only counts it.",
            "%(count)d gaps this document would cite are marked above its marking %(marking)s (%(labels)s): "
            "the document leaves their titles out and only counts them.",
            self.count,
        ) % {"count": self.count, "marking": TLP(self.marking).label, "labels": labels}


def withheld(gaps: Iterable[Gap], marking: str) -> Withheld:
    """The gaps of ``gaps`` marked above ``marking``."""
    return Withheld(marking, dict(Counter(g.tlp for g in gaps if not within_marking(g.tlp, marking))))


def confirm_message() -> str:
    return _("Confirm that the document leaves these gaps out, or raise the document's marking.")
