"""xlsx and docx ingested as ordinary documents (real SQLite, Chroma and embedding model): text,
tables, facts and search like a PDF, every 自评表 stored as a typed record with cell provenance,
and `check` of the document covering its forms. Expected values come from the generator."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evals.generator.formats import write_docx, write_xlsx
from evals.generator.selfeval import make_form
from ingest.index import ingest_paths
from ingest.store import Store
from service.audit import audit_store
from service.cli import app
from service.config import Settings
from service.report_check import check_document

pytestmark = pytest.mark.slow


def test_office_files_ingest_search_and_forms(tmp_path: Path) -> None:
    good, wrong_total = make_form(301, None), make_form(302, "total")
    folder = tmp_path / "in"
    folder.mkdir()
    write_xlsx([good, wrong_total], folder / "forms.xlsx")
    write_docx([good], folder / "form.docx")
    (folder / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0 legacy")  # not picked up from a folder
    (tmp_path / "fake.docx").write_bytes(b"not a zip")
    settings = Settings(data_dir=tmp_path / "data")
    records = ingest_paths(settings, [folder, tmp_path / "fake.docx"])
    status = {Path(r.path).name: r for r in records}
    assert set(status) == {"forms.xlsx", "form.docx", "fake.docx"}
    assert status["forms.xlsx"].status == "ok" and status["form.docx"].status == "ok"
    assert status["fake.docx"].status == "failed" and "zip" in status["fake.docx"].message
    assert (
        status["forms.xlsx"].pages == 2 and status["forms.xlsx"].tables == 2
    )  # one page and table per sheet

    store = Store.open(settings)
    try:
        xid = status["forms.xlsx"].doc_id
        forms = store.get_forms([xid])
        assert [f["id"] for f in forms] == [f"{xid}:f00", f"{xid}:f01"]
        budget = forms[0]["funds"][0]["cells"]["budget"]
        assert Decimal(budget["value"]) == good.funds["年度资金总额"]["b1"]
        assert budget["where"]["sheet"] == "表1" and budget["where"]["cell"]
        assert Decimal(forms[1]["total_score"]["value"]) == wrong_total.total
        cells = [c.value for t in store.get_tables(xid) for c in t.cells if c.value is not None]
        assert format(good.funds["年度资金总额"]["b1"], "f") in cells
        hits = store.vector_search(f"{good.inds[0].l3} 实际完成值", k=5, doc_ids=[status["form.docx"].doc_id])
        assert hits and any(good.inds[0].l3 in h.chunk.text for h in hits)
        stored = store.document_file(xid)
        assert stored.suffix == ".xlsx" and stored.read_bytes() == (folder / "forms.xlsx").read_bytes()
        checked = check_document(store, "forms.xlsx")
        assert [sorted({x["kind"] for x in f["findings"]}) for f in checked["forms"]] == [[], ["total"]]
        report = audit_store(store)  # the stored forms audited like files (jixiao audit --ingested)
        assert sorted((Path(r["file"]).name, r["findings"]) for r in report.rows) == [
            ("form.docx", 0),
            ("forms.xlsx", 0),
            ("forms.xlsx", 1),
        ]
    finally:
        store.close()
    cli = CliRunner().invoke(app, ["audit", "--ingested", "--data-dir", str(settings.data_dir), "-f", "json"])
    assert cli.exit_code == 1 and json.loads(cli.stdout)["totals"]["forms"] == 3
