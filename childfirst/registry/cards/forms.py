"""The form to print a community's contact cards."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CardBatchForm(forms.Form):
    purpose = forms.CharField(
        label=_("Purpose of printing"),
        max_length=200,
        help_text=_("Recorded in the access log of every child whose card is printed, e.g. 入户走访发放联系卡."),
    )
