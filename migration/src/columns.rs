//! Column and key helpers shared by the migrations, so every table follows the same conventions.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

/// `timestamp with time zone NOT NULL DEFAULT <now>`.
///
/// SQLite stores timestamps as text, and the application's (sqlx's) text is RFC 3339,
/// `2026-11-21T12:30:45.123456+00:00`, whereas `CURRENT_TIMESTAMP` would give
/// `2026-11-21 12:30:45`: mixing both would break `ORDER BY created_at` within a day. So on SQLite
/// the default writes the application's format (millisecond precision, UTC).
pub fn timestamp_now<T: IntoIden>(backend: DbBackend, col: T) -> ColumnDef {
    let now = match backend {
        DbBackend::Sqlite => Expr::cust("(strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'))"),
        _ => Expr::current_timestamp(),
    };
    timestamp_with_time_zone(col).default(now).take()
}

/// `timestamp with time zone NULL`.
pub fn timestamp_opt<T: IntoIden>(col: T) -> ColumnDef {
    timestamp_with_time_zone_null(col)
}

/// A JSON object column, `NOT NULL DEFAULT '{}'`.
pub fn json_object<T: IntoIden>(col: T) -> ColumnDef {
    json_binary(col).default("{}").take()
}

/// A JSON array column (tags), `NOT NULL DEFAULT '[]'`.
pub fn json_array<T: IntoIden>(col: T) -> ColumnDef {
    json_binary(col).default("[]").take()
}

pub fn bool_default<T: IntoIden>(col: T, value: bool) -> ColumnDef {
    boolean(col).default(value).take()
}

pub fn int_zero<T: IntoIden>(col: T) -> ColumnDef {
    integer(col).default(0).take()
}

pub fn fk<FT, FC, TT, TC>(
    name: &str,
    from_table: FT,
    from_col: FC,
    to_table: TT,
    to_col: TC,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement
where
    FT: IntoTableRef,
    FC: IntoIden,
    TT: IntoTableRef,
    TC: IntoIden,
{
    ForeignKey::create().name(name).from(from_table, from_col).to(to_table, to_col).on_delete(on_delete).take()
}
