"""Clerk session tokens (RS256): verified with a PEM key or with keys fetched from a JWKS URL."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import msgspec
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from server.app import create_app
from tests.conftest import JWT_SECRET

ISSUER = "https://clerk.forge.test"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def clerk_token(key: rsa.RSAPrivateKey = KEY, kid: str = "clerk-1", **claims: object) -> dict[str, str]:
    now = int(time.time())
    payload = {"sub": "user_2abc", "iss": ISSUER, "iat": now, "exp": now + 60, "azp": "http://localhost:3000"}
    payload.update(claims)
    return {"Authorization": f"Bearer {jwt.encode(payload, key, algorithm='RS256', headers={'kid': kid})}"}


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "clerk-1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture(params=["pem", "jwks"])
def app(request, settings, clock, jwks_url):
    """Clerk configured once with the PEM public key, once with the JWKS URL."""
    key_source = (
        {"clerk_public_key": public_pem(KEY)} if request.param == "pem" else {"clerk_jwks_url": jwks_url}
    )
    clerk = msgspec.structs.replace(settings, jwt_secret=None, clerk_issuer=ISSUER, **key_source)
    return create_app(clerk, clock=clock)


async def test_a_clerk_session_token_is_accepted(client):
    response = await client.get("/api/projects", headers=clerk_token())

    assert response.status_code == 200


async def test_a_clerk_token_from_another_issuer_is_401(client):
    response = await client.get("/api/projects", headers=clerk_token(iss="https://evil.test"))

    assert response.status_code == 401


async def test_a_clerk_token_signed_by_another_key_is_401(client):
    response = await client.get("/api/projects", headers=clerk_token(OTHER_KEY))

    assert response.status_code == 401


async def test_an_expired_clerk_token_is_401(client):
    response = await client.get("/api/projects", headers=clerk_token(exp=int(time.time()) - 5))

    assert response.status_code == 401


async def test_a_dev_token_is_refused_when_clerk_is_configured(client):
    token = jwt.encode({"sub": "alice", "exp": int(time.time()) + 60}, JWT_SECRET, algorithm="HS256")

    response = await client.get("/api/projects", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401


async def test_the_name_and_picture_of_a_clerk_token_show_in_the_members_list(client):
    headers = clerk_token(name="Clara", picture="https://img.clerk.com/clara.png")
    project = (await client.post("/api/projects", json={"name": "Shown"}, headers=headers)).json()

    members = (await client.get(f"/api/projects/{project['id']}/members", headers=headers)).json()

    assert members["items"][0] | {"addedAt": None} == {
        "userId": "user_2abc",
        "role": "OWNER",
        "name": "Clara",
        "imageUrl": "https://img.clerk.com/clara.png",
        "addedAt": None,
    }
