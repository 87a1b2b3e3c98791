"""A fixed corpus of hostile PDFs (deep nesting, circular references, self-drawing forms, absurd
nesting, a compression bomb, broken boxes, hidden text), built in tests/hostile_pdfs.py: each is read
or refused with a message that says what is wrong with the file, and the real ingest goes on.
`make fuzz` (tools/fuzz_ingest.py) mutates these and the fixtures at random; this is the gate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hostile_pdfs import HIDDEN_VARIANTS, hidden_text_pdf, hostile_files

from ingest.errors import BadDocument
from ingest.pdf import read_pdf

# what a person should never be shown: a parser's exception names and object reprs
INTERNALS = re.compile(
    r"Error\b|Exception|RecursionError|NotImplemented|IndirectObject|Traceback|0x[0-9a-f]{6,}|\(b'"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    for name, data in hostile_files().items():
        (folder / f"{name}.pdf").write_bytes(data)
    for variant in ("white", "render_mode_3", "tiny", "off_page"):
        hidden_text_pdf(folder / f"hidden_{variant}.pdf", variant)
    return folder


@pytest.mark.parametrize("name", sorted(hostile_files()))
@pytest.mark.timeout(180)  # a hang guard, not a speed check (a loaded CI machine took 41 s for the bomb)
def test_read_or_refuse(name: str, corpus: Path) -> None:
    try:
        content = read_pdf(corpus / f"{name}.pdf")
    except BadDocument as err:
        assert not INTERNALS.search(err.message), err.message
        assert f"{name}.pdf" in err.message
    else:
        assert content.page_count >= 1


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_ingest_goes_on_through_the_corpus(corpus: Path, tmp_path: Path) -> None:
    from ingest.index import ingest_paths
    from service.config import Settings

    records = ingest_paths(Settings(data_dir=tmp_path / "data"), [corpus])
    assert len(records) == len(hostile_files()) + 4
    by_name = {Path(r.path).stem: r for r in records}
    for name, record in by_name.items():
        assert record.status in ("ok", "failed", "needs_ocr"), (name, record.status)
        if record.status != "ok":
            assert record.message and not INTERNALS.search(record.message), (name, record.message)
    assert by_name["plain"].status == "ok"
    for variant in ("white", "render_mode_3", "tiny", "off_page"):
        record = by_name[f"hidden_{variant}"]
        assert record.status == "ok" and "已忽略 22 个读者看不见的字符" in record.message, record
    assert set(HIDDEN_VARIANTS) >= {"white", "render_mode_3", "tiny", "off_page"}
