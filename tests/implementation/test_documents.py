"""Attachments (implementation/documents.py): the type judged by content, the size limit, the error
naming the file and the reason, and downloads only for those who may see the owner."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from childfirst.implementation import documents
from childfirst.implementation.documents import EVIDENCE_KINDS, IMAGE_KINDS, check_upload, store_document
from childfirst.implementation.models import Document
from tests.implementation.files import docx_bytes, exe_bytes, image_bytes, pdf_bytes, upload


@pytest.mark.parametrize(
    ("name", "make", "content_type"),
    [
        ("证明材料.pdf", pdf_bytes, "application/pdf"),
        ("photo.png", lambda: image_bytes("PNG"), "image/png"),
        ("photo.jpg", lambda: image_bytes("JPEG"), "image/jpeg"),
        ("总结.docx", docx_bytes, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_accepted_by_content(name, make, content_type):
    content = make()
    assert check_upload(upload(name, content), kinds=EVIDENCE_KINDS) == (content_type, content)


def test_the_name_does_not_decide_the_type():
    # A real PDF called .docx is a PDF: accepted, and stored as what it is.
    content_type, _ = check_upload(upload("misnamed.docx", pdf_bytes()), kinds=EVIDENCE_KINDS)
    assert content_type == "application/pdf"


def _refusal(name: str, content: bytes, kinds=EVIDENCE_KINDS) -> str:
    with pytest.raises(ValidationError) as refused:
        check_upload(upload(name, content), kinds=kinds)
    return refused.value.messages[0]


def test_a_renamed_program_is_refused_naming_file_and_reason():
    with translation.override("en"):
        message = _refusal("evidence.pdf", exe_bytes())
    assert message.startswith("evidence.pdf: ")
    assert "program" in message
    assert "Nothing was stored" in message
    with translation.override("zh-hans"):
        assert "程序" in _refusal("evidence.pdf", exe_bytes())


def test_a_text_file_called_docx_is_refused():
    with translation.override("en"):
        message = _refusal("report.docx", "这不是 Word 文件".encode())
    assert message.startswith("report.docx: ")
    assert "not one of the accepted types" in message and "Word (.docx)" in message


def test_a_zip_that_is_not_word_and_a_macro_file_are_refused():
    import io
    import zipfile

    plain = io.BytesIO()
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("a.txt", "x")
    with translation.override("en"):
        assert "not one of the accepted types" in _refusal("a.docx", plain.getvalue())
    macro = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(macro, "w") as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("word/vbaProject.bin", b"\0" * 10)
    with translation.override("en"):
        assert "macros" in _refusal("a.docx", macro.getvalue())


def test_oversize_and_empty_are_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    with translation.override("en"):
        message = _refusal("big.pdf", b"%PDF-1.4\n" + b"0" * 2000)
        assert message.startswith("big.pdf: ") and "limit" in message
        assert "empty" in _refusal("nothing.pdf", b"")


def test_a_kind_not_accepted_here_is_refused():
    with translation.override("en"):
        message = _refusal("scan.pdf", pdf_bytes(), kinds=IMAGE_KINDS)
    assert "PDF" in message and "JPEG, PNG" in message


def test_the_file_name_is_made_safe():
    assert documents.safe_name("../../etc/passwd") == "passwd"
    assert documents.safe_name("C:\\Users\\x\\报告.pdf") == "报告.pdf"
    assert documents.safe_name('a"b;\r\nc.pdf') == "a_b_c.pdf"
    assert documents.safe_name("") == "document"


@pytest.mark.django_db
def test_store_document_keeps_content_hash_and_owner(round_2025, users):
    from childfirst.implementation.models import ImplementationReport

    report = ImplementationReport.objects.create(round=round_2025, department=users.reporter.department)
    content = pdf_bytes()
    document = store_document("report", report, upload("../证明.pdf", content), users.reporter)
    document.refresh_from_db()
    assert (document.name, document.size, document.content_type) == ("证明.pdf", len(content), "application/pdf")
    assert document.sha256 == hashlib.sha256(content).hexdigest() and bytes(document.content) == content
    assert document.report == report and document.uploaded_by == users.reporter
    with pytest.raises(ValidationError):
        store_document("report", report, upload("x.pdf", exe_bytes()), users.reporter)
    assert Document.objects.count() == 1
    # a good practice takes photos only
    with pytest.raises(ValueError):
        store_document("child", report, upload("x.pdf", content), users.reporter)


def test_download_name_follows_the_content():
    document = Document(name="evidence.exe", content_type="application/pdf")
    assert documents.download_name(document) == "evidence.pdf"
    assert documents.download_name(Document(name="a.jpeg", content_type="image/jpeg")) == "a.jpeg"
    assert documents.download_name(Document(name="a.JPG", content_type="image/jpeg")) == "a.JPG"
