"""What every form that asks for a report shares: the language and the format of the file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

FORMAT_CHOICES = [("pdf", _("PDF")), ("docx", _("Word document (DOCX)")), ("html", _("Web page (HTML)"))]


def last_quarter(today: dt.date) -> str:
    """The last complete quarter before ``today`` (``2026-Q3`` in November 2026): a report's usual period."""
    quarter = (today.month - 1) // 3  # the current quarter, from 0
    year = today.year
    if quarter == 0:
        return f"{year - 1}-Q4"
    return f"{year}-Q{quarter}"


class ReportFileForm(forms.Form):
    """A request form's language (the reader's by default) and format; a domain's form adds what its report needs.

    A subclass sets ``field_order`` to place these two among its own fields.
    """

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES, initial="pdf")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
