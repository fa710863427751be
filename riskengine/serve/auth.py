"""API keys (bearer tokens) with scopes, from ``$RISKENGINE_API_KEYS`` and/or a keys file.

One key per entry, ``TOKEN:scope,scope`` (scopes: ``assess``, ``admin``); entries are separated by
newlines, spaces or ``;``; ``#`` starts a comment in a file. A request sends ``Authorization: Bearer TOKEN``
or ``X-API-Key: TOKEN``. Only SHA-256 digests of the tokens are held, compared in constant time; a token
is never logged nor echoed. With no key configured at all, authentication is off (every scope granted):
``serve`` says so when it starts.
"""
from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

from .problems import ApiProblem

SCOPES = ("assess", "admin")
ENV = "RISKENGINE_API_KEYS"


class KeyConfigError(ValueError):
    pass


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


@dataclass(frozen=True)
class KeyStore:
    keys: tuple[tuple[bytes, frozenset[str]], ...] = field(default_factory=tuple)

    @property
    def enabled(self) -> bool:
        return bool(self.keys)

    @classmethod
    def parse(cls, text: str, where: str) -> "KeyStore":
        keys = []
        for lineno, line in enumerate(text.splitlines(), 1):
            for entry in line.split("#", 1)[0].replace(";", " ").split():
                token, sep, scopes = entry.rpartition(":")
                if not sep or not token:
                    raise KeyConfigError(f"{where}:{lineno}: a key is written TOKEN:scope[,scope] "
                                         f"(scopes: {', '.join(SCOPES)})")
                wanted = frozenset(s for s in scopes.split(",") if s)
                unknown = sorted(wanted - set(SCOPES))
                if unknown or not wanted:
                    raise KeyConfigError(f"{where}:{lineno}: unknown scope {', '.join(unknown) or '(none)'}; "
                                         f"use {', '.join(SCOPES)}")
                if len(token) < 16:
                    raise KeyConfigError(f"{where}:{lineno}: a token needs at least 16 characters")
                keys.append((_digest(token), wanted))
        return cls(tuple(keys))

    @classmethod
    def load(cls, keys_file: str | None, environ: dict | None = None) -> "KeyStore":
        env = os.environ if environ is None else environ
        keys: list = []
        if env.get(ENV):
            keys.extend(cls.parse(env[ENV], f"${ENV}").keys)
        if keys_file:
            try:
                text = Path(keys_file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise KeyConfigError(f"{keys_file}: cannot read the keys file: {exc}") from None
            keys.extend(cls.parse(text, keys_file).keys)
        return cls(tuple(keys))

    def scopes_of(self, token: str) -> frozenset[str] | None:
        digest = _digest(token)
        found = None
        for known, scopes in self.keys:          # every key compared: the time does not tell which matched
            if hmac.compare_digest(known, digest):
                found = scopes
        return found


def token_from(headers) -> str | None:
    auth = headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        return None
    key = headers.get("x-api-key")
    return key.strip() if key and key.strip() else None


def check(store: KeyStore, headers, scope: str) -> None:
    """Pass, or raise the 401/403 problem (never naming the token)."""
    if not store.enabled:
        return
    token = token_from(headers)
    if token is None:
        raise ApiProblem(401, "unauthorized", "send an API key: 'Authorization: Bearer TOKEN' or 'X-API-Key: TOKEN'",
                         headers={"WWW-Authenticate": 'Bearer realm="riskengine"'})
    scopes = store.scopes_of(token)
    if scopes is None:
        raise ApiProblem(401, "unauthorized", "the API key is not known",
                         headers={"WWW-Authenticate": 'Bearer realm="riskengine", error="invalid_token"'})
    if scope not in scopes:
        raise ApiProblem(403, "forbidden", f"this needs the '{scope}' scope; the key has: {', '.join(sorted(scopes))}")
