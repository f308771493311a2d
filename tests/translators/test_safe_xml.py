"""Safe XML: the one parser every XML reader uses, against hostile documents.

Each attack is refused with an `XmlError` naming what was refused, through `parse_xml` and
through `edi-gateway translate` (exit 2, nothing on stdout but ``[]``), in bounded time and
memory: the guard is "a few seconds" and "+200 MB peak", not a performance measurement.
External DTDs (normal in cXML) parse without any fetch; a local HTTP server on 127.0.0.1 counts
the requests the parser would make and must see none.
"""

from __future__ import annotations

import io
import resource
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from lxml import etree

from gateway.commands.translate import run_translate
from translators.errors import XmlError
from translators.xml.safe import (
    LIBXML2_MAX_DEPTH,
    XmlLimits,
    check_prolog,
    load_dtd,
    parse_xml,
    safe_parser,
    validate_dtd,
)

MB = 1024 * 1024
TIME_GUARD = 5.0  # seconds: "refused quickly", generous for a loaded CI machine
MEMORY_GUARD = 200 * MB


class _Counter(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'<!ENTITY leak "fetched">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def web() -> Iterator[tuple[str, list[str]]]:
    """A local web server (127.0.0.1 only) and the paths requested from it."""
    hits: list[str] = []
    handler = type("Handler", (_Counter,), {"hits": hits})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def _refused_bounded(data: bytes, match: str) -> XmlError:
    before, start = _peak_rss(), time.perf_counter()
    with pytest.raises(XmlError, match=match) as info:
        parse_xml(data)
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_GUARD, f"refusal took {elapsed:.1f}s"
    assert _peak_rss() - before < MEMORY_GUARD
    return info.value


def _translate(data: bytes, tmp_path: Path) -> tuple[int, bytes, str]:
    path = tmp_path / "hostile.xml"
    path.write_bytes(data)
    out, err = io.BytesIO(), io.StringIO()
    before, start = _peak_rss(), time.perf_counter()
    with path.open("rb") as stream:
        code = run_translate(stream, path.name, strict=False, out=out, err=err)
    assert time.perf_counter() - start < TIME_GUARD
    assert _peak_rss() - before < MEMORY_GUARD
    return code, out.getvalue(), err.getvalue()


# -- documents ---------------------------------------------------------------------------------

CXML_DOCTYPE = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.014/cXML.dtd">\n'
    b'<cXML payloadID="1@x" timestamp="2024-01-01T00:00:00Z"><Header/></cXML>'
)


def billion_laughs(levels: int = 10) -> bytes:
    decls = ['<!ENTITY lol0 "lol">']
    decls += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)]
    return (
        f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(decls)}]><lolz>&lol{levels - 1};</lolz>'
    ).encode()


def quadratic_blowup(size: int = 50_000, refs: int = 50_000) -> bytes:
    entity = "A" * size
    return (
        f'<?xml version="1.0"?><!DOCTYPE kaboom [<!ENTITY a "{entity}">]>'
        f"<kaboom>{'&a;' * refs}</kaboom>"
    ).encode()


def xxe_file() -> bytes:
    return b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'


def xxe_network(base: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{base}/secret">]><r>&x;</r>'
    ).encode()


def xxe_parameter(base: str) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "{base}/evil.dtd"> %p;]>'
        f"<r>&leak;</r>"
    ).encode()


def deep(levels: int) -> bytes:
    return b"<a>" * levels + b"</a>" * levels


def big(size: int) -> bytes:
    item = b"<ItemOut quantity='1'><Description>" + b"x" * 200 + b"</Description></ItemOut>\n"
    count = size // len(item) + 1
    return b"<cXML>" + item * count + b"</cXML>"


# -- what is allowed ---------------------------------------------------------------------------


def test_external_doctype_parses_without_any_fetch(web: tuple[str, list[str]]) -> None:
    base, hits = web
    doc = CXML_DOCTYPE.replace(b"http://xml.cxml.org/schemas/cXML/1.2.014", base.encode())
    root = parse_xml(doc)
    assert root.tag == "cXML"
    assert root.getroottree().docinfo.system_url == f"{base}/cXML.dtd"
    assert hits == []


def test_public_cxml_doctype_parses() -> None:
    assert parse_xml(CXML_DOCTYPE).find("Header") is not None


def test_internal_subset_without_entities_is_allowed() -> None:
    doc = b'<!DOCTYPE r [<!ELEMENT r ANY><!ATTLIST r a CDATA "]>"><!-- <!ENTITY no --> ]><r/>'
    assert parse_xml(doc).tag == "r"


def test_an_external_dtd_is_not_read_even_from_a_local_file(tmp_path: Path) -> None:
    dtd = tmp_path / "local.dtd"
    dtd.write_text('<!ATTLIST r injected CDATA "yes">')
    root = parse_xml(f'<!DOCTYPE r SYSTEM "{dtd.as_uri()}"><r/>'.encode())
    assert root.get("injected") is None


def test_comments_and_processing_instructions_are_dropped() -> None:
    root = parse_xml(b"<?xml version='1.0'?><r><!-- c --><?pi x?><a/></r>")
    assert [child.tag for child in root] == ["a"]


def test_utf16_document_parses() -> None:
    data = '<?xml version="1.0" encoding="UTF-16"?><r>é</r>'.encode("utf-16")
    assert parse_xml(data).text == "é"


# -- what is refused ---------------------------------------------------------------------------


def test_xxe_file_is_refused() -> None:
    error = _refused_bounded(xxe_file(), "declares entities")
    assert "XML refused" in str(error)


def test_xxe_network_is_refused_without_a_fetch(web: tuple[str, list[str]]) -> None:
    base, hits = web
    _refused_bounded(xxe_network(base), "declares entities")
    _refused_bounded(xxe_parameter(base), "declares entities")
    assert hits == []


def test_the_parser_alone_neither_expands_nor_fetches(web: tuple[str, list[str]]) -> None:
    # Defence in depth: even past the prolog scan, the parser resolves nothing.
    base, hits = web
    for doc in (xxe_file(), xxe_network(base), xxe_parameter(base)):
        text = etree.tostring(etree.fromstring(doc, safe_parser()))
        assert b"root:" not in text and b"fetched" not in text
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):  # libxml2's own guard
        etree.fromstring(billion_laughs(), safe_parser())
    assert hits == []


def test_entities_the_scan_cannot_see_are_refused_after_parsing() -> None:
    # UTF-16 is decoded for the scan; a DOCTYPE the scan skips (here: after a PI it cannot
    # end) still shows its entities to the post-parse check.
    data = (
        xxe_file()
        .decode()
        .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>')
    )
    _refused_bounded(data.encode("utf-16"), "declares entities")
    _refused_bounded(data.encode("utf-16-be"), "declares entities")


def test_entities_hidden_from_the_byte_scan_by_utf7_are_refused_after_parsing() -> None:
    # In UTF-7 "+AFs-" is "[", "+ACI-" a quote, "+AD4-" ">", "+AF0-" "]": the byte scan sees a
    # DOCTYPE without an internal subset ending at "<x>", libxml2 decodes an entity
    # declaration. Only the post-parse check stands between this and an entity in the tree,
    # so it must not be skipped when the scan found nothing.
    data = (
        b'<?xml version="1.0" encoding="UTF-7"?>'
        b"<!DOCTYPE x +AFs-<!ENTITY e +ACI-a+ACI-+AD4-+AF0-+AD4-<x>&e;</x>"
    )
    check_prolog(data)  # the scan cannot see it
    _refused_bounded(data, "declares entities")


def test_billion_laughs_is_refused() -> None:
    _refused_bounded(billion_laughs(), "declares entities")


def test_quadratic_blowup_is_refused() -> None:
    _refused_bounded(quadratic_blowup(), "declares entities")


def test_deep_nesting_is_refused() -> None:
    _refused_bounded(deep(100_000), f"nested deeper than {LIBXML2_MAX_DEPTH}")
    assert parse_xml(deep(LIBXML2_MAX_DEPTH)).tag == "a"


def test_a_lower_depth_limit_is_enforced() -> None:
    limits = XmlLimits(max_depth=8)
    assert parse_xml(deep(8), limits=limits).tag == "a"
    with pytest.raises(XmlError, match="deeper than 8 levels"):
        parse_xml(deep(9), limits=limits)


def test_depth_limit_cannot_exceed_libxml2() -> None:
    with pytest.raises(ValueError):
        XmlLimits(max_depth=LIBXML2_MAX_DEPTH + 1)
    with pytest.raises(ValueError):
        XmlLimits(max_bytes=0)


def test_50_mb_document_is_refused_unparsed() -> None:
    _refused_bounded(big(50 * MB), "over the limit of 10485760 bytes")


def test_size_limit_is_configurable() -> None:
    doc = big(4096)
    assert parse_xml(doc).tag == "cXML"
    with pytest.raises(XmlError, match="over the limit of 1024 bytes"):
        parse_xml(doc, limits=XmlLimits(max_bytes=1024))


@pytest.mark.parametrize(
    "doc",
    [b"<r><a></r>", b"<r>&undeclared;</r>", b"", b"<r/><r/>", b"\x00\x01garbage"],
    ids=["mismatch", "undeclared-entity", "empty", "two-roots", "binary"],
)
def test_malformed_xml_is_an_xml_error(doc: bytes) -> None:
    with pytest.raises(XmlError, match="not well-formed XML"):
        parse_xml(doc)


def test_prolog_scan_reads_only_the_prolog() -> None:
    check_prolog(b"<r><![CDATA[<!DOCTYPE x [<!ENTITY a 'b'>]>]]></r>")  # in content: not a DTD
    with pytest.raises(XmlError):
        check_prolog(
            b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- x -->\n<!DOCTYPE r [<!ENTITY a 'b'>]>"
        )


# -- through the command line ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["xxe-file", "billion-laughs", "quadratic", "deep", "50mb", "malformed"],
)
def test_translate_refuses_hostile_xml_with_exit_2(name: str, tmp_path: Path) -> None:
    data = {
        "xxe-file": xxe_file,
        "billion-laughs": billion_laughs,
        "quadratic": quadratic_blowup,
        "deep": lambda: deep(100_000),
        "50mb": lambda: big(50 * MB),
        "malformed": lambda: b"<cXML><Header></cXML>",
    }[name]()
    code, out, err = _translate(data, tmp_path)
    assert code == 2
    assert out == b"[]\n"
    assert err.startswith("hostile.xml: ")
    assert "Traceback" not in err


def test_translate_refuses_network_xxe_without_a_fetch(
    web: tuple[str, list[str]], tmp_path: Path
) -> None:
    base, hits = web
    for data in (xxe_network(base), xxe_parameter(base)):
        code, out, err = _translate(data, tmp_path)
        assert (code, out) == (2, b"[]\n")
        assert "declares entities" in err
    assert hits == []


# -- validation against a local DTD ------------------------------------------------------------


@pytest.fixture(scope="module")
def cxml_dtd(corpus: Path) -> etree.DTD:
    return load_dtd(corpus / "schemas" / "cxml" / "1.2.071" / "cXML.dtd")


@pytest.mark.corpus
def test_validate_dtd_reports_errors(cxml_dtd: etree.DTD) -> None:
    errors = validate_dtd(b'<cXML payloadID="1" timestamp="t"><Nonsense/></cXML>', cxml_dtd)
    assert errors and all(e.startswith("line ") for e in errors)


@pytest.mark.corpus
def test_validate_dtd_accepts_a_valid_document(cxml_dtd: etree.DTD, corpus: Path) -> None:
    data = (corpus / "xml" / "cxml" / "cxml-ruby__order_request.xml").read_bytes()
    assert validate_dtd(data, cxml_dtd) == []


def test_load_dtd_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(XmlError, match="cannot read DTD"):
        load_dtd(tmp_path / "missing.dtd")
