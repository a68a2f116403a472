"""The strategy document's annex: the gap traceability matrix."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.gaps.choices import GapStatus, Severity
from cyberplan.gaps.models import Gap
from cyberplan.reports.document import Paragraph, Section, Table, clean
from cyberplan.reports.marking import labels_at_or_below

from .common import StrategyInput, coverage_sentence, document_gaps, label, pick

# -- annex -------------------------------------------------------------------------------------


def annex(doc: StrategyInput) -> list[Section]:
    gaps = list(document_gaps(doc.strategy, doc.audience))
    known = {g.identifier for g in gaps}
    addressed_by: dict[str, list[str]] = {}
    for action in doc.actions:
        for identifier in action.get("gaps", []):
            if identifier in known:
                addressed_by.setdefault(identifier, []).append(clean(action["code"]))
    open_gaps = [g for g in gaps if g.status == GapStatus.OPEN]
    uncovered = [g for g in open_gaps if g.identifier not in addressed_by]
    # An action citing only gaps this document may not list still addresses a gap.
    unjustified = [a for a in doc.actions if not a.get("gaps")]
    hidden = sum(1 for a in doc.actions for i in a.get("gaps", []) if i not in known)

    chapter = Section("annex", _("Annex: gap traceability matrix"))
    chapter.add(
        Paragraph(
            _("Every gap of the register, with the actions that address it: the thread from the evidence to the plan.")
            + " "
            + coverage_sentence(len(open_gaps) - len(uncovered), len(open_gaps))
        ),
        Paragraph(
            _("Only gaps marked %(labels)s are listed, as this document is marked %(marking)s.")
            % {
                "labels": ", ".join(f"TLP:{code.upper()}" for code in labels_at_or_below(doc.tlp)),
                "marking": f"TLP:{doc.tlp.upper()}",
            },
            "note",
        ),
    )
    if hidden:
        chapter.add(
            Paragraph(
                ngettext(
                    "%(count)s link from an action to a gap this document may not list is left out.",
                    "%(count)s links from actions to gaps this document may not list are left out.",
                    hidden,
                )
                % {"count": hidden},
                "note",
            )
        )
    chapter.add(
        Table(
            _("Gaps and the actions that address them"),
            [_("Gap"), _("Title"), _("Severity"), _("Status"), _("Addressed by")],
            [
                [
                    g.identifier,
                    clean(g.title),
                    label(Severity, g.severity),
                    label(GapStatus, g.status),
                    ", ".join(addressed_by.get(g.identifier, [])) or "—",
                ]
                for g in gaps
            ],
            empty=_("The gap register holds no gap this document may list."),
            css="matrix",
        ),
    )
    return [chapter, *_annex_unmatched(uncovered, unjustified)]


def _annex_unmatched(uncovered: list[Gap], unjustified: list[dict[str, Any]]) -> list[Section]:
    """The annex's two lists: the open gaps no action addresses, and the actions that cite no gap."""
    without_action = Section("annex-uncovered", _("Open gaps without an action"), level=2)
    without_action.add(
        Table(
            "",
            [_("Gap"), _("Title"), _("Severity")],
            [[g.identifier, clean(g.title), label(Severity, g.severity)] for g in uncovered],
            empty=_("Every open gap has an action."),
        )
    )
    without_gap = Section("annex-unjustified", _("Actions without a gap"), level=2)
    without_gap.add(
        Table(
            "",
            [_("Code"), _("Action")],
            [[clean(a["code"]), pick(a, "title")] for a in unjustified],
            empty=_("Every action addresses at least one gap."),
        )
    )
    return [without_action, without_gap]
