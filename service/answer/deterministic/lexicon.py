"""The domain lexicon: which words in a question name a figure, a table header, a section, a document.

Built once per answerer from three sources:
- the domain concepts below (the figures performance-evaluation reports state, with the ways an
  official phrases them), extended by the metrics registry's Chinese names and synonyms;
- the table store: row and column headers and captions of every ingested table;
- the document titles.
Every term is also taught to jieba, so segmentation keeps "接听率" or "工资福利支出" whole.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

import jieba

from service.answer.deterministic.evidence import normalize_space

jieba.setLogLevel(logging.WARNING)  # no 'Building prefix dict' chatter on stderr

Kind = Literal["rate", "amount", "count", "score", "grade"]


@dataclass(frozen=True)
class Concept:
    """A figure a question can ask for.

    key: the canonical name, used in answers ("预算执行率").
    synonyms: how questions say it (longest match wins).
    match: how the evidence says it (in table headers and sentences).
    kind: decides which numbers qualify (a rate must be a percentage, an amount must not).
    """

    key: str
    synonyms: tuple[str, ...]
    match: tuple[str, ...]
    kind: Kind
    metric: str | None = None  # the metrics-registry concept that computes it, when there is one


_C = Concept
BASE_CONCEPTS: tuple[Concept, ...] = (
    _C(
        "预算执行率",
        (
            "预算执行率",
            "执行率",
            "支出进度",
            "预算执行进度",
            "资金执行率",
            "执行进度",
            "预算执行情况",
            "预算执行比例",
            "执行比例",
            "执行情况",
            "预算执行",
        ),
        ("预算执行率", "执行率"),
        "rate",
        "execution_rate",
    ),
    _C(
        "资金到位率",
        ("资金到位率", "到位率", "资金到位情况", "资金到位比例", "到位比例"),
        ("到位率",),
        "rate",
    ),
    _C("到位及时率", ("到位及时率", "及时率"), ("到位及时率",), "rate"),
    _C("得分率", ("得分率",), ("得分率",), "rate", "score_rate"),
    _C("得分", ("得分", "分数", "评分", "得了多少分", "多少分", "评价结果"), ("得分", "评价结果为"), "score"),
    _C("分值", ("分值", "满分", "权重", "标准分"), ("分值",), "score"),
    _C("评价等级", ("评价等级", "等级", "评级", "档次", "级别"), ("评价等级", "等级"), "grade", "grade"),
    _C(
        "超预算金额",
        ("超预算金额", "超预算", "超支", "超出预算", "超过预算", "超了预算"),
        ("超预算金额", "超预算"),
        "amount",
        "over_budget",
    ),
    _C("满意度", ("群众满意度", "总体满意度", "满意度"), ("总体满意度", "满意度"), "rate"),
    _C(
        "培训人次",
        ("培训人次", "培训人数", "培训次数", "开展培训", "人次培训", "培训"),
        ("开展培训", "培训"),
        "count",
    ),
    _C(
        "预算金额",
        ("预算金额", "预算资金", "财政预算资金", "预算数", "预算"),
        ("预算金额", "预算资金"),
        "amount",
    ),
    _C(
        "支出金额",
        (
            "实际支出金额",
            "支出金额",
            "实际支出",
            "实际使用经费",
            "实际使用",
            "实际花",
            "花出去",
            "花掉",
            "用掉",
            "用出去",
            "花了多少",
            "花了",
            "支出",
        ),
        ("支出金额", "实际支出金额", "实际使用经费", "实际支出"),
        "amount",
    ),
    _C("到位金额", ("到位金额", "到位资金", "实际到位", "资金到位"), ("到位金额", "到位财政资金"), "amount"),
    _C("年初预算", ("年初批复预算", "年初预算", "年初批复"), ("年初预算",), "amount"),
    _C("追加预算", ("追加预算",), ("追加预算",), "amount"),
    _C("调减预算", ("调减预算",), ("调减预算",), "amount"),
)

# figures the field computes from two others of the same year:
# concept -> (calculator operation, numerator concept, denominator concept). A report's own ones
# (a rate or a per-unit figure of its tables) are learned from its numbers: see learned.py
DERIVED: dict[str, tuple[str, str, str]] = {
    "资金到位率": ("funds_arrival_rate", "到位金额", "预算金额"),
    "预算执行率": ("execution_rate", "支出金额", "预算金额"),
}

# sections an official asks to have listed, with the ways of asking and the heading words
SECTIONS: dict[str, tuple[str, ...]] = {
    "存在的主要问题": (
        "存在的主要问题",
        "主要问题",
        "存在哪些问题",
        "有哪些问题",
        "什么问题",
        "问题有哪些",
        "存在问题",
        "不足之处",
    ),
    "相关建议": ("相关建议", "改进建议", "有哪些建议", "什么建议", "建议有哪些", "整改建议", "建议"),
    "绩效目标": ("项目绩效目标", "总体绩效目标", "绩效目标是什么", "绩效目标有哪些", "绩效目标"),
    "评价结论": ("评价结论", "总体评价", "结论是什么", "评价结果怎么样", "评价情况"),
    "绩效评价方法": ("评价方法", "评价采用", "用了什么方法"),
}

# words that carry no content for evidence matching
STOPWORDS = frozenset(
    """
    的 了 是 在 和 与 及 或 为 有 多少 几 什么 怎么 怎样 如何 哪些 哪个 吗 呢 啊 吧
    请 问 请问 一下 告诉 我 我们 你 该 本 这 那 那么 其 它 其中 这个 项目 报告 这份
    份 年 年度 全年 年末 是否 能否 可以 情况 多 少 数 是多少 多大 达到 达 为何 哪 里
    中 里面 方面 按 按照 根据 依据 对 比 较 比较 相比 相对 去年 今年 上年 同比 环比
    增长 增加 提高 上升 下降 降低 减少 变化 幅度 百分比 个 呀 么 得 到 给 让 把 被 从
    于 上 下 前 后 万元 元 亿元 万 人 次 件 % ， 。 ？ ！ 、 ； ： “ ” （ ）
    ( ) ? ! , . : ; 具体 分别 总共 一共 共 总 合计 总计 实际 金额 数量 数值
    数字 指标 计算 算 算出 得出 列出 列举 说明 介绍 说 讲 看 查 查询 找 找到 显示 记载
    写 提到 是什么 怎么样 有没有 多高 多快 几何 相关 主要 当年 那年 当期 值 额 量 率 之
    所 以 以及 并 还 又 也 都 就 要 会 能 应 应该 没有 未 不 多少钱 多少个 多少人
    多少次 几个 几项 一项 这一项 哪一项 钱 数额 水平 情况如何 结果 总体 整体 具体情况
    是多少钱 有多少 大概 约 左右 数算 比例 比重 占比 均值 平均 历史 以前年度 往年 历年
    基期 上一年 同期 测算 核算 推算 经费 运行经费 项目资金 财政资金 全部 部分 百分之 百分点
    两个 哪两个 数据 原因 方法 口径 公式 时候 时间 过程 东西 这个数
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# words jieba should keep whole in this domain
_DOMAIN_WORDS = ("管理办法", "实施细则", "调整程序", "预算调整", "评价等级", "绩效目标", "绩效评价")

_UNIT_SUFFIX = re.compile(r"[（(][^）)]*[）)]$")
_FOOTNOTE = re.compile(r"[¹²³⁴⁵⁶⁷⁸⁹⁰]+")


def clean_header(text: str) -> str:
    """'接听量（万次）' -> '接听量'; '工资福利 支出总额' -> '工资福利支出总额'; footnote marks dropped."""
    t = normalize_space(_FOOTNOTE.sub("", str(text))).replace(" ", "")
    t = _UNIT_SUFFIX.sub("", t)
    return t.strip("：: ")


@dataclass
class Lexicon:
    concepts: list[Concept]
    headers: set[str] = field(default_factory=set)  # cleaned row/column headers and captions
    titles: dict[str, str] = field(default_factory=dict)  # doc_id -> title
    doc_kinds: dict[str, str] = field(default_factory=dict)  # doc_id -> report | policy
    doc_years: dict[str, int | None] = field(default_factory=dict)
    # concept -> (operation, numerator, denominator) the documents' own tables prove (learned.py)
    learned: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._synonyms: list[tuple[str, Concept]] = sorted(
            ((s, c) for c in self.concepts for s in c.synonyms), key=lambda sc: -len(sc[0])
        )
        # the lexicon's own segmenter: the words it teaches stay with it, never in the process-wide
        # jieba, so an answer does not depend on which other documents this process has read
        self.segmenter = _segmenter(
            tuple(sorted({s for s, _ in self._synonyms} | set(self.headers) | set(_DOMAIN_WORDS)))
        )

    # ---- lookups ------------------------------------------------------------------------
    def concept(self, key: str) -> Concept | None:
        return next((c for c in self.concepts if c.key == key), None)

    def concepts_in(self, text: str) -> list[tuple[Concept, str, int]]:
        """Concepts named in `text` (longest synonym first, no overlaps): (concept, surface, position)."""
        taken: list[tuple[int, int]] = []
        found: list[tuple[Concept, str, int]] = []
        for syn, c in self._synonyms:
            start = text.find(syn)
            while start >= 0:
                end = start + len(syn)
                if not any(s < end and start < e for s, e in taken):
                    taken.append((start, end))
                    if all(f[0].key != c.key for f in found):
                        found.append((c, syn, start))
                start = text.find(syn, end)
        return sorted(found, key=lambda f: f[2])

    def headers_in(self, text: str) -> list[str]:
        """Table headers named in `text`, longest first, no overlaps (a question naming "话务岗")."""
        taken: list[tuple[int, int]] = []
        out: list[str] = []
        for h in sorted(self.headers, key=len, reverse=True):
            if len(h) < 2:
                continue
            start = text.find(h)
            if start < 0:
                continue
            end = start + len(h)
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            out.append(h)
        return out

    @property
    def derived(self) -> dict[str, tuple[str, str, str]]:
        """Figures computed from two others of the same year: the field's and the documents' own."""
        return {**DERIVED, **self.learned}

    @property
    def ratios(self) -> dict[str, tuple[str, str]]:
        """A document's quotient figures: what a multi-year baseline of one is computed from."""
        return {k: (num, den) for k, (_op, num, den) in self.learned.items()}

    def policy_doc_ids(self) -> list[str]:
        return [d for d, k in self.doc_kinds.items() if k == "policy"]

    def report_doc_ids(self) -> list[str]:
        return [d for d, k in self.doc_kinds.items() if k != "policy"]

    def years(self) -> set[int]:
        return {y for y in self.doc_years.values() if y}


_jieba_lock = threading.Lock()


@dataclass(frozen=True)
class Segmenter:
    """A private jieba dictionary: the base one plus a lexicon's words."""

    tokenizer: Any
    pos: Any


@functools.lru_cache(maxsize=8)
def _segmenter(words: tuple[str, ...]) -> Segmenter:
    import jieba.posseg

    from service.search.tokenizer import _base_tokenizer

    base = _base_tokenizer(None)
    tk = jieba.Tokenizer(base.dictionary)
    tk.FREQ = dict(base.FREQ)
    tk.total = base.total
    tk.initialized = True
    for w in words:
        if w and not re.fullmatch(r"[\d.]+", w):
            tk.add_word(w, freq=200000)
    return Segmenter(tk, jieba.posseg.POSTokenizer(tk))


# the segmenter of the lexicon an answer is being written with (set by the answerer for the
# duration of one answer); outside an answer, jieba's own dictionary
current_segmenter: contextvars.ContextVar[Segmenter | None] = contextvars.ContextVar(
    "current_segmenter", default=None
)


def segment(text: str) -> list[str]:
    seg = current_segmenter.get()
    words = seg.tokenizer.lcut(text) if seg is not None else jieba.lcut(text)
    return [t for t in words if t.strip()]


def cut_for_search(text: str) -> list[str]:
    seg = current_segmenter.get()
    return list(seg.tokenizer.cut_for_search(text) if seg is not None else jieba.cut_for_search(text))


def segment_pos(text: str) -> list[tuple[str, str]]:
    """(word, part-of-speech flag) pairs; the lexicon's own words come back as "x"."""
    import jieba.posseg

    seg = current_segmenter.get()
    with _jieba_lock:
        pairs = seg.pos.lcut(text) if seg is not None else jieba.posseg.lcut(text)
        return [(p.word, p.flag) for p in pairs if p.word.strip()]


# ---------------------------------------------------------------------------------------------
# building


def registry_concepts(registry: Any) -> list[Concept]:
    """Extra synonyms from the metrics registry: each spec's Chinese name and synonyms, where present.

    A registry name that maps onto a base concept extends it; others become concepts of their own
    (a rate when the unit is %)."""
    out: list[Concept] = []
    if not registry:
        return out
    for name, spec in dict(registry).items():
        zh = str(getattr(spec, "name_zh", "") or "")
        syns = tuple(str(s) for s in (getattr(spec, "synonyms", None) or ()) if s)
        words = tuple(w for w in (zh, *syns) if w and len(w) >= 2)
        if not words:
            continue
        unit = str(getattr(spec, "unit", "") or "")
        out.append(
            Concept(words[0], words, words, "rate" if unit == "%" or zh.endswith("率") else "amount", name)
        )
    return out


def merge_concepts(base: tuple[Concept, ...], extra: list[Concept]) -> list[Concept]:
    """Registry words join the base concept they overlap with; the rest are added as new concepts."""
    merged = {c.key: c for c in base}
    for e in extra:
        target = next(
            (c for c in merged.values() if any(w in c.synonyms or w == c.key for w in e.synonyms)), None
        )
        if target is not None:
            syns = tuple(dict.fromkeys(target.synonyms + tuple(w for w in e.synonyms if _safe_synonym(w))))
            merged[target.key] = Concept(
                target.key, syns, target.match, target.kind, target.metric or e.metric
            )
        elif e.key not in merged and all(_safe_synonym(w) for w in e.synonyms):
            merged[e.key] = e
    return list(merged.values())


def _safe_synonym(word: str) -> bool:
    # registry synonyms are for people; very short or English words would match too much in questions
    return len(word) >= 3 and not re.search(r"[A-Za-z]", word)
