"""Every workbook reader refuses bombs, damaged and renamed files with a message before any
parser inflates them. The files are generated here, never committed."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pandas as pd
import pytest
from openpyxl import Workbook

from rbm.errors import ValidationFailed
from rbm.exchange import checklist_import, measurement_import, workbook_guard
from rbm.settings import get_settings

READERS: list[Callable[[str, bytes], pd.DataFrame]] = [
    measurement_import.read_upload,
    checklist_import.read_upload,
    workbook_guard.read_workbook,
]
WORKBOOK_PARTS = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook/>"}


def _zip(parts: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return buffer.getvalue()


def _workbook(rows: list[list[object]], *, far_cell: bool = False) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if far_cell:
        sheet.cell(row=1_048_576, column=16_384, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _without_dimension(content: bytes) -> bytes:
    """The same workbook with the sheet's declared <dimension> removed (so only streaming can
    find out how many rows there are)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    parts: dict[str, bytes | str] = {}
    for name in source.namelist():
        data = source.read(name)
        if name.startswith("xl/worksheets/"):
            data = re.sub(rb"<dimension [^>]*/>", b"", data)
        parts[name] = data
    return _zip(parts)


@pytest.mark.parametrize("read", READERS)
def test_a_tiny_workbook_declaring_the_whole_grid_is_refused(read: Callable) -> None:  # type: ignore[type-arg]
    content = _workbook([["project", "indicator"]], far_cell=True)
    assert len(content) < 20_000
    with pytest.raises(ValidationFailed, match="declares 1048576 rows x 16384 columns"):
        read("bomb.xlsx", content)


@pytest.mark.parametrize("read", READERS)
def test_a_zip_bomb_is_refused_before_it_is_inflated(read: Callable) -> None:  # type: ignore[type-arg]
    sheet = b"<worksheet>" + b" " * (60 * 1024 * 1024) + b"</worksheet>"
    content = _zip({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": sheet})
    assert len(content) < 1024 * 1024
    with pytest.raises(ValidationFailed, match="looks like a zip bomb"):
        read("bomb.xlsx", content)


def test_an_archive_of_too_many_parts_is_refused() -> None:
    parts: dict[str, bytes | str] = {f"x/{n}.xml": "" for n in range(workbook_guard.MAX_ENTRIES)}
    with pytest.raises(ValidationFailed, match="parts in the archive"):
        workbook_guard.read_workbook("many.xlsx", _zip({**WORKBOOK_PARTS, **parts}))


def test_streaming_stops_at_the_row_limit_when_no_dimension_is_declared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RBM_WORKBOOK_MAX_ROWS", "10")
    get_settings.cache_clear()
    content = _without_dimension(_workbook([["project"], *[[f"P{n}"] for n in range(30)]]))
    with pytest.raises(ValidationFailed, match="more than 10 rows"):
        workbook_guard.read_workbook("long.xlsx", content)
    fits = _without_dimension(_workbook([["project"], *[[f"P{n}"] for n in range(10)]]))
    assert len(workbook_guard.read_workbook("fits.xlsx", fits)) == 10


def test_a_value_beyond_the_column_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RBM_WORKBOOK_MAX_COLUMNS", "3")
    get_settings.cache_clear()
    content = _without_dimension(_workbook([["a", "b", "c"], [1, 2, 3, 4]]))
    with pytest.raises(ValidationFailed, match="beyond column 3"):
        workbook_guard.read_workbook("wide.xlsx", content)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"PK\x03\x04" + b"\x00garbage" * 50, "damaged or of another kind"),
        (_zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}), "Word document"),
        (_zip({"values.csv": "project,indicator\nP,1.a\n"}), "zip archive without a workbook"),
        (_zip({**WORKBOOK_PARTS, "xl/worksheets/sheet1.xml": "<<<"}), "damaged"),
    ],
    ids=["corrupt", "renamed-docx", "zipped-csv", "broken-xml"],
)
@pytest.mark.parametrize("read", READERS)
def test_a_damaged_or_renamed_file_is_refused_with_a_message(
    read: Callable,  # type: ignore[type-arg]
    content: bytes,
    says: str,
) -> None:
    with pytest.raises(ValidationFailed, match=says):
        read("upload.xlsx", content)


@pytest.mark.parametrize("read", READERS[:2])
@pytest.mark.parametrize("name", ["values.csv", "values.xlsx"])
def test_one_upload_limit_holds_for_every_reader(
    monkeypatch: pytest.MonkeyPatch,
    read: Callable,  # type: ignore[type-arg]
    name: str,
) -> None:
    monkeypatch.setenv("RBM_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    content = b"project,indicator\n" + b"P,1.a\n" * 200_000  # 1.2 MB, whatever the kind
    with pytest.raises(ValidationFailed, match="over the 1 MB upload limit"):
        read(name, content)
    assert get_settings().max_upload_bytes == 1024 * 1024


def test_a_checked_workbook_reads_as_text_cells_like_a_person_typed_them() -> None:
    content = _workbook([["project", "value", "narrative"], ["P1", 5, "ok"], ["P1", 2.5, None]])
    df = workbook_guard.read_workbook("ok.xlsx", content)
    assert df.to_dict("records") == [
        {"project": "P1", "value": "5", "narrative": "ok"},
        {"project": "P1", "value": "2.5", "narrative": ""},
    ]


def test_the_cli_refuses_a_bomb_with_a_message_and_no_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from rbm import cli

    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(_workbook([["project"]], far_cell=True))
    monkeypatch.setattr("sys.argv", ["rbm", "import-measurements", str(bomb), "--user", "x@y.z"])
    with pytest.raises(SystemExit) as exited:
        cli.run()
    err = capsys.readouterr().err
    assert exited.value.code == 1
    assert err.startswith("Error: bomb.xlsx: the sheet declares") and "Traceback" not in err
