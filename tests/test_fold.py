"""Folding for matching (ingest/fold.py): traditional characters and pinyin glosses do not keep a
simplified question from a figure; what citations quote is never changed."""

from __future__ import annotations

from ingest.facts import Fact
from ingest.fold import fold
from ingest.glossary import load_glossary
from service.search.facts import index_fact


def test_traditional_characters_and_pinyin_glosses_fold_to_simplified() -> None:
    assert fold("評(píng)價(jià)準(zhǔn)則") == "评价准则"
    assert fold("項目績效") == "项目绩效"
    assert fold("國內生產總值(GDP)") == "国内生产总值(GDP)"  # a bracketed abbreviation is no gloss
    assert fold("预算执行率") == "预算执行率"  # simplified text is unchanged
    assert fold("") == ""


def test_a_traditional_cell_is_matched_by_its_simplified_words_and_quoted_as_printed() -> None:
    g = load_glossary()
    quote = "項目績效｜100%｜/｜82.68"
    fact = Fact(
        id="d:f00000", doc_id="d", value="82.68", unit="", description="項目績效 加權平均得分",
        context=quote, page=1, quote=quote, source="table", period=2024, table_id="d:t00",
        row_index=5, col_index=3, row_path=("項目績效",), col_path=("加權平均得分",),
    )  # fmt: skip
    item = index_fact(fact, "亞洲開發銀行貸款項目績效評價", g)
    assert item.fact.row_path == ("项目绩效",) and item.fact.col_path == ("加权平均得分",)
    assert "indicator_score" in item.concepts  # 得分, read in simplified, is a score
    assert item.fact.quote == quote  # the citation shows the document's own characters
    assert item.title == "亚洲开发银行贷款项目绩效评价"


def test_search_tokens_of_a_traditional_text_are_its_simplified_words() -> None:
    from service.search.tokenizer import base_domain_words, tokenizer_for

    tk = tokenizer_for(base_domain_words())
    traditional = tk.tokens("項(xiàng)目績(jī)效評(píng)價(jià)得分")
    assert traditional == tk.tokens("项目绩效评价得分")
    assert "评价" in traditional
