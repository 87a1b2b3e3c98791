"""Search quality against the standard LangChain recipe (#13, #17). `python -m benchmarks.quality`

Over the corpus eval cases (`evals/corpus/cases`; never the sequestered set) that are single
questions naming their evidence pages in PDF documents: hit@1 (an evidence page is the first
passage) and hit@5 (among the first five), with every document in one store ("all documents")
and with each question scoped to its own documents ("one document", as the widget's picker or
`document_ids` does), and "naming": the all-documents ranking of the questions that name their
document (the `unscoped` cases; the others say 这个项目 and are ambiguous with many documents
loaded, see `evals/runner.py`), and the all-documents ranking split by whether the question's own
words single out its document (`singles_out`). Measured in the same run:
- jixiao: hybrid (what `Retriever.search` returns), and its dense and BM25 sides alone;
- the peer recipe: PyPDFLoader pages, RecursiveCharacterTextSplitter(750, 150), Chroma with the
  same embedding model (e5 query/passage prefixes), BM25Retriever (jieba words, as a Chinese
  deployment would pass; its default whitespace split finds nothing in Chinese) and
  EnsembleRetriever (weighted RRF of both, weights 0.5/0.5, its default).
`fusion_table()` also scores fusion variants (weights, per-side depth, a query-type switch) over
the same cached candidate lists, each spread over pages in the all-documents setting as the
retriever does (`spread_pages`): how the defaults in `service.search.retrieval` were chosen.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import Rows, print_rows

K = 5
DEPTH = 30  # candidates per side, as `Retriever.search_ranked` fetches for k <= 10


@dataclass
class Query:
    question: str
    scope: list[str]  # the case's document file names
    relevant: list[tuple[str, list[int]]]  # (file name, evidence pages)
    names_document: bool = False  # an `unscoped` case: the question names its document


def corpus_queries() -> tuple[list[Query], list[Path]]:
    from evals.runner import documents_for, resolve_documents
    from evals.sets import corpus_set, load_set

    eval_set = corpus_set()
    cases = [
        c
        for c in load_set(eval_set)
        if not c.is_conversation
        and c.expect.get("citations")
        and all(d.endswith(".pdf") for d in c.documents)
    ]
    queries = []
    for c in cases:
        relevant = [
            (
                spec["doc"],
                [int(p) for p in (spec["page"] if isinstance(spec["page"], list) else [spec["page"]])],
            )
            for spec in c.expect["citations"]
        ]
        queries.append(Query(c.question, list(c.documents), relevant, c.unscoped))
    paths = resolve_documents(documents_for(cases), documents_dirs=eval_set.documents_dirs)
    return queries, paths


Ranked = list[tuple[str, int, int]]  # (file name, first page, last page)

SINGLE_MIN = 3  # characters of a question's run of Chinese (digits of a number) that may single out


def document_texts(paths: list[Path]) -> dict[str, str]:
    """Each document's text as pypdf reads it (NFKC, whitespace removed), by file name."""
    from pypdf import PdfReader

    return {p.name: _plain("".join(page.extract_text() or "" for page in PdfReader(p).pages)) for p in paths}


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def singles_out(question: str, evidence: set[str], texts: dict[str, str]) -> bool:
    """Whether the question's own words single out its document among all those loaded: some piece
    of it (`SINGLE_MIN` or more consecutive Chinese characters, or a number of that many digits) is
    printed in one of its evidence documents and in no other. A question that says 这个项目 and asks
    what every report states (预算执行率是多少) does not, and in the all-documents setting its
    evidence page can only be first by chance. Plain substrings of pypdf's text, not jixiao's
    tokenizer: the split does not judge jixiao with its own code."""
    q = _plain(question)
    pieces = {m for m in re.findall(r"\d+(?:\.\d+)?", q) if len(m.replace(".", "")) >= SINGLE_MIN}
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]+", q):
        pieces |= {run[i : i + SINGLE_MIN] for i in range(len(run) - SINGLE_MIN + 1)}
    others = [t for name, t in texts.items() if name not in evidence]
    return any(
        any(p in texts[d] for d in evidence if d in texts) and not any(p in t for t in others) for p in pieces
    )


def hit_rates(
    rankings: list[Ranked],
    queries: list[Query],
    *,
    naming_only: bool = False,
    only: list[bool] | None = None,
) -> tuple[float, float]:
    """(hit@1, hit@5) in percent; `naming_only`: over the questions that name their document;
    `only`: over the questions it marks True."""
    from evals.runner import rank_of_first_relevant

    keep = only if only is not None else [True] * len(queries)
    pairs = [
        (r, q)
        for r, q, k in zip(rankings, queries, keep, strict=True)
        if k and (q.names_document or not naming_only)
    ]
    ranks = [rank_of_first_relevant(r[:K], q.relevant) for r, q in pairs]
    n = len(pairs) or 1
    return 100 * sum(r == 1 for r in ranks) / n, 100 * sum(r is not None for r in ranks) / n


# ---- jixiao ---------------------------------------------------------------------------------
@dataclass
class Candidates:
    """Each side's ranked (chunk id, score) for one query, and where each chunk sits."""

    dense: list[tuple[str, float]]
    keyword: list[tuple[str, float]]
    hybrid: list[tuple[str, float]]
    where: dict[str, tuple[str, int, int]]
    words: list[str]  # the query's plain segmentation by the retriever's tokenizer (for fuse_plan)

    def ranked(self, side: str) -> Ranked:
        """The first `K` of one side ("dense", "keyword" or "hybrid") as (file, first, last page)."""
        return _ranked([i for i, _ in getattr(self, side)[:K]], self.where)


def jixiao_candidates(paths: list[Path], queries: list[Query], tmp: Path) -> dict[str, list[Candidates]]:
    from ingest.index import file_identity, ingest_paths
    from ingest.store import Store
    from service.config import Settings
    from service.search.retrieval import Retriever

    settings = Settings(data_dir=tmp / "jixiao")
    ingest_paths(settings, paths)
    name_of = {file_identity(p)[0]: p.name for p in paths}
    id_of = {v: k for k, v in name_of.items()}
    out: dict[str, list[Candidates]] = {"all": [], "one": []}
    with Store.open(settings) as store:
        retriever = Retriever(store, settings)
        retriever.refresh()
        for q in queries:
            for setting, scope in (("all", None), ("one", [id_of[d] for d in q.scope if d in id_of])):
                dense = store.vector_search(q.question, k=DEPTH, doc_ids=scope)
                keyword = retriever.keyword_search(q.question, k=DEPTH, doc_ids=scope)
                hybrid = retriever.search(q.question, k=K, doc_ids=scope)
                where = {
                    c.id: (name_of.get(c.doc_id, c.doc_id), c.page, c.end_page or c.page)
                    for c in [h.chunk for h in dense] + [c for c, _ in keyword] + [h.chunk for h in hybrid]
                }
                out[setting].append(
                    Candidates(
                        [(h.chunk.id, h.score) for h in dense],
                        [(c.id, score) for c, score in keyword],
                        [(h.chunk.id, h.score) for h in hybrid],
                        where,
                        retriever.tokenizer.words(q.question),
                    )
                )
    return out


def _ranked(ids: list[str], where: dict[str, tuple[str, int, int]]) -> Ranked:
    return [where[i] for i in ids]


# ---- the peer recipe ------------------------------------------------------------------------
class _E5:
    """LangChain's Embeddings interface over jixiao's embedder (same model, same prefixes)."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed_passages(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text)


def peer_rankings(paths: list[Path], queries: list[Query], tmp: Path) -> dict[str, dict[str, list[Ranked]]]:
    import jieba
    from langchain_chroma import Chroma
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.document_loaders import PyPDFLoader
    from langchain_community.retrievers import BM25Retriever
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from ingest.embeddings import get_embedder
    from service.config import Settings

    class E5(_E5, Embeddings):
        pass

    splitter = RecursiveCharacterTextSplitter(chunk_size=750, chunk_overlap=150)
    docs = []
    for p in paths:
        for d in splitter.split_documents(PyPDFLoader(str(p)).load()):
            d.metadata["name"] = p.name
            docs.append(d)
    embeddings = E5(get_embedder(Settings(data_dir=tmp / "peer")))
    store = Chroma.from_documents(docs, embeddings, persist_directory=str(tmp / "peer-chroma"))

    def bm25(subset: list[Any]) -> Any:
        r = BM25Retriever.from_documents(subset, preprocess_func=jieba.lcut)
        r.k = K
        return r

    everything = bm25(docs)
    per_doc = {p.name: bm25([d for d in docs if d.metadata["name"] == p.name]) for p in paths}

    def ranked(found: list[Any]) -> Ranked:
        return [(d.metadata["name"], int(d.metadata["page"]) + 1, int(d.metadata["page"]) + 1) for d in found]

    out: dict[str, dict[str, list[Ranked]]] = {
        s: {"dense": [], "BM25": [], "RRF": []} for s in ("all", "one")
    }
    for q in queries:
        dense_all = store.as_retriever(search_kwargs={"k": K})
        names = [n for n in q.scope if n in per_doc]
        flt = {"name": names[0]} if len(names) == 1 else {"name": {"$in": names}}
        dense_one = store.as_retriever(search_kwargs={"k": K, "filter": flt})
        kw_one = (
            per_doc[names[0]] if len(names) == 1 else bm25([d for d in docs if d.metadata["name"] in names])
        )
        for setting, dense, kw in (("all", dense_all, everything), ("one", dense_one, kw_one)):
            ensemble = EnsembleRetriever(retrievers=[kw, dense], weights=[0.5, 0.5])
            out[setting]["dense"].append(ranked(dense.invoke(q.question)))
            out[setting]["BM25"].append(ranked(kw.invoke(q.question)))
            out[setting]["RRF"].append(ranked(ensemble.invoke(q.question)))
    return out


# ---- tables ---------------------------------------------------------------------------------
def _pct(pair: tuple[float, float]) -> str:
    return f"{pair[0]:.1f}% / {pair[1]:.1f}%"


def fusion_table(cands: dict[str, list[Candidates]], queries: list[Query]) -> Rows:
    """hit@1 / hit@5 of fusion variants over the cached candidates (both settings)."""
    from service.search.retrieval import FusionPlan, fuse, fuse_plan, spread_pages

    Plan = Callable[[Candidates], FusionPlan]

    def fixed(plan: FusionPlan) -> Plan:
        return lambda _c: plan

    plans: dict[str, Plan] = {"RRF 1:1, k=60, depth 30 each (before #17)": fixed(FusionPlan())}
    for wd, wk in ((1.0, 2.0), (1.0, 4.0), (1.0, 5.0), (1.0, 6.0), (2.0, 1.0)):
        plans[f"RRF dense {wd:g} : BM25 {wk:g}"] = fixed(FusionPlan(wd, wk))
    for depth in (5, 10, 20):
        plans[f"RRF 1:1, dense depth {depth}"] = fixed(FusionPlan(dense_depth=depth))
    for rrf_k in (10, 30):
        plans[f"RRF 1:1, k={rrf_k}"] = fixed(FusionPlan(k=rrf_k))
    specific_rrf = FusionPlan(1.0, 5.0, dense_depth=10)
    plans["RRF 1:5, dense depth 10"] = fixed(specific_rrf)
    plans["switch: RRF 1:5 depth 10 for a specific query, else 1:1 (before s7)"] = lambda c: (
        specific_rrf if fuse_plan(c.words).mode == "convex" else fuse_plan(c.words)
    )
    for share in (0.5, 0.6, 0.7, 0.8, 0.9):
        plans[f"convex, BM25 share {share:g}"] = fixed(FusionPlan(mode="convex", keyword_share=share))
        plans[f"switch: convex {share:g} for a specific query, else RRF 1:1"] = lambda c, x=share: (
            FusionPlan(mode="convex", keyword_share=x)
            if fuse_plan(c.words).mode == "convex"
            else fuse_plan(c.words)
        )
    plans["fuse_plan (now): convex 0.7 for a specific query, else RRF 1:1"] = lambda c: fuse_plan(c.words)

    def fused(c: Candidates, p: FusionPlan, setting: str) -> list[str]:
        ranked = fuse(p, c.dense, c.keyword)
        if setting == "all":  # as `Retriever.search_ranked` does over every document
            ranked = spread_pages(ranked, lambda i: (c.where[i][0], c.where[i][1]))
        return [i for i, _ in ranked[:K]]

    rows: Rows = []
    for label, plan in plans.items():
        rates = {
            s: hit_rates(
                [_ranked(fused(c, plan(c), s), c.where) for c in cands[s]],
                queries,
            )
            for s in ("all", "one")
        }
        rows.append((f"fusion: {label}", f"all {_pct(rates['all'])} | one {_pct(rates['one'])}"))
    return rows


def run() -> Rows:
    queries, paths = corpus_queries()
    texts = document_texts(paths)
    single = [singles_out(q.question, {d for d, _ in q.relevant}, texts) for q in queries]
    naming = sum(q.names_document for q in queries)
    rows: Rows = [
        ("cases", f"{len(queries)} single questions with evidence pages over {len(paths)} PDF documents"),
        ("columns", "hit@1 / hit@5, all documents in one store | each question scoped to its documents"),
        ("naming", f"all documents, the {naming} questions that name their document (unscoped cases)"),
        (
            "singled out / not",
            f"all documents, the {sum(single)} questions with {SINGLE_MIN}+ characters (or digits) printed in "
            f"their evidence document and in no other (pypdf text) / the {len(single) - sum(single)} others",
        ),
    ]
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-quality-") as tmp:
        cands = jixiao_candidates(paths, queries, Path(tmp))
        peer = peer_rankings(paths, queries, Path(tmp))

    def value(ranked: dict[str, list[Ranked]]) -> str:
        rates = {s: hit_rates(ranked[s], queries) for s in ("all", "one")}
        named = hit_rates(ranked["all"], queries, naming_only=True)
        singled = hit_rates(ranked["all"], queries, only=single)
        rest = hit_rates(ranked["all"], queries, only=[not x for x in single])
        return (
            f"all {_pct(rates['all'])} | one {_pct(rates['one'])} | naming {_pct(named)} | "
            f"singled out {_pct(singled)} / not {_pct(rest)}"
        )

    for label, side in (("hybrid", "hybrid"), ("dense only", "dense"), ("BM25 only", "keyword")):
        rows.append(
            (
                f"jixiao {label}",
                value({s: [c.ranked(side) for c in cands[s]] for s in ("all", "one")}),
            )
        )
    for label in ("RRF", "dense", "BM25"):
        rows.append((f"LangChain recipe {label}", value({s: peer[s][label] for s in ("all", "one")})))
    return rows + fusion_table(cands, queries)


if __name__ == "__main__":
    print_rows("quality", run())
