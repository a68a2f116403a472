"""The TAXII 2.1 server: discovery, one API root, collections, objects, manifests, versions and status.

Every endpoint authenticates a partner credential (``cyberplan.sharing.access``), answers in
``application/taxii+json;version=2.1`` with TAXII error messages, and sends each object only as the release
rule lets it go to the credential's organisation; each response that sends objects is recorded, counted by
label (``actions.record_release``). Lists are paged on the keyset (``date_added``, row id) of the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ..access import PartnerView, access_partner_collection, credential_from_request, partner_collections, partner_view
from ..actions import do_delete_objects, do_receive_envelope, note_credential_used, record_release
from ..models import PartnerCredential, SharedObject, Status
from .protocol import (
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    Filters,
    TaxiiError,
    accepts_taxii,
    encode_next,
    is_taxii_media_type,
    parse_filters,
    taxii_timestamp,
)

View = Callable[..., HttpResponse]


def taxii_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def taxii_objects_response(
    body: dict[str, Any], objects: list[str], headers: dict[str, str] | None = None
) -> HttpResponse:
    """A TAXII envelope whose objects are JSON texts as stored: joined into the body, not parsed and dumped."""
    text = json.dumps(body)
    if objects:
        text = f'{text[:-1]}, "objects": [{", ".join(objects)}]}}'
    response = HttpResponse(text, content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def max_content_length() -> int:
    return int(settings.CYBERPLAN_TAXII_MAX_CONTENT_LENGTH)


def taxii_view(methods: tuple[str, ...]) -> Callable[[View], View]:
    """Authentication, media types, size limit and TAXII error bodies around a TAXII endpoint."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise TaxiiError(405, _("Method not allowed"), headers={"Allow": ", ".join(methods)})
                credential = credential_from_request(request)
                if credential is None:
                    raise TaxiiError(
                        401,
                        _("Unauthorized"),
                        _("Give a valid partner credential (HTTP Basic: credential id and secret)."),
                        headers={"WWW-Authenticate": 'Basic realm="cyberplan TAXII"'},
                    )
                if not accepts_taxii(request.headers.get("Accept", "")):
                    raise TaxiiError(
                        406, _("Not acceptable"), _("This server answers in %(type)s.") % {"type": TAXII_MEDIA_TYPE}
                    )
                if request.method == "POST":
                    if not is_taxii_media_type(request.headers.get("Content-Type", "")):
                        raise TaxiiError(
                            415,
                            _("Unsupported media type"),
                            _("Send an envelope as %(type)s.") % {"type": TAXII_MEDIA_TYPE},
                        )
                    length = request.headers.get("Content-Length", "")
                    if length.isdigit() and int(length) > max_content_length():
                        raise TaxiiError(
                            413,
                            _("Content too large"),
                            _("The API root accepts at most %(bytes)d bytes.") % {"bytes": max_content_length()},
                        )
                note_credential_used(credential)
                return view(request, credential, *args, **kwargs)
            except TaxiiError as error:
                return taxii_response(error.body(), status=error.status, headers=error.headers)
            except Http404:
                return taxii_response({"title": _("Not found"), "http_status": "404"}, status=404)
            except RequestDataTooBig:
                return taxii_response({"title": _("Content too large"), "http_status": "413"}, status=413)

        return wrapper

    return decorate


def _query(request: HttpRequest) -> dict[str, list[str]]:
    return {key: request.GET.getlist(key) for key in request.GET}


def _page_size() -> tuple[int, int]:
    return int(settings.CYBERPLAN_TAXII_PAGE_SIZE), int(settings.CYBERPLAN_TAXII_MAX_PAGE_SIZE)


def _filtered(rows: QuerySet[SharedObject], filters: Filters) -> QuerySet[SharedObject]:
    if filters.added_after is not None:
        rows = rows.filter(date_added__gt=filters.added_after)
    if filters.ids:
        rows = rows.filter(stix_id__in=filters.ids)
    if filters.types:
        rows = rows.filter(stix_type__in=filters.types)
    if filters.spec_versions:
        rows = rows.filter(spec_version__in=filters.spec_versions)
    if "all" not in filters.versions:
        wanted = Q(pk__in=[])
        for version in filters.versions:
            if version == "first":
                wanted |= Q(is_first=True)
            elif version == "last":
                wanted |= Q(is_latest=True)
            else:
                from .protocol import parse_timestamp

                wanted |= Q(version_at=parse_timestamp(version))
        rows = rows.filter(wanted)
    return rows


def _keyset(rows: QuerySet[SharedObject], filters: Filters) -> tuple[QuerySet[SharedObject], int]:
    """The rows from the page's keyset position on, in keyset order, and the page's size."""
    default, _maximum = _page_size()
    limit = filters.limit or default
    if filters.after is not None:
        stamp, pk = filters.after
        # The lower bound on its own lets the database seek in the keyset index (an OR alone makes SQLite walk
        # the index from the collection's first row on every page, so deep pages cost more).
        rows = rows.filter(date_added__gte=stamp).filter(Q(date_added__gt=stamp) | Q(pk__gt=pk))
    return rows.order_by("date_added", "pk"), limit


def _page(rows: QuerySet[SharedObject], filters: Filters) -> tuple[list[SharedObject], bool]:
    """One page of rows in keyset order, and whether more follow. Costs the same on any page."""
    ordered, limit = _keyset(rows, filters)
    found = list(ordered[: limit + 1])
    return found[:limit], len(found) > limit


class _Stored(NamedTuple):
    pk: int
    date_added: dt.datetime
    tlp: str
    text: str  # the object's JSON as stored


def _page_of_texts(rows: QuerySet[SharedObject], filters: Filters) -> tuple[list[_Stored], bool]:
    """One page as :func:`_page` gives it, with each object's stored JSON text instead of a model instance:
    no model built, no JSON parsed and dumped again per object."""
    ordered, limit = _keyset(rows, filters)
    columns = ordered.annotate(text=Cast("body", output_field=TextField()))
    found = [_Stored(*row) for row in columns.values_list("pk", "date_added", "tlp", "text")[: limit + 1]]
    return found[:limit], len(found) > limit


def _paged_body(page: Sequence[SharedObject | _Stored], more: bool) -> tuple[dict[str, Any], dict[str, str]]:
    body: dict[str, Any] = {"more": more}
    headers: dict[str, str] = {}
    if more and page:
        body["next"] = encode_next(page[-1].date_added, page[-1].pk)
    if page:
        headers["X-TAXII-Date-Added-First"] = taxii_timestamp(page[0].date_added)
        headers["X-TAXII-Date-Added-Last"] = taxii_timestamp(page[-1].date_added)
    return body, headers


def _released(view: PartnerView, page: Sequence[SharedObject | _Stored], channel: str) -> None:
    record_release(
        view.collection,
        Counter(row.tlp for row in page),
        recipient=view.credential.holder,
        credential=view.credential,
        channel=channel,
    )


def _collection_resource(view: PartnerView) -> dict[str, Any]:
    return {
        "id": str(view.collection.pk),
        "title": view.collection.title,
        "description": view.collection.description,
        "can_read": view.can_read,
        "can_write": view.can_write,
        "media_types": [STIX_MEDIA_TYPE],
    }


def _readable(credential: PartnerCredential, collection_id: str) -> PartnerView:
    view = access_partner_collection(credential, collection_id)
    if not view.can_read:
        raise TaxiiError(403, _("Forbidden"), _("This credential may not read the collection."))
    return view


# -- endpoints -------------------------------------------------------------------------------------------------


@taxii_view(("GET",))
def discovery(request: HttpRequest, credential: PartnerCredential) -> HttpResponse:
    root = request.build_absolute_uri(reverse("taxii:api_root"))
    return taxii_response(
        {
            "title": _("cyberplan TAXII server"),
            "description": _("Collections shared by %(name)s") % {"name": credential.issuer.name},
            "default": root,
            "api_roots": [root],
        }
    )


@taxii_view(("GET",))
def api_root(request: HttpRequest, credential: PartnerCredential) -> HttpResponse:
    return taxii_response(
        {
            "title": _("%(name)s sharing network") % {"name": credential.issuer.name},
            "description": _("STIX 2.1 collections of sharing groups, released under TLP 2.0."),
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": max_content_length(),
        }
    )


@taxii_view(("GET",))
def status(request: HttpRequest, credential: PartnerCredential, status_id: str) -> HttpResponse:
    found = Status.objects.filter(pk=status_id, credential__holder_id=credential.holder_id).first()
    if found is None:
        raise Http404
    return taxii_response(
        {
            "id": str(found.pk),
            "status": found.state,
            "request_timestamp": taxii_timestamp(found.request_timestamp),
            "total_count": found.total_count,
            "success_count": found.success_count,
            "successes": found.successes,
            "failure_count": found.failure_count,
            "failures": found.failures,
            "pending_count": found.pending_count,
            "pendings": [],
        }
    )


@taxii_view(("GET",))
def collections(request: HttpRequest, credential: PartnerCredential) -> HttpResponse:
    views = [partner_view(credential, collection) for collection in partner_collections(credential)]
    body: dict[str, Any] = {}
    if views:
        body["collections"] = [_collection_resource(view) for view in views]
    return taxii_response(body)


@taxii_view(("GET",))
def collection(request: HttpRequest, credential: PartnerCredential, collection_id: str) -> HttpResponse:
    return taxii_response(_collection_resource(access_partner_collection(credential, collection_id)))


@taxii_view(("GET", "POST"))
def objects(request: HttpRequest, credential: PartnerCredential, collection_id: str) -> HttpResponse:
    if request.method == "POST":
        return _add_objects(request, credential, collection_id)
    view = _readable(credential, collection_id)
    _default, maximum = _page_size()
    filters = parse_filters(_query(request), max_page=maximum, default_versions=["last"])
    page, more = _page_of_texts(_filtered(view.objects(), filters), filters)
    body, headers = _paged_body(page, more)
    _released(view, page, "taxii")
    return taxii_objects_response(body, [row.text for row in page], headers=headers)


def _add_objects(request: HttpRequest, credential: PartnerCredential, collection_id: str) -> HttpResponse:
    view = access_partner_collection(credential, collection_id)
    if not view.can_write:
        raise TaxiiError(403, _("Forbidden"), _("This credential may not add objects to the collection."))
    requested = timezone.now()
    try:
        envelope = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(400, _("Bad envelope"), _("The request body is not JSON.")) from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects", []), list):
        raise TaxiiError(400, _("Bad envelope"), _("Send a TAXII envelope: a JSON object with an 'objects' list."))
    found = do_receive_envelope(credential, view.collection, envelope.get("objects", []), requested)
    return taxii_response(
        {
            "id": str(found.pk),
            "status": found.state,
            "request_timestamp": taxii_timestamp(found.request_timestamp),
            "total_count": found.total_count,
            "success_count": found.success_count,
            "successes": found.successes,
            "failure_count": found.failure_count,
            "failures": found.failures,
            "pending_count": 0,
            "pendings": [],
        },
        status=202,
    )


@taxii_view(("GET", "DELETE"))
def object_by_id(
    request: HttpRequest, credential: PartnerCredential, collection_id: str, object_id: str
) -> HttpResponse:
    if request.method == "DELETE":
        return _delete_object(request, credential, collection_id, object_id)
    view = _readable(credential, collection_id)
    _default, maximum = _page_size()
    filters = parse_filters(_query(request), max_page=maximum, default_versions=["last"], allow_id=False)
    filters.ids = [object_id]
    page, more = _page_of_texts(_filtered(view.objects(), filters), filters)
    if not page and filters.after is None:
        raise Http404
    body, headers = _paged_body(page, more)
    _released(view, page, "taxii")
    return taxii_objects_response(body, [row.text for row in page], headers=headers)


def _delete_object(
    request: HttpRequest, credential: PartnerCredential, collection_id: str, object_id: str
) -> HttpResponse:
    view = access_partner_collection(credential, collection_id)
    if not view.can_write:
        raise TaxiiError(403, _("Forbidden"), _("This credential may not delete objects of the collection."))
    filters = parse_filters(_query(request), max_page=1, default_versions=["all"], allow_id=False)
    rows = view.objects().filter(stix_id=object_id)
    if not view.is_owner:
        rows = rows.filter(owner_id=credential.holder_id)  # a member deletes only what it posted
    filters.ids = [object_id]
    found = list(_filtered(rows, filters))
    if not found:
        raise Http404
    do_delete_objects(credential, view.collection, found)
    return HttpResponse(status=200, content_type=TAXII_MEDIA_TYPE)


@taxii_view(("GET",))
def versions(request: HttpRequest, credential: PartnerCredential, collection_id: str, object_id: str) -> HttpResponse:
    view = _readable(credential, collection_id)
    _default, maximum = _page_size()
    filters = parse_filters(_query(request), max_page=maximum, default_versions=["all"], allow_id=False)
    filters.ids, filters.versions = [object_id], ["all"]
    page, more = _page(_filtered(view.objects(), filters), filters)
    if not page and filters.after is None:
        raise Http404
    body, headers = _paged_body(page, more)
    if page:
        body["versions"] = [row.version for row in page]
    return taxii_response(body, headers=headers)


@taxii_view(("GET",))
def manifest(request: HttpRequest, credential: PartnerCredential, collection_id: str) -> HttpResponse:
    view = _readable(credential, collection_id)
    _default, maximum = _page_size()
    filters = parse_filters(_query(request), max_page=maximum, default_versions=["last"])
    page, more = _page(_filtered(view.objects(), filters), filters)
    body, headers = _paged_body(page, more)
    if page:
        body["objects"] = [
            {
                "id": row.stix_id,
                "date_added": taxii_timestamp(row.date_added),
                "version": row.version,
                "media_type": STIX_MEDIA_TYPE,
            }
            for row in page
        ]
    return taxii_response(body, headers=headers)
