"""Notice bodies are Markdown shown to every bank: the usual XSS payloads come out harmless."""

import re

import pytest

from notices.markdown import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    "[klikk](javascript:alert(1))",
    "[klikk](JaVaScRiPt:alert(1))",
    "[klikk](  javascript:alert(1))",
    "[klikk](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[klikk](vbscript:msgbox(1))",
    '<a href="javascript&#58;alert(1)">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '"><script>alert(1)</script>',
    "<object data=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "![x](javascript:alert(1))",
    "<details open ontoggle=alert(1)>",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xss_payload_is_sanitised(payload):
    html = str(render_markdown(f"Før\n\n{payload}\n\nEtter"))
    lowered = html.lower()
    assert "<script" not in lowered
    assert not re.search(r"\son\w+\s*=", lowered), html
    assert "javascript:" not in lowered
    assert "vbscript:" not in lowered
    assert "data:text/html" not in lowered
    assert "style=" not in lowered
    for tag in ("<iframe", "<svg", "<img", "<object", "<form", "<style", "<math", "<body"):
        assert tag not in lowered, html
    assert "Før" in html  # the text around it survives (a <style> may swallow what follows)


def test_ordinary_markdown_keeps_its_formatting_and_safe_links():
    html = str(render_markdown(
        "## Hva skjer\n\n**Viktig:** se [status](https://status.example.no).\n\n- en\n- to\n\n"
        "`kode`"))
    assert "<h2>Hva skjer</h2>" in html
    assert "<strong>Viktig:</strong>" in html
    assert 'href="https://status.example.no"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<li>en</li>" in html and "<code>kode</code>" in html
