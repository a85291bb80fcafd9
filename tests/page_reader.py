"""Read a rendered page as a reader does: its visible text and where its links go."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_HIDDEN = {"script", "style", "template"}


@dataclass
class Page:
    status: int
    html: str
    text: str
    links: list[str] = field(default_factory=list)

    def count(self, css_class: str) -> int:
        """Count elements carrying a class, e.g. the timeline's "event-claim" items."""
        return len(re.findall(rf'class="[^"]*\b{re.escape(css_class)}\b[^"]*"', self.html))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in _HIDDEN:
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in _HIDDEN:
            self._hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def read(response) -> Page:
    """Return a test client response as a Page: status, raw HTML, visible text, links."""
    html = response.get_data(as_text=True)
    reader = _Reader()
    reader.feed(html)
    text = re.sub(r"\s+", " ", "".join(reader.parts)).strip()
    return Page(status=response.status_code, html=html, text=text, links=reader.links)


def get(client, url: str) -> Page:
    """Fetch a page and read it."""
    return read(client.get(url))


def crawl(client, *starts: str, limit: int = 3000) -> dict[str, Page]:
    """Follow every link inside the site from the start pages; return each page by address.

    Language-switch links are not followed (they show the same records again); links to
    something other than a page (a download, a feed, JSON) are not read.
    """
    pages: dict[str, Page] = {}
    queue = list(starts)
    while queue:
        url = queue.pop()
        if url in pages:
            continue
        assert len(pages) < limit, "the crawl found more pages than expected"
        response = client.get(url)
        if response.status_code == 200 and response.mimetype != "text/html":
            continue  # downloads, feeds and API answers are not pages to read
        page = read(response)
        pages[url] = page
        for link in page.links:
            link = link.split("#")[0]
            if link.startswith("/") and not link.startswith("/static/") and "lang=" not in link:
                queue.append(link)
    return pages
