from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Left, Length, Repeat

# The mask of idnumber.mask_id, as it is today: the first 4 characters, the rest starred. Stored
# masks showed the last 4 too, which with the date of birth and sex shown beside them gave the
# whole number away. They are re-masked from their stored form by starring more characters, so
# this needs no key and never decrypts a number. (Masks of 8 characters or fewer are all stars
# already.)
SHOWN = 4


def _remask(model, field):
    masked = model.objects.annotate(stored_length=Length(field)).filter(stored_length__gt=8)
    masked.update(**{field: Concat(Left(field, SHOWN), Repeat(Value("*"), Length(field) - SHOWN))})


def remask(apps, schema_editor):
    _remask(apps.get_model("registry", "Child"), "id_masked")
    _remask(apps.get_model("registry", "MandatoryReport"), "child_id_masked")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_access_log_retention")]

    # Not reversible in substance (the hidden characters are gone); going back leaves the new masks.
    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
