"""What a participant export holds: the pseudonymous columns always, names and contact details only on request.

The participant pages, the API and the CSV export all read this one list of columns, so a name cannot
slip into an output that was meant to be pseudonymous.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .models import Participant

PSEUDONYMOUS_COLUMNS = ("organisation", "key", "institution", "audience", "role", "sessions", "completed")
NAMED_COLUMNS = ("name", "email", "phone")


def export_rows(participants: Iterable[Participant], *, with_names: bool) -> Iterator[list[str]]:
    """The header then one row per participant; ``with_names`` only for the training coordinator's export."""
    columns = [*PSEUDONYMOUS_COLUMNS, *(NAMED_COLUMNS if with_names else ())]
    yield columns
    for participant in participants:
        attendance = list(participant.attendance.values_list("completed", flat=True))
        row = [
            participant.organisation.acronym or participant.organisation.name,
            participant.key,
            participant.institution,
            participant.audience,
            participant.position,
            str(len(attendance)),
            str(sum(1 for completed in attendance if completed)),
        ]
        if with_names:
            row += [participant.name, participant.email, participant.phone]
        yield row
