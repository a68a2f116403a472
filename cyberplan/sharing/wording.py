"""Messages of the sharing network as a person reads them on a page.

The product's own words are translated when the page is shown, in the reader's language; the text of a
partner, of a library or of stix2-validator follows a translated lead-in as it came, marked as English. What
is stored and what travels over TAXII (a status resource's failures, a subscription's last error) is not
changed: the pages recognise the sentences the product wrote there and translate them again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import get_language, gettext, gettext_noop, override
from django.utils.translation import gettext_lazy as _

from cyberplan.core.choices import TLP

from .choices import PullState
from .models import Subscription


@dataclass(frozen=True)
class Explained:
    """A message for a page: a translated lead-in, then the detail (``detail_lang`` says its language when
    it is text the product did not write, so that assistive technology reads it right)."""

    lead: str
    detail: str
    detail_lang: str = ""


# How the last pull went, in the product's words.
_PULL_LEADS = {
    PullState.UNREACHABLE: _("The partner server could not be reached:"),
    PullState.TIMEOUT: _("The partner server did not answer in time:"),
    PullState.REFUSED: _("The partner server refused the request:"),
    PullState.BAD_ANSWER: _("The partner server's answer is not TAXII 2.1:"),
    PullState.IMPORT_FAILED: _("The objects arrived, but the import failed:"),
}
# The sentences the pull writes around the library's or the partner's text (the same messages, so the same
# catalogue entries), to take that text out of them again.
_PULL_SENTENCES = {
    PullState.TIMEOUT: gettext_noop("The partner server did not answer in time (%(e)s)."),
    PullState.UNREACHABLE: gettext_noop("The partner server could not be reached (%(e)s)."),
    PullState.REFUSED: gettext_noop("The partner server answered HTTP %(status)s."),
    PullState.BAD_ANSWER: gettext_noop("The partner server's answer is not TAXII 2.1: %(e)s"),
}
# What the product itself writes as the reason an object was refused, with the name of its one placeholder.
_REFUSAL_SENTENCES = {
    gettext_noop("not a JSON object"): "",
    gettext_noop("%(label)s may not be shared in this collection"): "label",
}
_PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _inner_text(sentence: str, text: str) -> str | None:
    """What fills the placeholder of ``sentence`` in ``text``, whichever language it was written in (a pull
    writes in the worker's, a TAXII answer in the partner's); "" for a sentence without a placeholder that is
    the text; None when ``text`` is not it."""
    for language in dict.fromkeys(["en", get_language() or "en", *(code for code, _name in settings.LANGUAGES)]):
        with override(language):
            written = gettext(sentence)
        parts = _PLACEHOLDER.split(written)
        if len(parts) == 1:
            if text == written:
                return ""
            continue
        prefix, suffix = parts[0], parts[-1]
        if len(text) >= len(prefix) + len(suffix) and text.startswith(prefix) and text.endswith(suffix):
            return text[len(prefix) : len(text) - len(suffix)]
    return None


def explain_pull_error(subscription: Subscription) -> Explained | None:
    """The last pull's error: a translated lead-in for its status, then what the partner or library said."""
    text = subscription.last_error.strip()
    if not text:
        return None
    lead = str(_PULL_LEADS.get(PullState(subscription.last_state), _("The last pull failed:")))
    sentence = _PULL_SENTENCES.get(PullState(subscription.last_state))
    inner = _inner_text(sentence, text) if sentence else None
    return Explained(lead=lead, detail=inner if inner is not None else text, detail_lang="en")


def explain_refusal(failure: Mapping[str, Any]) -> Explained:
    """Why an object of a partner's envelope was refused: the product's reason translated, or stix2-validator's
    text after a translated lead-in."""
    lead = str(_("The partner's object was refused:"))
    message = str(failure.get("message", ""))
    for sentence, placeholder in _REFUSAL_SENTENCES.items():
        inner = _inner_text(sentence, message)
        if inner is not None:
            if not placeholder:
                return Explained(lead=lead, detail=gettext(sentence))
            shown = str(TLP(inner).label) if inner in TLP.values else inner  # "red" reads as "TLP:RED"
            return Explained(lead=lead, detail=gettext(sentence) % {placeholder: shown})
    return Explained(lead=lead, detail=message, detail_lang="en")
