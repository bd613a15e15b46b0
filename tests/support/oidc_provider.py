"""A small, real OpenID Connect provider on loopback for the single sign-on tests: the
authorization-code flow with PKCE (S256), an HS256-signed ID token, and a userinfo endpoint.

It speaks HTTP through the standard library's server in a thread; the desk reaches it over the
network exactly as it would reach an institution's identity provider."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_jwt(claims: dict[str, Any], key: str) -> str:
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(signature)}"


@dataclass
class Provider:
    client_id: str
    client_secret: str
    # Who signs in at the provider next (the test sets it, as a person would type it there).
    claims: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    @property
    def settings(self) -> dict[str, Any]:
        return {
            "CHARTERDESK_OIDC": True,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_RP_SIGN_ALGO": "HS256",
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": "",
            "OIDC_RP_SCOPES": "openid email profile",
            "OIDC_USE_PKCE": True,
            "OIDC_CREATE_USER": False,
            "LOGIN_REDIRECT_URL_FAILURE": "/login/?sso=failed",
        }


def _handler(provider: Provider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            provider.requests.append(self.path)

        def _json(self, status: int, data: dict[str, Any]) -> None:
            body = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/authorize":
                if (
                    query.get("client_id") != provider.client_id
                    or query.get("response_type") != "code"
                ):
                    return self._json(400, {"error": "invalid_request"})
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {
                    "nonce": query.get("nonce"),
                    "redirect_uri": query["redirect_uri"],
                    "challenge": query.get("code_challenge"),
                    "claims": dict(provider.claims),
                }
                target = (
                    query["redirect_uri"]
                    + "?"
                    + urlencode({"code": code, "state": query.get("state", "")})
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
                return None
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in provider.tokens:
                    return self._json(401, {"error": "invalid_token"})
                return self._json(200, provider.tokens[token])
            return self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlsplit(self.path).path != "/token":
                return self._json(404, {"error": "not_found"})
            grant = provider.codes.pop(form.get("code", ""), None)
            if (
                grant is None
                or form.get("client_id") != provider.client_id
                or form.get("client_secret") != provider.client_secret
                or form.get("redirect_uri") != grant["redirect_uri"]
            ):
                return self._json(400, {"error": "invalid_grant"})
            verifier = form.get("code_verifier", "")
            if grant["challenge"] != _b64(hashlib.sha256(verifier.encode()).digest()):
                return self._json(400, {"error": "invalid_grant", "why": "PKCE"})
            now = int(time.time())
            claims = grant["claims"]
            id_token = hs256_jwt(
                {
                    "iss": provider.url,
                    "sub": claims.get("sub", "someone"),
                    "aud": provider.client_id,
                    "iat": now,
                    "exp": now + 300,
                    "nonce": grant["nonce"],
                },
                provider.client_secret,
            )
            access = secrets.token_urlsafe(16)
            provider.tokens[access] = claims
            return self._json(
                200,
                {"access_token": access, "token_type": "Bearer", "id_token": id_token},
            )

    return Handler


@contextmanager
def oidc_provider(client_id: str = "charterdesk", client_secret: str = "") -> Iterator[Provider]:
    provider = Provider(client_id=client_id, client_secret=client_secret or secrets.token_hex(32))
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
