"""stix2-validator's check that a timestamp is a real date and time, without dateutil's general parser.

The validator's MUST check ``timestamp`` hands every timestamp that matches its pattern
(``YYYY-MM-DDTHH:MM:SS[.fraction]Z``) to ``dateutil.parser.parse`` and reports the ``ValueError`` it raises
(February 30, hour 24 ...). dateutil's parser reads any date format, which costs about a fifth of validating
an indicator. ``parse`` here builds the date from the digits of a strictly written timestamp; when that
succeeds, the validator's check passes (its only use of the result is whether it raised). Anything else,
including every date that does not exist, goes to dateutil itself, so the message is dateutil's.
``tests/pipeline/test_stix_pattern_check.py`` compares both on generated timestamps.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

_STRICT = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]{1,9})?Z")


def parse(timestr: Any, *args: Any, **kwargs: Any) -> Any:
    """``dateutil.parser.parse`` for the validator: a UTC datetime of a strictly written, existing time."""
    match = _STRICT.fullmatch(timestr) if isinstance(timestr, str) and not args and not kwargs else None
    if match:
        year, month, day, hour, minute, second = (int(part) for part in match.groups())
        # A strictly written time that does not exist (a 31 April) goes to dateutil, which words the refusal.
        if (
            year >= dt.MINYEAR
            and 1 <= month <= 12
            and 1 <= day <= calendar.monthrange(year, month)[1]
            and hour < 24
            and minute < 60
            and second < 60
        ):
            return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    from dateutil import parser as dateutil_parser

    return dateutil_parser.parse(timestr, *args, **kwargs)


class _Parser:
    """What the validator's ``musts`` module reads from ``dateutil.parser``: ``parse``."""

    parse = staticmethod(parse)


def install() -> None:
    """Make stix2-validator's timestamp check use :func:`parse` (once per process)."""
    import stix2validator.v21.musts as musts

    if getattr(musts, "_cyberplan_fast_timestamps", False):
        return
    musts.parser = _Parser()
    musts._cyberplan_fast_timestamps = True
