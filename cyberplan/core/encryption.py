"""Secrets cyberplan must keep to use them again (the passwords and keys that reach partners' servers), encrypted
at rest with Fernet from ``cryptography`` (AES-128-CBC with an HMAC-SHA256 tag).

The keys come from ``CYBERPLAN_SECRETS_KEY`` (a comma-separated list: the first encrypts, every one decrypts,
which is how a key is rotated with ``MultiFernet``), or, when it is unset, from ``SECRET_KEY`` and
``SECRET_KEY_FALLBACKS``. Each configured value is stretched into a Fernet key with HKDF-SHA256, so an operator
may give any long random string. A value stored encrypted is never decrypted to be shown, only to be used.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext as _

# Binds the derived keys to this use: the same configured value gives other keys for any other purpose.
_PURPOSE = b"cyberplan: secrets kept to reach partner servers, v1"


class SecretUnreadableError(Exception):
    """A stored secret that none of the configured keys decrypts (a key was changed without keeping the old)."""


def _fernet_key(value: str) -> bytes:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(value.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


def configured_keys() -> tuple[str, ...]:
    """The configured key values, the one that encrypts first."""
    own = tuple(getattr(settings, "CYBERPLAN_SECRETS_KEYS", ()) or ())
    if own:
        return own
    return (str(settings.SECRET_KEY), *(str(key) for key in getattr(settings, "SECRET_KEY_FALLBACKS", ())))


@functools.lru_cache(maxsize=4)
def _multi(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def _cipher() -> MultiFernet:
    return _multi(configured_keys())


def encrypt(plain: str) -> str:
    """``plain`` encrypted with the current key, as text; an empty value stays empty (nothing to keep)."""
    if not plain:
        return ""
    return _cipher().encrypt(plain.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """The value ``token`` holds; ``SecretUnreadableError`` when no configured key opens it."""
    if not token:
        return ""
    try:
        return _cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadableError(
            _(
                "The stored password cannot be decrypted with the configured keys: keep the old key in "
                "CYBERPLAN_SECRETS_KEY after the new one, or enter the password again."
            )
        ) from None


def reencrypt(token: str) -> str:
    """``token`` encrypted again with the current key (after a rotation); ``SecretUnreadableError`` as ``decrypt``."""
    if not token:
        return ""
    try:
        return _cipher().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadableError(_("A stored password cannot be decrypted with the configured keys.")) from None
