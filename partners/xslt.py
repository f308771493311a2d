"""The XSLT sandbox: a partner's stylesheet runs with no file or network access, under a time
and memory limit, in a child process that is killed when it overruns.

    check_stylesheet(xslt)            # at registration: refuses what the sandbox never runs
    run_stylesheet(xslt, document)    # bytes out, or `XsltError`

What is refused, before anything runs: ``xsl:import`` / ``xsl:include`` (they read other
files), ``document()`` and ``unparsed-text()`` anywhere in an expression, extension elements
(``extension-element-prefixes``, EXSLT ``exsl:document`` writes files), and a stylesheet that
is not well-formed or declares entities (the safe parser). While it runs, lxml's
``XSLTAccessControl.DENY_ALL`` denies reading and writing files and the network, the input
document goes through the same safe parser as every XML the gateway reads, and the child is
killed after ``timeout`` seconds (an endless recursion or an exponential template stops with
a clear error instead of holding a worker).
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
from typing import Final

from lxml import etree

from translators.errors import TranslatorError, XmlError
from translators.xml.safe import parse_xml

XSL_NS: Final = "http://www.w3.org/1999/XSL/Transform"
DEFAULT_TIMEOUT: Final = 5.0
#: Address space for the child (lxml and Python need about 150 MB of it).
MEMORY_LIMIT: Final = 1024 * 1024 * 1024

_FORBIDDEN_CALL = re.compile(r"\b(document|unparsed-text|unparsed-text-available|doc)\s*\(")
_FORBIDDEN_NAMESPACES: Final = {"http://exslt.org/common": "EXSLT common (exsl:document)"}


class XsltError(TranslatorError):
    """A stylesheet refused, failed or stopped; ``reason`` is refused|failed|timeout."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


def _refuse(message: str, el: etree._Element | None = None) -> XsltError:
    where = f" (line {el.sourceline})" if el is not None and el.sourceline else ""
    return XsltError(f"XSLT refused: {message}{where}", reason="refused")


def check_stylesheet(xslt: bytes) -> etree._Element:
    """The parsed stylesheet, or `XsltError` saying what the sandbox will not run."""
    try:
        root = parse_xml(xslt)
    except XmlError as exc:
        raise _refuse(str(exc)) from None
    if etree.QName(root).namespace != XSL_NS or etree.QName(root).localname not in (
        "stylesheet",
        "transform",
    ):
        raise _refuse("the document is not an xsl:stylesheet", root)
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        qname = etree.QName(el)
        if qname.namespace == XSL_NS and qname.localname in ("import", "include"):
            raise _refuse(f"xsl:{qname.localname} is not allowed (it reads other files)", el)
        if qname.namespace in _FORBIDDEN_NAMESPACES:
            raise _refuse(f"{_FORBIDDEN_NAMESPACES[qname.namespace]} is not allowed", el)
        for name, value in el.attrib.items():
            local = etree.QName(name).localname
            if local == "extension-element-prefixes":
                raise _refuse("extension elements are not allowed", el)
            match = _FORBIDDEN_CALL.search(value)
            if match is not None:
                raise _refuse(f"{match.group(1)}() is not allowed (it reads other documents)", el)
        for nsname in el.nsmap.values():
            if nsname in _FORBIDDEN_NAMESPACES:
                raise _refuse(f"{_FORBIDDEN_NAMESPACES[nsname]} is not allowed", el)
    try:
        etree.XSLT(root, access_control=etree.XSLTAccessControl.DENY_ALL)
    except etree.XSLTParseError as exc:
        raise _refuse(f"the stylesheet does not compile: {exc}") from None
    return root


def run_stylesheet(xslt: bytes, document: bytes, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The result of ``xslt`` applied to ``document``, run in a sandboxed child process."""
    check_stylesheet(xslt)
    return run_in_child(xslt, document, timeout=timeout)


def run_in_child(xslt: bytes, document: bytes, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """The child-process half of `run_stylesheet`, without the static checks (which it relies
    on; the access control inside the child is the second line of defence)."""
    payload = struct.pack(">I", len(xslt)) + xslt + document
    # -I: isolated mode (no environment variables, no user site, no current directory on the
    # path); the child finds the gateway's packages where this interpreter installed them.
    env = {"PATH": os.environ.get("PATH", "")}
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", "from partners.xslt_worker import main; main()"],
            input=payload,
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        raise XsltError(
            f"XSLT stopped: it ran longer than the time limit of {timeout:g} s "
            "(endless recursion or a very costly template?)",
            reason="timeout",
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        text = message[-1] if message else f"the XSLT process ended with code {done.returncode}"
        if done.returncode < 0 or not message:
            text = f"the XSLT process was stopped (signal or memory limit, code {done.returncode})"
        raise XsltError(f"XSLT failed: {text}", reason="failed")
    return done.stdout
