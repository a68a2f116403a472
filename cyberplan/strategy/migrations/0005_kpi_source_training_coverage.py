from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0004_kpi_source_legal_coverage"),
    ]

    operations = [
        migrations.AlterField(
            model_name="kpi",
            name="source",
            field=models.CharField(
                choices=[
                    ("manual", "Entered by hand"),
                    ("trend_metric", "Threat trend figure"),
                    ("assessment_stage", "Assessment stage of a factor"),
                    ("gaps_closed", "Share of linked gaps closed"),
                    ("actions_completed", "Share of actions completed"),
                    ("legal_coverage", "Share of treaty provisions covered by national law"),
                    ("training_coverage", "Share of an audience trained in a topic"),
                ],
                default="manual",
                max_length=20,
                verbose_name="data source",
            ),
        ),
    ]
