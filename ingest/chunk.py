"""Chunks for retrieval: text passages, notes and tables with their section path. Pure (no I/O).

Rules:
- a text chunk holds about `TARGET_MIN`–`TARGET_MAX` characters, split at sentence ends (。；！？),
  and never mixes two sections;
- headings with no body of their own (and the document title) are put in front of the next chunk;
- a chunk's `page` is where its first sentence starts; a chunk ends with the sentence that crosses a
  page break (`end_page` set), so every other sentence is cited on its own page;
- notes (注¹：…) are `kind="note"` chunks; each table is one or more `kind="table"` chunks
  (caption + unit line + header + rows, `Table.as_text()` format), split per page and by size, the
  caption and header repeated in every piece; the table's printed lines are not text chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.models import Chunk, Page, Table
from ingest.structure import Block, parse_blocks, split_sentences

CHUNKER_VERSION = "chunk-1"
TARGET_MIN = 200
TARGET_MAX = 400
HARD_MAX = 600  # one sentence longer than this is cut at a comma
TINY = 60  # a piece shorter than this joins the chunk before it in the same section
TABLE_MAX = 900
SECTION_SEP = " > "


@dataclass
class _Draft:
    kind: str
    section: tuple[str, ...]
    text: str
    page: int
    end_page: int


def build_chunks(
    *, doc_id: str, title: str, year: int | None, pages: list[Page], tables: list[Table]
) -> list[Chunk]:
    """All chunks of one document, in reading order, with deterministic ids `{doc_id}:{index:04d}`."""
    blocks = parse_blocks(pages, tables, title=title)
    drafts: list[_Draft] = []
    prefix: list[str] = []  # heading lines waiting for the next chunk

    def emit(draft: _Draft) -> None:
        if prefix:
            draft.text = "\n".join([*prefix, draft.text])
            prefix.clear()
        drafts.append(draft)

    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind in ("title", "heading"):
            prefix.append(block.text)
            i += 1
            continue
        if block.kind == "table" and block.table is not None:
            for piece in table_pieces(tables[block.table]):
                emit(piece_draft(piece, block.section))
            i += 1
            continue
        # A run of paragraphs (or notes) of one section.
        j = i
        while j < len(blocks) and blocks[j].kind == block.kind and blocks[j].section == block.section:
            j += 1
        for draft in pack(blocks[i:j], kind=block.kind):
            emit(draft)
        i = j
    if prefix and drafts:
        drafts[-1].text = "\n".join([drafts[-1].text, *prefix])
    elif prefix:
        first = pages[0].number if pages else 1
        drafts.append(_Draft("text", (), "\n".join(prefix), first, first))
    return [
        Chunk(
            id=f"{doc_id}:{index:04d}",
            doc_id=doc_id,
            text=d.text,
            page=d.page,
            section=SECTION_SEP.join(d.section),
            kind="table" if d.kind == "table" else "note" if d.kind == "note" else "text",
            chunk_index=index,
            title=title,
            year=year,
            end_page=d.end_page if d.end_page != d.page else None,
        )
        for index, d in enumerate(drafts)
    ]


def pack(blocks: list[Block], *, kind: str) -> list[_Draft]:
    """Pack the sentences of consecutive paragraphs of one section into chunks."""
    out: list[_Draft] = []
    cur: _Draft | None = None
    for b_index, block in enumerate(blocks):
        sentences = [s for piece in split_sentences(block.segments) for s in _cut_long(*piece)]
        for s_index, (text, start, end) in enumerate(sentences):
            sep = "\n" if s_index == 0 and b_index > 0 else ""
            if cur is not None:
                too_big = len(cur.text) >= TARGET_MIN and len(cur.text) + len(text) > TARGET_MAX
                if (
                    too_big
                    or len(cur.text) + len(text) > HARD_MAX
                    or start > cur.end_page
                    or cur.end_page > cur.page
                ):
                    out.append(cur)
                    cur = None
            if cur is None:
                cur = _Draft(kind, blocks[0].section, text, start, end)
            else:
                cur.text += sep + text
                cur.end_page = max(cur.end_page, end)
    if cur is not None:
        out.append(cur)
    # A tiny last piece (e.g. the tail of a paragraph on the next page) joins the chunk before it.
    merged: list[_Draft] = []
    for d in out:
        if merged and len(d.text) < TINY and len(merged[-1].text) + len(d.text) <= TARGET_MAX + TINY:
            merged[-1].text += d.text
            merged[-1].end_page = max(merged[-1].end_page, d.end_page)
        else:
            merged.append(d)
    return merged


def _cut_long(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """A sentence longer than HARD_MAX, cut after commas (rare in prose; tables are separate)."""
    if len(text) <= HARD_MAX:
        return [(text, start, end)]
    pieces: list[str] = []
    buf = ""
    for ch in text:
        buf += ch
        if (ch in "，,、" and len(buf) >= TARGET_MAX) or len(buf) >= HARD_MAX:
            pieces.append(buf)
            buf = ""
    if buf:
        pieces.append(buf)
    return [(p, start, end if k == len(pieces) - 1 else start) for k, p in enumerate(pieces)]


@dataclass(frozen=True)
class TablePiece:
    text: str
    page: int
    end_page: int


def table_pieces(table: Table) -> list[TablePiece]:
    """A table's searchable text (`Table.as_text()` format) in pieces: one per page it is printed on,
    further split by size; every piece repeats the caption, unit line and header rows."""
    head = [table.caption] if table.caption else []
    if table.unit_line:
        head.append(table.unit_line)
    head += ["\t".join(r) for r in table.header]
    row_page: dict[int, int] = {}
    for cell in table.cells:
        row_page.setdefault(cell.row_index, cell.page)
    by_page: dict[int, list[str]] = {}
    for r, row in enumerate(table.rows):
        by_page.setdefault(row_page.get(r, table.page), []).append("\t".join(row))
    whole = table.as_text() if table.caption else "\n".join(head + ["\t".join(r) for r in table.rows])
    if len(by_page) <= 1 and len(whole) <= TABLE_MAX:
        return [TablePiece(whole, table.page, table.page)]
    head_len = sum(len(h) + 1 for h in head)
    pieces: list[TablePiece] = []
    for page in sorted(by_page):
        chunk_rows: list[str] = []
        for line in by_page[page]:
            if chunk_rows and head_len + sum(len(x) + 1 for x in chunk_rows) + len(line) > TABLE_MAX:
                pieces.append(TablePiece("\n".join(head + chunk_rows), page, page))
                chunk_rows = []
            chunk_rows.append(line)
        if chunk_rows:
            pieces.append(TablePiece("\n".join(head + chunk_rows), page, page))
    return pieces


def piece_draft(piece: TablePiece, section: tuple[str, ...]) -> _Draft:
    return _Draft("table", section, piece.text, piece.page, piece.end_page)
