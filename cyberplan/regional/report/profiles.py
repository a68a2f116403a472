"""A profile page per member state: each part of its package, only where the package has it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from cyberplan.reports.document import Block, Paragraph, Section, Table, clean
from cyberplan.reports.words import decimal, number
from cyberplan.trends.labels import country_label, taxonomy_label

from ..regional_figures import Sum
from .content import Included
from .sections import audience_label, cell_text, percent, phase_label, treaty_status, who


def part_name(part: str) -> str:
    names = {
        "threats": _("Threats"),
        "exposure": _("Exposure"),
        "incidents": _("Incidents"),
        "assessment": _("Maturity"),
        "strategy": _("Strategy"),
        "legal": _("Convention status and legal coverage"),
        "training": _("Training coverage"),
    }
    return names[part]


def _threats(part: Mapping[str, Any]) -> list[Block]:
    sums: dict[str, tuple[Sum, Sum]] = {}
    for row in part["rows"]:
        events, sources = sums.setdefault(str(row["taxonomy"]), (Sum(), Sum()))
        events.add(row["events"])
        sources.add(row["sources"])
    rows = [[taxonomy_label(t), cell_text(e.as_cell()), cell_text(s.as_cell())] for t, (e, s) in sorted(sums.items())]
    rows.append([_("Total"), cell_text(part["total"]["events"]), cell_text(part["total"]["sources"])])
    return [
        Table(
            _("Events and distinct sources by class"),
            [_("Class"), _("Events"), _("Distinct sources")],
            rows,
            numeric=[False, True, True],
        ),
        Paragraph(_("Distinct sources do not add up across classes: an address may appear in several."), "note"),
    ]


def _exposure(part: Mapping[str, Any]) -> list[Block]:
    per_1000 = part.get("per_1000")
    rows = [
        [_("Exposed sources"), cell_text(part["sources"])],
        [_("Announced IPv4 addresses"), number(int(part["announced_ipv4"]))],
        [_("Per 1,000"), _("suppressed") if per_1000 is None else decimal(float(per_1000), 4)],
    ]
    return [Table(_("Exposure"), [_("Figure"), _("Value")], rows, numeric=[False, True])]


def _incidents(part: Mapping[str, Any]) -> list[Block]:
    mean = part.get("mean_response_hours")
    rows = [
        [_("Incidents handled"), cell_text(part["total"]["incidents"])],
        [_("Mean time to respond (hours)"), "—" if mean is None else decimal(float(mean))],
    ]
    return [Table(_("Incident handling"), [_("Figure"), _("Value")], rows, numeric=[False, True])]


def _assessment(part: Mapping[str, Any]) -> list[Block]:
    rows = [[clean(f["factor"]), str(int(f["stage"]))] for f in part["factors"]]
    caption = _("Stage of each factor (0 to 5), assessment of %(date)s, framework %(framework)s") % {
        "date": clean(part["date"]),
        "framework": clean(part["framework"]),
    }
    return [Table(caption, [_("Factor"), _("Stage")], rows, numeric=[False, True])]


def _strategy(part: Mapping[str, Any]) -> list[Block]:
    rows = [
        [_("Adopted"), _("yes") if part["adopted"] else _("no")],
        [_("Instrument"), clean(part.get("instrument") or "—")],
        [_("Period"), f"{part['start_year']}-{part['end_year']}"],
        [_("Phase"), phase_label(part["phase"])],
        [_("Axes"), "; ".join(clean(a) for a in part.get("axes", [])) or "—"],
        [_("Actions"), number(int(part["actions"])) if part.get("actions") else "—"],
        [_("Share of actions completed"), percent(part.get("actions_completed_share"))],
    ]
    return [Table(_("National strategy"), [_("Figure"), _("Value")], rows)]


def _legal(part: Mapping[str, Any]) -> list[Block]:
    blocks: list[Block] = []
    if part.get("treaties"):
        rows = [[clean(t["treaty"]), treaty_status(t)] for t in part["treaties"]]
        blocks.append(Table(_("Treaty status"), [_("Treaty"), _("Status")], rows))
    if part.get("coverage"):
        rows = [
            [clean(c["treaty"]), clean(c["review_date"]), percent(c.get("full_share")), percent(c.get("covered_share"))]
            for c in part["coverage"]
        ]
        headers = [_("Treaty"), _("Review date"), _("Fully covered"), _("Covered")]
        blocks.append(Table(_("Legal coverage"), headers, rows, numeric=[False, False, True, True]))
    return blocks


def _training(part: Mapping[str, Any]) -> list[Block]:
    rows = [
        [
            audience_label(a["audience"]),
            cell_text(a["trained"]),
            cell_text(a["cumulative_trained"]),
            "—" if a.get("audience_size") is None else number(int(a["audience_size"])),
            percent(a.get("share")) if "share" in a else "—",
        ]
        for a in part["audiences"]
    ]
    headers = [_("Audience"), _("Trained in the year"), _("Trained up to the year"), _("Audience size"), _("Share")]
    caption = _("People trained in %(year)s") % {"year": int(part["year"])}
    return [Table(caption, headers, rows, numeric=[False, True, True, True, True])]


WRITERS = {
    "threats": _threats,
    "exposure": _exposure,
    "incidents": _incidents,
    "assessment": _assessment,
    "strategy": _strategy,
    "legal": _legal,
    "training": _training,
}


def profile_section(included: Included) -> Section:
    """The member's page: a subheading and its figures per part it sent, then the parts it did not send."""
    named = included.name and included.name != country_label(included.country)
    title = who(included.country) + (f": {clean(included.name)}" if named else "")
    section = Section(f"member-{included.country.lower()}", title)
    section.add(
        Paragraph(
            _("Package version %(version)s for %(period)s, received %(date)s, marked TLP:%(tlp)s.")
            % {
                "version": included.version,
                "period": clean(included.period),
                "date": included.received.isoformat(),
                "tlp": included.tlp.upper(),
            },
            "note",
        )
    )
    missing = []
    for part, write in WRITERS.items():
        if part not in included.package:
            missing.append(part_name(part))
            continue
        section.add(Paragraph(part_name(part), "subheading"), *write(included.package[part]))
    if missing:
        section.add(
            Paragraph(
                _("Not in this member's package (not shared, or no figures): %(parts)s.")
                % {"parts": ", ".join(missing)},
                "note",
            )
        )
    return section
