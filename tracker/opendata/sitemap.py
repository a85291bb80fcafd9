"""sitemap.xml: an index of chunks by record type and id range, so any size stays small."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import sqlalchemy as sa
from sqlmodel import Session

from tracker.models import PUBLIC_MODELS as MODELS
from tracker.models import EntityType, Visibility
from tracker.services.published import public_query
from tracker.web import PLURALS

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
CHUNK = 10_000  # ids per file; the protocol allows 50,000 addresses
KINDS = {
    "brands": EntityType.brand,
    "claims": EntityType.claim,
    "contradictions": EntityType.contradiction,
    "responses": EntityType.response,
    "outcomes": EntityType.outcome,
    "sources": EntityType.source,
}


def _xml(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def index(session: Session, *, root: str) -> bytes:
    """Return the sitemap index: the home pages, then one file per type and id range."""
    sitemaps = ET.Element("sitemapindex", xmlns=SITEMAP)
    for kind, entity_type in KINDS.items():
        model = MODELS[entity_type]
        top = session.execute(
            sa.select(sa.func.max(model.id)).where(model.visibility == Visibility.published)
        ).scalar()
        for chunk in range((top or 0) // CHUNK + 1 if top else 0):
            item = ET.SubElement(sitemaps, "sitemap")
            ET.SubElement(item, "loc").text = f"{root}sitemaps/{kind}-{chunk}.xml"
    return _xml(sitemaps)


def chunk(session: Session, *, root: str, kind: str, chunk: int) -> bytes | None:
    """Return one sitemap file, or None if there is no such file."""
    entity_type = KINDS.get(kind)
    if entity_type is None or chunk > 2**31 // CHUNK:
        return None
    model = MODELS[entity_type]
    urls = ET.Element("urlset", xmlns=SITEMAP)
    if chunk == 0 and entity_type is EntityType.brand:
        for path in ("", "brands/", "about", "data/"):
            ET.SubElement(ET.SubElement(urls, "url"), "loc").text = root + path
    columns = (
        (model.slug, model.updated_at)
        if entity_type is EntityType.brand
        else (model.id, model.updated_at)
    )
    query = (
        public_query(entity_type)
        .with_only_columns(*columns)
        .where(model.id > chunk * CHUNK, model.id <= (chunk + 1) * CHUNK)
        .order_by(model.id)
    )
    plural = "brands" if entity_type is EntityType.brand else PLURALS[entity_type]
    for key, updated_at in session.execute(query):
        url = ET.SubElement(urls, "url")
        ET.SubElement(url, "loc").text = f"{root}{plural}/{key}"
        ET.SubElement(url, "lastmod").text = updated_at.date().isoformat()
    return _xml(urls)
