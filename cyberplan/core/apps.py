import importlib
from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_default_sectors(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """Recreate the default sectors that are missing (after ``flush``, which empties every table
    but reruns no data migration). Existing sectors, and operators' edits to them, are left alone."""
    from .models import Sector  # apps.py is imported before the models are ready

    seed = importlib.import_module("cyberplan.core.migrations.0002_sectors")
    existing = set(Sector.objects.using(using).values_list("code", flat=True))
    Sector.objects.using(using).bulk_create(
        Sector(code=code, name_en=name_en, name_es=name_es, is_critical=critical)
        for code, name_en, name_es, critical in seed.SECTORS
        if code not in existing
    )


class CoreConfig(AppConfig):
    name = "cyberplan.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        post_migrate.connect(ensure_default_sectors, sender=self, dispatch_uid="core.ensure_default_sectors")
