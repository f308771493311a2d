"""Secrets at rest (ERP webhook secrets, later private keys and passwords): Fernet-encrypted
with a key derived (HKDF-SHA256) from GATEWAY_SECRET_KEY, so the database alone reveals none."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from translators.errors import GatewayError


class SecretError(GatewayError):
    pass


class SecretBox:
    def __init__(self, secret_key: str):
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"edi-gateway secrets v1"
        ).derive(secret_key.encode("utf-8"))
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def seal(self, plaintext: str) -> bytes:
        return self._fernet.encrypt(plaintext.encode("utf-8"))

    def open(self, token: bytes | None) -> str | None:
        if token is None:
            return None
        try:
            return self._fernet.decrypt(token).decode("utf-8")
        except InvalidToken as exc:
            raise SecretError(
                "a stored secret cannot be decrypted: GATEWAY_SECRET_KEY is not the key it "
                "was stored with"
            ) from exc
