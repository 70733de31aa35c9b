"""Fixtures: a fresh app, database, data folder and outbox for every test.

Every test that uses ``app`` runs twice: on SQLite and on PostgreSQL (a
throwaway database created for the session). One application is built per test
module and backend; before each test it gets its pristine config back, an empty
database and its own data folder and outbox in ``tmp_path``. PostgreSQL is skipped when no server answers on
127.0.0.1:5432, unless ``REQUIRE_POSTGRES=1`` (CI), where that is a failure.
"""
from __future__ import annotations

import email
import os
import uuid
from email.message import Message
from pathlib import Path
from typing import Callable

import pytest
from sqlalchemy import text

from portal import create_app
from portal.db import Base, make_engine
from portal.extensions import db, limiter
from portal.jobs import init_jobs
from portal.models import Clearance, Consent, Fonds, ReaderProfile, RecordFile, Role, User
from portal.services.accounts import hash_password

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_ADMIN_URL = f"postgresql+psycopg://postgres@{PG_HOST}:5432/postgres"
PASSWORD = "Matkhau-an-toan-2026"


def _postgres_answers() -> bool:
    import psycopg

    try:
        psycopg.connect(host=PG_HOST, user="postgres", dbname="postgres", connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def create_pg_database() -> str:
    """Create an empty throwaway PostgreSQL database; return its URL."""
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    engine = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return f"postgresql+psycopg://postgres@{PG_HOST}:5432/{name}"


def drop_pg_database(url: str) -> None:
    """Drop a database made by :func:`create_pg_database`."""
    name = url.rsplit("/", 1)[1]
    engine = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    available = _postgres_answers()
    if not available and os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail("REQUIRE_POSTGRES=1 but no PostgreSQL server answers on 127.0.0.1:5432")
    return available


@pytest.fixture(scope="session")
def pg_schema_url(postgres_available: bool):
    """One throwaway PostgreSQL database with the schema, for the whole session."""
    if not postgres_available:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    url = create_pg_database()
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    drop_pg_database(url)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend; module-scoped so that one app serves a whole test module per backend."""
    return request.param


@pytest.fixture(scope="module")
def module_app(backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest):
    """One application per test module and backend, with the schema created once.

    Building an app costs a few hundred milliseconds (Werkzeug compiles every URL
    rule) and creating the schema as much again; the ``app`` fixture below makes
    the shared app look fresh for each test instead (config, data, database).
    """
    base = tmp_path_factory.mktemp(f"app-{backend}")
    url = f"sqlite:///{base / 'test.sqlite3'}" if backend == "sqlite" else request.getfixturevalue("pg_schema_url")
    app = create_app({
        "TESTING": True, "DATABASE_URL": url, "DATA_DIR": str(base / "data"), "OUTBOX_DIR": str(base / "outbox"),
        "REDIS_URL": None, "RATELIMIT_ENABLED": True,  # the limiter's hooks are registered once, before any request
    })
    app.config["RATELIMIT_ENABLED"] = False
    limiter.init_app(app)  # ...and limits are off; a test turns them on with init_app again
    if backend == "sqlite":
        with app.app_context():
            Base.metadata.create_all(db.engine)
    pristine = dict(app.config)
    yield app, pristine
    with app.app_context():
        db.engine.dispose()


_PG_RESET_SCRIPTS: dict[str, str] = {}  # database URL → the script that empties it


def _empty_database(backend: str) -> None:
    """Delete every row (PostgreSQL: TRUNCATE, restarting the id sequences)."""
    if backend == "sqlite":
        # Core deletes, children first; an empty SQLite table hands out ids from 1 again.
        with db.engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(table.delete())
        return
    # PostgreSQL: DELETE is far cheaper than TRUNCATE on tables this small (TRUNCATE makes new files);
    # then every id sequence starts again at 1, as in a new database. All of it is one script sent
    # in one round trip (a hundred statements one by one cost more than most tests).
    url = str(db.engine.url)
    with db.engine.begin() as conn:
        if url not in _PG_RESET_SCRIPTS:
            sequences = conn.execute(text("SELECT sequence_name FROM information_schema.sequences "
                                          "WHERE sequence_schema = current_schema()")).scalars().all()
            _PG_RESET_SCRIPTS[url] = ";\n".join(
                [f'DELETE FROM "{table.name}"' for table in reversed(Base.metadata.sorted_tables)]
                + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences])
        conn.exec_driver_sql(_PG_RESET_SCRIPTS[url])


@pytest.fixture
def app(module_app, tmp_path: Path, backend: str, request: pytest.FixtureRequest):
    """A fresh-looking application: its module's app with the pristine config, an empty
    database, and this test's own data folder and outbox."""
    if backend == "sqlite" and request.node.get_closest_marker("postgres_only"):
        pytest.skip("PostgreSQL-only test")
    app, pristine = module_app
    app.config.clear()
    app.config.update(pristine)
    app.config.update(DATA_DIR=str(tmp_path / "data"), OUTBOX_DIR=str(tmp_path / "outbox"))
    Path(app.config["DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    index = app.extensions.pop("search_index", None)  # bound to the previous test's data folder
    if index is not None:
        index.close()
    init_jobs(app)  # a test may have pointed the queue elsewhere
    if "page_cache" in app.extensions:  # pages the previous test's visitors saw
        app.extensions["page_cache"].clear()
    with app.app_context():
        _empty_database(backend)
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for calling services directly."""
    with app.test_request_context():
        yield


@pytest.fixture
def outbox(app) -> Callable[[], list[Message]]:
    """Return a function that reads every mail written to the outbox, oldest first."""

    def read() -> list[Message]:
        folder = Path(app.config["OUTBOX_DIR"])
        if not folder.exists():
            return []
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(folder.glob("*.eml"))]

    return read


@pytest.fixture
def make_user(app) -> Callable[..., User]:
    """Factory: ``make_user(role="reader", cleared=True, email=None, password=PASSWORD)``."""
    counter = iter(range(1, 10_000))

    def make(role: str = Role.READER.value, cleared: bool = True, email: str | None = None,
             password: str = PASSWORD, full_name: str | None = None, confirmed: bool = True) -> User:
        n = next(counter)
        with app.app_context():
            user = User(
                email=email or f"{role}{n}@example.vn", password_hash=hash_password(password),
                full_name=full_name or f"Nguyễn Văn {chr(64 + n % 26 or 1)}", role=role,
                clearance=Clearance.CLEARED.value if cleared else Clearance.PENDING.value,
            )
            if confirmed:
                from portal.db import utcnow

                user.email_confirmed_at = utcnow()
            if role == Role.READER.value:
                user.profile = ReaderProfile(id_kind="cccd", id_number=f"{n:012d}")
                user.consents.append(Consent(purpose="account"))
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return make


@pytest.fixture
def make_file(app) -> Callable[..., RecordFile]:
    """Factory: ``make_file(mode="01", title=..., fonds_code="F1")`` → a catalogued file."""
    counter = iter(range(1, 10_000))

    def make(mode: str = "01", title: str | None = None, fonds_code: str = "UBND-DN", **fields) -> RecordFile:
        n = next(counter)
        with app.app_context():
            from sqlalchemy import select

            fonds = db.session.scalar(select(Fonds).where(Fonds.code == fonds_code))
            if fonds is None:
                fonds = Fonds(code=fonds_code, name=f"Phông {fonds_code}")
                db.session.add(fonds)
            record = RecordFile(
                fonds=fonds, file_code=fields.pop("file_code", f"{fonds_code}.2020.{n:03d}"),
                inventory_no="1", box_no=str(n), file_no=str(n), title=title or f"Hồ sơ số {n}",
                retention="01", mode=mode, start_date="2020", end_date="2020", **fields,
            )
            db.session.add(record)
            db.session.commit()
            db.session.refresh(record)
            db.session.expunge(record)
            return record

    return make


def login(client, email: str, password: str = PASSWORD):
    """Log ``client`` in through the real form."""
    return client.post("/tai-khoan/dang-nhap", data={"email": email, "password": password})


@pytest.fixture
def login_as(client) -> Callable[[User], object]:
    def do(user: User, password: str = PASSWORD):
        response = login(client, user.email, password)
        assert response.status_code == 302, response.data[:500]
        return response

    return do


# The files that take longest, heaviest first (seconds summed from `pytest --durations=0`, 2026-12-02).
# `make test` hands whole files to two workers in collection order (`--dist loadfile --no-loadscope-reorder`):
# starting with the long ones lets the many short files fill in at the end, so both workers finish together
# instead of one running the fuzz sweep alone while the other waits. A stale list only schedules worse.
LONGEST_FILES = (
    "test_fuzz_inputs.py", "test_tracing.py", "test_ocr.py", "test_copies.py", "test_demo.py",
    "test_route_matrix.py", "test_search.py", "e2e/test_screens.py", "e2e/test_accessibility.py", "test_oai.py",
    "e2e/test_viewer.py", "test_exhibitions.py", "test_copy_views.py", "e2e/test_workspace_pages.py",
    "e2e/test_visits.py", "e2e/test_journey.py", "test_reading.py", "test_migrations.py", "e2e/test_copies.py",
    "test_attacks.py", "test_limits.py", "test_data_saver.py", "test_requests.py", "test_search_index.py",
)


def pytest_collection_modifyitems(items):
    """Run the longest files first (see LONGEST_FILES); within a file, the order is unchanged."""
    rank = {name: n for n, name in enumerate(LONGEST_FILES)}

    def weight(item) -> int:
        path = str(item.fspath).replace("\\", "/")
        relative = path.split("/tests/", 1)[-1]
        return rank.get(relative, len(LONGEST_FILES))

    items.sort(key=weight)  # stable: files keep their test order
