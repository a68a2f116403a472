"""Names of model fields that several layers list alike (actions, snapshots, forms, the API, the importer)."""

from __future__ import annotations

# The bilingual title and description of principles, elements, actions and tasks.
TEXT_FIELDS = ("title_en", "title_es", "description_en", "description_es")

# What a KPI measures and how; the import columns of a KPI row use the same names.
KPI_MEASURE_FIELDS = (
    "unit",
    "direction",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "frequency",
    "source",
    "source_detail",
)
# The editable fields of a KPI, in the order forms, the API and snapshots list them.
KPI_FIELDS = ("name_en", "name_es", "definition_en", "definition_es", "indicator_type", *KPI_MEASURE_FIELDS)
