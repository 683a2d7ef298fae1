"""The office's upload of a scorecard weights file: the whole file is checked here (size, UTF-8,
YAML, every key and sum), so the action only ever stores a valid one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from childfirst.datafile import DataFileInvalid

from .scorecard import parse_weights

MAX_WEIGHTS_BYTES = 64 * 1024  # a weights file is a few hundred bytes; anything near this is not one


class WeightsUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Weights file (.yaml)"))

    def clean_file(self) -> tuple[str, bytes]:
        upload = self.cleaned_data["file"]
        name = upload.name or "scorecard.yaml"
        if upload.size > MAX_WEIGHTS_BYTES:
            raise forms.ValidationError(
                _("%(name)s is %(size)s bytes; a weights file may have at most %(limit)s.")
                % {"name": name, "size": upload.size, "limit": MAX_WEIGHTS_BYTES}
            )
        raw = upload.read()
        try:
            parse_weights(raw, name)
        except DataFileInvalid as exc:
            raise forms.ValidationError([str(problem) for problem in exc.problems]) from None
        return name, raw
