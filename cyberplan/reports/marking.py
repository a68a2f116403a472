"""The TLP marking of a report, as FIRST's TLP 2.0 writes it: the same on every page of every format."""

from __future__ import annotations

from django.utils.translation import gettext as _

from cyberplan.core.choices import TLP, TLP_RANK

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


def sharing_note(tlp: str) -> str:
    """What the recipients of a document marked ``tlp`` may do with it, in the active language."""
    notes = {
        TLP.CLEAR: _("TLP:CLEAR: the recipients may share this document without restriction."),
        TLP.GREEN: _("TLP:GREEN: the recipients may share this document within their community, not publicly."),
        TLP.AMBER: _(
            "TLP:AMBER: the recipients may share this document within their organisation and its clients "
            "on a need-to-know basis."
        ),
        TLP.AMBER_STRICT: _("TLP:AMBER+STRICT: the recipients may share this document within their organisation only."),
        TLP.RED: _("TLP:RED: for the named recipients only; do not share."),
    }
    return str(notes[TLP(tlp)])


def labels_at_or_below(tlp: str) -> list[str]:
    """The TLP labels a document marked ``tlp`` may contain: that label and every less restricted one."""
    limit = TLP_RANK[TLP(tlp)]
    return [code for code in TLP.values if TLP_RANK[TLP(code)] <= limit]
