"""XML as the SCORM and Moodle loaders read it: safely (no entities, no network)."""

from __future__ import annotations

from lxml import etree

from ingest.errors import (
    CorruptFileError,
)

# Manifests and backups come from outside: no DTDs, no entity expansion, no network.
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


def parse_xml(data: bytes, source: str) -> etree._Element:
    try:
        root = etree.fromstring(data, parser=_XML_PARSER)
    except etree.XMLSyntaxError as error:
        raise CorruptFileError(source, f"invalid XML: {error}") from error
    if root is None:
        raise CorruptFileError(source, "empty XML document")
    return root


def local_name(element: etree._Element) -> str:
    """The tag without its namespace: manifests use several namespace versions for one schema."""
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""
