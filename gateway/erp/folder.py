"""The folder adapter: one JSON file per document, for ERPs that import files.

Configured with ``edi-gateway erp add NAME --folder DIR``. Each document becomes
``DIR/<document_type>-<document_id>.json`` (for example ``order-7f3c....json``), holding the
canonical document as indented UTF-8 JSON.

A file appears whole or not at all: it is written to a hidden temporary file in the same
directory (``.<name>.<random>.tmp``), flushed to disk, and renamed into place, so an import job
that picks up ``*.json`` never reads half a document. Import jobs should move or delete the
files they have read.

Delivering the same document id again finds the file and, when it holds the same content,
reports ``already_had``; a different document under the same id is refused (an operator
decides which one the ERP should get) rather than silently replacing what the ERP may already
have read. Document ids and types become file names, so only ``[A-Za-z0-9_.-]`` is allowed in
them.

Test documents are written like live ones; the document's ``envelope.test`` tells them apart
(point a testing partner at a target with its own directory to keep them out of the ERP).

The directory is created when missing. Errors the file system reports are sorted: a missing
permission, a read-only file system or a path that is not a directory are permanent (the
target's configuration is wrong), anything else (a full disk, an I/O or network file system
error) is retried.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from gateway.erp.base import DeliveryResult, PermanentErpError, RetryableErpError
from translators.canonical import to_json_bytes

_SAFE_NAME = re.compile(r"[A-Za-z0-9_.-]+")
_MAX_NAME = 200  # well below the usual 255-byte file name limit, leaving room for the suffix
_CONFIG_KEYS = frozenset({"directory"})

# errno values that mean "this target is configured wrong": retrying cannot fix them. EEXIST
# comes from creating the directory where a file of that name is.
_PERMANENT_ERRNOS = frozenset(
    {
        errno.EACCES,
        errno.EPERM,
        errno.EROFS,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.ENAMETOOLONG,
    }
)


def _file_part(value: object, *, what: str, target: str, document_id: str | None) -> str:
    if (
        not isinstance(value, str)
        or not _SAFE_NAME.fullmatch(value)
        or len(value) > _MAX_NAME
        or value in (".", "..")
    ):
        raise PermanentErpError(
            f"{what} {value!r} cannot be used in a file name: only letters, digits, '_', '.' "
            f"and '-' are allowed (at most {_MAX_NAME} characters)",
            target=target,
            document_id=document_id,
        )
    return value


class FolderAdapter:
    """Writes each document to ``directory`` as ``<document_type>-<document_id>.json``."""

    def __init__(self, name: str, directory: str | os.PathLike[str]):
        self.name = name
        self.directory = Path(directory)

    @classmethod
    def from_config(
        cls, *, name: str, config: Mapping[str, Any], secret: str | None
    ) -> FolderAdapter:
        """Build from a target's stored configuration: ``directory``."""
        unknown = sorted(set(config) - _CONFIG_KEYS)
        if unknown:
            raise PermanentErpError(
                f"unknown folder setting(s) {', '.join(unknown)}; expected directory", target=name
            )
        directory = config.get("directory")
        if not isinstance(directory, str) or not directory:
            raise PermanentErpError("folder target has no directory", target=name)
        return cls(name, directory)

    def path_for(self, document_type: object, document_id: object) -> Path:
        """Where a document goes; refuses ids and types that are not plain file name parts."""
        doc_id = _file_part(document_id, what="document id", target=self.name, document_id=None)
        kind = _file_part(document_type, what="document type", target=self.name, document_id=doc_id)
        return self.directory / f"{kind}-{doc_id}.json"

    def deliver(
        self,
        document: Mapping[str, Any],
        *,
        document_id: str,
        message_id: str,
        test: bool,
    ) -> DeliveryResult:
        path = self.path_for(document.get("document_type"), document_id)
        content = orjson.loads(to_json_bytes(document))
        data = orjson.dumps(content, option=orjson.OPT_INDENT_2) + b"\n"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            existing = _read_if_exists(path)
            if existing is None:
                _write_atomically(path, data)
                return DeliveryResult(reference=str(path))
        except OSError as exc:
            raise self._map_os_error(exc, path, document_id) from exc
        if existing == data:
            return DeliveryResult(reference=str(path), already_had=True)
        raise PermanentErpError(
            f"{path} already exists with different content; refusing to replace a document "
            "the ERP may have read (move the file away to deliver the new one)",
            target=self.name,
            document_id=document_id,
        )

    def _map_os_error(
        self, exc: OSError, path: Path, document_id: str
    ) -> PermanentErpError | RetryableErpError:
        message = f"cannot write {path}: {exc.strerror or exc}"
        if exc.errno in _PERMANENT_ERRNOS:
            return PermanentErpError(message, target=self.name, document_id=document_id)
        return RetryableErpError(message, target=self.name, document_id=document_id)


def _read_if_exists(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old state or all of it."""
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, 0o644)  # mkstemp makes 0600; the ERP's import job must read it
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is; not every platform or file
    # system can open a directory for that, and the file itself is already safely written.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
