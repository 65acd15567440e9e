"""A bounded breadth-first crawler over the Django test client: every same-site link, form
action and htmx attribute (hx-get, hx-post, ...) reachable from a start page."""

from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

# Not crawled: leaving the session, switching language, static files, the Django admin (its
# own, staff-only app) and the allauth account pages (the person's own login settings).
SKIP_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/admin/", "/media/")
HX_ATTRIBUTES = {"hx-get": "GET", "hx-post": "POST", "hx-put": "POST", "hx-patch": "POST",
                 "hx-delete": "POST"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []  # (method, url)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.found.append(("GET", attrs["href"]))
        if tag == "form":
            method = (attrs.get("method") or "get").upper()
            self.found.append(("POST" if method == "POST" else "GET",
                               attrs.get("action") or ""))
        if tag in ("button", "input") and attrs.get("formaction"):
            self.found.append(("POST", attrs["formaction"]))
        for attribute, method in HX_ATTRIBUTES.items():
            if attrs.get(attribute):
                self.found.append((method, attrs[attribute]))


@dataclass
class Crawl:
    gets: set = field(default_factory=set)
    posts: set = field(default_factory=set)
    statuses: dict = field(default_factory=dict)


def _local(base, href):
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    if not parts.path.startswith("/") or parts.path.startswith(SKIP_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client, start="/", *, limit=200, variants_per_path=2, into=None):
    """Every URL reachable from `start` as `client`'s user, GETs fetched (up to `limit`),
    POST targets collected but never sent. A path is fetched with at most
    `variants_per_path` different query strings (filters and pages are alike)."""
    result = into or Crawl()
    queue, seen, per_path = deque([start]), {start}, {}
    fetched = 0
    while queue and fetched < limit:
        url = queue.popleft()
        path = url.split("?")[0]
        if per_path.get(path, 0) >= variants_per_path:
            continue
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        fetched += 1
        result.gets.add(url)
        result.statuses[url] = response.status_code
        if response.status_code in (301, 302) and response.get("Location"):
            target = _local(f"http://testserver{url}", response["Location"])
            if target and target not in seen:
                seen.add(target)
                queue.append(target)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode("utf-8", "replace"))
        for method, href in parser.found:
            target = _local(f"http://testserver{url}", href)
            if target is None:
                continue
            if method == "POST":
                result.posts.add(target)
            elif target not in seen:
                seen.add(target)
                queue.append(target)
    return result
