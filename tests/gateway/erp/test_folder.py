"""The folder adapter: atomic files, idempotent redelivery, no path traversal."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from gateway.erp.base import PermanentErpError, RetryableErpError
from gateway.erp.folder import FolderAdapter


def deliver(adapter: FolderAdapter, document: dict[str, Any], doc_id: str = "doc-1") -> Any:
    return adapter.deliver(document, document_id=doc_id, message_id="msg-1", test=False)


def test_writes_one_json_file_per_document(tmp_path: Path, sample_order: dict[str, Any]) -> None:
    adapter = FolderAdapter("files", tmp_path / "erp" / "inbox")  # created when missing
    result = deliver(adapter, sample_order, "7f3c9a.01")

    path = tmp_path / "erp" / "inbox" / "order-7f3c9a.01.json"
    assert result.reference == str(path)
    assert result.already_had is False and result.replies == []
    assert orjson.loads(path.read_bytes()) == sample_order
    assert os.listdir(path.parent) == [path.name]  # no temporary file left behind
    assert path.stat().st_mode & 0o777 == 0o644


def test_redelivery_of_the_same_document_is_already_had(
    tmp_path: Path, sample_order: dict[str, Any]
) -> None:
    adapter = FolderAdapter("files", tmp_path)
    first = deliver(adapter, sample_order)
    mtime = Path(first.reference).stat().st_mtime_ns
    again = deliver(adapter, dict(sample_order))
    assert again.already_had is True
    assert again.reference == first.reference
    assert Path(first.reference).stat().st_mtime_ns == mtime  # not rewritten


def test_a_different_document_under_the_same_id_is_refused(
    tmp_path: Path, sample_order: dict[str, Any]
) -> None:
    adapter = FolderAdapter("files", tmp_path)
    first = deliver(adapter, sample_order)
    before = Path(first.reference).read_bytes()
    changed = {**sample_order, "po_number": "NW-OTHER"}
    with pytest.raises(PermanentErpError) as caught:
        deliver(adapter, changed)
    assert "different content" in str(caught.value)
    assert caught.value.document_id == "doc-1"
    assert Path(first.reference).read_bytes() == before


@pytest.mark.parametrize(
    "doc_id",
    ["../escape", "..", ".", "a/b", "a\\b", "/etc/passwd", "", "x\x00y", "café", "a b", "x" * 201],
)
def test_ids_that_are_not_plain_file_names_are_refused(
    tmp_path: Path, sample_order: dict[str, Any], doc_id: str
) -> None:
    inbox = tmp_path / "inbox"
    adapter = FolderAdapter("files", inbox)
    with pytest.raises(PermanentErpError) as caught:
        deliver(adapter, sample_order, doc_id)
    assert "file name" in str(caught.value)
    assert list(tmp_path.rglob("*")) == []  # nothing written anywhere, not even the folder


def test_a_document_type_that_is_not_a_plain_name_is_refused(tmp_path: Path) -> None:
    adapter = FolderAdapter("files", tmp_path)
    with pytest.raises(PermanentErpError):
        deliver(adapter, {"document_type": "../../order"})
    with pytest.raises(PermanentErpError):
        deliver(adapter, {"po_number": "no type"})


def test_an_interrupted_write_leaves_no_file(
    tmp_path: Path, sample_order: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    adapter = FolderAdapter("files", tmp_path)
    with pytest.raises(RetryableErpError) as caught:
        deliver(adapter, sample_order)
    assert "No space left" in str(caught.value)
    assert isinstance(caught.value.__cause__, OSError)
    assert list(tmp_path.iterdir()) == []  # neither the document nor its temporary file

    monkeypatch.undo()
    assert deliver(adapter, sample_order).already_had is False  # the retry writes it


def test_readers_see_the_old_state_or_the_whole_file(
    tmp_path: Path, sample_order: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen_at_rename: list[list[str]] = []
    real_replace = os.replace

    def replace(src: str, dst: Any) -> None:
        # Just before the rename the data is complete and flushed, under a hidden name an
        # import job globbing *.json does not match.
        names = sorted(os.listdir(tmp_path))
        seen_at_rename.append(names)
        assert orjson.loads(Path(src).read_bytes()) == sample_order
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    deliver(FolderAdapter("files", tmp_path), sample_order)
    [names] = seen_at_rename
    assert len(names) == 1 and names[0].startswith(".order-doc-1.json.")
    assert names[0].endswith(".tmp")
    assert [p.name for p in tmp_path.glob("*.json")] == ["order-doc-1.json"]


def test_a_directory_that_is_a_file_is_a_configuration_error(
    tmp_path: Path, sample_order: dict[str, Any]
) -> None:
    not_a_dir = tmp_path / "inbox"
    not_a_dir.write_text("oops")
    with pytest.raises(PermanentErpError) as caught:
        deliver(FolderAdapter("files", not_a_dir), sample_order)
    assert "cannot write" in str(caught.value)
    with pytest.raises(PermanentErpError):
        deliver(FolderAdapter("files", not_a_dir / "sub"), sample_order)


def test_from_config(tmp_path: Path, sample_order: dict[str, Any]) -> None:
    adapter = FolderAdapter.from_config(
        name="files", config={"directory": str(tmp_path)}, secret=None
    )
    assert deliver(adapter, sample_order).reference == str(tmp_path / "order-doc-1.json")
    for bad in ({}, {"directory": ""}, {"directory": 3}, {"directory": "x", "mode": "0600"}):
        with pytest.raises(PermanentErpError):
            FolderAdapter.from_config(name="files", config=bad, secret=None)
