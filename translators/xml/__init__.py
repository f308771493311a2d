"""XML input for every XML reader of the gateway: one safe parser factory (see `safe`)."""

from translators.xml.safe import (
    DEFAULT_LIMITS,
    XmlLimits,
    load_dtd,
    parse_xml,
    safe_parser,
    validate_dtd,
)

__all__ = ["DEFAULT_LIMITS", "XmlLimits", "load_dtd", "parse_xml", "safe_parser", "validate_dtd"]
