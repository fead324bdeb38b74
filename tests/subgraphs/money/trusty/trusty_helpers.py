"""Helpers for trusty-wallet tests: signers with real Ed25519 key pairs, signing proposals."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


@dataclass
class SignerIdentity:
    """A user with an Ed25519 key pair (the private half stays in the test, as on a device)."""

    user_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    private_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)

    @property
    def public_key_base64(self) -> str:
        raw = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return base64.b64encode(raw).decode("ascii")

    @property
    def public_key_pem(self) -> str:
        return (
            self.private_key.public_key()
            .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
            .decode("ascii")
        )

    def sign(self, canonical_content: str | bytes) -> str:
        message = (
            canonical_content.encode("utf-8")
            if isinstance(canonical_content, str)
            else canonical_content
        )
        return base64.b64encode(self.private_key.sign(message)).decode("ascii")
