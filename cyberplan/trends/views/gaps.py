"""Turning a significant rise on the dashboard into a gap in the gap register."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.analytics.periods import Period
from cyberplan.core.access import Permission, require
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.core.http import signed_in_user
from cyberplan.gaps.choices import Severity
from cyberplan.threats.access import access_event_store

from ..actions import RiseEvidence, RiseText, do_record_rise_as_gap
from ..figures import figures, store_state
from ..forms import GapFromChangeForm, scope_of
from ..labels import flag_label, sector_label, taxonomy_label
from .tables import RISING, dashboard_url, p_value, series_label

# -- turning a rising threat into a gap -----------------------------------------------------------


def source_key(dimension: str, series: str, filters: Mapping[str, str]) -> str:
    """The gap's reference in the threat-trend source: the series and the filters that scope it.

    The period is not part of it: the same threat rising again later updates the same gap, and each
    period adds its own evidence.
    """
    parts = [f"{dimension}={series}"] + [
        f"{name}={filters[name]}" for name in ("sector", "taxonomy", "country") if filters.get(name)
    ]
    key = "trend:" + ";".join(parts)
    if len(key) > 120:
        key = key[:100] + "#" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return key


def _most_restricted(labels: Iterable[str]) -> str:
    known = [TLP(label) for label in labels if label in TLP.values]
    return max(known, key=lambda label: TLP_RANK[label]) if known else TLP.AMBER


def _scope_words(filters: Mapping[str, str]) -> str:
    words = []
    if filters.get("sector"):
        words.append(_("sector: %(sector)s") % {"sector": sector_label(filters["sector"])})
    if filters.get("taxonomy"):
        words.append(_("class: %(class)s") % {"class": taxonomy_label(filters["taxonomy"])})
    if filters.get("country"):
        words.append(_("country: %(country)s") % {"country": filters["country"]})
    return ", ".join(words)


def _gap_text(row: Mapping[str, Any], comparison: str, period: Period, filters: Mapping[str, str]) -> dict[str, str]:
    """Title and description of the gap, in the active language."""
    series = series_label(row["dimension"], row["series"])
    if row["dimension"] == "sector":
        title = _("Rising threats against the %(sector)s sector") % {"sector": series}
    else:
        title = _("Rising threat: %(type)s") % {"type": series}
    scope_words = _scope_words(filters)
    if scope_words:
        title = f"{title} ({scope_words})"
    compared = period.previous() if comparison == "change_previous" else period.year_earlier()
    if row["change"] is None:
        change = _("new this period")
    else:
        change = formats.number_format(100.0 * float(row["change"]), 1, force_grouping=True) + " %"
    figure = _(
        "%(period)s: %(current)s events against %(previous)s in %(compared)s; change in daily rate: %(change)s; "
        "q = %(q)s (exact Poisson rate test, Benjamini-Hochberg correction)."
    ) % {
        "period": period.label,
        "current": formats.number_format(int(row["current"]), force_grouping=True),
        "previous": formats.number_format(int(row["previous"]), force_grouping=True),
        "compared": compared.label,
        "change": change,
        "q": p_value(row.get("q"), " "),
    }
    description = (
        _("The threat trends dashboard found a significant rise (%(flag)s).") % {"flag": flag_label(row["flag"])}
        + " "
        + figure
    )
    return {"title": title[:250], "description": description, "figure": figure}


@login_required
@require_POST
def gap_from_change(request: HttpRequest) -> HttpResponse:
    """Record a significant rise in the gap register, or update the gap an earlier click recorded."""
    user = signed_in_user(request)
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise Http404 from None
    organisation, labels = access_event_store(user, organisation_id)
    require(user, organisation.pk, Permission.CONTRIBUTE)
    form = GapFromChangeForm(request.POST, tlp_labels=labels)
    if not form.is_valid():
        return render(request, "trends/dashboard_gap_refused.html", {"form": form}, status=400)
    values = form.cleaned_data
    period: Period = values["period"]
    filters = {name: values.get(name) or "" for name in ("sector", "taxonomy", "country", "tlp")}
    back = dashboard_url(organisation, period, filters)
    scope = scope_of(period, labels, **filters)
    data = figures(store_state(organisation), scope)
    row = next(
        (
            r
            for r in data.rows.get(values["comparison"], [])
            if r["dimension"] == values["dimension"] and r["series"] == values["series"]
        ),
        None,
    )
    if row is None or row.get("flag") not in RISING:
        messages.error(
            request, _("This is not a significant rise in the figures as they are now; no gap was recorded.")
        )
        return redirect(back)

    texts = {}
    for language in ("en", "es"):
        with translation.override(language):
            texts[language] = _gap_text(row, values["comparison"], period, filters)
    metric_title = (
        _("Change from the previous period")
        if values["comparison"] == "change_previous"
        else _("Change from the same period a year earlier")
    )
    doubled = row["ratio"] is None or float(row["ratio"]) >= 2.0
    gap, created = do_record_rise_as_gap(
        user,
        organisation,
        source_key=source_key(row["dimension"], row["series"], filters),
        texts={language: RiseText(text["title"], text["description"]) for language, text in texts.items()},
        severity=Severity.HIGH if doubled else Severity.MEDIUM,
        tlp=_most_restricted(data.labels_present),
        evidence=RiseEvidence(
            label=_("Threat trends dashboard: %(metric)s, %(period)s")
            % {"metric": metric_title, "period": period.label},
            url=back,
            note=texts["es" if (get_language() or "en").startswith("es") else "en"]["figure"],
        ),
    )
    if created:
        messages.success(request, _("The rise was recorded in the gap register as %(gap)s.") % {"gap": gap.identifier})
    else:
        messages.success(request, _("The gap %(gap)s was updated with this figure.") % {"gap": gap.identifier})
    return redirect("gaps:gap_detail", pk=gap.pk)
