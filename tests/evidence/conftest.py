"""Fixtures for archived copies: jobs run inline, loopback pages may be fetched."""

from __future__ import annotations

import pytest

from tests.evidence.pages import Pages


@pytest.fixture
def app_config() -> dict:
    return {"JOBS_IMMEDIATE": True, "FETCH_ALLOW_HOSTS": ["127.0.0.1"]}


@pytest.fixture
def pages():
    server = Pages()
    yield server
    server.close()
