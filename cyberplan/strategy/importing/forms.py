"""The form of the structure import page."""

from __future__ import annotations

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .reading import file_format
from .rows import ImportFileError, max_bytes


class StructureImportForm(forms.Form):
    file = forms.FileField(
        label=_("Structure file (CSV or YAML)"),
        help_text=_("Principles, axes, objectives, action lines, actions and KPIs; see the format below."),
    )
    check_only = forms.BooleanField(
        label=_("Only check the file"), required=False, help_text=_("Lists the problems without writing anything.")
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > max_bytes():
            raise forms.ValidationError(
                _("The file is %(size)s; the limit for a structure file is %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes())}
            )
        try:
            file_format(upload.name or "")
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload
