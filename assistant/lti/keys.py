"""The tool's RSA key pairs, generated once and kept owner-only in the data dir.

The JWKS publishes the current key and the one before it: after `mentor-assistant lti
rotate-key`, whatever a platform cached still verifies while it fetches the new key; the
key before those is deleted. The newest key signs. Key ids are RFC 7638 thumbprints.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KEY_BITS = 2048
PUBLISHED_KEYS = 2
KEYS_FOLDER = "lti-keys"


class ToolKeys:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        if not self._files():
            self.rotate()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ToolKeys:
        return cls(data_dir / KEYS_FOLDER)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [_public_jwk(_load(path)) for path in self._files()[-PUBLISHED_KEYS:]]}

    def current_kid(self) -> str:
        """The newest key's id: the key the tool signs with."""
        kid: str = _public_jwk(_load(self._files()[-1]))["kid"]
        return kid

    def rotate(self) -> str:
        """A new signing key; returns its kid."""
        self._folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self._folder, 0o700)
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        # The name sorts by creation; written owner-only from the first byte.
        path = self._folder / f"{time.time_ns():020d}.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        for retired in self._files()[:-PUBLISHED_KEYS]:
            retired.unlink()
        kid: str = _public_jwk(key)["kid"]
        return kid

    def _files(self) -> list[Path]:
        return sorted(self._folder.glob("*.pem")) if self._folder.is_dir() else []


def _load(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} n'est pas une clé RSA")
    return key


def _public_jwk(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    canonical = json.dumps({name: jwk[name] for name in ("e", "kty", "n")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}
