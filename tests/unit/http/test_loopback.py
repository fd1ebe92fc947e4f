"""Local use under either loopback name: a page opened on 127.0.0.1 goes to the public URL
(localhost), so its websocket and cookies share one origin; API calls and production are
left alone."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from digihelse.core.settings import load_settings
from digihelse.http.loopback import LoopbackHost

PRODUCTION = {"DIGIHELSE_ENV": "production", "DIGIHELSE_PUBLIC_URL": "https://dh.example.no",
              "DIGIHELSE_OIDC_ISSUER": "https://idporten.example.no",
              "DIGIHELSE_OIDC_CLIENT_SECRET": "x",
              "DIGIHELSE_HELSEID_ISSUER": "https://helseid.example.no",
              "DIGIHELSE_HELSEID_PRIVATE_KEY": "pem", "DIGIHELSE_AUDIT_KEY": "k" * 32}
NAVIGATE = {"sec-fetch-mode": "navigate", "accept": "text/html"}


def _client(env: dict[str, str], host: str) -> TestClient:
    app = Starlette(routes=[Route("/{path:path}", lambda _r: PlainTextResponse("page"),
                                  methods=["GET", "POST"])],
                    middleware=[Middleware(LoopbackHost, settings=load_settings(env))])
    return TestClient(app, base_url=f"http://{host}", follow_redirects=False)


def test_a_page_opened_on_127_0_0_1_goes_to_localhost_with_its_path_and_query():
    response = _client({}, "127.0.0.1:8000").get("/bestill?sted=4", headers=NAVIGATE)
    assert response.status_code == 307
    assert response.headers["location"] == "http://localhost:8000/bestill?sted=4"


def test_the_other_way_round_when_the_public_url_is_127_0_0_1():
    client = _client({"DIGIHELSE_PUBLIC_URL": "http://127.0.0.1:8000"}, "localhost:8000")
    assert client.get("/", headers=NAVIGATE).headers["location"] == "http://127.0.0.1:8000/"


def test_the_public_host_api_calls_and_production_are_left_alone():
    assert _client({}, "localhost:8000").get("/", headers=NAVIGATE).text == "page"
    # The embedded providers call themselves on 127.0.0.1 (discovery, keys, tokens).
    assert _client({}, "127.0.0.1:8000").get("/idp/jwks", headers={"accept": "*/*"}).text \
        == "page"
    assert _client({}, "127.0.0.1:8000").post("/idp/token", headers=NAVIGATE).text == "page"
    assert _client(PRODUCTION, "127.0.0.1:8000").get("/", headers=NAVIGATE).text == "page"
    # Another host name is not ours to redirect (a proxy decides what reaches us).
    assert _client({}, "digihelse.example.no").get("/", headers=NAVIGATE).text == "page"
