from __future__ import annotations

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from cyberplan.core.api.schema import CONFLICT
from cyberplan.core.http import attachment, request_user, signed_in_user
from cyberplan.jobs.access import can_cancel, jobs_visible_to
from cyberplan.jobs.actions import do_cancel_job, do_start_job
from cyberplan.jobs.models import Job

from .serializers import JobCreateSerializer, JobSerializer


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Job]):
    """Background jobs: their status and progress. Starting one needs the right to read the audit log."""

    serializer_class = JobSerializer
    filterset_fields = ["organisation", "status", "kind"]

    def get_queryset(self) -> QuerySet[Job]:
        user = request_user(self.request)
        if user is None:  # the schema generator's anonymous request
            return Job.objects.none()
        return jobs_visible_to(user)

    @extend_schema(request=JobCreateSerializer, responses={201: JobSerializer})
    def create(self, request: Request) -> Response:
        body = JobCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        job = do_start_job(signed_in_user(request), body.validated_data["organisation"], body.validated_data["kind"])
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: JobSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel the job: a queued job never runs; a running one stops at its next step (status
        ``running`` with ``stop_requested`` until then). For the user who started it, or a holder of
        the decide or administer right in its organisation."""
        job = self.get_object()
        if job.is_finished:  # the job's state, not the request, is in the way: a conflict
            return Response({"detail": _("This job has already ended.")}, status=status.HTTP_409_CONFLICT)
        if not can_cancel(signed_in_user(request), job):
            raise PermissionDenied(_("Only the person who started this job, or a coordinator, may cancel it."))
        return Response(JobSerializer(do_cancel_job(signed_in_user(request), job)).data)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The job's output file (for example the exported CSV), when it has one."""
        job = self.get_object()
        if not job.output:
            raise Http404
        return attachment(job.output)
