"""Shared fixtures. Real Chroma, real SQLite, the real embedding model, in temp dirs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPORT_PDF = FIXTURES / "report_2020_8890.pdf"
POLICY_PDF = FIXTURES / "policy_sample.pdf"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the sample report and policy ingested once per test session (embedding is
    the slow part). Tests must treat it as read-only; copy it (`data_dir_copy`) to write."""
    from ingest.index import ingest_paths
    from service.config import Settings

    data_dir = tmp_path_factory.mktemp("sample-data")
    settings = Settings(data_dir=data_dir)
    records = ingest_paths(settings, [REPORT_PDF, POLICY_PDF])
    bad = [r for r in records if r.status != "ok"]
    assert not bad, f"sample ingest failed: {[(r.path, r.status, r.message) for r in bad]}"
    return data_dir


@pytest.fixture(scope="session")
def sample_settings(sample_data_dir: Path):
    from service.config import Settings

    return Settings(data_dir=sample_data_dir)


@pytest.fixture(scope="session")
def sample_store(sample_settings):
    from ingest.store import Store

    store = Store.open(sample_settings)
    yield store
    store.close()


@pytest.fixture
def data_dir_copy(sample_data_dir: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the sample data dir."""
    dest = tmp_path / "data"
    shutil.copytree(sample_data_dir, dest)
    return dest


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for this session (`tests/cluster.py`)."""
    from cluster import start_postgres

    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real `chroma run` server for this session."""
    from cluster import start_chroma

    server = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    yield server
    server.stop()
