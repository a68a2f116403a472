"""Who receives a collection's MISP events: a partner credential (the feed) or a person of the owning
organisation (the export), and which labels of whose objects the release rule lets go to them.

Both come down to the same two lists, worked out by ``cyberplan.core.release.labels_released_to`` with the
standings ``PartnerView`` uses over TAXII: the labels of the objects the recipient organisation owns itself,
and the labels of everyone else's. A ``Reader`` is therefore also the key of what a recipient may receive:
two recipients with equal readers receive exactly the same events, which is what the feed's cache is keyed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from cyberplan.core.access import role_in
from cyberplan.core.models import Organisation, User
from cyberplan.core.release import Standing, labels_released_to

from ..access import PartnerView
from ..models import Collection, PartnerCredential


@dataclass(frozen=True)
class Reader:
    """The release decision for one recipient of one collection, as labels."""

    collection: Collection
    recipient: Organisation | None
    own_labels: tuple[str, ...]  # labels of objects the recipient organisation owns
    other_labels: tuple[str, ...]  # labels of every other organisation's objects
    credential: PartnerCredential | None = field(default=None, compare=False)  # a partner's, for the record

    @property
    def recipient_id(self) -> int | None:
        return self.recipient.pk if self.recipient is not None else None

    def objects_q(self) -> Q:
        """A filter on SharedObject: the collection's objects this reader receives."""
        own = Q(owner_id=self.recipient_id, tlp__in=self.own_labels)
        others = ~Q(owner_id=self.recipient_id) & Q(tlp__in=self.other_labels)
        return Q(collection=self.collection) & (own | others)

    def may_receive(self, owner_id: int, label: str) -> bool:
        return label in (self.own_labels if owner_id == self.recipient_id else self.other_labels)


def partner_reader(partner: PartnerView) -> Reader:
    """A partner credential's reader: the standings and labels ``PartnerView.objects_q`` applies over TAXII."""
    collection = partner.collection
    if not partner.can_read:
        return Reader(collection, partner.credential.holder, (), (), partner.credential)
    ceiling = collection.group.tlp_ceiling
    own = labels_released_to(standing=Standing.OWNER, role=None, group_ceiling=ceiling)
    others = labels_released_to(standing=partner.standing_towards(owner_id=-1), role=None, group_ceiling=ceiling)
    return Reader(collection, partner.credential.holder, tuple(own), tuple(others), partner.credential)


def person_reader(user: User, collection: Collection) -> Reader:
    """A person of the collection's owner organisation (who sees its page): its own objects as the owner,
    the members' posted objects as one who needs to know (as the owner's credential reads them), each
    narrowed to what the person's role reads at home. Anyone else receives nothing."""
    owner = collection.group.organisation
    role = role_in(user, owner.pk)
    if role is None:
        return Reader(collection, owner, (), ())
    ceiling = collection.group.tlp_ceiling
    own = labels_released_to(standing=Standing.OWNER, role=role, group_ceiling=ceiling)
    others = labels_released_to(standing=Standing.NEED_TO_KNOW, role=role, group_ceiling=ceiling)
    return Reader(collection, owner, tuple(own), tuple(others))
