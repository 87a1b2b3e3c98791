"""Structure and chunking (ingest.structure, ingest.chunk) on the fixture report and policy, and on
small hand-written pages for the packing rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.chunk import TARGET_MAX, TARGET_MIN, build_chunks
from ingest.models import Chunk, Page, Table
from ingest.pdf import read_pdf
from ingest.structure import heading_label, heading_rank, table_line_spans
from ingest.tables import extract_tables

FIXTURES = Path(__file__).parent / "fixtures"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _ingest(name: str) -> tuple[list[Page], list[Table], list[Chunk]]:
    path = FIXTURES / name
    content = read_pdf(path)
    tables = extract_tables(path, doc_id="d1", pages=content.pages)
    chunks = build_chunks(
        doc_id="d1", title=content.title, year=content.year, pages=content.pages, tables=tables
    )
    return content.pages, tables, chunks


@pytest.fixture(scope="module")
def report() -> tuple[list[Page], list[Table], list[Chunk]]:
    return _ingest("report_2020_8890.pdf")


@pytest.fixture(scope="module")
def chunks(report: tuple[list[Page], list[Table], list[Chunk]]) -> list[Chunk]:
    return report[2]


def only(chunks: list[Chunk], needle: str, kind: str = "text") -> Chunk:
    found = [c for c in chunks if needle in c.text and c.kind == kind]
    assert len(found) == 1, (needle, [c.id for c in found])
    return found[0]


def test_ids_and_metadata(chunks: list[Chunk]) -> None:
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    assert [c.id for c in chunks] == [f"d1:{i:04d}" for i in range(len(chunks))]
    assert {c.title for c in chunks} == {"2020年天津市便民专线服务中心运行经费项目绩效评价报告"}
    assert {c.year for c in chunks} == {2020}
    assert {c.kind for c in chunks} == {"text", "table", "note"}
    md = chunks[0].metadata()
    assert md["doc_id"] == "d1" and md["year"] == 2020 and "end_page" not in md


def test_deterministic(report: tuple[list[Page], list[Table], list[Chunk]]) -> None:
    pages, tables, chunks = report
    again = build_chunks(doc_id="d1", title=chunks[0].title, year=2020, pages=pages, tables=tables)
    assert again == chunks


def test_answer_rate_passage_cites_page_4(chunks: list[Chunk]) -> None:
    c = only(chunks, "96.12%")
    assert c.page == 4 and c.end_page is None
    assert c.section == "三、项目产出及绩效 > （一）项目产出情况 > 2.产出质量 > (1)坐席电话接听率"
    assert "坐席电话接听率" in c.text and "1012.36 万次" in c.text


def test_numbered_item_keeps_its_body(chunks: list[Chunk]) -> None:
    c = only(chunks, "坐席数量为 560 个")
    assert c.section.endswith("1.产出数量 > （1）坐席设置数量")
    assert "（1）坐席设置数量。截至 2020 年底" in c.text
    # Heading-only blocks above it are put in front of it.
    assert c.text.startswith("三、项目产出及绩效\n（一）项目产出情况\n1.产出数量\n")


def test_heading_only_blocks_merge_into_first_chunk(chunks: list[Chunk]) -> None:
    c = only(chunks, "2015年天津市开始全面整合")
    assert c.section == "一、项目基本情况 > （一）项目概况 > 1.项目背景"
    assert c.text.startswith("一、项目基本情况\n（一）项目概况\n1.项目背景\n为深化政府职能转变")
    headings_alone = [
        c for c in chunks if c.kind == "text" and "\n" not in c.text and heading_label(c.text)[1]
    ]
    assert headings_alone == []
    title = only(chunks, "为提高财政资金使用效益")
    assert title.text.startswith("2020 年天津市便民专线服务中心运行经费项目绩效评价报告\n")


def test_heading_on_previous_page_cites_body_page(chunks: list[Chunk]) -> None:
    c = only(chunks, "其中年初预算 10200.59 万元")
    assert c.text.startswith("4.资金投入和使用情况\n")  # the heading is the last line of page 1
    assert c.page == 2


def test_paragraph_across_page_break(chunks: list[Chunk]) -> None:
    c = only(chunks, "第一时间就会想到该平台")  # "…第一时间" ends page 5, "就会想到该平台…" starts page 6
    assert (c.page, c.end_page) == (5, 6)
    assert c.section.endswith("（2）平台影响力")
    nxt = only(chunks, "（3）平台办结率")
    assert nxt.page == 6


def test_notes_are_note_chunks(chunks: list[Chunk]) -> None:
    notes = [c for c in chunks if c.kind == "note"]
    assert len(notes) == 1
    assert notes[0].page == 5
    assert all(f"注{m}：" in notes[0].text for m in "¹²³⁴")
    assert not any("注¹：" in c.text for c in chunks if c.kind != "note")


def test_table_lines_are_not_text_chunks(report: tuple[list[Page], list[Table], list[Chunk]]) -> None:
    pages, tables, chunks = report
    text = [c for c in chunks if c.kind != "table"]
    assert not any("\t" in c.text for c in text)
    for needle in ("7937.43", "562.05", "预算执行情况明细表", "单位：人、万元、年", "基本工资等"):
        assert not any(needle in c.text for c in text), needle
    marks = table_line_spans(pages, tables)
    assert sorted({t for t in marks.values()}) == list(range(len(tables)))


def test_every_printed_line_is_in_some_chunk(report: tuple[list[Page], list[Table], list[Chunk]]) -> None:
    pages, tables, chunks = report
    marks = table_line_spans(pages, tables)
    body = squash("".join(c.text for c in chunks if c.kind != "table"))
    for page in pages:
        for i, line in enumerate(page.text.splitlines()):
            if (page.number, i) not in marks:
                assert squash(line) in body, (page.number, line)


def test_table_chunks(report: tuple[list[Page], list[Table], list[Chunk]]) -> None:
    _, tables, chunks = report
    table_chunks = [c for c in chunks if c.kind == "table"]
    for t in tables:
        pieces = [c for c in table_chunks if c.text.startswith(t.caption + "\n")]
        assert pieces, t.caption
        assert sorted({c.page for c in pieces}) == t.pages
        for piece in pieces:
            lines = piece.text.splitlines()
            assert lines[0] == t.caption and lines[1] == t.unit_line if t.unit_line else True
            assert all("\t".join(h) in piece.text for h in t.header)
        rows = [
            ln for piece in pieces for ln in piece.text.splitlines()[1 + bool(t.unit_line) + len(t.header) :]
        ]
        assert rows == ["\t".join(r) for r in t.rows]  # every row once, in order
    single = only(chunks, "表 1-1 预算执行情况明细表", kind="table")
    assert single.text == tables[0].as_text() and single.page == 2
    assert single.section == "一、项目基本情况 > （一）项目概况 > 4.资金投入和使用情况"


def test_chunk_sizes(chunks: list[Chunk]) -> None:
    for c in chunks:
        if c.kind == "text":
            headings = sum(
                len(ln) + 1 for ln in c.text.splitlines() if heading_rank(ln) and heading_label(ln)[1]
            )
            assert len(c.text) - headings <= TARGET_MAX + 60, c.id


def test_policy_clauses_are_sections() -> None:
    _, _, chunks = _ingest("policy_sample.pdf")
    c = only(chunks, "预算执行率＝实际支出金额÷调整后预算金额")
    assert c.section == "第二章 指标与计算口径 > 第三条"
    assert only(chunks, "本细则自印发之日起施行").section == "第四章 附则 > 第十一条"
    table = only(chunks, "一级指标\t二级指标\t分值", kind="table")
    assert table.section == "第二章 指标与计算口径 > 第七条"
    assert {c.year for c in chunks} == {None}


def test_heading_forms() -> None:
    assert heading_rank("一、项目基本情况") == 3
    assert heading_rank("（一）项目概况") == 4
    assert heading_rank("1.项目背景") == 5
    assert heading_rank("2. 可持续影响") == 5
    assert heading_rank("（1）坐席设置数量。截至…") == 6
    assert heading_rank("(1)坐席电话接听率。便民…") == 6
    assert heading_rank("第十一条 本细则自印发之日起施行。") == 8
    assert heading_rank("2020 年项目总体绩效目标为：") is None
    assert heading_rank("12.5万元用于…") is None
    assert heading_rank("第二部分只有一句话。") is None
    assert heading_label("1.项目背景") == ("1.项目背景", True)
    assert heading_label("（1）坐席设置数量。截至 2020 年底，…") == ("（1）坐席设置数量", False)
    assert heading_label("第一条 为规范本市项目支出绩效评价工作。") == ("第一条", False)


# --- packing rules on hand-written pages ---------------------------------------------------------

SENTENCE = "这是用于检验分块长度的一句测试文字，共有三十个字左右。"


def _chunks(pages: list[Page]) -> list[Chunk]:
    return build_chunks(doc_id="t", title="测试", year=None, pages=pages, tables=[])


def test_long_section_split_at_sentence_ends() -> None:
    body = "".join(f"{SENTENCE[:-1]}{i}。" for i in range(40))
    pages = [Page(1, f"一、第一部分\n{body}\n二、第二部分\n第二部分只有一句话。")]
    chunks = _chunks(pages)
    first = [c for c in chunks if c.section == "一、第一部分"]
    assert len(first) >= 3
    for c in first:
        assert c.text.endswith("。")
        assert "第二部分" not in c.text  # never two sections in one chunk
    for c in first[:-1]:
        body_len = len(c.text.removeprefix("一、第一部分\n"))
        assert TARGET_MIN <= body_len <= TARGET_MAX, body_len
    assert squash("".join(c.text for c in first)) == squash("一、第一部分" + body)
    last = chunks[-1]
    assert (last.section, last.text) == ("二、第二部分", "二、第二部分\n第二部分只有一句话。")


def test_sentence_across_pages_ends_the_chunk() -> None:
    before = SENTENCE * 3
    after = SENTENCE * 5
    pages = [Page(1, f"一、部分\n{before}这句话从第一页开始"), Page(2, f"到第二页才结束。{after}")]
    chunks = _chunks(pages)
    assert len(chunks) == 2
    assert chunks[0].text.endswith("这句话从第一页开始到第二页才结束。")
    assert (chunks[0].page, chunks[0].end_page) == (1, 2)
    assert (chunks[1].page, chunks[1].end_page) == (2, None)
    assert chunks[1].text == after


def test_paragraph_ending_a_page_is_not_joined_to_the_next() -> None:
    pages = [Page(1, f"一、部分\n{SENTENCE * 3}"), Page(2, f"{SENTENCE * 4}")]
    chunks = _chunks(pages)
    assert [c.page for c in chunks] == [1, 2]
    assert all(c.end_page is None for c in chunks)
