"""Who may read and change a strategy (see docs/concepts/access.md).

* The working copy (structure, actions, KPIs, monitoring) is read by members of the owner
  organisation, within the strategy's TLP, and changed according to their role.
* Members of a consulted organisation read the versions in consultation, approved or published,
  and comment on a version in consultation if their role lets them contribute; they never see
  drafts or the working copy.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cyberplan.core.access import ROLE_TLP, Permission, has_permission, organisation_ids_where, roles_of, visible_q
from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation, User

from .choices import VersionStatus
from .models import KPI, Action, Comment, Element, KPIQuerySet, ProgressUpdate, Strategy, StrategyVersion

# What a consulted organisation may read.
CONSULTEE_STATUSES = frozenset({VersionStatus.CONSULTATION, VersionStatus.APPROVED, VersionStatus.PUBLISHED})


def strategies_visible_to(user: User) -> QuerySet[Strategy]:
    """Strategies whose working copy the user may read."""
    return Strategy.objects.filter(visible_q(user)).select_related("organisation")


# Labels under which a strategy may be shown to consulted organisations at all: AMBER+STRICT
# and RED keep it inside the owner organisation.
CONSULTABLE_TLP = frozenset({TLP.CLEAR, TLP.GREEN, TLP.AMBER})


def consulting_organisation_ids(user: User, strategy: Strategy) -> set[int]:
    """The consulted organisations through which ``user`` reads ``strategy``'s versions.

    Membership of a consulted organisation is not enough: the strategy's TLP must allow sharing
    beyond its owner, and the user's role there must read that label (an external partner reads
    only CLEAR and GREEN).
    """
    if strategy.tlp not in CONSULTABLE_TLP:
        return set()
    roles = roles_of(user)
    consulted = set(strategy.consultees.filter(pk__in=list(roles)).values_list("pk", flat=True))
    return {org for org in consulted if strategy.tlp in ROLE_TLP[roles[org]]}


def strategies_consulted_by(user: User) -> QuerySet[Strategy]:
    """Strategies the user reads only as a member of a consulted organisation."""
    own = strategies_visible_to(user).values("pk")
    candidates = (
        Strategy.objects.filter(consultees__in=list(roles_of(user)))
        .exclude(pk__in=own)
        .filter(versions__status__in=CONSULTEE_STATUSES)
        .distinct()
    )
    readable = [s.pk for s in candidates if consulting_organisation_ids(user, s)]
    return Strategy.objects.filter(pk__in=readable).select_related("organisation")


def access_strategy_by_id(user: User, strategy_id: int, permission: Permission = Permission.VIEW) -> Strategy:
    """The strategy if ``user`` reads its working copy and holds ``permission`` in its owner organisation."""
    try:
        strategy = strategies_visible_to(user).get(pk=strategy_id)
    except (Strategy.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if not has_permission(user, strategy.organisation_id, permission):
        raise PermissionDenied
    return strategy


def is_owner_member(user: User, strategy: Strategy) -> bool:
    return strategies_visible_to(user).filter(pk=strategy.pk).exists()


def versions_visible_to(user: User, strategy: Strategy) -> QuerySet[StrategyVersion]:
    versions = StrategyVersion.objects.filter(strategy=strategy).select_related("strategy", "strategy__organisation")
    if is_owner_member(user, strategy):
        return versions
    if consulting_organisation_ids(user, strategy):
        return versions.filter(status__in=CONSULTEE_STATUSES)
    return versions.none()


def access_version(user: User, strategy_id: int, number: int) -> StrategyVersion:
    """A version the user may read (owner member, or consultee for versions out of draft)."""
    try:
        strategy = Strategy.objects.select_related("organisation").get(pk=strategy_id)
        return versions_visible_to(user, strategy).get(number=number)
    except (Strategy.DoesNotExist, StrategyVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def commenting_organisations(user: User, version: StrategyVersion) -> QuerySet[Organisation]:
    """The organisations on whose behalf ``user`` may comment on ``version`` (empty if none)."""
    if version.status != VersionStatus.CONSULTATION:
        return Organisation.objects.none()
    strategy = version.strategy
    allowed = set(organisation_ids_where(user, Permission.CONTRIBUTE))
    eligible = {strategy.organisation_id, *consulting_organisation_ids(user, strategy)}
    if strategy.organisation_id in allowed and not is_owner_member(user, strategy):
        # A member who cannot read the strategy's TLP comments only on behalf of other organisations.
        allowed.discard(strategy.organisation_id)
    return Organisation.objects.filter(pk__in=allowed & eligible)


def can_resolve_comments(user: User, version: StrategyVersion) -> bool:
    return is_owner_member(user, version.strategy) and has_permission(
        user, version.strategy.organisation_id, Permission.DECIDE
    )


def access_comment_by_id(user: User, version: StrategyVersion, comment_id: int) -> Comment:
    try:
        return version.comments.select_related("organisation", "author").get(pk=comment_id)
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_element_by_id(user: User, strategy: Strategy, element_id: int) -> Element:
    try:
        return strategy.elements.get(pk=element_id)
    except (Element.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_action_by_id(user: User, strategy: Strategy, action_id: int) -> Action:
    try:
        return (
            strategy.actions.select_related("parent", "lead").prefetch_related("supporting", "gaps").get(pk=action_id)
        )
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_report_progress(user: User, action: Action) -> bool:
    """Members of the owner organisation who may contribute report progress and enter measurements."""
    return has_permission(user, action.strategy.organisation_id, Permission.CONTRIBUTE)


def require_progress_reporter(user: User, action: Action) -> None:
    if not can_report_progress(user, action):
        raise PermissionDenied


def can_record_measurement(user: User, kpi: KPI) -> bool:
    """Who reports progress enters the measurements of a KPI, whatever the level it measures."""
    return has_permission(user, kpi.strategy.organisation_id, Permission.CONTRIBUTE)


def require_measurer(user: User, kpi: KPI) -> None:
    if not can_record_measurement(user, kpi):
        raise PermissionDenied


def kpis_visible_to(user: User) -> KPIQuerySet:
    """The KPIs (of actions, axes and objectives) of the strategies whose working copy the user reads."""
    return KPI.objects.of_strategies(strategies_visible_to(user))


def access_kpi_by_id(user: User, strategy: Strategy, kpi_id: int) -> KPI:
    """A KPI of ``strategy`` at any level (which the caller has read through this module); 404 otherwise."""
    try:
        return KPI.objects.of_strategies(strategy).with_holder().get(pk=kpi_id)
    except (KPI.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def progress_visible_q(user: User) -> Q:
    return Q(action__strategy__in=strategies_visible_to(user))


def access_update_by_id(user: User, action: Action, update_id: int) -> ProgressUpdate:
    try:
        return action.updates.get(pk=update_id)
    except (ProgressUpdate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --------------------------------------------------------------------------- responsible institutions
#
# A lead or supporting institution of an action (the prosecutors' office, a ministry, ...) need not be
# the strategy's owner. Its members read the actions their organisation is responsible for, and their
# progress, and those who may contribute report progress on them on its behalf; the rest of the
# strategy (other actions, drafts, gaps, KPIs of other actions) stays with the owner. As for consulted
# organisations, the strategy's TLP must allow sharing beyond its owner (CLEAR, GREEN or AMBER), and the
# member's role must read that label.


def _responsible_orgs(user: User, permission: Permission) -> dict[int, frozenset[str]]:
    """The user's organisations where they hold ``permission``, with the TLP labels their role reads."""
    roles = roles_of(user)
    return {org: ROLE_TLP[roles[org]] for org in organisation_ids_where(user, permission)}


def _responsible_q(orgs: dict[int, frozenset[str]]) -> Q:
    query = Q(pk__in=[])
    for org, labels in orgs.items():
        readable = sorted(labels & CONSULTABLE_TLP)
        query |= (Q(lead_id=org) | Q(supporting__id=org)) & Q(strategy__tlp__in=readable)
    return query


def actions_responsible_for(user: User) -> QuerySet[Action]:
    """The actions one of the user's organisations leads or supports, in strategies whose TLP they read."""
    matching = Action.objects.filter(_responsible_q(_responsible_orgs(user, Permission.VIEW))).values("pk")
    return (
        Action.objects.filter(pk__in=matching)
        .select_related("strategy", "strategy__organisation", "lead", "parent")
        .prefetch_related("supporting")
        .order_by("strategy__start_year", "strategy_id", "code", "id")
    )


def access_responsible_action(user: User, action_id: int) -> Action:
    """An action the user's organisation is responsible for (404 otherwise: its existence is not told)."""
    try:
        return actions_responsible_for(user).get(pk=action_id)
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reporting_organisations(user: User, action: Action) -> QuerySet[Organisation]:
    """The responsible organisations of ``action`` on whose behalf ``user`` may report progress."""
    orgs = _responsible_orgs(user, Permission.CONTRIBUTE)
    responsible = {action.lead_id, *action.supporting.values_list("pk", flat=True)}
    allowed = [
        org for org, labels in orgs.items() if org in responsible and action.strategy.tlp in labels & CONSULTABLE_TLP
    ]
    return Organisation.objects.filter(pk__in=allowed).order_by("name")
