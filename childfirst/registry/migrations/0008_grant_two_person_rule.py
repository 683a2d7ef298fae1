import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone


def settle_existing_grants(apps, schema_editor):
    """Grants made before the two-person rule were never seen by a second person. Those still in
    force become requests awaiting approval: they open nothing until another office user (neither
    the one who made it nor the one it names) approves them, and keep their user, area, reason and
    end so that approving one takes a click. Those already ended or revoked stay on record as
    approved, by nobody (decided_by empty): that is how they were in force."""
    Grant = apps.get_model("registry", "RegistryGrant")
    ended = Q(revoked_at__isnull=False) | Q(expires_at__lte=timezone.now())
    Grant.objects.filter(ended).update(state="approved")
    Grant.objects.exclude(ended).update(state="pending")


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("registry", "0007_remask_id_numbers"),
    ]

    operations = [
        migrations.RenameField(model_name="registrygrant", old_name="granted_by", new_name="requested_by"),
        migrations.RenameField(model_name="registrygrant", old_name="granted_at", new_name="requested_at"),
        migrations.AlterField(
            model_name="registrygrant",
            name="requested_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="requested by",
            ),
        ),
        migrations.AlterField(
            model_name="registrygrant",
            name="requested_at",
            field=models.DateTimeField(default=timezone.now, verbose_name="requested at"),
        ),
        migrations.AddField(
            model_name="registrygrant",
            name="state",
            field=models.CharField(
                choices=[("pending", "awaiting approval"), ("approved", "approved"), ("rejected", "rejected")],
                db_index=True,
                default="pending",
                max_length=10,
                verbose_name="state",
            ),
        ),
        migrations.AddField(
            model_name="registrygrant",
            name="decided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="approved or rejected by",
            ),
        ),
        migrations.AddField(
            model_name="registrygrant",
            name="decided_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="approved or rejected at"),
        ),
        migrations.AddField(
            model_name="registrygrant",
            name="rejection_reason",
            field=models.CharField(blank=True, max_length=200, verbose_name="reason for the rejection"),
        ),
        migrations.AlterModelOptions(
            name="registrygrant",
            options={
                "ordering": ["-requested_at"],
                "verbose_name": "access grant to child files",
                "verbose_name_plural": "access grants to child files",
            },
        ),
        migrations.RunPython(settle_existing_grants, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="registrygrant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("decided_by", models.F("requested_by")), _negated=True),
                    models.Q(("decided_by", models.F("user")), _negated=True),
                ),
                name="grant_decided_by_a_second_person",
            ),
        ),
    ]
