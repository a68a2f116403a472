"""Cost of the access filter on the gap register.

Lists gaps the way the UI and API do (organisation, role and TLP filter through ``gaps_visible_to``)
and compares with a baseline that filters on the organisation alone, over 50,000 gaps in
20 organisations. The ratio shows what the TLP and role checks cost.
"""

from __future__ import annotations

import random
import statistics
import time

from cyberplan.core.choices import TLP, OrganisationType, Role
from cyberplan.core.models import Membership, Organisation, User
from cyberplan.gaps.access import gaps_visible_to
from cyberplan.gaps.models import Gap

GAPS = 50_000
ORGANISATIONS = 20
ROUNDS = 15

rng = random.Random(2026)
organisations = Organisation.objects.bulk_create(
    Organisation(name=f"Org {i}", slug=f"org-{i}", type=OrganisationType.MINISTRY, country="PY")
    for i in range(ORGANISATIONS)
)
user = User.objects.create_user("bench-user")
for org in organisations[:5]:
    Membership.objects.create(user=user, organisation=org, role=rng.choice([Role.ANALYST, Role.EXTERNAL_PARTNER]))
Gap.objects.bulk_create(
    (
        Gap(
            organisation=rng.choice(organisations),
            identifier=f"GAP-{i:06d}",
            title_en=f"Gap {i}",
            tlp=rng.choice(TLP.values),
        )
        for i in range(GAPS)
    ),
    batch_size=5000,
)
member_of = [org.pk for org in organisations[:5]]


def timed(make_query) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    samples = []
    count = 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        rows = list(make_query()[:50])
        count = make_query().count()
        samples.append(time.perf_counter() - started)
        if not rows and count:
            raise RuntimeError("the query returned no page")
    return statistics.median(samples), count


def baseline():  # type: ignore[no-untyped-def]
    return Gap.objects.filter(organisation_id__in=member_of).select_related("organisation", "created_by")


def filtered():  # type: ignore[no-untyped-def]
    fresh = User.objects.get(pk=user.pk)  # no cached roles: count the membership query too
    return gaps_visible_to(fresh)


base_time, base_count = timed(baseline)
access_time, access_count = timed(filtered)
print(
    f"gaps in store: {GAPS:,}; in the user's organisations: {base_count:,}; visible after role and TLP: {access_count:,}"
)
print(f"baseline (organisation filter only): {base_time * 1000:.2f} ms per page + count (median of {ROUNDS})")
print(f"access filter (organisation, role, TLP): {access_time * 1000:.2f} ms per page + count")
print(f"ratio access/baseline: {access_time / base_time:.2f}")
