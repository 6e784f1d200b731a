"""OIDC bearer JWTs: keys the tests generate (RSA and EC), JWKS from a file and from a URL."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from pydantic import ValidationError
from starlette.testclient import TestClient

from auth_fixtures import ORIGIN, fast_password_hashing, make_quire_app, make_quire_settings  # noqa: F401
from proxy.http.errors import GENERIC_AUTH_MESSAGE
from proxy.auth.oidc import oidc_uid
from proxy.settings import Settings

ISSUER = "https://id.example.org/realms/quire"
AUDIENCE = "quire"
GENERIC_401 = {"error": {"code": "unauthorized", "message": GENERIC_AUTH_MESSAGE}}

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OTHER_RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(public_key, kid: str, alg: str) -> dict:
    algorithm = RSAAlgorithm if alg.startswith(("RS", "PS")) else ECAlgorithm
    data = json.loads(algorithm.to_jwk(public_key))
    return {**data, "kid": kid, "alg": alg, "use": "sig"}


JWKS = {"keys": [jwk(RSA_KEY.public_key(), "rsa-1", "RS256"), jwk(EC_KEY.public_key(), "ec-1", "ES256")]}


def claims(**overrides) -> dict:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "user-42", "iat": now, "exp": now + 300,
            "preferred_username": "dana"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def rsa_token(kid: str = "rsa-1", key=RSA_KEY, alg: str = "RS256", **overrides) -> str:
    return jwt.encode(claims(**overrides), key, algorithm=alg, headers={"kid": kid})


def ec_token(**overrides) -> str:
    return jwt.encode(claims(**overrides), EC_KEY, algorithm="ES256", headers={"kid": "ec-1"})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token() -> str:
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": "rsa-1"}).encode())
    return f"{header}.{b64(json.dumps(claims()).encode())}."


def hs256_with_public_key() -> str:
    """The classic key-confusion attack: HMAC-sign with the provider's public key as the secret."""
    pem = RSA_KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    payload = b64(json.dumps(claims()).encode())
    import hashlib
    import hmac

    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


@pytest.fixture
def jwks_file(tmp_path):
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(JWKS))
    return path


@pytest.fixture
def oidc_client(make_quire_app, make_quire_settings, jwks_file):
    settings = make_quire_settings(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_file=jwks_file)
    with TestClient(make_quire_app(settings), base_url=ORIGIN) as client:
        yield client


def me(client: TestClient, token: str):
    return client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})


def test_valid_rsa_and_ec_tokens_sign_in(oidc_client):
    for token in (rsa_token(), ec_token()):
        response = me(oidc_client, token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["via"] == "oidc" and body["name"] == "dana" and body["signed_in"] is True
        assert body["uid"] == oidc_uid(ISSUER, "user-42")


def test_uid_is_a_stable_hash_of_issuer_and_subject(oidc_client):
    uid = me(oidc_client, rsa_token()).json()["uid"]
    assert uid == me(oidc_client, ec_token()).json()["uid"]
    assert "user-42" not in uid and len(uid) == 32
    assert oidc_uid("https://other.example", "user-42") != uid
    assert me(oidc_client, rsa_token(sub="user-43")).json()["uid"] != uid


BAD_TOKENS = {
    "expired": lambda: rsa_token(exp=int(time.time()) - 120),
    "not yet valid": lambda: rsa_token(nbf=int(time.time()) + 3600),
    "wrong audience": lambda: rsa_token(aud="someone-else"),
    "wrong issuer": lambda: rsa_token(iss="https://evil.example"),
    "alg none": unsigned_token,
    "hs256 with the public key": hs256_with_public_key,
    "signed by another key": lambda: rsa_token(key=OTHER_RSA_KEY),
    "unknown kid": lambda: rsa_token(kid="nope"),
    "rsa key id with ec alg": lambda: jwt.encode(claims(), EC_KEY, algorithm="ES256", headers={"kid": "rsa-1"}),
    "algorithm not allowed": lambda: rsa_token(alg="RS512"),
    "no expiry": lambda: rsa_token(exp=None),
    "no subject": lambda: rsa_token(sub=None),
    "tampered payload": lambda: (lambda t: t.split(".")[0] + "." + b64(json.dumps(claims(sub="admin")).encode())
                                 + "." + t.split(".")[2])(rsa_token()),
    "garbage": lambda: "a.b.c",
}


@pytest.mark.parametrize("label", sorted(BAD_TOKENS))
def test_bad_tokens_get_the_generic_401(oidc_client, label):
    response = me(oidc_client, BAD_TOKENS[label]())
    assert response.status_code == 401
    assert response.json() == GENERIC_401


def test_a_bad_bearer_token_does_not_fall_back_to_the_cookie(oidc_client):
    oidc_client.app.state.auth.accounts.add("erin", "a long password")
    assert oidc_client.post("/api/auth/login", json={"name": "erin", "password": "a long password"}).status_code == 200
    assert oidc_client.get("/api/auth/me").json()["name"] == "erin"
    assert me(oidc_client, rsa_token(aud="x")).status_code == 401


def test_symmetric_algorithms_are_refused_in_settings(tmp_path):
    for algorithms in (["HS256"], ["RS256", "hs512"], ["none"]):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, data_dir=tmp_path, oidc_algorithms=algorithms)


class JwksHandler(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).hits += 1
        body = json.dumps(JWKS).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def jwks_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), JwksHandler)
    JwksHandler.hits = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()
    server.server_close()


def test_jwks_from_a_url_is_fetched_once_and_cached(make_quire_app, make_quire_settings, jwks_url):
    settings = make_quire_settings(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=jwks_url)
    with TestClient(make_quire_app(settings), base_url=ORIGIN) as client:
        for _ in range(3):
            assert me(client, rsa_token()).status_code == 200
            assert me(client, ec_token()).status_code == 200
        # An unknown kid does not make every request refetch (at most one refetch per interval).
        for _ in range(3):
            assert me(client, rsa_token(kid="rotated")).status_code == 401
    assert JwksHandler.hits == 1


def test_an_unreachable_jwks_url_refuses_tokens_without_a_fetch_per_request(make_quire_app, make_quire_settings):
    from auth_fixtures import free_port

    url = f"http://127.0.0.1:{free_port()}/jwks.json"  # nothing listens there
    settings = make_quire_settings(oidc_issuer=ISSUER, oidc_audience=AUDIENCE, oidc_jwks_url=url)
    app = make_quire_app(settings)
    with TestClient(app, base_url=ORIGIN) as client:
        for _ in range(5):
            response = me(client, rsa_token())
            assert response.status_code == 401 and response.json() == GENERIC_401
    assert app.state.auth.oidc.jwks.fetches == 1
