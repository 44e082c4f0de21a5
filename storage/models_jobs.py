"""Tables owned by the jobs feature (imported by storage.models so that Alembic and the tests see them)."""

from __future__ import annotations
