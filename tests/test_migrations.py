"""The Alembic migrations build exactly the schema the models describe, on both backends."""
from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal import create_app
from portal.cli import alembic_config
from portal.db import Base, make_engine

from .conftest import create_pg_database, drop_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path, postgres_available):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
        return
    if not postgres_available:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    url = create_pg_database()
    yield url
    drop_pg_database(url)


def test_migrations_create_the_models_schema_from_empty(empty_database, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": empty_database, "DATA_DIR": str(tmp_path / "d")})
    with app.app_context():
        command.upgrade(alembic_config(), "head")
        engine = make_engine(empty_database)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
        assert differences == []
        tables = set(inspect(engine).get_table_names())
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
        command.downgrade(alembic_config(), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()


def test_flask_db_upgrade_command(empty_database, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": empty_database, "DATA_DIR": str(tmp_path / "d")})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    engine = make_engine(empty_database)
    assert "record_files" in inspect(engine).get_table_names()
    engine.dispose()
