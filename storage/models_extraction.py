"""Tables owned by the extraction feature (imported by storage.models so that Alembic and the tests see them)."""

from __future__ import annotations
