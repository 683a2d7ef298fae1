"""Attachments of section 四 (evidence for an implementation report or a response, a good practice's
photos): the one place that checks an uploaded file and stores it as a `Document`.

The type is judged by the file's content, never by its name: a program renamed `.pdf`, a text file
called `.docx` or a macro-enabled Word file is refused, and the download's extension follows the
content, so a stored file always opens as what it is. Files are kept in the database (like uploaded
data files) so any web server or worker can serve them. The size limit is the setting
`CHILDFIRST_ATTACHMENT_MAX_MB` (default 10).

Used by every part of the app: the caller's own do_* action calls `store_document` inside its
transaction and writes the audit row."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from childfirst.accounts.models import User

from .models import Document, GoodPractice, ImplementationReport, Response

PDF, PNG, JPEG, DOCX = "pdf", "png", "jpeg", "docx"
CONTENT_TYPES = {
    PDF: "application/pdf",
    PNG: "image/png",
    JPEG: "image/jpeg",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTENSIONS = {PDF: ".pdf", PNG: ".png", JPEG: ".jpg", DOCX: ".docx"}
IMAGE_KINDS = frozenset({PNG, JPEG})
EVIDENCE_KINDS = frozenset({PDF, PNG, JPEG, DOCX})
KIND_LABELS = {PDF: "PDF", PNG: "PNG", JPEG: "JPEG", DOCX: "Word (.docx)"}

# A Word file is a zip; these bound what reading one may cost (a "zip bomb" is refused unopened).
_DOCX_MAX_MEMBERS = 2000
_DOCX_MAX_UNPACKED = 200 * 2**20
_MACRO_PART = re.compile(r"vbaProject\.bin$|vbaData\.xml$|activeX/", re.IGNORECASE)
# What programs and scripts start with: named in the refusal, so the user understands it.
_PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xfe\xed\xfa\xce", b"#!")

# The owners a Document may have, and which kinds each accepts unless the caller says otherwise.
OWNER_FIELDS = {"report": EVIDENCE_KINDS, "response": EVIDENCE_KINDS, "practice": IMAGE_KINDS}


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 2**20))


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB"


def safe_name(name: str) -> str:
    """The file name without any folder, control characters or characters a header or a file
    system would misread; at most 150 characters; never empty."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = re.sub(r'[\\/:*?"<>|;]', "_", base).strip(" .")
    if len(base) > 150:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 150 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else base[:150]
    return base or "document"


def download_name(document: Document) -> str:
    """The stored name with the extension of its content type (a PDF is served as .pdf whatever it
    was called)."""
    kind = next((k for k, t in CONTENT_TYPES.items() if t == document.content_type), None)
    name = safe_name(document.name)
    if kind is None:
        return name
    stem, dot, ext = name.rpartition(".")
    wanted = EXTENSIONS[kind]
    suffix = "." + ext.lower() if dot else ""
    if suffix == wanted or (kind == JPEG and suffix == ".jpeg"):
        return name
    return (stem if dot else name) + wanted


def _docx_ok(content: bytes) -> str:
    """'' when `content` is a Word document without macros, else why not ('macro' or 'not')."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return "not"
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        return "not"
    if len(members) > _DOCX_MAX_MEMBERS or sum(m.file_size for m in members) > _DOCX_MAX_UNPACKED:
        return "not"
    if any(_MACRO_PART.search(n) for n in names):
        return "macro"
    try:
        types = archive.read("[Content_Types].xml")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return "not"
    if b"macroEnabled" in types:
        return "macro"
    return ""


def sniff(content: bytes) -> str | None:
    """The kind of file `content` is (PDF, PNG, JPEG or a macro-free DOCX), None for anything else."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04") and _docx_ok(content) == "":
        return DOCX
    return None


def _refuse(name: str, reason: str) -> ValidationError:
    return ValidationError(
        _("%(file)s: %(reason)s Nothing was stored.") % {"file": name, "reason": reason}, code="attachment"
    )


def check_upload(upload: UploadedFile, *, kinds: frozenset[str]) -> tuple[str, bytes]:
    """The upload's content type and bytes if it is one of `kinds` (judged by content) and within the
    size limit; else a ValidationError naming the file and the reason."""
    name = safe_name(upload.name or "")
    allowed = ", ".join(KIND_LABELS[k] for k in sorted(kinds))
    limit = max_bytes()
    if upload.size is not None and upload.size > limit:
        raise _refuse(
            name,
            _("the file is %(size)s, more than the limit of %(limit)s.")
            % {"size": _megabytes(upload.size), "limit": _megabytes(limit)},
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise _refuse(name, _("the file is larger than the limit of %(limit)s.") % {"limit": _megabytes(limit)})
    if not content:
        raise _refuse(name, _("the file is empty."))
    kind = sniff(content)
    if kind is None:
        if content.startswith(_PROGRAM_MAGIC):
            reason = _("this is a program or script, not a document (whatever its name says).")
        elif content.startswith(b"PK\x03\x04") and _docx_ok(content) == "macro":
            reason = _("this Word file contains macros; save it as a plain .docx document.")
        else:
            reason = _("its content is not one of the accepted types (%(types)s), whatever its name says.") % {
                "types": allowed
            }
        raise _refuse(name, reason)
    if kind not in kinds:
        raise _refuse(
            name,
            _("this is a %(kind)s file; only %(types)s can be attached here.")
            % {"kind": KIND_LABELS[kind], "types": allowed},
        )
    return CONTENT_TYPES[kind], content


Owner = ImplementationReport | Response | GoodPractice


def store_document(
    owner_field: str, owner: Owner, upload: UploadedFile, user: User, *, kinds: frozenset[str] | None = None
) -> Document:
    """Check `upload` (ValidationError if refused) and store it as a Document of `owner`, whose field
    on Document is `owner_field` ("report", "response" or "practice"). Call it inside your do_* action's
    transaction, which writes the audit row (the document's id, size and hash, never its content)."""
    if owner_field not in OWNER_FIELDS:
        raise ValueError(f"a document belongs to one of {sorted(OWNER_FIELDS)}, not {owner_field!r}")
    content_type, content = check_upload(upload, kinds=kinds if kinds is not None else OWNER_FIELDS[owner_field])
    return Document.objects.create(
        **{owner_field: owner},
        name=safe_name(upload.name or ""),
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_at=timezone.now(),
        uploaded_by=user,
    )
