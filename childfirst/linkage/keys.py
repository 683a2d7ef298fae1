"""The linkage app's own keys, derived from the registry's master key (settings.REGISTRY_KEY) with HKDF
under their own names, as registry/children/crypto.py derives its two: one encrypts the files in transit
(StoredFile), one keys the rows' identity fingerprints. Neither use weakens the registry's keys, and a
copy of the database without the master key reveals no file and cannot be searched by fingerprint."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12
FILE_ASSOCIATED_DATA = b"childfirst.linkage.stored_file"


@functools.lru_cache(maxsize=4)
def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def _file_key() -> bytes:
    return _derive(settings.REGISTRY_KEY, b"childfirst linkage stored-file encryption v1")


def _fingerprint_key() -> bytes:
    return _derive(settings.REGISTRY_KEY, b"childfirst linkage identity fingerprint v1")


def encrypt_bytes(content: bytes) -> tuple[bytes, bytes]:
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(_file_key()).encrypt(nonce, content, FILE_ASSOCIATED_DATA)


def decrypt_bytes(nonce: bytes | memoryview, ciphertext: bytes | memoryview) -> bytes:
    return AESGCM(_file_key()).decrypt(bytes(nonce), bytes(ciphertext), FILE_ASSOCIATED_DATA)


def fingerprint(*parts: str) -> str:
    """HMAC-SHA256 (hex) of a row's identity parts: equal rows of two snapshots get equal fingerprints."""
    return hmac.new(_fingerprint_key(), "\x1f".join(parts).encode(), hashlib.sha256).hexdigest()
