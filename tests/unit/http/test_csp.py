"""The page policy lists exactly the page's own inline scripts by hash, and is added to
HTML responses only, gzip-compressed pages included."""

from __future__ import annotations

import base64
import gzip
import hashlib

from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from digihelse.http.csp import ContentSecurityPolicy, policy_for, script_hashes

PAGE = b"<html><head><script>window.a=1</script><script src='/x.js'></script></head></html>"


def _sha(text: bytes) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text).digest()).decode()}'"


def test_only_inline_scripts_are_hashed():
    assert script_hashes(PAGE) == [_sha(b"window.a=1")]
    policy = policy_for(PAGE)
    assert _sha(b"window.a=1") in policy and "'unsafe-inline'" not in policy.split("script-src")[1]
    assert "object-src 'none'" in policy


def test_html_responses_get_the_policy_and_others_do_not():
    def page(_request):
        return Response(gzip.compress(PAGE), media_type="text/html",
                        headers={"Content-Encoding": "gzip"})

    def script(_request):
        return Response(b"1", media_type="text/javascript")

    app = Starlette(routes=[Route("/hjem/", page), Route("/x.js", script)])
    client = TestClient(ContentSecurityPolicy(app))
    html = client.get("/hjem/")
    assert _sha(b"window.a=1") in html.headers["content-security-policy"]
    assert html.content == PAGE  # the body is untouched (the client un-gzips it)
    assert "content-security-policy" not in client.get("/x.js").headers
