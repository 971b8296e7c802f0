"""Encryption at rest for access-key secrets (SK).

The SK must be recoverable (it is the HMAC key a signature is checked with), so it is encrypted,
not hashed. Keys come from settings.ACCESS_KEY_ENCRYPTION_KEYS, newest first: secrets written
under an older key still open, and `rotate()` re-encrypts them under the newest one.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


def _fernet(material):
    # Any passphrase works: it is stretched to the 32 bytes Fernet wants, and a Fernet key given
    # as is (44 url-safe base64 characters) is accepted unchanged.
    try:
        if len(base64.urlsafe_b64decode(material.encode())) == 32:
            return Fernet(material.encode())
    except ValueError:
        pass
    digest = hashlib.sha256(b"partnercenter.access-key-secret:" + material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


@cache
def _box(keys):
    return MultiFernet([_fernet(k) for k in keys])


def _keys():
    return tuple(settings.ACCESS_KEY_ENCRYPTION_KEYS) or (settings.SECRET_KEY,)


def seal(secret: str) -> str:
    return _box(_keys()).encrypt(secret.encode()).decode()


def open_(token: str) -> str:
    """The plain secret, or ValueError when no configured key opens it."""
    try:
        return _box(_keys()).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("access-key secret does not open with the configured keys") from None


def rotate(token: str) -> str:
    return _box(_keys()).rotate(token.encode()).decode()
