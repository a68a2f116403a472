"""The page template every report extends, and the steps every report job and request page shares."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template

from cyberplan.reports.html import page_context
from cyberplan.reports.jobs import check_parameters, format_and_language_errors, raise_errors
from cyberplan.reports.views import add_form_errors

CHILD = (
    '{% extends "reports/document.html" %}{% block title %}{{ title }}{% endblock %}'
    "{% block body %}<p>{{ title }}</p>{% endblock %}"
)


def _page(for_pdf: bool, **values: object) -> str:
    context = page_context(
        tlp="amber+strict",
        tlp_note="Within the organisation only.",
        language="es",
        for_pdf=for_pdf,
        notices=["Draft"],
    )
    return Template(CHILD).render(Context({**context, **values}))


def test_the_page_marks_the_html_at_top_and_bottom_and_the_pdf_in_every_page_margin() -> None:
    html = _page(False, title="<script>x</script>")
    assert '<html lang="es">' in html and 'class="tlp-amberstrict"' in html
    assert html.count('<div class="tlp-banner') == 2
    assert "TLP:AMBER+STRICT</span> Within the organisation only. · <strong>Draft</strong>" in html
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert 'content: "TLP' not in html
    pdf = _page(True, title="t")
    assert '<div class="tlp-banner' not in pdf
    assert pdf.count('content: "TLP\\00003aAMBER\\00002bSTRICT";') == 2


def test_a_bad_language_or_format_is_named_by_its_field() -> None:
    assert format_and_language_errors("en", "pdf") == {}
    assert set(format_and_language_errors("xx", "odt")) == {"language", "format"}
    raise_errors({})
    with pytest.raises(ValidationError) as refused:
        raise_errors({"format": "Choose a format."})
    assert refused.value.message_dict == {"format": ["Choose a format."]}


def test_the_worker_turns_a_refused_parameter_into_the_failure_message() -> None:
    def check() -> None:
        raise_errors({"language": "Choose a language.", "format": "Choose a format."})

    with pytest.raises(ValueError, match=r"^Choose a language\. Choose a format\.$"):
        check_parameters(check)


class _Form(forms.Form):
    language = forms.CharField()


def test_a_refusal_shows_by_its_field_or_above_the_form() -> None:
    form = _Form({"language": "en"})
    assert form.is_valid()
    add_form_errors(form, ValidationError({"language": "Choose a language.", "tlp": "You may not read it."}))
    assert form.errors == {"language": ["Choose a language."], "__all__": ["You may not read it."]}
