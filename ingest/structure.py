"""Document structure from cleaned page text: headings and section paths, notes, table regions,
paragraphs joined across page breaks. Pure (no I/O).

Input: `Page`s whose text has one paragraph, heading, note or table line per line (`ingest.clean`),
and the document's `Table`s (to find and skip their printed lines). Output: a flat list of `Block`s in
reading order, each with its section path; `ingest.chunk` packs them into chunks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from ingest.models import Page, Table

BlockKind = Literal["title", "heading", "para", "note", "table"]

_CN_NUM = "一二三四五六七八九十百零〇"
# Heading forms, with a rank (smaller = higher level). Whatever order a document uses them in, a
# heading closes every open section of the same or a lower level.
HEADING_FORMS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (0, re.compile(rf"^第[{_CN_NUM}0-9]+[编部](?:\s|$)")),
    (1, re.compile(rf"^第[{_CN_NUM}0-9]+章")),
    (2, re.compile(rf"^第[{_CN_NUM}0-9]+节")),
    (3, re.compile(rf"^[{_CN_NUM}]+、")),
    (4, re.compile(rf"^[（(][{_CN_NUM}]+[）)]")),
    (5, re.compile(r"^[0-9０-９]{1,2}\s*[.．、](?![0-9０-９])")),
    (6, re.compile(r"^[（(][0-9０-９]{1,2}[）)]")),
    (7, re.compile(r"^[①②③④⑤⑥⑦⑧⑨⑩]")),
    (8, re.compile(rf"^第[{_CN_NUM}0-9]+条")),
)
_CLAUSE_RE = re.compile(rf"^(第[{_CN_NUM}0-9]+条)")
NOTE_RE = re.compile(r"^注\s*[0-9０-９¹²³⁴⁵⁶⁷⁸⁹⁰]*\s*[：:]")
_HEADING_MAX = 40  # a heading line longer than this (or with a full stop) carries its body with it
_SENTENCE_END = "。！？!?；;…"
_CLOSERS = "”’」』）)》〉】"


@dataclass(frozen=True)
class Segment:
    """A piece of a paragraph printed on one page."""

    text: str
    page: int


@dataclass
class Block:
    kind: BlockKind
    section: tuple[str, ...]
    segments: list[Segment] = field(default_factory=list)
    table: int | None = None  # index into the tables list, for kind == "table"

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    @property
    def page(self) -> int:
        return self.segments[0].page if self.segments else 0

    @property
    def end_page(self) -> int:
        return self.segments[-1].page if self.segments else 0


def heading_rank(line: str) -> int | None:
    """The heading level of a line, or None for body text."""
    text = line.strip()
    for rank, pattern in HEADING_FORMS:
        if pattern.match(text):
            return rank
    return None


def heading_label(line: str) -> tuple[str, bool]:
    """(section label, heading_only). "1.项目背景" -> ("1.项目背景", True);
    "（1）坐席设置数量。截至…" -> ("（1）坐席设置数量", False): the item keeps its body;
    "第一条 为规范…" -> ("第一条", False)."""
    text = re.sub(r"\s+", " ", line.strip())
    clause = _CLAUSE_RE.match(text)
    if clause:
        rest = text[clause.end() :].strip()
        return clause.group(1), not rest
    stop = re.search(r"[。；;！？!?]", text)
    if stop is None and len(text) <= _HEADING_MAX:
        return text, True
    if stop is not None and stop.start() <= _HEADING_MAX:
        return text[: stop.start()], False
    cut = re.search(r"[，,：:]", text)
    if cut is not None and cut.start() <= _HEADING_MAX:
        return text[: cut.start()], False
    return text[:20] + "…", False


def ends_sentence(text: str) -> bool:
    t = text.rstrip().rstrip(_CLOSERS)
    return bool(t) and t[-1] in _SENTENCE_END


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _table_text(table: Table) -> str:
    return _norm("".join("".join(r) for r in table.header + table.rows))


def table_line_spans(pages: list[Page], tables: list[Table]) -> dict[tuple[int, int], int]:
    """Which printed lines belong to which table: {(page number, line index): table index}.
    A table's lines are its caption, unit line and the run of lines below them whose text (spaces
    ignored) occurs in the table's cells; on a continuation page the run starts at the page top."""
    lines_of = {p.number: p.text.splitlines() for p in pages}
    marks: dict[tuple[int, int], int] = {}
    for t_index, table in enumerate(tables):
        full = _table_text(table)
        header = _norm("".join(table.header[0])) if table.header else ""
        for n, page_no in enumerate(table.pages):
            lines = lines_of.get(page_no, [])
            start = None
            if n == 0:
                for i, line in enumerate(lines):
                    if (page_no, i) in marks:
                        continue
                    key = _norm(line)
                    if table.caption and key == _norm(table.caption):
                        marks[(page_no, i)] = t_index
                        start = i + 1
                        if (
                            start < len(lines)
                            and table.unit_line
                            and _norm(lines[start]) == _norm(table.unit_line)
                        ):
                            marks[(page_no, start)] = t_index
                            start += 1
                        break
                    if (
                        not table.caption
                        and key
                        and header.startswith(key)
                        and len(key) >= min(4, len(header))
                    ):
                        start = i
                        break
            else:
                start = 0
            if start is None:
                continue
            i = start
            while (
                i < len(lines) and _norm(lines[i]) and _norm(lines[i]) in full and (page_no, i) not in marks
            ):
                marks[(page_no, i)] = t_index
                i += 1
    return marks


def parse_blocks(pages: list[Page], tables: list[Table], *, title: str = "") -> list[Block]:
    """The document as blocks in reading order, each with its section path. Paragraphs cut by a page
    break are joined into one block of two segments; table lines become one "table" block per table
    (at the caption's position); notes (注¹：…) are "note" blocks."""
    marks = table_line_spans(pages, tables)
    blocks: list[Block] = []
    stack: list[tuple[int, str]] = []
    emitted: set[int] = set()
    title_key = _norm(title)

    def section() -> tuple[str, ...]:
        return tuple(label for _, label in stack)

    for page in pages:
        for i, line in enumerate(page.text.splitlines()):
            text = line.strip()
            if not text:
                continue
            t_index = marks.get((page.number, i))
            if t_index is not None:
                if t_index not in emitted:
                    emitted.add(t_index)
                    blocks.append(Block("table", section(), [Segment("", page.number)], table=t_index))
                continue
            if title_key and not blocks and _norm(text) == title_key:
                blocks.append(Block("title", (), [Segment(text, page.number)]))
                continue
            if NOTE_RE.match(text):
                blocks.append(Block("note", section(), [Segment(text, page.number)]))
                continue
            rank = heading_rank(text)
            prev = blocks[-1] if blocks else None
            if (
                rank is None
                and i == 0
                and prev is not None
                and prev.kind == "para"
                and prev.end_page == page.number - 1
                and not ends_sentence(prev.text)
            ):
                prev.segments.append(Segment(text, page.number))  # a paragraph cut by the page break
                continue
            if rank is not None:
                label, heading_only = heading_label(text)
                while stack and stack[-1][0] >= rank:
                    stack.pop()
                stack.append((rank, label))
                kind: BlockKind = "heading" if heading_only else "para"
                blocks.append(Block(kind, section(), [Segment(text, page.number)]))
                continue
            blocks.append(Block("para", section(), [Segment(text, page.number)]))
    # Tables whose printed lines were not found: after the last block of their first page.
    for t_index, table in enumerate(tables):
        if t_index in emitted:
            continue
        at = max((k + 1 for k, b in enumerate(blocks) if b.page <= table.page), default=len(blocks))
        sec = blocks[at - 1].section if at else ()
        blocks.insert(at, Block("table", sec, [Segment("", table.page)], table=t_index))
    return blocks


def split_sentences(segments: list[Segment]) -> list[tuple[str, int, int]]:
    """A paragraph's sentences as (text, start page, end page); a sentence ends after 。！？； and any
    closing quote or bracket that follows."""
    out: list[tuple[str, int, int]] = []
    buf = ""
    start_page: int | None = None
    for seg in segments:
        text = seg.text
        i = 0
        while i < len(text):
            j = i
            while j < len(text) and text[j] not in _SENTENCE_END:
                j += 1
            if j < len(text):
                j += 1
                while j < len(text) and text[j] in _CLOSERS:
                    j += 1
                piece = text[i:j]
                if start_page is None:
                    start_page = seg.page
                out.append((buf + piece, start_page, seg.page))
                buf, start_page = "", None
            else:
                piece = text[i:]
                if piece.strip():
                    if start_page is None:
                        start_page = seg.page
                    buf += piece
            i = j
    if buf.strip():
        out.append((buf, start_page if start_page is not None else segments[-1].page, segments[-1].page))
    return out
