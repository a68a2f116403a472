"""The dashboard's "make the report for this period": what it posts to the trends report request.

The button posts the dashboard's store (or "every store together"), period and TLP reach to the report
request page, which checks them again and starts the job (``report.jobs.do_request_trends_report`` or
``do_request_trends_report_together``). It is offered only to a user that request would accept: one who
reads at least one label of the store (as a member or through a grant).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cyberplan.analytics.periods import Period
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.reports.forms import ReportFileForm


@dataclass(frozen=True)
class ReportOffer:
    choice: str  # what the request form's store chooser receives: the owner's id, or every store together
    store_text: str  # the store (or stores) counted, as figures name them
    period: str
    tlp: str  # the report's marking: the dashboard's TLP reach, or the most restricted label read
    tlp_label: str
    form: ReportFileForm  # language and format, the reader's language first
    filtered: bool  # the dashboard narrows by sector, class or country, which the report does not


def report_offer(
    choice: str, store_text: str, period: Period, labels: Collection[str], filters: dict[str, str]
) -> ReportOffer | None:
    """What the button posts, or None when the reader may not ask for this store's report.

    ``labels`` are what the reader reads of the store (as a member, or through a grant, by
    ``threats.access.access_readable_store``): a reader with none is offered nothing. The request is
    checked again when it is posted and again in the worker.
    """
    if not labels:
        return None
    tlp = filters.get("tlp") or max(labels, key=lambda label: TLP_RANK[TLP(label)])
    if tlp not in labels:
        return None
    return ReportOffer(
        choice=choice,
        store_text=store_text,
        period=period.label,
        tlp=tlp,
        tlp_label=str(TLP(tlp).label),
        form=ReportFileForm(auto_id="report_%s"),
        filtered=any(filters.get(name) for name in ("sector", "taxonomy", "country")),
    )


def offer_note(offer: ReportOffer) -> str:
    """What the report will cover, said beside the button."""
    return _("The report of %(org)s for %(period)s, marked %(tlp)s (it counts the events up to that label).") % {
        "org": offer.store_text,
        "period": offer.period,
        "tlp": offer.tlp_label,
    }
