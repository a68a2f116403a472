"""Reading an added object's TLP label and version time: the quick ways give what the general ones give.

``tlp_of`` ranks the labels of an object's markings itself instead of through the vocabulary's
``most_restrictive``; ``parse_timestamp`` reads a plainly written STIX timestamp with ``fromisoformat`` and
any other the general way. Both are compared with the general way on generated inputs.
"""

from __future__ import annotations

import datetime as dt
import random

from cyberplan.pipeline.importers.stix.vocabulary import TLP_MARKINGS, most_restrictive
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS, parse_timestamp, tlp_of


def test_tlp_of_gives_the_most_restrictive_label_of_the_markings() -> None:
    rng = random.Random(17)  # noqa: S311 -- a fixed seed, the same references every run
    references: list[object] = [
        *TLP_MARKINGS,
        "marking-definition--00000000-0000-4000-8000-000000000000",
        "",
        3,
        None,
        ["nested"],
    ]
    for _n in range(3000):
        refs = [rng.choice(references) for _m in range(rng.randrange(0, 5))]
        expected = most_restrictive(TLP_MARKINGS.get(ref) for ref in refs if isinstance(ref, str))
        assert tlp_of({"object_marking_refs": refs}) == expected, refs
    assert tlp_of({"object_marking_refs": [TLP2_MARKING_IDS["green"], TLP2_MARKING_IDS["red"]]}) == "red"
    assert tlp_of({"object_marking_refs": "not a list"}) is None
    assert tlp_of({}) is None


def test_parse_timestamp_reads_every_written_form_to_the_same_time() -> None:
    rng = random.Random(18)  # noqa: S311 -- a fixed seed
    for _n in range(2000):
        moment = dt.datetime(2000, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=rng.randrange(10**16))
        digits = rng.choice([0, 1, 3, 6, 7, 9])
        fraction = f"{moment.microsecond:06d}{rng.randrange(1000):03d}"[:digits]
        text = moment.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if digits else "") + "Z"
        read = parse_timestamp(text)
        # Lower-case z is not the plain form: the general way reads it.
        assert read == parse_timestamp(text[:-1] + "z"), text
        assert read.tzinfo is dt.UTC
        assert read.replace(microsecond=0) == moment.replace(microsecond=0)
        assert read.microsecond == int((fraction + "000000")[:6]), text
