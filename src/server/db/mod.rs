//! Database connection, migrations and the SeaORM entities of the whole schema.

pub mod entity;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbErr, TransactionTrait};

/// The advisory lock key migrations run under on PostgreSQL (any fixed number unique to this purpose).
const MIGRATION_LOCK: i64 = 0x4154_454c_4945_5201;

/// Opens the database at `url` (SQLite files are created on first use) and applies every pending
/// migration.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        // Replicas starting together would each create the schema: one migrates at a time, the
        // others then find nothing left to do. The lock lives as long as this transaction.
        let guard = db.begin().await?;
        guard.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")).await?;
        Migrator::up(&db, None).await?;
        guard.commit().await?;
        return Ok(db);
    }
    Migrator::up(&db, None).await?;
    if db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        // SQLite connections opened before a schema change can keep statement metadata from the old
        // schema (seen as "missing value for column" on tables that gained columns): start afresh.
        db.close().await?;
        return connect(url).await;
    }
    Ok(db)
}

/// Opens the database at `url` without touching its schema.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options.sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // SQLite allows one writer at a time; a small pool avoids "database is locked" storms.
        options.max_connections(4);
        // Write-ahead logging lets readers run beside the writer, and NORMAL sync in WAL mode still
        // never corrupts the file (a power cut can lose only the last commits): enqueue p99 halves.
        options.map_sqlx_sqlite_opts(|sqlite| {
            sqlite.journal_mode(SqliteJournalMode::Wal).synchronous(SqliteSynchronous::Normal)
        });
    }
    Database::connect(options).await
}
