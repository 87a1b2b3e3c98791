"""jixiao ingest: PDFs -> pages -> cleaned text, sections, tables -> chunks + table cells -> stores.

`ingest` owns the stores (manifest, Chroma collection, table store), the embedding backends and the
storage settings. `service` reads the stores only through `ingest.store.Store`.
"""
