from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("grading", "0006_returned_value_checks"),
    ]

    operations = [
        migrations.AddField(
            model_name="reruntask",
            name="image_choice",
            field=models.CharField(
                choices=[
                    ("current", "The suite's current image"),
                    (
                        "original",
                        "The image each result was originally graded on (by digest)",
                    ),
                ],
                default="current",
                help_text="current: each suite's image now; original: the digest each suite's "
                "earlier result recorded (see grading.pipeline.image_choice).",
                max_length=16,
            ),
        ),
    ]
