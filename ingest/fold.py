"""Folding text for matching only: traditional characters to simplified ones, and the pinyin some
mirror sites put after each character ("評(píng)價(jià)" -> "评价"), so a question in simplified Chinese
finds a figure labelled in traditional. Quotes and citations keep the document's own text; only what
is compared (a fact's description and labels) is folded.

The character table is OpenCC's TSCharacters (Apache-2.0), shipped in the opencc-python-reimplemented
wheel; a character with several simplified forms takes the first.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

# a run of pinyin letters with tone marks in brackets right after a Han character
_PINYIN = re.compile(
    r"(?<=[\u3400-\u4dbf\u4e00-\u9fff])[(（]\s*[a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]+\s*[)）]"
)
_TONE_MARKS = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]")


@functools.lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    try:
        text = (resources.files("opencc") / "dictionary" / "TSCharacters.txt").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):  # pragma: no cover - a declared dependency
        return {}
    table: dict[int, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 2 and len(parts[0]) == 1 and parts[1]:
            simplified = parts[1].split(" ")[0]
            if len(simplified) == 1 and simplified != parts[0]:
                table[ord(parts[0])] = simplified
    return table


def fold(text: str) -> str:
    """The text as a simplified-Chinese reader would match it: pinyin glosses dropped (only bracketed
    runs with a tone mark, so "(GDP)" stays), traditional characters simplified."""
    if not text:
        return text
    text = _PINYIN.sub(lambda m: "" if _TONE_MARKS.search(m.group(0)) else m.group(0), text)
    return text.translate(_table())
