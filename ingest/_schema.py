"""SQL schema of the manifest, page text, chunks, tables and cells (SQLAlchemy Core).

Portable SQL only: the default URL is a SQLite file in the data dir, a PostgreSQL URL works by
configuration. Numbers stay exact: a cell's value is Decimal *text*, never a float column.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

documents = Table(
    "documents",
    metadata,
    Column("doc_id", String(64), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("path", Text, nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("year", Integer, nullable=True),
    Column("kind", String(16), nullable=False, default="report"),
    Column("pages", Integer, nullable=False, default=0),
    Column("chunks", Integer, nullable=False, default=0),
    Column("tables", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),
    Column("message", Text, nullable=False, default=""),
    Column("chunker_version", String(64), nullable=False, default=""),
    Column("embedding_version", String(128), nullable=False, default=""),
    Column("ingested_at", String(40), nullable=False, default=""),
    Column("seconds", Float, nullable=False, default=0.0),
    Index("ix_documents_status", "status"),
    Index("ix_documents_path", "path"),
)

pages = Table(
    "pages",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), primary_key=True),
    Column("page", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("has_text_layer", Boolean, nullable=False, default=True),
)

chunks = Table(
    "chunks",
    metadata,
    Column("id", String(96), primary_key=True),
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("page", Integer, nullable=False),
    Column("end_page", Integer, nullable=True),
    Column("section", Text, nullable=False, default=""),
    Column("kind", String(16), nullable=False),
    Column("chunk_index", Integer, nullable=False),
    Index("ix_chunks_doc", "doc_id", "chunk_index"),
)

# each chunk's vector as float32 bytes (little-endian), beside the copy in Chroma: a query scoped
# to a few documents reads their vectors here by doc_id and ranks them exactly, instead of asking
# Chroma for them (a `get` of 1,000 vectors over HTTP cost 140 ms at 100k chunks, most of it JSON).
# `version` is the embedding version; a document ingested before this table has no rows here and
# is read from Chroma
chunk_vectors = Table(
    "chunk_vectors",
    metadata,
    Column("chunk_id", String(96), primary_key=True),
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), nullable=False),
    Column("version", String(128), nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Index("ix_chunk_vectors_doc", "doc_id", "version"),
)

tables = Table(
    "tables",
    metadata,
    Column("id", String(96), primary_key=True),
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), nullable=False),
    Column("index", Integer, nullable=False),
    Column("caption", Text, nullable=False, default=""),
    Column("unit_line", Text, nullable=False, default=""),
    Column("pages", JSON, nullable=False),
    Column("header", JSON, nullable=False),
    Column("rows", JSON, nullable=False),
    Index("ix_tables_doc", "doc_id", "index"),
)

cells = Table(
    "cells",
    metadata,
    Column("table_id", String(96), ForeignKey("tables.id"), primary_key=True),
    Column("row_index", Integer, primary_key=True),
    Column("col_index", Integer, primary_key=True),
    Column("row_header", JSON, nullable=False),
    Column("col_header", JSON, nullable=False),
    Column("raw", Text, nullable=False, default=""),
    Column("value", Text, nullable=True),  # exact Decimal text
    Column("unit", String(32), nullable=False, default=""),
    Column("page", Integer, nullable=False),
    Column("is_percent", Boolean, nullable=False, default=False),
)

# every number of a document as a fact (ingest/facts.py); rebuilt with the document
facts = Table(
    "facts",
    metadata,
    Column("id", String(96), primary_key=True),
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), nullable=False, index=True),
    Column("value", Text, nullable=False),  # exact Decimal text
    Column("unit", String(32), nullable=False, default=""),
    Column("description", Text, nullable=False, default=""),
    Column("context", Text, nullable=False, default=""),
    Column("page", Integer, nullable=False),
    Column("quote", Text, nullable=False, default=""),
    Column("source", String(16), nullable=False, default="text"),
    Column("period", Integer, nullable=True),
    Column("comparator", String(16), nullable=False, default=""),
    Column("table_id", String(96), nullable=False, default=""),
    Column("row_index", Integer, nullable=False, default=-1),
    Column("col_index", Integer, nullable=False, default=-1),
    Column("row_path", JSON, nullable=False),
    Column("col_path", JSON, nullable=False),
)

# what OCR read (ingest/ocr.py): one "page" row per scanned page (its mean confidence), a "line"
# row per text line and a "cell" row per table cell, each with its box on the page (PDF points,
# origin top-left) and confidence; a cell row names its table and grid position
ocr_regions = Table(
    "ocr_regions",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), nullable=False, index=True),
    Column("page", Integer, nullable=False),
    Column("kind", String(8), nullable=False),  # page | line | cell
    Column("seq", Integer, nullable=False),
    Column("table_id", String(96), nullable=False, default=""),
    Column("row_index", Integer, nullable=False, default=-1),
    Column("col_index", Integer, nullable=False, default=-1),
    Column("text", Text, nullable=False, default=""),
    Column("confidence", Float, nullable=False),
    Column("x0", Float, nullable=False, default=0.0),
    Column("top", Float, nullable=False, default=0.0),
    Column("x1", Float, nullable=False, default=0.0),
    Column("bottom", Float, nullable=False, default=0.0),
)

# key/value rows; "generation" is bumped on every visible change (for readers' caches)
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# the durable ingest queue (`JobStore` in ingest/store.py): a row exists from before an upload's
# 202 until its outcome is in `documents`; a restart resumes what it finds here. A worker that
# claims a row owns it until `lease_until` (epoch seconds), renewed while it works, so a killed
# worker's job is claimed again once its lease runs out
ingest_jobs = Table(
    "ingest_jobs",
    metadata,
    Column("doc_id", String(64), primary_key=True),
    Column("filename", Text, nullable=False),
    Column("path", Text, nullable=False),  # where the upload is ingested from: uploads/<name>
    Column("staged", Text, nullable=False, default=""),  # where the request left the bytes
    Column("status", String(16), nullable=False),  # queued | ingesting | cancelling
    Column("attempts", Integer, nullable=False, default=0),
    Column("queued_at", String(40), nullable=False, default=""),
    Column("owner", String(128), nullable=False, default=""),  # the claiming worker (host:pid:uuid)
    Column("lease_until", Float, nullable=False, default=0.0),
    Index("ix_ingest_jobs_queued", "queued_at"),
)

# standard forms (自评表, 得分表) as typed records (ingest/forms.py), cell provenance inside `record`
forms = Table(
    "forms",
    metadata,
    Column("id", String(96), primary_key=True),  # f"{doc_id}:f{index:02d}"
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), nullable=False, index=True),
    Column("index", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False, default=""),
    Column("year", Integer, nullable=True),
    Column("record", JSON, nullable=False),
)

# who and what each document is about (ingest/identity.py), rebuilt with the document
identities = Table(
    "identities",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), primary_key=True),
    Column("unit", Text, nullable=False, default=""),
    Column("project", Text, nullable=False, default=""),
    Column("year", Integer, nullable=True),
    Column("period", String(32), nullable=False, default=""),
    Column("kind", String(32), nullable=False, default=""),
    Column("evaluator", String(32), nullable=False, default=""),
    Column("agency", Text, nullable=False, default=""),
    Index("ix_identities_unit_year", "unit", "year"),
)

# where citable things are printed (ingest/boxes.py): page sizes, text lines, table cells; PDF points,
# origin top-left. A data dir from before this table gets it on open and its documents simply have no
# boxes until re-ingested (citations then fall back to the page text).
boxes = Table(
    "boxes",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("page", Integer, nullable=False),
    Column("kind", String(8), nullable=False),  # page | line | cell
    Column("x0", Float, nullable=False),
    Column("top", Float, nullable=False),
    Column("x1", Float, nullable=False),
    Column("bottom", Float, nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("spans", JSON, nullable=False),  # a line's characters' (x0, x1), flattened
    Column("table_id", String(96), nullable=False, default=""),
    Column("row_index", Integer, nullable=False, default=-1),
    Column("col_index", Integer, nullable=False, default=-1),
    Column("source", String(8), nullable=False, default="text"),  # text | ocr
    Index("ix_boxes_page", "doc_id", "page"),
)

# where citable things are in an Office file (ingest/office.py, `Location`), which has no page image:
# each worksheet or Word-table cell with text and each Word paragraph, in reading order; rows and
# columns 1-based as the file counts them. Added after `boxes`: a data dir from before gets the table
# on open, its xlsx/docx documents have no locations until re-ingested (citations show the text).
locations = Table(
    "locations",
    metadata,
    Column("doc_id", String(64), ForeignKey("documents.doc_id"), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("page", Integer, nullable=False),
    Column("kind", String(12), nullable=False),  # cell | paragraph
    Column("grid", Text, nullable=False, default=""),  # form records' `where.sheet`
    Column("sheet", Text, nullable=False, default=""),  # xlsx worksheet name
    Column("table_no", Integer, nullable=False, default=0),  # docx: 1-based body table
    Column("paragraph", Integer, nullable=False, default=0),  # docx: 1-based body paragraph
    Column("row_no", Integer, nullable=False, default=0),
    Column("col_no", Integer, nullable=False, default=0),
    Column("row_span", Integer, nullable=False, default=1),
    Column("col_span", Integer, nullable=False, default=1),
    Column("text", Text, nullable=False, default=""),
    Column("table_id", String(96), nullable=False, default=""),
    Column("row_index", Integer, nullable=False, default=-1),
    Column("col_index", Integer, nullable=False, default=-1),
    Index("ix_locations_page", "doc_id", "page"),
)
