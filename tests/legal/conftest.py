"""Fixtures of the legal alignment tests: instruments of Paraguay and a review factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from cyberplan.core.choices import TLP, Role
from cyberplan.core.models import Organisation, User
from cyberplan.legal.actions import do_create_review, do_import_instruments_csv
from cyberplan.legal.models import Instrument, Review
from tests.conftest import World

TODAY = dt.date(2026, 6, 1)

PENAL_CODE_CSV = """kind,number,title,date,official_url,status,status_date,amended_by,article,heading,text,article_status
code,1160/97,Código Penal,1997-11-26,https://www.bacn.gov.py/,amended,2011-07-29,law 4439,174 b,Acceso indebido a sistemas informáticos,El que accediere...,in_force
code,1160/97,Código Penal,1997-11-26,https://www.bacn.gov.py/,amended,2011-07-29,law 4439,175,Sabotaje de sistemas informáticos,El que obstaculizare...,in_force
code,1160/97,Código Penal,1997-11-26,https://www.bacn.gov.py/,amended,2011-07-29,law 4439,146 b,Acceso indebido a datos,El que accediere a datos...,in_force
law,4439,Que modifica y amplía varias disposiciones de la Ley N° 1160/97,2011-07-29,,in_force,,,,,,
"""


@pytest.fixture
def instruments(world: World) -> list[Instrument]:
    do_import_instruments_csv(world.users[Role.ANALYST], world.org_a, "PY", PENAL_CODE_CSV.encode("utf-8"), today=TODAY)
    return list(Instrument.objects.filter(organisation=world.org_a).order_by("number"))


@pytest.fixture
def make_review(world: World) -> Callable[..., Review]:
    def factory(
        organisation: Organisation | None = None,
        creator: User | None = None,
        tlp: str = TLP.AMBER,
        date: dt.date = dt.date(2026, 3, 1),
        **values: object,
    ) -> Review:
        values.setdefault("title", "Alignment review 2026")
        values.setdefault("country", "PY")
        return do_create_review(
            creator or world.users[Role.COORDINATOR], organisation or world.org_a, tlp=tlp, date=date, **values
        )

    return factory
