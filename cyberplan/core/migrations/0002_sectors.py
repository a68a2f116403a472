"""The sectors every installation starts with; operators may add more in the admin."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# (code, English, Spanish, critical)
SECTORS = [
    ("government", "Government and public administration", "Gobierno y administración pública", True),
    ("defence", "Defence and national security", "Defensa y seguridad nacional", True),
    ("justice", "Justice and law enforcement", "Justicia y aplicación de la ley", True),
    ("finance", "Banking and finance", "Banca y finanzas", True),
    ("energy", "Energy", "Energía", True),
    ("water", "Water and sanitation", "Agua y saneamiento", True),
    ("telecommunications", "Telecommunications and internet", "Telecomunicaciones e internet", True),
    ("transport", "Transport and logistics", "Transporte y logística", True),
    ("health", "Health", "Salud", True),
    ("education", "Education and research", "Educación e investigación", False),
    ("manufacturing", "Manufacturing and industry", "Manufactura e industria", False),
    ("agriculture", "Agriculture and food", "Agricultura y alimentación", False),
    ("retail", "Retail and commerce", "Comercio", False),
    ("media", "Media and communications", "Medios de comunicación", False),
    (
        "professional_services",
        "Professional and information services",
        "Servicios profesionales y de información",
        False,
    ),
    ("hospitality", "Hospitality and tourism", "Hotelería y turismo", False),
    ("civil_society", "Civil society and non-profits", "Sociedad civil y organizaciones sin fines de lucro", False),
    ("individuals", "Individuals and households", "Personas y hogares", False),
    ("other", "Other", "Otro", False),
]


def add_sectors(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Sector = apps.get_model("core", "Sector")
    for code, name_en, name_es, critical in SECTORS:
        Sector.objects.update_or_create(
            code=code, defaults={"name_en": name_en, "name_es": name_es, "is_critical": critical}
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(add_sectors, migrations.RunPython.noop)]
