"""One call for the command line and the background job: an assessment's report as a file."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation

from ..models import Assessment
from .content import build_report
from .render import FORMATS, render_report


@dataclass(frozen=True)
class Produced:
    content: bytes
    file_name: str


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def file_name(assessment: Assessment, language: str, fmt: str) -> str:
    return (
        f"assessment-{assessment.pk}-{str(assessment.country).lower()}-{assessment.date.isoformat()}-{language}.{fmt}"
    )


def produce(assessment: Assessment, *, language: str, fmt: str) -> Produced:
    """The report of ``assessment`` in ``language`` and format ``fmt``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}: use one of {', '.join(FORMATS)}")
    if language not in languages():
        raise ValueError(f"unknown language {language!r}: use one of {', '.join(languages())}")
    with translation.override(language):
        content = render_report(build_report(assessment, language), fmt)
    return Produced(content, file_name(assessment, language, fmt))
