//! Database migrations of Atelier. One `Migrator` runs them on SQLite (single-user/dev) and
//! PostgreSQL (production) alike.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261121_000001_create_schema;
mod m20261122_000002_accounts;
mod m20261123_000003_generation_engine;
mod m20261124_000004_presets;
mod m20261125_000005_claim_order;

/// Every migration of the studio, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_create_schema::Migration),
            Box::new(m20261122_000002_accounts::Migration),
            Box::new(m20261123_000003_generation_engine::Migration),
            Box::new(m20261124_000004_presets::Migration),
            Box::new(m20261125_000005_claim_order::Migration),
        ]
    }
}
