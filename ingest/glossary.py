"""The field's vocabulary (ingest/glossary.yaml), loaded once and checked.

Concepts are the measurable quantities a document or a question can name (调整后预算, 预算执行率,
“三公”经费 …) with their synonyms, 其中 relations and formulas; qualifiers, section kinds, question
operations, non-measure number patterns and the default grade bands complete it. Stdlib + pyyaml +
jsonschema only: this module imports nothing else from jixiao but its errors.

Matching is done on normalised text (NFKC per character, lower case, whitespace and quotation marks
dropped) and every position reported refers to the text as given.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from ingest.errors import ConfigError

DEFAULT_PATH = Path(__file__).with_name("glossary.yaml")
SCHEMA_PATH = Path(__file__).with_name("glossary.schema.json")

# circled/parenthesised list markers: NFKC would turn ① into a bare "1" that looks like a measure
_KEEP = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
_DROP = frozenset("\"'“”‘’「」『』")
_OPENING = {"”": "“", "’": "‘", "」": "「", "』": "『", '"': '"', "'": "'"}


@dataclass(frozen=True)
class Formula:
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    metric: str | None
    # a line's own figures as operands, by their qualifier words: (numerator's, denominator's),
    # e.g. ("actual", "plan") — "年度目标为85个，实际完成95个" is a completion of 95 over 85
    by_qualifiers: tuple[str, str] | None = None


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    kind: str
    category: str
    terms: tuple[str, ...]
    part_of: tuple[str, ...]
    excludes: tuple[str, ...]
    formula: Formula | None
    note: str


@dataclass(frozen=True)
class TermHit:
    concept_id: str  # for a declared ambiguous term: the default reading
    term: str  # the glossary's spelling of the matched term
    start: int
    end: int
    alternatives: tuple[str, ...] = ()  # other concepts a declared ambiguous term may mean


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min: float | None  # inclusive
    max_exclusive: float | None

    def contains(self, score: float) -> bool:
        return (self.min is None or score >= self.min) and (
            self.max_exclusive is None or score < self.max_exclusive
        )


@dataclass(frozen=True)
class ColumnRule:
    """A form column named by its header words (see the `forms` section of glossary.yaml)."""

    column: str
    all: tuple[str, ...] = ()
    any: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    starts: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()

    def matches(self, key: str) -> bool:
        if key in self.exact or key.startswith(self.starts or ("\0",)):
            return True
        if not (self.all or self.any):
            return False
        return (
            all(w in key for w in self.all)
            and (not self.any or any(w in key for w in self.any))
            and not any(w in key for w in self.none)
        )


@dataclass(frozen=True)
class FormVocabulary:
    """The standard forms' words (glossary.yaml `forms`): labels, column rules, comparators, and the
    cue words of questions about forms."""

    header: dict[str, str]  # label -> header field (project agency implementer unit)
    start_labels: tuple[str, ...]
    department_words: tuple[str, ...]
    title_words: tuple[str, ...]
    max_words: tuple[str, ...]
    total_words: tuple[str, ...]
    subtotal_words: tuple[str, ...]
    block_words: tuple[str, ...]
    goal_label: str
    goal_expected: tuple[str, ...]
    goal_actual: tuple[str, ...]
    grade_labels: tuple[str, ...]
    fund_rows: tuple[tuple[str, tuple[str, ...]], ...]  # (kind, label words), in order
    fund_columns: tuple[ColumnRule, ...]
    indicator_columns: tuple[ColumnRule, ...]
    comparators: tuple[tuple[str, tuple[str, ...]], ...]  # (symbol, leading words), in order
    comparator_tails: tuple[tuple[str, tuple[str, ...]], ...]
    qualitative_marks: tuple[str, ...]
    questions: dict[str, tuple[str, ...]]

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> FormVocabulary:
        words = {k: tuple(v) for k, v in d.items() if isinstance(v, list) and k not in _RULE_KEYS}

        def rules(items: list[dict[str, Any]]) -> tuple[ColumnRule, ...]:
            return tuple(
                ColumnRule(r["column"], **{k: tuple(v) for k, v in r.items() if k != "column"}) for r in items
            )

        return cls(
            header={label: field for field, labels in d["header"].items() for label in labels},
            goal_label=d["goal_label"],
            fund_rows=tuple((k, tuple(v)) for k, v in d["fund_rows"].items()),
            fund_columns=rules(d["fund_columns"]),
            indicator_columns=rules(d["indicator_columns"]),
            comparators=tuple((k, tuple(v)) for k, v in d["comparators"].items()),
            comparator_tails=tuple((k, tuple(v)) for k, v in d["comparator_tails"].items()),
            questions={k: tuple(v) for k, v in d["questions"].items()},
            **words,
        )

    def column(self, rules: tuple[ColumnRule, ...], key: str) -> str:
        return next((r.column for r in rules if r.matches(key)), "")


_RULE_KEYS = ("fund_columns", "indicator_columns")


def _normalise(text: str, *, compact: bool) -> tuple[str, list[int]]:
    """Normalised text and, for each of its characters, the index of the source character."""
    out: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        piece = ch if ch.isascii() or _KEEP.match(ch) else unicodedata.normalize("NFKC", ch)
        if compact:
            piece = "".join(c for c in piece.lower() if not c.isspace() and c not in _DROP)
        out.append(piece)
        origin.extend([i] * len(piece))
    return "".join(out), origin


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Take in the opening quote of a quote the span closes: “三公”经费, not 三公”经费."""
    seg = text[start:end]
    for close, opening in _OPENING.items():
        unbalanced = seg.count(close) % 2 if close == opening else seg.count(close) > seg.count(opening)
        if unbalanced and start > 0 and text[start - 1] == opening:
            return start - 1, end
    return start, end


def _norm(term: str) -> str:
    return _normalise(term, compact=True)[0]


def _fail(source: Path, where: str, zh: str, en: str) -> ConfigError:
    return ConfigError(
        f"术语表 {source} {where}：{zh} / glossary {source} {where}: {en}",
        hint="修改 ingest/glossary.yaml / fix ingest/glossary.yaml",
    )


def _where(data: Any, path: list[Any]) -> str:
    """`concepts[12](adjusted_budget).kind` — a path inside the file that names the entry."""
    out, node = "", data
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            if isinstance(node, dict) and isinstance(node.get("id", node.get("name")), str):
                out += f"({node.get('id', node.get('name'))})"
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(根 / root)"


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate mapping keys (PyYAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        for i, key in enumerate(keys):
            if key in keys[:i]:
                mark = node.value[i][0].start_mark
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r} / 重复的键", mark)
        return super().construct_mapping(node, deep=deep)


class Glossary:
    def __init__(self, data: dict[str, Any], source: Path) -> None:
        self.source = source
        fail = functools.partial(_fail, source)
        self.concepts: dict[str, Concept] = {}
        for i, c in enumerate(data["concepts"]):
            if c["id"] in self.concepts:
                raise fail(f"concepts[{i}]({c['id']})", "概念 id 重复", "duplicate concept id")
            f, rel = c.get("formula"), (tuple(c.get("part_of", ())), tuple(c.get("excludes", ())))
            formula = f and Formula(
                tuple(f["numerator"]),
                tuple(f.get("denominator", ())),
                f.get("metric"),
                tuple(f["by_qualifiers"]) if f.get("by_qualifiers") else None,
            )
            terms = tuple(dict.fromkeys([c["label"], *c["terms"]]))
            args = (c["label"], c["kind"], c["category"], terms, *rel, formula)
            self.concepts[c["id"]] = Concept(c["id"], *args, c.get("note", ""))
        for i, c in enumerate(self.concepts.values()):
            refs = {"part_of": c.part_of, "excludes": c.excludes}
            if f := c.formula:
                refs |= {"formula.numerator": f.numerator, "formula.denominator": f.denominator}
            for field, ids in refs.items():
                for ref in ids:
                    where = f"concepts[{i}]({c.id}).{field}"
                    if ref not in self.concepts:
                        raise fail(where, f"未知概念 {ref!r}", f"unknown concept id {ref!r}")
                    if ref == c.id and "formula" not in field:
                        raise fail(where, "不能引用自身", "a concept cannot refer to itself")
        self._check_cycles(fail)
        self._index_terms(data.get("ambiguous_terms") or {}, fail)

        self.qualifiers = {k: tuple(v) for k, v in data["qualifiers"].items()}
        self.operations = {k: tuple(v) for k, v in data["operations"].items()}
        self._qualifier_norm = {k: [_norm(w) for w in v] for k, v in self.qualifiers.items()}
        self._operation_norm = {k: [_norm(w) for w in v] for k, v in self.operations.items()}

        self.sections: dict[str, tuple[str, ...]] = {}
        self._section_norm: list[tuple[str, str]] = []  # (normalised term, section id)
        owner: dict[str, str] = {}
        for i, s in enumerate(data["sections"]):
            where = f"sections[{i}]({s['id']})"
            if s["id"] in self.sections:
                raise fail(where, "章节 id 重复", "duplicate section id")
            self.sections[s["id"]] = tuple(dict.fromkeys([s["label"], *s["terms"]]))
            for t in self.sections[s["id"]]:
                n = _norm(t)
                if owner.setdefault(n, s["id"]) != s["id"]:
                    raise fail(
                        where, f"词 {t!r} 已属于章节 {owner[n]}", f"{t!r} also belongs to {owner[n]!r}"
                    )
                self._section_norm.append((n, s["id"]))

        self._patterns: dict[str, re.Pattern[str]] = {}
        for i, nm in enumerate(data["non_measures"]):
            where = f"non_measures[{i}]({nm['name']})"
            if nm["name"] in self._patterns:
                raise fail(where, "名称重复", "duplicate name")
            try:
                self._patterns[nm["name"]] = re.compile(nm["pattern"], re.I | re.M)
            except re.error as exc:
                raise fail(f"{where}.pattern", f"正则表达式无效（{exc}）", f"invalid regex ({exc})") from None
        self._spans = functools.lru_cache(maxsize=64)(self._compute_spans)
        # "行次", "序号": a column of line numbers (the label may end in one: "项目序号")
        self.serial_columns = tuple(data["serial_columns"])
        self._serial = re.compile(
            "|".join(
                r"(?:^|(?<=[\u4e00-\u9fff]))" + re.escape(w) + "$" if len(w) > 1 else "^" + re.escape(w) + "$"
                for w in self.serial_columns
            )
        )

        # many documents: identity words (ingest/identity.py) and cross-document question words
        # (service/portfolio); absent in an older glossary file
        self.portfolio: dict[str, Any] = data.get("portfolio") or {}
        self.forms = FormVocabulary.from_data(data["forms"])
        # how scoring rules are worded (service/metrics/scoring_rules.py); absent in an older file
        self.scoring_rules: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in (data.get("scoring_rules") or {}).items()
        }
        self.periods: tuple[str, ...] = tuple(data.get("periods") or ())
        # the units figures are written in (ingest/numbers.py, ingest/facts.py); absent in an older file
        self.units: tuple[str, ...] = tuple(data.get("units") or ())
        # (units, header words) per kind of column, in order (ingest/numbers.py); absent in an older file
        self.unit_kinds: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = tuple(
            (tuple(k["units"]), tuple(k["header_words"])) for k in data.get("unit_kinds") or ()
        )
        self.changes: dict[str, tuple[str, ...]] = {
            k: tuple(v) for k, v in (data.get("changes") or {}).items()
        }
        self.grade_source: str = data["grades"]["source"]
        self.grade_bands = tuple(
            GradeBand(b["grade"], b.get("min"), b.get("max_exclusive")) for b in data["grades"]["bands"]
        )
        for i, b in enumerate(self.grade_bands):
            lows = [x.min for x in (b, *self.grade_bands[:i]) if x.min is not None]
            if not b.contains(b.min if b.min is not None else -1e18) or any(
                o.contains(lo) and b.contains(lo) for o in self.grade_bands[:i] for lo in [*lows, -1e18]
            ):
                raise fail(
                    f"grades.bands[{i}]({b.grade})", "区间为空或与其他等级重叠", "empty or overlapping band"
                )

    # ── checks ──
    def _check_cycles(self, fail: Any) -> None:
        state: dict[str, int] = {}  # 1 = on the stack, 2 = done

        def visit(cid: str, stack: list[str]) -> None:
            state[cid] = 1
            for whole in self.concepts[cid].part_of:
                if state.get(whole) == 1:
                    cycle = " → ".join(
                        [*stack[stack.index(whole) :], cid, whole] if whole in stack else [cid, whole]
                    )
                    raise fail(
                        f"concepts({cid}).part_of", f"part_of 成环：{cycle}", f"part_of cycle: {cycle}"
                    )
                if whole not in state:
                    visit(whole, [*stack, cid])
            state[cid] = 2

        for cid in self.concepts:
            if cid not in state:
                visit(cid, [])

    def _index_terms(self, declared: dict[str, list[str]], fail: Any) -> None:
        owners: dict[str, list[str]] = {}
        spelling: dict[str, str] = {}
        for c in self.concepts.values():
            for t in c.terms:
                if not (n := _norm(t)):
                    raise fail(f"concepts({c.id}).terms", f"词 {t!r} 规范化后为空", f"term {t!r} is empty")
                if c.id not in owners.setdefault(n, []):
                    owners[n].append(c.id)
                spelling.setdefault(n, t)
        decl = {_norm(t): (t, ids) for t, ids in declared.items()}
        for n, ids in owners.items():
            if len(ids) > 1 and n not in decl:
                raise fail(
                    f"concepts({', '.join(ids)}).terms",
                    f"词 {spelling[n]!r} 同时属于多个概念，须在 ambiguous_terms 中声明",
                    f"term {spelling[n]!r} belongs to several concepts; declare it in ambiguous_terms",
                )
        for n, (t, ids) in decl.items():
            if sorted(owners.get(n, [])) != sorted(ids):
                raise fail(
                    f"ambiguous_terms.{t}",
                    f"声明 {ids} 与实际拥有该词的概念 {owners.get(n, [])} 不一致",
                    f"declares {ids} but the concepts owning the term are {owners.get(n, [])}",
                )
            owners[n] = list(ids)  # declared order: the first is the default reading
        self._terms = {n: (spelling[n], tuple(ids)) for n, ids in owners.items()}
        self._lengths: dict[str, list[int]] = {}
        for n in self._terms:
            self._lengths.setdefault(n[0], []).append(len(n))
        self._lengths = {first: sorted(set(ls), reverse=True) for first, ls in self._lengths.items()}

    # ── lookups ──
    def concept(self, id: str) -> Concept:
        try:
            return self.concepts[id]
        except KeyError:
            raise KeyError(
                f"术语表中没有概念 {id!r} / no concept {id!r} in the glossary ({self.source})"
            ) from None

    def _match(self, norm: str) -> list[tuple[int, int, str]]:
        """(start, end, term) in normalised text: longest first, then leftmost; non-overlapping."""
        cands = sorted(
            (-length, i, norm[i : i + length])
            for i, ch in enumerate(norm)
            for length in self._lengths.get(ch, ())
            if i + length <= len(norm) and norm[i : i + length] in self._terms
        )
        taken = bytearray(len(norm))
        out: list[tuple[int, int, str]] = []
        for neg, i, n in cands:
            if not any(taken[i : i - neg]):
                taken[i : i - neg] = b"\x01" * -neg
                out.append((i, i - neg, n))
        return sorted(out)

    def find(self, text: str) -> list[TermHit]:
        """Concept terms in `text`: longest first, then leftmost; non-overlapping; returned left to right."""
        norm, origin = _normalise(text, compact=True)
        hits = []
        for i, j, n in self._match(norm):
            spelling, ids = self._terms[n]
            hits.append(TermHit(ids[0], spelling, *_widen(text, origin[i], origin[j - 1] + 1), ids[1:]))
        return hits

    def concepts_in(self, text: str) -> list[str]:
        return list(dict.fromkeys(h.concept_id for h in self.find(text)))

    def _cue_text(self, text: str, outside_terms: bool) -> str:
        norm = _norm(text)
        if outside_terms:  # blank out concept terms: 上年 in 上年结转资金 is not a qualifier
            for i, j, _ in self._match(norm):
                norm = norm[:i] + "\0" * (j - i) + norm[j:]
        return norm

    def qualifiers_in(self, text: str, *, outside_terms: bool = False) -> set[str]:
        """Qualifier keys whose words occur; with outside_terms, only outside concept terms."""
        norm = self._cue_text(text, outside_terms)
        return {k for k, words in self._qualifier_norm.items() if any(w in norm for w in words)}

    def operations_in(self, text: str, *, outside_terms: bool = False) -> list[str]:
        """Operation keys whose cue words occur, in order of first occurrence (ties: YAML order)."""
        norm = self._cue_text(text, outside_terms)
        first: dict[str, int] = {}
        for k, words in self._operation_norm.items():
            positions = [p for p in (norm.find(w) for w in words) if p >= 0]
            if positions:
                first[k] = min(positions)
        return sorted(first, key=lambda k: first[k])

    def section_kind(self, heading: str) -> str | None:
        """The section whose longest term the heading contains (ties: leftmost, then YAML order)."""
        norm = _norm(heading)
        best: tuple[int, int] | None = None
        kind = None
        for n, sid in self._section_norm:
            pos = norm.find(n)
            if pos >= 0 and (best is None or (-len(n), pos) < best):
                best, kind = (-len(n), pos), sid
        return kind

    def section_terms(self, id: str) -> tuple[str, ...]:
        try:
            return self.sections[id]
        except KeyError:
            raise KeyError(f"术语表中没有章节类型 {id!r} / no section kind {id!r} in the glossary") from None

    def wholes_of(self, id: str) -> set[str]:
        return self._closure(id, lambda c: self.concept(c).part_of)

    def parts_of(self, id: str) -> set[str]:
        self.concept(id)
        return self._closure(id, lambda c: [p.id for p in self.concepts.values() if c in p.part_of])

    def _closure(self, start: str, step: Any) -> set[str]:
        seen: set[str] = set()
        todo = list(step(start))
        while todo:
            cid = todo.pop()
            if cid not in seen:
                seen.add(cid)
                todo.extend(step(cid))
        return seen

    def _compute_spans(self, text: str) -> tuple[tuple[int, int, str], ...]:
        norm, origin = _normalise(text, compact=False)
        spans = {
            (origin[m.start()], origin[m.end() - 1] + 1, name)
            for name, rx in self._patterns.items()
            for m in rx.finditer(norm)
            if m.end() > m.start()
        }
        return tuple(sorted(spans))

    def non_measure_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, pattern name) of every non-measure match (dates, 文号, codes …) in `text`."""
        return list(self._spans(text))

    def is_non_measure(self, text: str, start: int, end: int) -> bool:
        """Is the number at text[start:end] inside a non-measure match?"""
        if not 0 <= start < end <= len(text):
            raise ValueError(f"bad span {start}:{end} for a text of {len(text)} characters")
        return any(s <= start and end <= e for s, e, _ in self._spans(text))

    def is_serial_label(self, label: str) -> bool:
        """Is a header label ("行次", "序号") one whose column numbers the lines rather than measures?"""
        return bool(self._serial.search(re.sub(r"\s+", "", label or "")))

    def grade_of(self, score: float) -> str | None:
        """The default (财预〔2020〕10号) grade of a total score; a document's own rule overrides it."""
        return next((b.grade for b in self.grade_bands if b.contains(score)), None)

    def all_terms(self) -> list[str]:
        """Every term (concepts, qualifiers, sections, operations), e.g. for a tokenizer's user dictionary."""
        words = [t for c in self.concepts.values() for t in c.terms]
        words += [w for ws in self.qualifiers.values() for w in ws]
        words += [t for ts in self.sections.values() for t in ts]
        words += [w for ws in self.operations.values() for w in ws]
        return list(dict.fromkeys(words))


def _load(path: Path) -> Glossary:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _fail(path, "", f"无法读取（{exc}）", f"cannot be read ({exc})") from None
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise _fail(path, "", f"YAML 语法错误：{exc}", f"YAML syntax error: {exc}") from None
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: [str(p) for p in e.path])
    if errors:
        first = errors[0]
        where = _where(data, list(first.absolute_path))
        more = f"（另有 {len(errors) - 1} 处 / and {len(errors) - 1} more）" if len(errors) > 1 else ""
        raise _fail(path, where, f"不符合模式{more}", first.message)
    return Glossary(data, path)


@functools.lru_cache(maxsize=1)
def _load_default() -> Glossary:
    return _load(DEFAULT_PATH)


def load_glossary(path: Path | None = None) -> Glossary:
    """The glossary; the default file is loaded once per process, an explicit path every call."""
    return _load_default() if path is None else _load(Path(path))
