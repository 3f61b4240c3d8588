//! Operator actions run from the command line.

use super::email::{normalize_email, normalize_name};
use super::registration::{NewUser, insert_default_settings, new_user};
use super::{check_new_password, hash_password};
use crate::server::auth::token::random_code;
use crate::server::db::entity::users;
use crate::server::error::AppError;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set, TransactionTrait};
use uuid::Uuid;

pub enum AdminOutcome {
    /// An existing account was made an administrator.
    Promoted(users::Model),
    /// A new, verified administrator account; `generated_password` is set when none was given.
    Created { user: users::Model, generated_password: Option<String> },
}

/// Makes `email` an administrator, creating the account when there is none.
pub async fn create_or_promote(
    db: &DatabaseConnection,
    email: &str,
    name: Option<&str>,
    password: Option<String>,
    starting_credits: u32,
) -> Result<AdminOutcome, AppError> {
    let email = normalize_email(email)?;
    if let Some(user) = super::find_by_email(db, &email).await? {
        let mut active: users::ActiveModel = user.into();
        active.role = Set(users::ROLE_ADMIN.into());
        active.updated_at = Set(Utc::now());
        return Ok(AdminOutcome::Promoted(active.update(db).await?));
    }
    let name = normalize_name(name.unwrap_or("Administrator"))?;
    let generated_password =
        password.is_none().then(|| random_code(20, "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"));
    let password = password.or_else(|| generated_password.clone()).expect("one of them is set");
    check_new_password("password", &password)?;
    let password_hash = hash_password(password).await?;
    let now = Utc::now();
    let user_id = Uuid::now_v7();
    let txn = db.begin().await?;
    let user = new_user(NewUser {
        id: user_id,
        email,
        password_hash,
        name,
        credits: starting_credits,
        role: users::ROLE_ADMIN,
        email_verified: true,
        now,
    })
    .insert(&txn)
    .await?;
    insert_default_settings(&txn, user_id, now).await?;
    txn.commit().await?;
    Ok(AdminOutcome::Created { user, generated_password })
}
