"""Search routed by document identity in a bureau's store (#13). `python -m benchmarks.routing`

A store of generated 自评表 (evals/generator/portfolio, fixed seed: `UNITS` units × `YEARS` years,
forms of one layout and vocabulary, as a bureau's batch is), each asked questions that name its unit
and year ("某县文化和旅游局2020年的全年预算数是多少？"). A form is one sheet, so a hit is a passage of
the named form: document hit@1 / hit@5 of the search with no scope, without and with the
`DocumentRouter` (`Retriever(router=…)`, what `build_assistant` wires), measured in the same run, and
the router's own time per query. The questions name their form by the generator's unit and year;
nothing here reads the forms' contents to write them.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks import Rows, print_rows

SEED = 20261203
UNITS, YEARS = 17, 3  # 51 forms
K = 5
QUESTIONS = (
    "{unit}{year}年的全年预算数是多少？",
    "{unit}{year}年自评总分是多少？",
    "{unit}{year}年预算执行率多少",
)


def _rates(ranks: list[int | None]) -> str:
    n = len(ranks) or 1
    hit1 = 100 * sum(r == 1 for r in ranks) / n
    hit5 = 100 * sum(r is not None for r in ranks) / n
    return f"{hit1:.1f}% / {hit5:.1f}% ({len(ranks)} questions)"


def _p(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def run() -> Rows:
    from evals.generator import portfolio as gen
    from evals.generator.formats import write_xlsx
    from ingest.index import file_identity, ingest_paths
    from ingest.store import Store
    from service.config import Settings
    from service.portfolio.scope import DocumentRouter
    from service.search.retrieval import Retriever

    forms = gen.build(SEED, units=UNITS, years=YEARS)
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-routing-") as tmp:
        root = Path(tmp)
        paths = [write_xlsx([f], root / name) for name, f in forms]
        settings = Settings(data_dir=root / "data")
        started = time.perf_counter()
        ingest_paths(settings, paths)
        ingest_s = time.perf_counter() - started
        ids = {p.name: file_identity(p)[0] for p in paths}
        plain_ranks: list[int | None] = []
        routed_ranks: list[int | None] = []
        routed_to: list[int] = []
        route_s: list[float] = []
        with Store.open(settings) as store:
            router = DocumentRouter(store)
            plain = Retriever(store, settings)
            routed = Retriever(store, settings, router=router)
            plain.refresh()
            routed.refresh()
            for name, f in forms:
                for template in QUESTIONS:
                    q = template.format(unit=f.agency, year=f.year)
                    for retriever, ranks in ((plain, plain_ranks), (routed, routed_ranks)):
                        docs = [h.chunk.doc_id for h in retriever.search(q, k=K)]
                        ranks.append(docs.index(ids[name]) + 1 if ids[name] in docs else None)
                    started = time.perf_counter()
                    chosen = router(q)
                    route_s.append(time.perf_counter() - started)
                    routed_to.append(len(chosen or ()))
    return [
        (
            "store",
            f"{len(forms)} generated forms ({UNITS} units × {YEARS} years), ingested in {ingest_s:.0f} s",
        ),
        ("questions", f"{len(plain_ranks)}, each naming its form's unit and year"),
        ("document hit@1 / hit@5, no scope, unrouted", _rates(plain_ranks)),
        ("document hit@1 / hit@5, no scope, routed by identity", _rates(routed_ranks)),
        (
            "documents a question was routed to (median, max)",
            f"{sorted(routed_to)[len(routed_to) // 2]}, {max(routed_to)}",
        ),
        (
            "router time per query p50 / p95",
            f"{1000 * _p(route_s, 0.5):.2f} / {1000 * _p(route_s, 0.95):.2f} ms",
        ),
    ]


if __name__ == "__main__":
    print_rows("routing", run())
