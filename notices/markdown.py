"""Notice bodies are Markdown written by Lånekassen and shown to every bank: rendered with
`markdown`, then sanitised with `nh3` (an allow-list), so no script, event handler, style or
javascript: link reaches a page, a feed or a webhook."""

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Safe HTML for a Markdown text (a str, marked safe for templates)."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists", "fenced_code"],
                       output_format="html")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow",
                        clean_content_tags={"script", "style"})
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def plain_text(text: str) -> str:
    """The Markdown source is what e-mails and calendar entries carry: readable as it is."""
    return (text or "").strip()
