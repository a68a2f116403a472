"""The typed helpers that replaced casts and ``type: ignore``: they keep the behaviour and refuse misuse loudly."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from rest_framework import serializers

from cyberplan.core.api.fields import limit_related
from cyberplan.core.api.fields import set_choices as set_serializer_choices
from cyberplan.core.forms import limit_queryset, set_choices
from cyberplan.core.http import request_user, signed_in_user
from cyberplan.core.models import Organisation
from tests.conftest import World


def _request(user: Any) -> Any:
    request: Any = RequestFactory().get("/")
    request.user = user  # as the authentication middleware sets it
    return request


def test_signed_in_user_is_the_user_and_an_anonymous_request_is_refused(world: World) -> None:
    analyst = world.users["analyst"]
    assert signed_in_user(_request(analyst)) == analyst
    assert request_user(_request(analyst)) == analyst
    assert request_user(_request(AnonymousUser())) is None
    with pytest.raises(PermissionDenied):
        signed_in_user(_request(AnonymousUser()))


class _OrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all())
    colour = forms.ChoiceField(choices=[])
    note = forms.CharField()


def test_form_helpers_limit_the_choices_and_name_a_wrong_field(world: World) -> None:
    form = _OrganisationForm({"organisation": world.org_b.pk, "colour": "red", "note": "x"})
    limit_queryset(form, "organisation", Organisation.objects.filter(pk=world.org_a.pk))
    set_choices(form, "colour", [("red", "Red")])
    assert not form.is_valid()
    assert list(form.errors) == ["organisation"]

    with pytest.raises(TypeError, match=r"_OrganisationForm\.note is not a model choice field"):
        limit_queryset(form, "note", Organisation.objects.all())
    with pytest.raises(TypeError, match=r"_OrganisationForm\.note is not a choice field"):
        set_choices(form, "note", [])


class _OrganisationSerializer(serializers.Serializer[object]):
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    colour = serializers.ChoiceField(choices=[])
    note = serializers.CharField()


def test_serializer_helpers_limit_the_choices_and_name_a_wrong_field(world: World) -> None:
    serializer = _OrganisationSerializer(data={"organisation": world.org_b.pk, "colour": "red", "note": "x"})
    limit_related(serializer, "organisation", Organisation.objects.filter(pk=world.org_a.pk))
    set_serializer_choices(serializer, "colour", [("red", "Red")])
    assert not serializer.is_valid()
    assert list(serializer.errors) == ["organisation"]

    with pytest.raises(TypeError, match=r"_OrganisationSerializer\.note is not a related field"):
        limit_related(serializer, "note", Organisation.objects.all())
    with pytest.raises(TypeError, match=r"_OrganisationSerializer\.note is not a choice field"):
        set_serializer_choices(serializer, "note", [])
