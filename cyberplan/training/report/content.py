"""What the capacity-building report says, in the active language, built from counts only.

No participant is ever named or keyed in the report: the figures (``figures.py``) hold counts of distinct
people, never a person. Trainers are not named either (the session's trainers are people too). Text typed
by users (programme and provider titles, institutions) stays data: each renderer escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cyberplan.core.models import Organisation, User
from cyberplan.reports.document import Chart, Paragraph, Section, Table, clean
from cyberplan.reports.marking import marking, sharing_note
from cyberplan.reports.words import day, decimal, number

from ..catalogue import shipped_topics
from ..charts import coverage_spec
from ..choices import Audience, ProviderKind
from ..coverage import CoverageRow
from .chart import trend_spec
from .figures import Figures, count_figures


@dataclass
class Report:
    language: str
    title: str
    organisation: str
    year: int
    tlp: str
    marking: str
    tlp_note: str
    illustrative: bool
    generated: str
    sections: list[Section]
    figures: Figures


def audience_label(value: str) -> str:
    return str(Audience(value).label) if value in Audience.values else value


def share_text(row: CoverageRow | None, cumulative: bool = True) -> str:
    """The share trained, or the reason there is none (never 0 % for a missing denominator)."""
    if row is None or row.denominator is None:
        return _("no audience size")
    value = row.cumulative_percent if cumulative else row.share_percent
    return _("%(value)s%%") % {"value": decimal(value or 0.0)}


def method_section(figures: Figures) -> Section:
    section = Section("method", _("Method"))
    section.add(
        Paragraph(
            _(
                "A person is trained in a topic when they completed a session of a course that teaches it. "
                "A session counts in the year it ended. Attending without completing is shown apart and never "
                "counted as trained."
            )
        ),
        Paragraph(
            _(
                "Each person counts once: someone who completed three sessions on the same topic, or courses "
                "in several years, is one person trained. People are matched on the pseudonymous key their "
                "organisation gives them; this report holds counts only, never a name or a key."
            )
        ),
        Paragraph(
            _(
                "Coverage is the share of an audience trained: people trained up to the year over the size of "
                "the audience that year. The audience sizes come from the institutions (courts, prosecution "
                "services, ministries) as recorded on the platform. Where no size is recorded the report says "
                "so; it never shows a missing share as zero."
            )
        ),
        Paragraph(
            _("Only programmes marked %(marking)s or less restricted are counted.") % {"marking": marking(figures.tlp)},
            "note",
        ),
    )
    if figures.illustrative:
        section.add(
            Paragraph(
                _("Illustrative: the demonstration's programmes and figures are invented to show the platform."),
                "warning",
            )
        )
    return section


def summary_section(figures: Figures) -> Section:
    section = Section("summary", _("The year in figures"))
    this_year = figures.this_year
    active = [p for p in figures.programmes if p.sessions]
    section.add(
        Table(
            _("Capacity building in %(year)s") % {"year": figures.year},
            [_("Figure"), _("Value")],
            [
                [_("Programmes with a session in the year"), number(len(active))],
                [_("Sessions"), number(this_year.sessions)],
                [_("Hours of training delivered"), decimal(float(this_year.hours))],
                [_("People who attended"), number(this_year.participants)],
                [_("People who completed"), number(this_year.completed)],
            ],
            numeric=[False, True],
        )
    )
    return section


def programmes_section(figures: Figures) -> Section:
    section = Section("programmes", _("Programmes"))
    rows = []
    for p in figures.programmes:
        kind = p.programme.provider.kind
        rows.append(
            [
                clean(p.programme.title),
                f"{clean(p.programme.provider.name)} ({ProviderKind(kind).label if kind in ProviderKind.values else kind})",
                number(p.courses),
                number(p.sessions),
                decimal(float(p.hours)),
                number(len(p.attended)),
                number(len(p.completed)),
            ]
        )
    section.add(
        Table(
            _("Programmes, with their sessions in %(year)s") % {"year": figures.year},
            [
                _("Programme"),
                _("Provider"),
                _("Courses"),
                _("Sessions"),
                _("Hours"),
                _("People who attended"),
                _("People who completed"),
            ],
            rows,
            empty=_("No programme is recorded at this marking."),
            numeric=[False, False, True, True, True, True, True],
        ),
        Paragraph(
            _(
                "Hours are the course's hours for each session held; a person attending several programmes counts in each."
            ),
            "note",
        ),
    )
    return section


def audiences_section(figures: Figures) -> Section:
    section = Section("audiences", _("People trained by audience"))
    audiences = sorted(set(figures.audience_attended) | set(figures.audience_completed))
    rows = [
        [
            audience_label(a),
            number(len(figures.audience_attended.get(a, set()))),
            number(len(figures.audience_completed.get(a, set()))),
        ]
        for a in audiences
    ]
    section.add(
        Table(
            _("People by audience in %(year)s, each person once") % {"year": figures.year},
            [_("Audience"), _("People who attended"), _("People who completed")],
            rows,
            empty=_("Nobody attended a session in the year."),
            numeric=[False, True, True],
        )
    )
    return section


def coverage_section(figures: Figures, language: str) -> Section:
    section = Section("coverage", _("Coverage against audience sizes"))
    catalogue = shipped_topics()
    table = figures.coverage
    rows = []
    for topic in [None, *table.topics]:
        for row in table.national(topic, figures.year):
            # Any topic: every audience with people or a size; a topic: only where someone was trained.
            if not (row.cumulative_trained or (topic is None and row.denominator)):
                continue
            rows.append(
                [
                    audience_label(row.audience),
                    catalogue.topic(topic).title.get(language) if topic else _("Any topic"),
                    number(row.trained),
                    number(row.cumulative_trained),
                    number(row.denominator) if row.denominator else "—",
                    share_text(row),
                ]
            )
    section.add(
        Table(
            _("Share of each audience trained, national, %(year)s") % {"year": figures.year},
            [
                _("Audience"),
                _("Topic"),
                _("Trained in the year"),
                _("Trained up to the year"),
                _("Audience size"),
                _("Share"),
            ],
            rows,
            empty=_("No audience size and nobody trained: there is no coverage to show."),
            numeric=[False, False, True, True, True, False],
        ),
        Chart(
            _("Share of each audience trained, any topic"),
            coverage_spec(table, None, _("Any topic")),
            empty=_("No audience has a recorded size: there is no share to draw."),
            name="coverage",
        ),
    )
    missing = [r for r in table.national(None, figures.year) if r.institutions_without_size]
    for row in missing:
        section.add(
            Paragraph(
                _(
                    "%(audience)s: %(count)s institutions had people trained but no recorded size; "
                    "the national share leaves them out."
                )
                % {"audience": audience_label(row.audience), "count": number(row.institutions_without_size)},
                "note",
            )
        )
    return section


def trends_section(figures: Figures) -> Section:
    section = Section("trends", _("Trends by year"))
    rows = [
        [str(y.year), number(y.sessions), decimal(float(y.hours)), number(y.participants), number(y.completed)]
        for y in figures.years.values()
    ]
    section.add(
        Table(
            _("Sessions, hours and people by year"),
            [_("Year"), _("Sessions"), _("Hours"), _("People who attended"), _("People who completed")],
            rows,
            empty=_("No session is recorded up to this year."),
            numeric=[False, True, True, True, True],
        ),
        Chart(
            _("People who completed a session, by year and audience"),
            trend_spec(figures),
            empty=_("Nobody completed a session up to this year."),
            name="trend",
        ),
    )
    return section


def build_report(organisation: Organisation, year: int, tlp: str, reader: User | None = None) -> Report:
    """The report of ``organisation``'s training up to ``year``, marked ``tlp``, in the active language.

    With ``reader``, only the programmes that person may read are counted.
    """
    language = (get_language() or "en")[:2]
    figures = count_figures(organisation, year, tlp, reader)
    sections = [
        method_section(figures),
        summary_section(figures),
        programmes_section(figures),
        audiences_section(figures),
        coverage_section(figures, language),
        trends_section(figures),
    ]
    return Report(
        language=language,
        title=_("Capacity-building report"),
        organisation=clean(organisation.name),
        year=year,
        tlp=tlp,
        marking=marking(tlp),
        tlp_note=sharing_note(tlp),
        illustrative=figures.illustrative,
        generated=day(timezone.localdate()),
        sections=sections,
        figures=figures,
    )
