"""Make a scanned copy of a PDF: every page rasterised (pypdfium2), turned by a small random angle,
speckled with noise, saved as JPEG and written back as an image-only PDF (no text layer).

Reproducible: the same input, dpi and seed give the same pages. Used to measure OCR end to end:
the development eval cases run on the scanned copy of the sample report (`--documents-dir`).

    python tools/make_scanned_copy.py tests/fixtures/report_2020_8890.pdf OUT_DIR/report_2020_8890.pdf --seed 14
"""

from __future__ import annotations

import argparse
import io
import random
from pathlib import Path


def scanned_copy(src: Path, dest: Path, *, dpi: int = 150, seed: int = 14, max_skew: float = 1.5) -> int:
    """Write the scanned copy; returns the number of pages."""
    import numpy as np
    import pypdfium2
    from PIL import Image

    rng = random.Random(seed)
    noise = np.random.default_rng(seed)
    pdf = pypdfium2.PdfDocument(str(src))
    pages: list[Image.Image] = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
            page.close()
            image = image.rotate(rng.uniform(-max_skew, max_skew), resample=Image.BICUBIC, fillcolor=255)
            pixels = np.asarray(image, dtype=np.int16)
            pixels = pixels + noise.normal(0, 12, pixels.shape).astype(np.int16)
            specks = noise.random(pixels.shape) < 0.002  # dust
            pixels[specks] = 40
            image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=60)
            pages.append(Image.open(io.BytesIO(buffer.getvalue())))
    finally:
        pdf.close()
    dest.parent.mkdir(parents=True, exist_ok=True)
    pages[0].save(dest, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    count = scanned_copy(args.src, args.dest, dpi=args.dpi, seed=args.seed)
    print(f"{count} pages -> {args.dest}")


if __name__ == "__main__":
    main()
