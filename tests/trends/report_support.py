"""Helpers of the trends report tests: a small store with hand-counted figures, and text out of PDF and DOCX."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from cyberplan.core.models import Organisation
from cyberplan.pipeline.store import EventStore
from cyberplan.threats.store import store_root
from tests.analytics.support import event, write_store


def sample_events() -> list[dict[str, Any]]:
    """21 events in 2026-Q3 (13 with a government victim, 20 distinct sources) and 3 in 2026-Q2."""
    events = [
        event(
            f"2026-07-{day:02d}T08:00",
            ip=f"192.0.2.{day}",
            sector="government",
            organisation="Ministerio de Ejemplo",
            asn=64500,
            as_name="Telco Ejemplo",
            network="192.0.2.0/24",
        )
        for day in range(1, 13)
    ]
    events += [
        event(
            f"2026-08-{day:02d}T09:00",
            ip=f"203.0.113.{day}",
            taxonomy="malicious-code",
            type_="infected-system",
            identifier="mirai",
            sector="finance",
            organisation="Banco Uno",
            asn=64501,
            as_name="Banco Net",
            network="203.0.113.0/24",
            feed="event4_sinkhole",
        )
        for day in range(1, 7)
    ]
    events += [
        event(
            f"2026-09-0{day}T10:00",
            ip=f"198.18.0.{day}",
            taxonomy="intrusion-attempts",
            type_="brute-force",
            identifier="ssh",
            sector=None,
            country=None,
            feed="blocklist",
            provider="Partner CSIRT",
        )
        for day in (1, 2)
    ]
    events.append(
        event(
            "2026-09-15T12:00",
            ip=None,
            taxonomy="intrusions",
            type_="system-compromise",
            identifier="ransomware",
            sector="government",
            organisation="Ministerio de Ejemplo",
            feed="veris",
            provider="CERT-PY",
            severity="high",
            extra={"incident_types": ["ransomware"], "response_hours": 6},
        )
    )
    events += [event(f"2026-05-0{day}T08:00", ip=f"192.0.2.{day}", sector="government") for day in (1, 2, 3)]
    return events


def write_org_store(organisation: Organisation, events: list[dict[str, Any]]) -> EventStore:
    return write_store(store_root(organisation), events)


@dataclass
class Pdf:
    pages: list[str]
    forms: int  # drawn SVG charts become form XObjects
    images: int

    @property
    def text(self) -> str:
        return "\n".join(self.pages)


def pdf_text(content: bytes) -> Pdf:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    forms = images = 0
    for page in reader.pages:
        for obj in (page["/Resources"].get("/XObject") or {}).values():
            subtype = obj.get_object().get("/Subtype")
            forms += subtype == "/Form"
            images += subtype == "/Image"
    return Pdf([page.extract_text() for page in reader.pages], forms, images)


@dataclass
class Docx:
    body: str
    headers: list[str]
    footers: list[str]
    pictures: int
    different_first_page: bool


def docx_text(content: bytes) -> Docx:
    import docx

    document = docx.Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return Docx(
        body="\n".join(parts),
        headers=[" ".join(p.text for p in section.header.paragraphs) for section in document.sections],
        footers=[" ".join(p.text for p in section.footer.paragraphs) for section in document.sections],
        pictures=len(document.inline_shapes),
        different_first_page=any(section.different_first_page_header_footer for section in document.sections),
    )


#: A percentage of zero, in either language ("0%", "0.0 %", "0,0%"), not part of a larger number.
ZERO_PERCENT = re.compile(r"(?<![\d.,])0(?:[.,]0+)?\s?%")
