from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import itertools
import json
import re
from dataclasses import replace
from typing import Any

import duckdb
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cyberplan.core.access import Permission, has_permission, organisations_where
from cyberplan.core.csvsafe import write_rows
from cyberplan.core.http import HtmxHttpRequest, signed_in_user
from cyberplan.core.models import Organisation, User
from cyberplan.pipeline.importers.base import SourceError
from cyberplan.pipeline.query import EventFilter, decode_cursor, encode_cursor, utc_day
from cyberplan.pipeline.query import page as event_page

from . import actions
from .access import (
    ALL_STORES,
    ReadableStore,
    access_import_by_id,
    access_readable_store,
    constituency_visible_to,
    default_store,
    imports_visible_to,
    mappings_visible_to,
    readable_stores,
)
from .choices import ImportStatus
from .forms import (
    CONVERSION_CHOICES,
    FIELD_CHOICES,
    ConstituencyEntryForm,
    ConstituencyUploadForm,
    EventFilterForm,
    ImportUploadForm,
    MappingSampleForm,
)
from .store import event_store

QUARANTINE_PREVIEW = 200
EVENTS_PER_PAGE = 50
# The fields the event list shows (threats/event_list.html): a page reads only these.
LISTED_FIELDS = (
    "time.source",
    "event_id",
    "classification.taxonomy",
    "classification.type",
    "classification.identifier",
    "malware.name",
    "source.ip",
    "source.port",
    "source.fqdn",
    "source.asn",
    "source.geolocation.cc",
    "victim.country",
    "victim.organisation",
    "victim.sector",
    "feed.name",
    "tlp",
)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    contribute = organisations_where(signed_in_user(request), Permission.CONTRIBUTE)
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        organisations=contribute,
        mappings=mappings_visible_to(signed_in_user(request)),
        max_bytes=settings.CYBERPLAN_MAX_IMPORT_UPLOAD_BYTES,
        user=request.user,
    )
    if request.method == "POST":
        if not contribute.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            received = []
            for upload in data["file"]:
                # Each file is its own import and job; the worker refreshes the dashboard once, after the last.
                try:
                    received.append(
                        actions.do_receive_import(
                            signed_in_user(request),
                            data["organisation"],
                            upload,
                            upload.name or "",
                            format=data["format"],
                            report_type=data["report_type"].strip(),
                            mapping=data["mapping"],
                            tlp=data["tlp"],
                        )
                    )
                except ValidationError as exc:
                    several = len(data["file"]) > 1
                    form.add_error("file", f"{upload.name}: {exc.messages[0]}" if several else exc.messages[0])
                except SourceError as exc:
                    form.add_error("file", str(exc))
            if len(received) == 1 and not form.errors:
                messages.success(request, _("The file was received; the import runs in the background."))
                return redirect("threats:import_detail", pk=received[0].pk)
            if received:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d file was received; its import runs in the background.",
                        "%(count)d files were received; their imports run in the background, one after another.",
                        len(received),
                    )
                    % {"count": len(received)},
                )
            if not form.errors:
                return redirect("threats:import_list")
    imports = Paginator(imports_visible_to(signed_in_user(request)), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "threats/import_list.html",
        {"form": form, "page": imports, "can_import": contribute.exists()},
        status=400 if form.errors else 200,
    )


def _quarantine_rows(record: Any, limit: int | None) -> list[dict[str, Any]]:
    path = event_store(record.organisation).quarantine_file(str(record.pk))
    if not path.exists():
        return []
    con = duckdb.connect()
    try:
        sql = "SELECT file, line, field, reason, raw FROM read_parquet(?) ORDER BY line"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        cursor = con.execute(sql, [str(path)])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


@login_required
def import_detail(request: HtmxHttpRequest, pk: str) -> HttpResponse:
    record = access_import_by_id(signed_in_user(request), pk)
    template = "threats/_import_status.html" if request.htmx else "threats/import_detail.html"
    rows = _quarantine_rows(record, QUARANTINE_PREVIEW) if record.status == ImportStatus.SUCCEEDED else []
    return render(request, template, {"record": record, "quarantine": rows, "preview_limit": QUARANTINE_PREVIEW})


@login_required
def quarantine_download(request: HttpRequest, pk: str) -> HttpResponse:
    record = access_import_by_id(signed_in_user(request), pk)
    rows = _quarantine_rows(record, None)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="quarantine-{record.pk}.csv"'
    write_rows(
        response,
        ["file", "line", "field", "reason", "raw"],
        ([r["file"], r["line"], r["field"], r["reason"], r["raw"]] for r in rows),
    )
    return response


class _EventStoresForm(EventFilterForm):
    """The event filter whose store chooser also offers every store the user reads, together, when they
    read more than one (each store is then read at its own labels, as alone)."""

    def __init__(self, *args: Any, stores: list[ReadableStore], **kwargs: Any) -> None:
        super().__init__(
            *args, organisations=Organisation.objects.filter(pk__in=[s.owner.pk for s in stores]), **kwargs
        )
        if len(stores) > 1:
            choices: list[tuple[int | str, str]] = [
                ("", "---------"),
                (ALL_STORES, _("All stores I read (%(count)s)") % {"count": len(stores)}),
                *((store.owner.pk, str(store.owner)) for store in stores),
            ]
            self.fields["organisation"] = forms.TypedChoiceField(
                label=self.fields["organisation"].label, required=False, coerce=_store_value, choices=choices
            )


def _store_value(value: str) -> int | str:
    return ALL_STORES if value == ALL_STORES else int(value)


def _chosen_stores(user: User, value: object, first: Organisation) -> list[ReadableStore]:
    """The stores the event browser reads: every readable one (``ALL_STORES``), or the one chosen, access checked."""
    if value == ALL_STORES:
        return readable_stores(user)
    organisation_id = value.pk if isinstance(value, Organisation) else int(str(value)) if value else first.pk
    # Members read their store by role, granted readers through the release rule; others get 404.
    return [access_readable_store(user, organisation_id)]


def _events_of(
    stores: list[ReadableStore],
    flt: EventFilter,
    offset: int,
    limit: int,
    after: tuple[dt.datetime, str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of the events of ``stores`` together, newest first, each store at its own labels, each
    event with the name of its store (``_store``); and how many match in all the stores. ``after``
    starts after a position (each store is then read from there: no store reads the pages before)."""
    if len(stores) == 1:
        store = stores[0]
        return event_page(
            event_store(store.owner),
            replace(flt, tlp_in=tuple(store.labels)),
            limit=limit,
            offset=0 if after else offset,
            after=after,
            columns=LISTED_FIELDS,
        )
    pages: list[list[dict[str, Any]]] = []
    total = 0
    for store in stores:
        # Every store's first offset + limit events: the page is among them, whichever store they come from.
        rows, count = event_page(
            event_store(store.owner),
            replace(flt, tlp_in=tuple(store.labels)),
            limit=limit if after else offset + limit,
            after=after,
            columns=LISTED_FIELDS,
        )
        name = store.describe()
        pages.append([{**row, "_store": name} for row in rows])
        total += count
    merged = heapq.merge(*pages, key=_newest_first)
    start = 0 if after else offset
    return list(itertools.islice(merged, start, start + limit)), total


def _newest_first(row: dict[str, Any]) -> tuple[dt.timedelta, str]:
    """The browser's order as an ascending key: time descending (as the time before a fixed moment),
    then event id."""
    moment: dt.datetime = row["time.source"]
    return (_EPOCH - moment, str(row["event_id"]))


_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    stores = readable_stores(user)
    form = _EventStoresForm(request.GET or None, stores=stores)
    rows: list[dict[str, Any]] = []
    total = 0
    chosen: list[ReadableStore] = []
    page_number = 1
    first = default_store(stores)
    if first is not None and (form.is_valid() or not request.GET):
        data = form.cleaned_data if form.is_bound else {}
        chosen = _chosen_stores(user, data.get("organisation"), first)
        flt = EventFilter(
            since=utc_day(data.get("since")),
            until=utc_day(data.get("until")),
            taxonomy=data.get("taxonomy") or None,
            type=data.get("type") or None,
            sector=data.get("sector") or None,
            country=data.get("country") or None,
            victim_country=data.get("victim_country") or None,
            asn=data.get("asn"),
            feed=data.get("feed") or None,
            ip=data.get("ip") or None,
            tlp_in=(),  # each store's own labels are set when it is read (_events_of)
        )
        try:
            page_number = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            page_number = 1
        try:
            # The Next link's position: the page starts after it, however deep (keyset paging).
            after = decode_cursor(request.GET["after"]) if request.GET.get("after") else None
        except ValueError:
            after = None
            page_number = 1
        rows, total = _events_of(chosen, flt, (page_number - 1) * EVENTS_PER_PAGE, EVENTS_PER_PAGE, after)
    paginator = Paginator(range(total), EVENTS_PER_PAGE)
    page: Page[Any] | None = paginator.get_page(page_number) if total else None
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("after", None)
    next_after = encode_cursor(rows[-1]) if page is not None and page.has_next() and rows else ""
    return render(
        request,
        "threats/event_list.html",
        {
            "form": form,
            "rows": rows,
            "total": total,
            "page": page,
            "query": query.urlencode(),
            "next_after": next_after,
            "organisation": chosen[0].owner if len(chosen) == 1 else None,
            "together": len(chosen) > 1,
            "store_text": get_text_list([store.describe() for store in chosen], _("and")),
        },
        status=400 if form.errors else 200,
    )


@login_required
def constituency(request: HttpRequest) -> HttpResponse:
    editable = organisations_where(signed_in_user(request), Permission.EDIT)
    entry_form = ConstituencyEntryForm(organisations=editable)
    upload_form = ConstituencyUploadForm(organisations=editable)
    errors: list[tuple[int, str, str]] = []
    status = 200
    if request.method == "POST":
        if not editable.exists():
            raise PermissionDenied
        if request.POST.get("action") == "upload":
            upload_form = ConstituencyUploadForm(request.POST, request.FILES, organisations=editable)
            if upload_form.is_valid():
                result = actions.do_import_constituency_csv(
                    signed_in_user(request),
                    upload_form.cleaned_data["organisation"],
                    upload_form.cleaned_data["file"].read(),
                    upload_form.cleaned_data["file"].name or "constituency.csv",
                )
                if result.errors:
                    errors = result.errors
                    status = 400
                else:
                    messages.success(
                        request,
                        _("Constituency loaded: %(created)s new networks, %(updated)s updated.")
                        % {"created": result.created, "updated": result.updated},
                    )
                    return redirect("threats:constituency")
            else:
                status = 400
        else:
            entry_form = ConstituencyEntryForm(request.POST, organisations=editable)
            if entry_form.is_valid():
                data = dict(entry_form.cleaned_data)
                organisation = data.pop("organisation")
                try:
                    actions.do_save_constituency_entry(signed_in_user(request), organisation, **data)
                except ValidationError as exc:
                    for field, messages_ in exc.message_dict.items():
                        for message in messages_:
                            entry_form.add_error(field if field in entry_form.fields else None, message)
                    status = 400
                else:
                    messages.success(request, _("The network was saved."))
                    return redirect("threats:constituency")
            else:
                status = 400
    entries = Paginator(constituency_visible_to(signed_in_user(request)), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "threats/constituency.html",
        {
            "page": entries,
            "entry_form": entry_form,
            "upload_form": upload_form,
            "errors": errors,
            "can_edit": editable.exists(),
        },
        status=status,
    )


@login_required
@require_POST
def constituency_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(constituency_visible_to(signed_in_user(request)), pk=pk)
    if not has_permission(signed_in_user(request), entry.organisation_id, Permission.EDIT):
        raise PermissionDenied
    actions.do_delete_constituency_entry(signed_in_user(request), entry)
    messages.success(request, _("The network was removed."))
    return redirect("threats:constituency")


# Suggested fields for common column names, so a new mapping starts close to right.
SUGGESTIONS: list[tuple[str, str, str]] = [
    (r"^(timestamp|time|date|datetime|first_seen|seen)$", "time.source", "timestamp"),
    (r"^(ip|src_ip|source_ip|ip_address|address)$", "source.ip", "ip"),
    (r"^(port|src_port|source_port)$", "source.port", "port"),
    (r"^(asn|src_asn|as)$", "source.asn", "asn"),
    (r"^(geo|country|cc|src_geo)$", "source.geolocation.cc", "country"),
    (r"^(hostname|rdns|reverse_dns)$", "source.reverse_dns", "fqdn"),
    (r"^(domain|fqdn|host)$", "source.fqdn", "fqdn"),
    (r"^(url|uri)$", "source.url", "url"),
    (r"^(dst_ip|destination_ip)$", "destination.ip", "ip"),
    (r"^(dst_port|destination_port)$", "destination.port", "port"),
    (r"^(protocol|transport)$", "protocol.transport", "lower"),
    (r"^(malware|infection|family)$", "malware.name", "lower"),
]


def _suggest(column: str) -> tuple[str, str]:
    for pattern, field_name, conversion in SUGGESTIONS:
        if re.match(pattern, column.strip().lower()):
            return field_name, conversion
    return "", "text"


@login_required
def mapping_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "threats/mapping_list.html",
        {
            "mappings": mappings_visible_to(signed_in_user(request)).select_related("organisation"),
            "can_create": organisations_where(signed_in_user(request), Permission.CONTRIBUTE).exists(),
        },
    )


@login_required
def mapping_create(request: HttpRequest) -> HttpResponse:
    organisations = organisations_where(signed_in_user(request), Permission.CONTRIBUTE)
    if not organisations.exists():
        raise PermissionDenied
    sample_form = MappingSampleForm(organisations=organisations)
    context: dict[str, Any] = {"sample_form": sample_form}
    status = 200
    if request.method == "POST" and request.POST.get("step") == "preview":
        sample_form = MappingSampleForm(request.POST, request.FILES, organisations=organisations)
        context["sample_form"] = sample_form
        if sample_form.is_valid():
            try:
                header, sample_rows = _read_sample(
                    sample_form.cleaned_data["sample"], sample_form.cleaned_data["delimiter"]
                )
            except ValueError as exc:
                sample_form.add_error("sample", str(exc))
                status = 400
            else:
                context.update(_mapping_context(header, sample_rows, sample_form.cleaned_data))
        else:
            status = 400
    elif request.method == "POST" and request.POST.get("step") == "save":
        try:
            header = json.loads(request.POST.get("header", "[]"))
            if not isinstance(header, list) or not all(isinstance(h, str) for h in header):
                raise ValueError
        except ValueError:
            header = []
        organisation = organisations.filter(pk=request.POST.get("organisation") or 0).first()
        columns: dict[str, dict[str, str]] = {}
        for index, column in enumerate(header):
            field_name = request.POST.get(f"field_{index}", "")
            if field_name:
                columns[column] = {"field": field_name, "convert": request.POST.get(f"convert_{index}", "text")}
        constants = {
            key: request.POST.get(f"const_{key}", "").strip()
            for key in (
                "feed.name",
                "feed.provider",
                "classification.taxonomy",
                "classification.type",
                "classification.identifier",
            )
            if request.POST.get(f"const_{key}", "").strip()
        }
        name = request.POST.get("name", "").strip().lower()
        errors = []
        if organisation is None:
            errors.append(_("Choose the organisation."))
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,59}", name):
            errors.append(_("Give a short name of letters, digits, - and _ (at most 60)."))
        if not errors and organisation is not None:
            try:
                mapping = actions.do_save_mapping(
                    signed_in_user(request),
                    organisation,
                    name=name,
                    columns=columns,
                    constants=constants,
                    description=request.POST.get("description", "")[:250],
                    delimiter=request.POST.get("delimiter", ",")[:1] or ",",
                )
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("The mapping %(name)s was saved.") % {"name": mapping.name})
                return redirect("threats:mapping_list")
        context.update(
            _mapping_context(
                header,
                [],
                {"organisation": organisation, "delimiter": request.POST.get("delimiter", ",")},
                request.POST,
            )
        )
        context["save_errors"] = errors
        status = 400
    return render(request, "threats/mapping_form.html", context, status=status)


def _read_sample(upload: Any, delimiter: str) -> tuple[list[str], list[list[str]]]:
    data = upload.read(256 * 1024)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(_("The sample is not UTF-8 text (byte %(pos)s).") % {"pos": exc.start}) from None
    lines = text.splitlines()[:11]
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    rows = list(reader)
    if not rows or not any(h.strip() for h in rows[0]):
        raise ValueError(_("The sample has no header line."))
    return [h.strip() for h in rows[0]], rows[1:]


def _mapping_context(
    header: list[str], sample_rows: list[list[str]], data: dict[str, Any], posted: Any = None
) -> dict[str, Any]:
    columns = []
    for index, column in enumerate(header):
        suggested_field, suggested_conversion = _suggest(column)
        if posted is not None:
            suggested_field = posted.get(f"field_{index}", "")
            suggested_conversion = posted.get(f"convert_{index}", "text")
        columns.append(
            {
                "index": index,
                "name": column,
                "samples": [row[index] for row in sample_rows if index < len(row)][:5],
                "field": suggested_field,
                "convert": suggested_conversion,
            }
        )
    return {
        "columns": columns,
        "header_json": json.dumps(header),
        "field_choices": FIELD_CHOICES,
        "conversion_choices": CONVERSION_CHOICES,
        "mapping_organisation": data.get("organisation"),
        "mapping_delimiter": data.get("delimiter", ","),
        "posted": posted or {},
    }
