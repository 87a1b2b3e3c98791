"""Fuzz the ingest pipeline: a seeded mutator over the fixture PDFs and hostile generated ones.

    python tools/fuzz_ingest.py --seconds 600 --seed 20261202      (what `make fuzz` runs)

Each case (a mutated PDF) goes through what ingest does with a file's bytes — `read_pdf` (checks,
decryption, hidden-text filter, page text), `extract_tables`, `build_chunks`, `extract_facts` — in
a worker subprocess, with a time budget per case (`--case-seconds`) and a memory ceiling. Outcomes:

- ok:       the file was read;
- refusal:  a `JixiaoError` (bad document, needs OCR, password) whose message says what is wrong
            in words — a message naming an internal exception counts as a crash;
- crash:    any other exception, or the worker died (segfault, out of memory);
- hang:     over the budget; the worker is killed and restarted.

Crashing and hanging inputs are saved under `--out` (default `fuzz-out/`) with a JSON summary, to be
replayed with `--replay FILE`. Exit code 1 when any case crashed or hung. The embedding model and
the stores are not involved: they only ever see text.

The hostile seeds come from `tests/hostile_pdfs.py` (deep nesting, circular references, bombs,
hidden text, injections), so the fuzzer and the fixed corpus `make test` runs share one source.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import select
import subprocess
import sys
import tempfile
import time
import traceback
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
RESULT = "@@fuzz-result "
MEMORY_LIMIT = 1_500_000_000  # bytes of address space for the worker
INTERNALS = re.compile(r"Error\b|Exception|Traceback|IndirectObject|NotImplemented|0x[0-9a-f]{6,}")

TOKENS = [
    b"<<", b">>", b"[", b"]", b"(", b")", b"R", b" 0 R", b"obj", b"endobj", b"stream\n", b"\nendstream",
    b"/Length 999999999", b"/Length -1", b"/Filter /FlateDecode", b"/Type /Page", b"/Kids [1 0 R]",
    b"/Parent 1 0 R", b"/Count -5", b"%%EOF", b"xref", b"trailer", b"startxref", b"1e308", b"-1",
    b"2147483648", b"NaN", b"q", b"Q", b"BT", b"ET", b"3 Tr", b"1 1 1 rg", b"0.1 Tf", b"Tj", b"TJ",
    b"/Encrypt 1 0 R", b"\x00", b"\xff\xfe", b"/ToUnicode 1 0 R", b"Do", b"/XObject", b"cm",
]  # fmt: skip
OPS = [
    b"q ", b"Q ", b"1 1 1 rg ", b"0 g ", b"3 Tr ", b"0 Tr ", b"/F1 0.3 Tf ", b"/F1 12 Tf ", b"BT ", b"ET ",
    b"1 0 0 1 -900 0 cm ", b"0 0 0 0 0 0 cm ", b"(\xe9\x87\x91\xe9\xa2\x9d) Tj ", b"[(x) -300 (y)] TJ ",
    b"1e400 0 Td ", b"/X1 Do ", b"0 0 0 0 k ", b"/GS1 gs ", b"T* ", b"(a) ' ",
]  # fmt: skip


# ---- seeds ------------------------------------------------------------------------------------


def seeds(workdir: Path) -> dict[str, bytes]:
    """The fixture PDFs and the hostile generated ones, by name."""
    sys.path.insert(0, str(ROOT / "tests"))
    import hostile_pdfs as h

    out = {p.name: p.read_bytes() for p in sorted(FIXTURES.glob("*.pdf"))}
    out.update({f"{name}.pdf": data for name, data in h.hostile_files().items()})
    for variant in ["visible", *h.HIDDEN_VARIANTS]:
        out[f"hidden_{variant}.pdf"] = h.hidden_text_pdf(
            workdir / f"hidden_{variant}.pdf", variant
        ).read_bytes()
    out["injection_visible.pdf"] = h.injection_pdf(workdir / "inj_v.pdf").read_bytes()
    out["injection_hidden.pdf"] = h.injection_pdf(workdir / "inj_h.pdf", hidden=True).read_bytes()
    return out


# ---- mutations --------------------------------------------------------------------------------

_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def _mutate_stream(rng: random.Random, data: bytes) -> bytes:
    """Decompress one FlateDecode stream, mutate its operators, compress it back."""
    found = list(_STREAM.finditer(data))
    rng.shuffle(found)
    for m in found[:5]:
        try:
            inner = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        for _ in range(rng.randint(1, 4)):
            pos = rng.randint(0, len(inner))
            if rng.random() < 0.6:
                inner = inner[:pos] + rng.choice(OPS) * rng.choice((1, 1, 3, 500)) + inner[pos:]
            else:
                inner = inner[:pos] + inner[pos + rng.randint(1, 64) :]
        packed = zlib.compress(inner)
        head = data[: m.start(1)]
        length = list(re.finditer(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", head[-400:]))
        if length:  # keep the stream's /Length true, so the mutant gets past the parser's first look
            at = len(head) - 400 + length[-1].start(1) if len(head) > 400 else length[-1].start(1)
            head = head[:at] + str(len(packed)).encode() + head[at + len(length[-1].group(1)) :]
        return head + packed + data[m.end(1) :]
    return _flip(rng, data)


def _flip(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf)


def _token(rng: random.Random, data: bytes) -> bytes:
    pos = rng.randint(0, len(data))
    return data[:pos] + rng.choice(TOKENS) * rng.choice((1, 1, 2, 50, 5000)) + data[pos:]


def _number(rng: random.Random, data: bytes) -> bytes:
    numbers = list(re.finditer(rb"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", data[:200_000]))
    if not numbers:
        return _flip(rng, data)
    m = rng.choice(numbers)
    new = rng.choice(
        [b"0", b"-1", b"99999999999", b"1e308", b"3.4e38", b"-0", b"7", str(rng.randint(0, 9)).encode()]
    )
    return data[: m.start()] + new + data[m.end() :]


def _cut(rng: random.Random, data: bytes) -> bytes:
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.choice((1, 16, 256, 4096)))
    if rng.random() < 0.5:
        return data[:a] + data[b:]  # delete a chunk
    return data[:b] + data[a:b] * rng.choice((2, 8)) + data[b:]  # duplicate it


def _splice(rng: random.Random, data: bytes, other: bytes) -> bytes:
    a, b = rng.randrange(len(data)), rng.randrange(len(other))
    return data[:a] + other[b:]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    cut = data[: rng.randrange(len(data))]
    return cut + (b"\n%%EOF\n" if rng.random() < 0.7 else b"")


MUTATORS = [_mutate_stream, _mutate_stream, _flip, _token, _token, _number, _number, _cut, _truncate]


def mutate(rng: random.Random, corpus: list[bytes]) -> bytes:
    data = rng.choice(corpus)
    for _ in range(rng.choice((1, 1, 2, 3))):
        if rng.random() < 0.08:
            data = _splice(rng, data, rng.choice(corpus))
        else:
            data = rng.choice(MUTATORS)(rng, data)
        if not data:
            data = b"%PDF-1.4\n%%EOF\n"
    return data


# ---- the worker -------------------------------------------------------------------------------


def worker() -> None:
    """Read case paths from stdin, one a line; print one RESULT line per case."""
    import logging
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    logging.disable(logging.CRITICAL)
    sys.setrecursionlimit(3000)
    from ingest.chunk import build_chunks
    from ingest.errors import JixiaoError
    from ingest.facts import extract_facts
    from ingest.pdf import read_pdf
    from ingest.tables import extract_tables

    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # a library's print never mixes with results
    out.write(RESULT + json.dumps({"ready": True}) + "\n")
    for line in sys.stdin:
        path = Path(line.strip())
        result: dict = {"path": str(path)}
        try:
            content = read_pdf(path)
            tables = extract_tables(path, doc_id="fuzz", pages=content.pages)
            build_chunks(
                doc_id="fuzz", title=content.title, year=content.year, pages=content.pages, tables=tables
            )
            extract_facts("fuzz", content.pages, tables, year=content.year)
            result.update(outcome="ok", hidden=content.hidden.total)
        except JixiaoError as err:
            bad = INTERNALS.search(err.message)
            result.update(
                outcome="crash" if bad else "refusal", kind=type(err).__name__, message=err.message[:300]
            )
            if bad:
                result["why"] = "the refusal names an internal exception"
        except BaseException as err:
            result.update(
                outcome="crash",
                kind=type(err).__name__,
                message=str(err)[:300],
                trace=traceback.format_exc()[-1500:],
            )
        out.write(RESULT + json.dumps(result, ensure_ascii=False) + "\n")


class Worker:
    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_WAIT_POLICY": "PASSIVE"}
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=ROOT,
        )
        ready = self._read(120)
        if not ready or not ready.get("ready"):
            raise RuntimeError("the fuzz worker did not start")

    def _read(self, timeout: float) -> dict | None:
        assert self.proc is not None and self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                return None
            line = self.proc.stdout.readline()
            if not line:
                return {"outcome": "crash", "kind": "WorkerDied", "message": f"exit code {self.proc.wait()}"}
            if line.startswith(RESULT):
                return json.loads(line[len(RESULT) :])

    def run(self, path: Path, budget: float) -> dict:
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(f"{path}\n")
        self.proc.stdin.flush()
        result = self._read(budget)
        if result is None:
            self.stop()
            return {"outcome": "hang", "message": f"over {budget:g} s"}
        if result.get("kind") == "WorkerDied":
            self.proc = None
        return result

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()  # our own child, by its handle
            self.proc.wait()
            self.proc = None


# ---- the driver -------------------------------------------------------------------------------


def fuzz(seconds: float, seed: int, case_seconds: float, out: Path, max_cases: int | None = None) -> dict:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    findings: list[dict] = []
    started = time.monotonic()
    runner = Worker()
    with tempfile.TemporaryDirectory(prefix="jixiao-fuzz-") as tmp:
        workdir = Path(tmp)
        corpus = seeds(workdir)
        names = list(corpus)
        # every seed once as it is, then mutants until the time is up
        queue: list[tuple[str, bytes]] = [(f"seed-{n}", corpus[n]) for n in names]
        case = 0
        try:
            while time.monotonic() - started < seconds and (max_cases is None or case < max_cases):
                label, data = (
                    queue.pop(0) if queue else (f"mutant-{case:06d}", mutate(rng, list(corpus.values())))
                )
                path = workdir / "case.pdf"
                path.write_bytes(data)
                result = runner.run(path, case_seconds)
                outcome = result["outcome"]
                counts[outcome] += 1
                if outcome in ("crash", "hang"):
                    kinds[f"{outcome}:{result.get('kind', '')}"] += 1
                    saved = out / outcome / f"{label}.pdf"
                    saved.parent.mkdir(exist_ok=True)
                    saved.write_bytes(data)
                    findings.append({"case": label, "file": str(saved), **result})
                elif outcome == "refusal":
                    kinds[f"refusal:{result.get('kind', '')}"] += 1
                case += 1
        finally:
            runner.stop()
    summary = {
        "seed": seed,
        "seconds": round(time.monotonic() - started, 1),
        "case_budget_seconds": case_seconds,
        "cases": sum(counts.values()),
        "ok": counts["ok"],
        "refusals": counts["refusal"],
        "crashes": counts["crash"],
        "hangs": counts["hang"],
        "by_kind": dict(sorted(kinds.items())),
        "findings": findings[:200],
    }
    (out / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("FUZZ_SECONDS", 600)))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 20261202)))
    parser.add_argument("--case-seconds", type=float, default=20.0, help="time budget per case")
    parser.add_argument("--max-cases", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "fuzz-out")
    parser.add_argument("--replay", type=Path, help="run one saved case and print its outcome")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker()
        return 0
    if args.replay:
        runner = Worker()
        try:
            print(json.dumps(runner.run(args.replay, args.case_seconds), ensure_ascii=False, indent=2))
        finally:
            runner.stop()
        return 0
    s = fuzz(args.seconds, args.seed, args.case_seconds, args.out, args.max_cases)
    print(
        f"模糊测试 / fuzz: {s['cases']} 个用例 cases in {s['seconds']} s (seed {s['seed']}): "
        f"{s['ok']} 读取成功 ok, {s['refusals']} 明确拒绝 refusals, "
        f"{s['crashes']} 崩溃 crashes, {s['hangs']} 超时 hangs (> {s['case_budget_seconds']:g} s)"
    )
    for kind, n in s["by_kind"].items():
        print(f"  {kind}: {n}")
    for f in s["findings"][:20]:
        print(f"  ! {f['outcome']} {f.get('kind', '')}: {f.get('message', '')[:160]} -> {f['file']}")
    print(f"详情 / details: {args.out / 'summary.json'}")
    return 1 if s["crashes"] or s["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
