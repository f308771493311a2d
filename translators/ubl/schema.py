"""Validation against the OASIS UBL 2.1 XSDs, loaded from a local directory only.

The schemas import one another by relative paths; a resolver refuses anything that is not a
file inside the schema directory (no network, no file elsewhere), so validating never fetches.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from translators.errors import XmlError
from translators.xml.safe import parse_xml


class _LocalOnly(etree.Resolver):
    def __init__(self, root: Path):
        super().__init__()
        self.root = root.resolve()
        self.refused: list[str] = []

    def resolve(self, system_url: str | None, public_id: str | None, context: Any) -> Any:
        if system_url is None:
            return None
        if "://" in system_url and not system_url.startswith("file://"):
            return self._refuse(f"{system_url} is not a local file", context)
        path = Path(system_url.removeprefix("file://")).resolve()
        if not path.is_relative_to(self.root):
            return self._refuse(f"{path} is outside {self.root}", context)
        return None  # a local file inside the schema directory: read it as usual

    def _refuse(self, why: str, context: Any) -> Any:
        # An exception raised here is not reliably propagated by libxml2; answer an empty
        # document instead (nothing is fetched) and let `load_schema` raise.
        self.refused.append(why)
        return self.resolve_string("<refused/>", context)


@lru_cache(maxsize=8)
def load_schema(schema_dir: str, root_name: str) -> etree.XMLSchema:
    """The XSD of the UBL 2.1 ``root_name`` document from ``schema_dir`` (holding xsd/...)."""
    base = Path(schema_dir)
    path = base / "xsd" / "maindoc" / f"UBL-{root_name}-2.1.xsd"
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    resolver = _LocalOnly(base)
    parser.resolvers.add(resolver)
    try:
        schema = etree.XMLSchema(etree.parse(str(path), parser))
    except (etree.XMLSchemaParseError, etree.XMLSyntaxError, OSError) as exc:
        if resolver.refused:
            raise XmlError(f"UBL schema import refused: {resolver.refused[0]}") from None
        raise XmlError(f"cannot read UBL schema {path}: {exc}") from exc
    if resolver.refused:
        raise XmlError(f"UBL schema import refused: {resolver.refused[0]}")
    return schema


def validate_ubl(document: bytes, schema_dir: str | Path) -> list[str]:
    """The XSD errors of a UBL 2.1 document; [] when it is valid."""
    root = parse_xml(document)
    schema = load_schema(str(schema_dir), etree.QName(root).localname)
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
