"""The retrieval-quality benchmark's split of the all-documents questions (benchmarks/quality.py):
whether a question's own words single out its document. Texts written for this test."""

from __future__ import annotations

from benchmarks.quality import Query, hit_rates, singles_out

TEXTS = {
    "a.pdf": "甲县2023年供水管网改造项目支出绩效自评报告预算执行率为98.50%",
    "b.pdf": "乙县2023年道路维修项目支出绩效自评报告预算执行率为91.20%",
}


def test_a_question_whose_words_are_in_every_document_singles_out_none() -> None:
    assert not singles_out("这个项目的预算执行率是多少？", {"a.pdf"}, TEXTS)
    assert not singles_out("2023年的自评报告怎么说", {"b.pdf"}, TEXTS)


def test_a_phrase_or_number_printed_only_in_the_evidence_document_singles_it_out() -> None:
    assert singles_out("供水管网改造花了多少", {"a.pdf"}, TEXTS)
    assert singles_out("执行率是98.50%吗", {"a.pdf"}, TEXTS)
    assert singles_out("道 路 维 修 的 执 行 率", {"b.pdf"}, TEXTS)  # whitespace is not a difference
    # printed only in another document: it singles out that one, not the evidence
    assert not singles_out("供水管网改造花了多少", {"b.pdf"}, TEXTS)
    # two characters are too few to count (水管 could be anywhere)
    assert not singles_out("水管", {"a.pdf"}, TEXTS)


def test_hit_rates_over_the_questions_a_mask_keeps() -> None:
    queries = [Query("q1", ["a.pdf"], [("a.pdf", [1])]), Query("q2", ["b.pdf"], [("b.pdf", [2])])]
    rankings = [[("a.pdf", 1, 1)], [("a.pdf", 1, 1), ("b.pdf", 2, 2)]]
    assert hit_rates(rankings, queries) == (50.0, 100.0)
    assert hit_rates(rankings, queries, only=[False, True]) == (0.0, 100.0)
    assert hit_rates(rankings, queries, only=[True, False]) == (100.0, 100.0)
