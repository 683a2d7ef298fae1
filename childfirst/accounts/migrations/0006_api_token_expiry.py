"""Tokens made before every token expired (issue 11) get the life a new token of their user's role
gets, counted from when they were made: a token older than that lapses now."""

import datetime

from django.conf import settings
from django.db import migrations

# As in accounts.tokens.CHILD_FILE_ROLES: every token role except these reads child files.
WITHOUT_CHILD_FILES = {"leader", "evaluator"}


def expire_old_tokens(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.filter(expires_at__isnull=True).select_related("user"):
        days = settings.API_TOKEN_DAYS if token.user.role in WITHOUT_CHILD_FILES else settings.API_TOKEN_DAYS_CHILD_FILES
        token.expires_at = token.created_at + datetime.timedelta(days=days)
        if token.user.access_expires_at is not None:
            token.expires_at = min(token.expires_at, token.user.access_expires_at)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_audit_no_replace"),
    ]

    operations = [migrations.RunPython(expire_old_tokens, migrations.RunPython.noop)]
