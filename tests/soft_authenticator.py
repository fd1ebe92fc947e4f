"""A software WebAuthn authenticator for the unit tests: it answers the options the server
makes as a platform authenticator would (P-256, "none" attestation, user verified), so
the `webauthn` package's checks run on real bytes. Test-only; the product has no CBOR."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


UP, UV, AT = 0x01, 0x04, 0x40


@dataclass
class SoftKey:
    credential_id: bytes
    private: ec.EllipticCurvePrivateKey
    user_handle: bytes
    rp_id: str
    sign_count: int = 0


@dataclass
class SoftAuthenticator:
    origin: str
    keys: list[SoftKey] = field(default_factory=list)
    user_verified: bool = True

    def _client_data(self, kind: str, challenge: str, origin: str | None = None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge,
                           "origin": origin or self.origin, "crossOrigin": False}).encode()

    def create(self, options_json: str, *, origin: str | None = None) -> dict:
        """navigator.credentials.create(): a new key for the options' user."""
        options = json.loads(options_json)
        rp_id = options["rp"]["id"]
        private = ec.generate_private_key(ec.SECP256R1())
        numbers = private.public_key().public_numbers()
        cose = {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big")}
        credential_id = secrets.token_bytes(16)
        key = SoftKey(credential_id, private, unb64(options["user"]["id"]), rp_id)
        self.keys.append(key)
        flags = UP | AT | (UV if self.user_verified else 0)
        auth_data = (hashlib.sha256(rp_id.encode()).digest() + bytes([flags])
                     + struct.pack(">I", 0) + bytes(16)
                     + struct.pack(">H", len(credential_id)) + credential_id
                     + cbor2.dumps(cose))
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {"id": b64(credential_id), "rawId": b64(credential_id), "type": "public-key",
                "response": {"clientDataJSON": b64(client_data),
                             "attestationObject": b64(attestation),
                             "transports": ["internal"]},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}

    def get(self, options_json: str, key: SoftKey | None = None, *,
            origin: str | None = None) -> dict:
        """navigator.credentials.get(): an assertion by `key` (the newest by default)."""
        options = json.loads(options_json)
        key = key or self.keys[-1]
        key.sign_count += 1
        flags = UP | (UV if self.user_verified else 0)
        auth_data = (hashlib.sha256(key.rp_id.encode()).digest() + bytes([flags])
                     + struct.pack(">I", key.sign_count))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = key.private.sign(auth_data + hashlib.sha256(client_data).digest(),
                                     ec.ECDSA(hashes.SHA256()))
        return {"id": b64(key.credential_id), "rawId": b64(key.credential_id),
                "type": "public-key",
                "response": {"clientDataJSON": b64(client_data),
                             "authenticatorData": b64(auth_data), "signature": b64(signature),
                             "userHandle": b64(key.user_handle)},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}
