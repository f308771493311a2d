"""The child process of the XSLT sandbox (`partners.xslt`): stdin holds a 4-byte length, the
stylesheet and the document; stdout gets the result, stderr one line saying what went wrong.

Limits are set before anything is parsed: address space and CPU time, so a stylesheet that
eats memory or spins is stopped by the kernel even if the parent's timer were late.
"""

from __future__ import annotations

import resource
import struct
import sys


def _limit() -> None:
    from partners.xslt import DEFAULT_TIMEOUT, MEMORY_LIMIT

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    cpu = int(DEFAULT_TIMEOUT * 4) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))


def main() -> None:
    _limit()
    from lxml import etree

    from translators.errors import XmlError
    from translators.xml.safe import parse_xml

    data = sys.stdin.buffer.read()
    (size,) = struct.unpack(">I", data[:4])
    try:
        stylesheet = parse_xml(data[4 : 4 + size])
        document = parse_xml(data[4 + size :])
        transform = etree.XSLT(stylesheet, access_control=etree.XSLTAccessControl.DENY_ALL)
        result = transform(document)
    except XmlError as exc:
        sys.stderr.write(f"the input document was refused: {exc}\n")
        sys.exit(3)
    except etree.XSLTApplyError as exc:
        lines = [str(e.message) for e in exc.error_log] or [str(exc)]
        text = " / ".join(dict.fromkeys(lines))
        if "xsltMaxDepth" in text or "infinite template recursion" in text:
            text = "endless template recursion (more than 3000 nested template calls)"
        sys.stderr.write(text[:2000] + "\n")
        sys.exit(3)
    except (etree.XSLTError, etree.LxmlError, MemoryError, RecursionError) as exc:
        sys.stderr.write(f"{type(exc).__name__}: {exc}"[:2000] + "\n")
        sys.exit(3)
    sys.stdout.buffer.write(bytes(result))  # type: ignore[call-overload]


if __name__ == "__main__":
    main()
