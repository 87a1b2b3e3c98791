"""Search over the stores: hybrid retrieval (Chroma vectors + BM25 over jieba tokens with the
glossary's terms), figure lookup in table cells, and the fact index (every number of every
document, read with the glossary) that the general answerer and the `find_facts` tool query."""
