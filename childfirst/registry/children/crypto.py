"""Encryption at rest of ID numbers, and the keyed hash they are found by.

Two keys are derived from settings.REGISTRY_KEY with HKDF-SHA256 (different `info`), one for
AES-256-GCM and one for HMAC-SHA256, so neither use weakens the other. The hash is keyed so a
copy of the database cannot be searched by hashing every plausible ID number (there are only
about 10**11 of them per region and year); only someone with the key can.
"""

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
# Binds each ciphertext to its purpose: an encrypted ID number cannot be passed off as another field.
ASSOCIATED_DATA = b"childfirst.registry.child.id_number"


@functools.lru_cache(maxsize=4)
def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def _encryption_key() -> bytes:
    return _derive(settings.REGISTRY_KEY, b"childfirst registry id-number encryption v1")


def _hash_key() -> bytes:
    return _derive(settings.REGISTRY_KEY, b"childfirst registry id-number lookup v1")


def encrypt(plaintext: str) -> tuple[bytes, bytes]:
    """(nonce, ciphertext) of `plaintext`; a fresh random nonce every time."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(_encryption_key()).encrypt(nonce, plaintext.encode(), ASSOCIATED_DATA)


def decrypt(nonce: bytes | memoryview | None, ciphertext: bytes | memoryview | None) -> str:
    """The plaintext; raises cryptography.exceptions.InvalidTag if the data or key is wrong.

    Takes the nullable BinaryFields as they are; a missing value is a TypeError (as bytes(None) was)."""
    if nonce is None or ciphertext is None:
        raise TypeError("nothing to decrypt: the nonce or ciphertext is missing")
    return AESGCM(_encryption_key()).decrypt(bytes(nonce), bytes(ciphertext), ASSOCIATED_DATA).decode()


def lookup_hash(normalised_number: str) -> str:
    """HMAC-SHA256 (hex) of the normalised 18-character number: the UNIQUE look-up column."""
    return hmac.new(_hash_key(), normalised_number.encode(), hashlib.sha256).hexdigest()
