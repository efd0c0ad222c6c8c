from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from leadwire.db import SHARED_MIGRATIONS, MigrationError, create_pool, run_migrations

pytestmark = pytest.mark.integration


def write_migrations(directory: Path) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "0001_widgets.sql").write_text("CREATE TABLE widgets (id int PRIMARY KEY);")
    (directory / "0002_widget_name.sql").write_text("ALTER TABLE widgets ADD COLUMN name text;")
    return directory


async def test_concurrent_runners_apply_each_migration_once(
    postgres_dsn: str, fresh_schema: str, tmp_path: Path
) -> None:
    directory = write_migrations(tmp_path / "migrations")

    results = await asyncio.gather(
        *(run_migrations(postgres_dsn, fresh_schema, directory) for _ in range(5))
    )

    applied = [name for result in results for name in result]
    shared = sorted(f"common:{f.stem}" for f in SHARED_MIGRATIONS.glob("*.sql"))
    assert sorted(applied) == sorted(["0001_widgets", "0002_widget_name", *shared])
    conn = await asyncpg.connect(postgres_dsn)
    try:
        rows = await conn.fetch(f'SELECT version FROM "{fresh_schema}".schema_migrations')
        versions = [f"common:{f.stem[:4]}" for f in SHARED_MIGRATIONS.glob("*.sql")]
        assert sorted(r["version"] for r in rows) == sorted(["0001", "0002", *versions])
        columns = await conn.fetch(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = $1 AND table_name = 'widgets'",
            fresh_schema,
        )
        assert {c["column_name"] for c in columns} == {"id", "name"}
    finally:
        await conn.close()


async def test_edited_applied_migration_is_refused(
    postgres_dsn: str, fresh_schema: str, tmp_path: Path
) -> None:
    directory = write_migrations(tmp_path / "migrations")
    await run_migrations(postgres_dsn, fresh_schema, directory)
    (directory / "0001_widgets.sql").write_text("CREATE TABLE widgets (id bigint PRIMARY KEY);")

    with pytest.raises(MigrationError, match="0001_widgets was changed"):
        await run_migrations(postgres_dsn, fresh_schema, directory)


async def test_failing_migration_rolls_back_and_names_the_file(
    postgres_dsn: str, fresh_schema: str, tmp_path: Path
) -> None:
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_broken.sql").write_text("CREATE TABLE ok (id int); SELECT nonsense();")

    with pytest.raises(MigrationError, match="0001_broken failed"):
        await run_migrations(postgres_dsn, fresh_schema, directory)

    pool = await create_pool(postgres_dsn, fresh_schema)
    try:
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT to_regclass('ok')") is None
            assert await conn.fetchval("SELECT to_regclass('outbox')") is not None
    finally:
        await pool.close()


async def test_misnamed_migration_file_is_an_error(
    postgres_dsn: str, fresh_schema: str, tmp_path: Path
) -> None:
    (tmp_path / "add_table.sql").write_text("SELECT 1;")

    with pytest.raises(MigrationError, match=r"NNNN_name\.sql"):
        await run_migrations(postgres_dsn, fresh_schema, tmp_path)


async def test_pool_connections_live_in_the_schema_with_json_codecs(
    db_pool: asyncpg.Pool, fresh_schema: str
) -> None:
    async with db_pool.acquire() as conn:
        assert await conn.fetchval("SELECT current_schema()") == fresh_schema
        assert await conn.fetchval("SELECT $1::jsonb", {"a": [1, 2]}) == {"a": [1, 2]}
