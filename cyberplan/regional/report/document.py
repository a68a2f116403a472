"""The regional report as a document: its chapters in order, the methodology and the packages it was built from."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cyberplan.core.models import Organisation, User
from cyberplan.reports.document import Paragraph, Section, Table, clean
from cyberplan.reports.marking import marking, sharing_note
from cyberplan.reports.words import day, number

from .charts import report_charts
from .content import Content, gather
from .periods import report_period
from .profiles import profile_section
from .sections import (
    change_test_note,
    exposure_section,
    incidents_section,
    maturity_section,
    pooled_section,
    summary_section,
    training_section,
    trends_section,
    who,
)


@dataclass
class Report:
    language: str
    title: str
    programme: str
    period: str
    tlp: str
    marking: str
    tlp_note: str
    generated: str
    sections: list[Section]
    content: Content


def method_section(content: Content) -> Section:
    section = Section("method", _("Methodology"))
    section.add(
        Paragraph(
            _(
                "This report is built from the statistics packages the member states sent the programme: for each "
                "member, the latest accepted version of its package for the period. Each member's instance computed "
                "its own figures from its own data; no raw event reached the programme."
            )
            if content.pooled is None
            else _(
                "This report is built from the statistics packages the member states sent the programme: for each "
                "member, the latest accepted version of its package for the period. Each member's instance computed "
                "its own figures from its own data; no raw event reached the programme through a package."
            )
        ),
        *(
            [
                Paragraph(
                    _(
                        "Pooled events: members that chose to share their raw TLP:CLEAR and TLP:GREEN events sent "
                        "them to the programme's pool; the chapter on pooled events runs the regional metric set on "
                        "them (the national metrics' counting and test, per member). It is a second source: its "
                        "figures are never added to the package figures."
                    )
                )
            ]
            if content.pooled is not None
            else []
        ),
        Paragraph(
            _(
                "Suppression: before a package leaves a member, every count from 1 to below the member's threshold "
                "(10 unless the member chose another) is suppressed, and so is a second count wherever the first "
                'could be recovered by subtraction from a total. A suppressed count is shown as "suppressed"; the '
                "report never guesses it."
            )
        ),
        Paragraph(
            _(
                "Sums: a regional figure adds the members' published counts. Where one of the counts added is "
                'suppressed, the sum is a lower bound and reads "at least"; where all are, it stays suppressed.'
            )
        ),
        Paragraph(
            _(
                "Missing parts: a member shares only the parts its instance has and chooses to send (its assessment "
                "only when it decides to). A table includes only the members whose package has that part, and says "
                "which; a missing part is not a zero."
            )
        ),
        Paragraph(
            _(
                "Per 1,000 addresses: exposure is the number of distinct source addresses located in the country, "
                "per 1,000 IPv4 addresses the regional registries assign to it, so that countries of different "
                "sizes can be compared. The region's figure divides the sum of the sources by the sum of the "
                "addresses."
            )
        ),
        Paragraph(
            _(
                "Trends: each RSIT class and each sector is compared with the previous period with the test of the "
                "national trends report (an exact test of two Poisson rates per day, corrected for the number of "
                "series tested with the Benjamini-Hochberg procedure), over the members who sent threat figures "
                "for both periods. A series whose sum holds a suppressed count is not tested: a lower bound is not "
                "a count."
            )
        ),
        change_test_note(),
        Paragraph(
            _("The document is marked %(marking)s, the most restricted label of the packages it includes.")
            % {"marking": marking(content.tlp)},
            "note",
        ),
    )
    return section


def packages_section(content: Content) -> Section:
    section = Section("packages", _("Packages this report was built from"))
    compared = set(content.changes.compared)
    used = content.current + [p for p in content.previous if p.country in compared]
    rows = [
        [
            who(p.country),
            clean(p.period),
            number(p.version),
            clean(p.figures_digest),
            p.received.isoformat(),
            f"TLP:{p.tlp.upper()}",
        ]
        for p in used
    ]
    section.add(
        Table(
            _("Statistics packages included"),
            [_("Member"), _("Period"), _("Version"), _("Figures digest (SHA-256)"), _("Received"), _("Marking")],
            rows,
            empty=_("No package is included."),
            css="packages",
        )
    )
    return section


def build_report(programme: Organisation, period_text: str, reader: User | None = None) -> Report:
    """The report of ``programme`` for a period, in the active language, from the packages ``reader`` may read."""
    period = report_period(period_text)
    content = gather(programme, period, reader)
    charts = report_charts(content)
    sections = [
        summary_section(content, charts),
        trends_section(content, charts),
        exposure_section(content, charts),
        incidents_section(content, charts),
        maturity_section(content, charts),
        training_section(content, charts),
        *([pooled] if (pooled := pooled_section(content)) is not None else []),
        *[profile_section(p) for p in content.current],
        method_section(content),
        packages_section(content),
    ]
    return Report(
        language=(get_language() or "en")[:2],
        title=_("%(programme)s: Cybersecurity Trends in the region") % {"programme": clean(programme.name)},
        programme=clean(programme.name),
        period=period.label,
        tlp=content.tlp,
        marking=marking(content.tlp),
        tlp_note=sharing_note(content.tlp),
        generated=day(timezone.localdate()),
        sections=sections,
        content=content,
    )
