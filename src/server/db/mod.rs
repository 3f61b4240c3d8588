//! Database connection, migrations and the SeaORM entities of the whole schema.

pub mod entity;

use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Opens the database at `url` (SQLite files are created on first use) and applies every pending
/// migration.
pub async fn connect_and_migrate(url: &str) -> Result<DatabaseConnection, DbErr> {
    let db = connect(url).await?;
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
    }
    Database::connect(options).await
}
