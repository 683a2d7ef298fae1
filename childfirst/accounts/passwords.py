"""Password rule beyond Django's own validators: mix character classes."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class CharacterClassValidator:
    """At least `minimum` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, minimum: int = 3):
        self.minimum = minimum

    def validate(self, password: str, user: object = None) -> None:
        classes = [
            any(c in string.ascii_lowercase for c in password),
            any(c in string.ascii_uppercase for c in password),
            any(c.isdigit() for c in password),
            any(not c.isascii() or not c.isalnum() for c in password),
        ]
        if sum(classes) < self.minimum:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Your password must mix at least %(minimum)d of: lower-case letters, upper-case letters, digits, symbols."
        ) % {"minimum": self.minimum}
