"""The trends report's executive summary: its sentences and key figures."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.reports.document import clean
from cyberplan.reports.words import number, period_name, period_range, share

from ..labels import taxonomy_label
from . import changes
from .common import UNKNOWN, Builder


def summary(builder: Builder) -> tuple[list[str], list[tuple[str, str]]]:
    """The executive summary's sentences and key figures.

    Long: over 80 lines because it takes one short step per figure (its sentence and its key figure),
    in the summary's reading order.
    """
    builder.cite("totals")
    sentences: list[str] = []
    figures: list[tuple[str, str]] = []
    if not builder.events:
        sentences.append(
            _(
                "No event was recorded for %(organisation)s in %(period)s (%(range)s) that this report may count. "
                "The sections below therefore contain no figures; the methodology explains what was looked at."
            )
            % {
                "organisation": clean(builder.organisation.name),
                "period": period_name(builder.period),
                "range": period_range(builder.period),
            }
        )
        figures.append((_("Events"), number(0)))
        return sentences, figures
    feeds = int(builder.totals.get("feeds") or 0)
    sentences.append(
        ngettext(
            "%(count)s event was recorded in %(period)s (%(range)s),",
            "%(count)s events were recorded in %(period)s (%(range)s),",
            builder.events,
        )
        % {
            "count": number(builder.events),
            "period": period_name(builder.period),
            "range": period_range(builder.period),
        }
        + " "
        + ngettext("reported by %(count)s feed.", "reported by %(count)s feeds.", feeds) % {"count": number(feeds)}
    )
    figures.append((_("Events"), number(builder.events)))
    figures.append((_("Feeds"), number(feeds)))

    sources = int(builder.rows("sources_total")[0]["sources"] if builder.rows("sources_total") else 0)
    if sources:
        sentences.append(
            ngettext(
                "They came from %(count)s distinct source address.",
                "They came from %(count)s distinct source addresses.",
                sources,
            )
            % {"count": number(sources)}
        )
    else:
        sentences.append(_("No event of the period carried a source address."))
    figures.append((_("Distinct source addresses"), number(sources)))

    classes: dict[str, int] = {}
    for row in builder.rows("by_class"):
        classes[row["taxonomy"]] = classes.get(row["taxonomy"], 0) + int(row["events"])
    if classes:
        top, count = sorted(classes.items(), key=lambda item: (-item[1], item[0]))[0]
        if len(classes) == 1:
            sentences.append(_("All events belong to one threat class: %(name)s.") % {"name": taxonomy_label(top)})
        else:
            sentences.append(
                _("The most frequent threat class was %(name)s, with %(count)s events (%(share)s of the total).")
                % {"name": taxonomy_label(top), "count": number(count), "share": share(count, builder.events)}
            )
        figures.append((_("Most frequent threat class"), taxonomy_label(top)))

    sentences.append(changes.change_sentence(builder))

    categories = {row["category"]: int(row["events"]) for row in builder.rows("by_category")}
    government = categories.get("government", 0)
    known = builder.events - categories.get(UNKNOWN, 0)
    if government:
        sentences.append(
            _("Government institutions were the victims of %(share)s of the events (%(count)s).")
            % {"share": share(government, builder.events), "count": number(government)}
        )
        figures.append((_("Events with a government victim"), share(government, builder.events) or "—"))
    elif known:
        sentences.append(_("No event of the period concerned a government institution."))
    unknown = categories.get(UNKNOWN, 0)
    if unknown == builder.events:
        sentences.append(
            _("The victim's sector is unknown for every event: none of their addresses is in the constituency table.")
        )
    elif unknown:
        sentences.append(
            _("The victim's sector is unknown for %(share)s of the events (%(count)s).")
            % {"share": share(unknown, builder.events), "count": number(unknown)}
        )

    incidents = sum(int(row["events"]) for row in builder.rows("incidents_by_type"))
    if incidents:
        sentences.append(
            ngettext(
                "%(count)s of the records is an incident handled by a CSIRT.",
                "%(count)s of the records are incidents handled by a CSIRT.",
                incidents,
            )
            % {"count": number(incidents)}
        )
        figures.append((_("Incidents handled"), number(incidents)))
    return sentences, figures
