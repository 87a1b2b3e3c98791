"""Render the eval corpus sources (HTML or DOCX, kept next to the PDFs) to PDF with LibreOffice.

    python evals/corpus/build.py                       # evals/corpus and evals/sequestered
    python evals/corpus/build.py --dir evals/corpus --only some-slug

Each set directory holds `src/<slug>.html` (the excerpt exactly as published, tables as ruled
HTML tables, prose as headings and paragraphs) and gets `pdf/<slug>.pdf`. LibreOffice
(`libreoffice-writer-nogui`) and CJK fonts (`fonts-noto-cjk`) come from Debian; the page layout
is A4 as the sources set it. Stdlib only, so it runs before the project is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIRS = [ROOT / "evals" / "corpus", ROOT / "evals" / "sequestered"]
SOURCE_SUFFIXES = (".html", ".docx")


def soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if not exe:
        sys.exit(
            "需要 LibreOffice：apt-get install libreoffice-writer-nogui fonts-noto-cjk / "
            "LibreOffice is needed: apt-get install libreoffice-writer-nogui fonts-noto-cjk"
        )
    return exe


def render(sources: list[Path], out_dir: Path) -> None:
    """Convert the sources in one LibreOffice run (a private profile, so runs never collide)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as profile:
        for group in (
            [s for s in sources if s.suffix == ".html"],
            [s for s in sources if s.suffix == ".docx"],
        ):
            if not group:
                continue
            cmd = [soffice(), f"-env:UserInstallation=file://{profile}", "--headless"]
            if group[0].suffix == ".html":
                # import HTML into Writer proper (paged layout), not Writer/Web
                cmd += ["--infilter=HTML (StarWriter)"]
            cmd += ["--convert-to", "pdf:writer_pdf_Export", "--outdir", str(out_dir), *map(str, group)]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=600)
    missing = [s.name for s in sources if not (out_dir / f"{s.stem}.pdf").is_file()]
    if missing:
        sys.exit(f"未生成 PDF / no PDF produced for: {', '.join(missing)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Render eval corpus sources to PDF (LibreOffice).")
    ap.add_argument(
        "--dir", action="append", type=Path, help="a set directory (default: corpus and sequestered)"
    )
    ap.add_argument("--only", action="append", help="only this slug (repeatable)")
    args = ap.parse_args(argv)
    for set_dir in args.dir or DEFAULT_DIRS:
        src = set_dir / "src"
        if not src.is_dir():
            continue
        sources = sorted(p for p in src.iterdir() if p.suffix in SOURCE_SUFFIXES)
        if args.only:
            sources = [p for p in sources if p.stem in args.only]
        if sources:
            render(sources, set_dir / "pdf")
            print(
                f"{set_dir.relative_to(ROOT) if set_dir.is_relative_to(ROOT) else set_dir}: {len(sources)} PDF"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
