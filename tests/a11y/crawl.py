"""A bounded breadth-first crawl of the portal as one logged-in person, checking every page it
reaches with axe-core (WCAG 2.1 A and AA) and for sideways scrolling at a phone's and a laptop's
width.

Only GET links on the live server are followed; logging out, downloads and exports, feeds, the
Saldo API and attachments are not pages to check. URLs are reduced to a pattern (numbers,
references and tokens become placeholders; a query string counts once), and each pattern is
visited once per language, so a list of a hundred cases costs one case page.
"""

import re
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

PlaywrightError = pytest.importorskip("playwright.sync_api").Error

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = (390, 1280)
MAX_PAGES = 90  # per person and language; the portal has about half as many patterns

SKIP = re.compile(
    r"logout|logg-ut|/i18n/|/feed/|\.(atom|ics|csv|pdf|json|txt|xml)$|/openapi|/health$|jwks"
    r"|^/(test/)?saldo/v\d|/vedlegg/|download|last-ned|eksport|export"
    r"|^/admin/(jsi18n|r)/|/static/|/media/|[?&]format=")
REFERENCE = re.compile(r"^[A-Z]{2,4}-\d{4}-\d{3,}$")


def pattern(url):
    """The page's pattern: '/feilmeldinger/{ref}/' for every error report. In the Django admin
    a query string (sorting, filters) is the same page, and history and delete pages are one
    template for every model."""
    parts = urlsplit(url)
    segments = []
    for segment in parts.path.split("/"):
        if segment.isdigit():
            segment = "{n}"
        elif REFERENCE.match(segment):
            segment = "{ref}"
        elif len(segment) >= 20:
            segment = "{token}"
        segments.append(segment)
    if segments[1:2] == ["admin"]:
        if segments[-2:-1] in (["history"], ["delete"]):
            segments[2:4] = ["*", "*"]
        return "/".join(segments)
    return "/".join(segments) + ("?" if parts.query else "")


@dataclass
class Findings:
    violations: list = field(default_factory=list)
    too_wide: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    visited: list = field(default_factory=list)
    seconds: list = field(default_factory=list)  # (loading, checking, url)

    def extend(self, other):
        self.violations += other.violations
        self.too_wide += other.too_wide
        self.errors += other.errors
        self.visited += other.visited
        self.seconds += other.seconds

    def report(self):
        lines = []
        if self.errors:
            lines.append(f"{len(self.errors)} pages answered with an error:")
            lines += [f"  {e}" for e in self.errors]
        if self.violations:
            lines.append(f"{len(self.violations)} axe violations (WCAG 2.1 A/AA):")
            lines += [f"  {v}" for v in self.violations]
        if self.too_wide:
            lines.append(f"{len(self.too_wide)} pages scroll sideways:")
            lines += [f"  {w}" for w in self.too_wide]
        return "\n".join(lines)


def axe_into(context):
    """Load axe-core into every page the context opens. An init script, not a <script> tag:
    the portal's Content Security Policy (rightly) refuses inline scripts, and the pages are
    checked as the policy renders them."""
    context.add_init_script(path=str(AXE))


def axe_violations(page):
    """axe-core's violations on the page as it is now: [(rule, impact, help, [targets])].

    A table's rows after the fifth are left out: they repeat the rows before them, and axe's
    time grows with the page (a changelist of a hundred rows takes seconds)."""
    results = page.evaluate(
        """tags => axe.run({include: [['html']], exclude: [['tbody > tr:nth-child(n+6)']]},
                           {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
              .then(r => r.violations.map(v => [v.id, v.impact, v.help,
                                                v.nodes.map(n => n.target.join(' '))]))""",
        AXE_TAGS)
    return results


def overflow(page):
    """How much wider than the viewport the document is (0 when it fits), and what sticks out."""
    return page.evaluate(
        """() => {
            const extra = document.documentElement.scrollWidth - window.innerWidth;
            if (extra <= 1) return [0, []];
            const right = window.innerWidth + 1;
            const culprits = [];
            for (const el of document.body.querySelectorAll('*')) {
              const box = el.getBoundingClientRect();
              if (box.right > right && box.width > 0) {
                let inner = el.closest('.table-scroll, pre') || el;
                const name = inner.tagName.toLowerCase() + (inner.id ? '#' + inner.id : '')
                  + (inner.className && typeof inner.className === 'string'
                     ? '.' + inner.className.trim().split(/\\s+/).join('.') : '');
                if (!culprits.includes(name)) culprits.push(name);
                if (culprits.length >= 4) break;
              }
            }
            return [extra, culprits];
        }""")


def check_page(page, url, label, findings):
    """axe at the laptop width, then the width check at each of WIDTHS."""
    for rule, impact, help_text, targets in axe_violations(page):
        shown = ", ".join(targets[:3]) + (f" (+{len(targets) - 3})" if len(targets) > 3 else "")
        findings.violations.append(f"{label} {url}: {rule} ({impact}, {len(targets)} nodes: "
                                   f"{shown}) – {help_text}")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        extra, culprits = overflow(page)
        if extra > 0:
            findings.too_wide.append(f"{label} {url} at {width}px: {extra}px too wide "
                                     f"({', '.join(culprits)})")
    page.set_viewport_size({"width": max(WIDTHS), "height": 900})


def same_site_links(page, base_url):
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    links = []
    for href in hrefs:
        href, _fragment = urldefrag(href)
        parts = urlsplit(href)
        if href.startswith(base_url + "/") and not SKIP.search(
                parts.path + ("?" + parts.query if parts.query else "")):
            links.append(href)
    return links


def crawl(page, base_url, *, label, start="/", also=(), seen=None, max_pages=MAX_PAGES):
    """Breadth-first from `start` (and `also`), checking each new pattern once. `seen` is the
    set of patterns already checked (shared across calls in one language); returns Findings."""
    findings = Findings()
    seen = set() if seen is None else seen
    queue = deque(base_url + path for path in (start, *also))
    queued = set(queue)
    while queue and len(findings.visited) < max_pages:
        url = queue.popleft()
        key = pattern(url)
        if key in seen:
            continue
        seen.add(key)
        started = time.monotonic()
        try:
            response = page.goto(url)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # a file, not a page
            raise
        final = page.url
        if response is None:
            continue
        if response.status >= 500 or response.status == 404:
            findings.errors.append(f"{label} {url}: HTTP {response.status}")
            continue
        if response.status >= 400 and response.status != 403:
            continue  # 405 and the like: a link to a form's target, not a page
        if "html" not in (response.headers.get("content-type") or ""):
            continue
        if final != url and pattern(final) in seen:
            continue
        seen.add(pattern(final))
        findings.visited.append(final)
        loaded = time.monotonic()
        check_page(page, final, label, findings)
        findings.seconds.append((loaded - started, time.monotonic() - loaded, final))
        for link in same_site_links(page, base_url):
            if link not in queued and pattern(link) not in seen:
                queued.add(link)
                queue.append(link)
    return findings
