"""Reading national instruments from CSV and from text split into articles, before anything is written.

Both readers return plain records and a list of problems, each naming its line, in the active
language; ``cyberplan.legal.actions`` writes the records only when there is no problem at all, in
one transaction. Neither reader touches the database, except to resolve an amending instrument
named in a CSV row (through the ``known_instruments`` the caller passes).

CSV columns (docs/how-to/legal-alignment.md): ``kind, number, title, date, official_url, status,
status_date, amended_by, article, heading, text, article_status``. One row per article; the
instrument columns repeat on each row of the same instrument; a row without ``article`` describes
only the instrument.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from .choices import InstrumentKind, LegalStatus

MAX_TEXT_BYTES = 5 * 1024 * 1024
"""The largest CSV or text accepted, below the site-wide upload limit."""

COLUMNS = (
    "kind",
    "number",
    "title",
    "date",
    "official_url",
    "status",
    "status_date",
    "amended_by",
    "article",
    "heading",
    "text",
    "article_status",
)
REQUIRED_COLUMNS = frozenset({"kind", "number", "title", "date"})

ARTICLE_NUMBER = re.compile(r"^\d{1,4}(?: ?(?:bis|ter|quater|quinquies|[a-z]))?$")
"""An article number as national law writes it: ``4``, ``146 b``, ``174 bis``."""

# A heading opening an article: "Artículo 146 b." followed by a dash, "Art. 4°", "ARTÍCULO 5.-", "Artículo 1º.-"
ARTICLE_HEADING = re.compile(
    r"^\s*(?:art[íi]culo|art\.)\s*(?P<number>\d{1,4})\s*[°º]?\s*(?P<suffix>bis|ter|quater|quinquies|[a-z](?![a-z]))?"
    r"\s*[°º]?\s*[.:\-\u2013\u2014]*\s*(?P<rest>.*)$",
    re.IGNORECASE,
)


@dataclass
class LineProblem:
    line: int
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class LegalImportError(Exception):
    """The input has problems; nothing was written. ``problems`` name each line."""

    def __init__(self, problems: list[LineProblem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class ArticleRecord:
    number: str
    line: int
    heading: str = ""
    text: str = ""
    status: str = LegalStatus.IN_FORCE


@dataclass
class InstrumentRecord:
    kind: str
    number: str
    title: str
    date: datetime.date
    line: int
    official_url: str = ""
    status: str = LegalStatus.IN_FORCE
    status_date: datetime.date | None = None
    amended_by: tuple[str, str] | None = None  # (kind, number) of the amending instrument
    articles: list[ArticleRecord] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.kind, self.number)


def normalise_article_number(number: str, suffix: str | None = None) -> str:
    """``146`` and ``b`` -> ``146 b``; ``4°`` -> ``4``."""
    cleaned = re.sub(r"[°º.]", "", number).strip().lower()
    cleaned = re.sub(r"\s+", " ", cleaned)
    if suffix:
        cleaned = f"{cleaned} {suffix.lower()}"
    return cleaned


def decode(raw: bytes) -> str:
    """The upload as text; refuses what is too large or not UTF-8 (nothing half-read)."""
    limit = min(int(settings.CYBERPLAN_MAX_UPLOAD_BYTES), MAX_TEXT_BYTES)
    if len(raw) > limit:
        raise LegalImportError(
            [LineProblem(0, _("The file is larger than %(size)d MB.") % {"size": max(1, limit // (1024 * 1024))})]
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LegalImportError(
            [LineProblem(raw[: exc.start].count(b"\n") + 1, _("The file is not UTF-8 text."))]
        ) from None


def _date(
    value: str, line: int, column: str, today: datetime.date, problems: list[LineProblem]
) -> datetime.date | None:
    try:
        parsed = datetime.date.fromisoformat(value.strip())
    except ValueError:
        problems.append(
            LineProblem(
                line, _("%(column)s %(value)r is not a date (write YYYY-MM-DD).") % {"column": column, "value": value}
            )
        )
        return None
    if parsed > today:
        problems.append(
            LineProblem(
                line, _("%(column)s %(value)s is in the future.") % {"column": column, "value": parsed.isoformat()}
            )
        )
        return None
    return parsed


def _instrument_key(value: str) -> tuple[str, str] | None:
    """``law 6207`` -> ``("law", "6207")``."""
    parts = value.strip().split(None, 1)
    if len(parts) != 2 or parts[0].lower() not in InstrumentKind.values:
        return None
    return parts[0].lower(), parts[1].strip()


def _choice(value: str, allowed: list[str], default: str, line: int, column: str, problems: list[LineProblem]) -> str:
    value = value.strip().lower() or default
    if value not in allowed:
        problems.append(
            LineProblem(
                line,
                _("%(column)s %(value)r is unknown (expected one of: %(allowed)s).")
                % {"column": column, "value": value, "allowed": ", ".join(allowed)},
            )
        )
    return value


def instrument_from_fields(
    row: dict[str, str], line: int, today: datetime.date, problems: list[LineProblem]
) -> InstrumentRecord | None:
    before = len(problems)
    kind = _choice(row.get("kind", ""), list(InstrumentKind.values), "", line, "kind", problems)
    number = row.get("number", "").strip()
    title = row.get("title", "").strip()
    if not number:
        problems.append(LineProblem(line, _("number is empty.")))
    if not title:
        problems.append(LineProblem(line, _("title is empty.")))
    enacted = _date(row.get("date", ""), line, "date", today, problems)
    status = _choice(row.get("status", ""), list(LegalStatus.values), LegalStatus.IN_FORCE, line, "status", problems)
    status_date = None
    if row.get("status_date", "").strip():
        status_date = _date(row["status_date"], line, "status_date", today, problems)
    if enacted and status_date and status_date < enacted:
        problems.append(
            LineProblem(
                line,
                _("The instrument is %(status)s on %(when)s, before it was enacted on %(enacted)s.")
                % {"status": status, "when": status_date.isoformat(), "enacted": enacted.isoformat()},
            )
        )
    amended_by = None
    if row.get("amended_by", "").strip():
        amended_by = _instrument_key(row["amended_by"])
        if amended_by is None:
            problems.append(
                LineProblem(
                    line,
                    _("amended_by %(value)r does not name an instrument (write kind and number, like 'law 6207').")
                    % {"value": row["amended_by"]},
                )
            )
    url = row.get("official_url", "").strip()
    if url and not url.startswith(("https://", "http://")):
        problems.append(LineProblem(line, _("official_url must start with https:// or http://.")))
    if len(problems) > before or enacted is None:
        return None
    return InstrumentRecord(
        kind=kind,
        number=number,
        title=title,
        date=enacted,
        line=line,
        official_url=url,
        status=status,
        status_date=status_date,
        amended_by=amended_by,
    )


def _add_article(
    record: InstrumentRecord, article: ArticleRecord, seen: dict[tuple[str, str, str], int], problems: list[LineProblem]
) -> None:
    if not ARTICLE_NUMBER.match(article.number):
        problems.append(LineProblem(article.line, _("%(value)r is not an article number.") % {"value": article.number}))
        return
    key = (*record.key, article.number)
    if key in seen:
        problems.append(
            LineProblem(
                article.line,
                _("Article %(number)s appears twice (first on line %(first)d).")
                % {"number": article.number, "first": seen[key]},
            )
        )
        return
    seen[key] = article.line
    record.articles.append(article)


def parse_csv(text: str, known_instruments: set[tuple[str, str]], today: datetime.date) -> list[InstrumentRecord]:
    """The instruments of a CSV, or ``LegalImportError`` naming every bad line."""
    problems: list[LineProblem] = []
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = sorted(REQUIRED_COLUMNS - set(header))
    unknown = sorted(set(header) - set(COLUMNS))
    if missing or unknown:
        if missing:
            problems.append(LineProblem(1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}))
        if unknown:
            problems.append(LineProblem(1, _("Unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)}))
        raise LegalImportError(problems)
    reader.fieldnames = header
    records: dict[tuple[str, str], InstrumentRecord] = {}
    seen: dict[tuple[str, str, str], int] = {}
    for row in reader:
        line = reader.line_num
        row = {k: (v or "") for k, v in row.items() if k is not None}
        record = instrument_from_fields(row, line, today, problems)
        if record is None:
            continue
        existing = records.setdefault(record.key, record)
        if existing is not record and (existing.title, existing.date, existing.status) != (
            record.title,
            record.date,
            record.status,
        ):
            problems.append(
                LineProblem(
                    line,
                    _("%(kind)s %(number)s is described differently than on line %(first)d.")
                    % {"kind": record.kind, "number": record.number, "first": existing.line},
                )
            )
            continue
        if row.get("article", "").strip():
            status = _choice(
                row.get("article_status", ""),
                list(LegalStatus.values),
                LegalStatus.IN_FORCE,
                line,
                "article_status",
                problems,
            )
            article = ArticleRecord(
                number=normalise_article_number(row["article"]),
                line=line,
                heading=row.get("heading", "").strip(),
                text=row.get("text", "").strip(),
                status=status,
            )
            _add_article(existing, article, seen, problems)
    for record in records.values():
        if record.amended_by and record.amended_by not in records and record.amended_by not in known_instruments:
            problems.append(
                LineProblem(
                    record.line,
                    _("The amending instrument %(kind)s %(number)s is neither in this file nor recorded.")
                    % {"kind": record.amended_by[0], "number": record.amended_by[1]},
                )
            )
    if problems:
        raise LegalImportError(sorted(problems, key=lambda p: p.line))
    return list(records.values())


def split_articles(text: str) -> tuple[list[ArticleRecord], int]:
    """A law's text split at its article headings; returns the articles and the lines before the first one.

    Raises ``LegalImportError`` for a repeated article or a text without any article heading.
    """
    problems: list[LineProblem] = []
    articles: list[ArticleRecord] = []
    seen: dict[str, int] = {}
    preamble = 0
    current: ArticleRecord | None = None
    body: list[str] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        match = ARTICLE_HEADING.match(line)
        if match:
            if current is not None:
                current.text = "\n".join(body).strip()
            number = normalise_article_number(match.group("number"), match.group("suffix"))
            current = ArticleRecord(number=number, line=line_number)
            body = [match.group("rest").strip()] if match.group("rest").strip() else []
            if number in seen:
                problems.append(
                    LineProblem(
                        line_number,
                        _("Article %(number)s appears twice (first on line %(first)d).")
                        % {"number": number, "first": seen[number]},
                    )
                )
                continue
            seen[number] = line_number
            articles.append(current)
        elif current is None:
            preamble += 1 if line.strip() else 0
        else:
            body.append(line)
    if current is not None:
        current.text = "\n".join(body).strip()
    if not articles:
        problems.append(
            LineProblem(1, _("No article heading found (for example 'Artículo 1.-', 'Art. 4°' or 'ARTÍCULO 5.-')."))
        )
    if problems:
        raise LegalImportError(problems)
    return articles, preamble
