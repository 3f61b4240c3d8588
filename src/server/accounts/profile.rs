//! What a signed-in user changes about their account: name, avatar, preferences, email, password,
//! and finally the account itself.

use super::email::{messages, normalize_email, normalize_name};
use super::{check_new_password, hash_password, link, require_password, send_in_background};
use crate::server::auth::session;
use crate::server::auth::single_use::{self, Purpose};
use crate::server::db::entity::{user_settings, users};
use crate::server::error::AppError;
use crate::server::imaging::{self, ImageLimits};
use crate::server::state::AppState;
use crate::server::storage::BlobKey;
use crate::types::Preferences;
use bytes::Bytes;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use uuid::Uuid;

/// Avatars are checked against these before they are decoded.
pub const AVATAR_LIMITS: ImageLimits = ImageLimits { max_bytes: 5 * 1024 * 1024, max_width: 4096, max_height: 4096 };
const AVATAR_SIDE: u32 = 512;
const AVATAR_THUMB_SIDE: u32 = 96;

pub const THEMES: &[&str] = &["light", "dark", "auto", "contrast"];
pub const GALLERY_VIEWS: &[&str] = &["grid", "masonry", "list"];
pub const LANGUAGES: &[&str] = &["en", "fr", "de", "es", "it", "pt", "nl", "ja"];

pub async fn rename(state: &AppState, user_id: Uuid, name: &str) -> Result<users::Model, AppError> {
    let name = normalize_name(name)?;
    let user = super::find_by_id(&state.db, user_id).await?;
    let mut active: users::ActiveModel = user.into();
    active.name = Set(name);
    active.updated_at = Set(Utc::now());
    Ok(active.update(&state.db).await?)
}

/// Every blob of a user lives under this prefix, so deleting an account finds them all.
pub fn user_prefix(user_id: Uuid) -> BlobKey {
    BlobKey::parse(&format!("users/{user_id}")).expect("uuids make valid keys")
}

/// The stored avatar image (`thumb` picks the small one).
pub fn avatar_key(user_id: Uuid, avatar_id: Uuid, thumb: bool) -> BlobKey {
    let suffix = if thumb { "-thumb" } else { "" };
    BlobKey::parse(&format!("users/{user_id}/avatar/{avatar_id}{suffix}.png")).expect("uuids make valid keys")
}

/// Replaces the avatar. The upload passes the guarded image door (sniffed, size and dimensions
/// checked before decoding), is cropped square and re-encoded, so nothing of the original file is kept.
pub async fn set_avatar(state: &AppState, user_id: Uuid, upload: Bytes) -> Result<users::Model, AppError> {
    let (full, thumb) = tokio::task::spawn_blocking(move || -> Result<(Vec<u8>, Vec<u8>), AppError> {
        let safe = imaging::decode_untrusted(&upload, &AVATAR_LIMITS)
            .map_err(|e| AppError::invalid("avatar", e.to_string()))?;
        let square = imaging::square_avatar(&safe.image, AVATAR_SIDE.min(safe.width).min(safe.height).max(1));
        let thumb = imaging::square_avatar(&square, AVATAR_THUMB_SIDE);
        Ok((
            imaging::encode_png(&square).map_err(AppError::internal)?,
            imaging::encode_png(&thumb).map_err(AppError::internal)?,
        ))
    })
    .await
    .map_err(AppError::internal)??;

    let avatar_id = Uuid::now_v7();
    let full_key = avatar_key(user_id, avatar_id, false);
    let thumb_key = avatar_key(user_id, avatar_id, true);
    state.storage.put(&full_key, Bytes::from(full), "image/png").await?;
    if let Err(e) = state.storage.put(&thumb_key, Bytes::from(thumb), "image/png").await {
        let _ = state.storage.delete(&full_key).await;
        return Err(e.into());
    }
    let user = match super::find_by_id(&state.db, user_id).await {
        Ok(user) => user,
        Err(e) => {
            forget_blobs(state, &[full_key, thumb_key]).await;
            return Err(e);
        }
    };
    let previous = user.avatar_url.as_deref().and_then(avatar_id_of);
    let mut active: users::ActiveModel = user.into();
    active.avatar_url = Set(Some(format!("/media/avatars/{user_id}/{avatar_id}")));
    active.updated_at = Set(Utc::now());
    let updated = match active.update(&state.db).await {
        Ok(user) => user,
        Err(e) => {
            forget_blobs(state, &[full_key, thumb_key]).await;
            return Err(e.into());
        }
    };
    if let Some(previous) = previous {
        forget_blobs(state, &[avatar_key(user_id, previous, false), avatar_key(user_id, previous, true)]).await;
    }
    Ok(updated)
}

/// Removes the avatar and its files.
pub async fn remove_avatar(state: &AppState, user_id: Uuid) -> Result<users::Model, AppError> {
    let user = super::find_by_id(&state.db, user_id).await?;
    let previous = user.avatar_url.as_deref().and_then(avatar_id_of);
    let mut active: users::ActiveModel = user.into();
    active.avatar_url = Set(None);
    active.updated_at = Set(Utc::now());
    let updated = active.update(&state.db).await?;
    if let Some(previous) = previous {
        forget_blobs(state, &[avatar_key(user_id, previous, false), avatar_key(user_id, previous, true)]).await;
    }
    Ok(updated)
}

fn avatar_id_of(url: &str) -> Option<Uuid> {
    url.rsplit('/').next().and_then(|id| Uuid::parse_str(id).ok())
}

/// Blob deletion after the database has moved on: a failure leaves an unreferenced file (logged),
/// never a row pointing at nothing.
async fn forget_blobs(state: &AppState, keys: &[BlobKey]) {
    for key in keys {
        if let Err(e) = state.storage.delete(key).await {
            tracing::warn!(%key, error = %e, "could not delete an unreferenced file");
        }
    }
}

pub async fn preferences(state: &AppState, user_id: Uuid) -> Result<Preferences, AppError> {
    let settings = super::settings_of(&state.db, user_id).await?;
    Ok(preferences_of(&settings))
}

fn preferences_of(settings: &user_settings::Model) -> Preferences {
    Preferences {
        theme: if settings.theme == "system" { "auto".into() } else { settings.theme.clone() },
        default_model: settings.default_model_id.clone(),
        gallery_view: settings.gallery_view_mode.clone(),
        timezone: settings.timezone.clone(),
        language: settings.language.clone(),
    }
}

/// Validates and saves every preference at once.
pub async fn save_preferences(state: &AppState, user_id: Uuid, prefs: Preferences) -> Result<Preferences, AppError> {
    one_of("theme", &prefs.theme, THEMES)?;
    one_of("gallery_view", &prefs.gallery_view, GALLERY_VIEWS)?;
    one_of("language", &prefs.language, LANGUAGES)?;
    check_timezone(&prefs.timezone)?;
    let default_model = prefs.default_model.map(|m| m.trim().to_owned()).filter(|m| !m.is_empty());
    if default_model.as_ref().is_some_and(|m| m.len() > 200) {
        return Err(AppError::invalid("default_model", "Choose a model from the list."));
    }
    let settings = super::settings_of(&state.db, user_id).await?;
    let mut active: user_settings::ActiveModel = settings.into();
    active.theme = Set(prefs.theme);
    active.default_model_id = Set(default_model);
    active.gallery_view_mode = Set(prefs.gallery_view);
    active.timezone = Set(prefs.timezone);
    active.language = Set(prefs.language);
    active.updated_at = Set(Utc::now());
    Ok(preferences_of(&active.update(&state.db).await?))
}

/// Saves just the theme (the toggle in the top bar).
pub async fn save_theme(state: &AppState, user_id: Uuid, theme: &str) -> Result<(), AppError> {
    one_of("theme", theme, THEMES)?;
    user_settings::Entity::update_many()
        .col_expr(user_settings::Column::Theme, Expr::value(theme))
        .col_expr(user_settings::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(user_settings::Column::UserId.eq(user_id))
        .exec(&state.db)
        .await?;
    Ok(())
}

fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), AppError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(AppError::invalid(field, format!("Choose one of: {}.", allowed.join(", "))))
    }
}

/// IANA zone names ("Europe/Paris", "America/Argentina/Buenos_Aires") or "UTC".
fn check_timezone(zone: &str) -> Result<(), AppError> {
    let well_formed = zone == "UTC"
        || (zone.len() <= 64
            && zone.contains('/')
            && zone.split('/').all(|part| {
                !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
            }));
    if well_formed { Ok(()) } else { Err(AppError::invalid("timezone", "Choose a time zone such as Europe/Paris.")) }
}

/// Changes the password after checking the current one; every other session ends.
pub async fn change_password(
    state: &AppState,
    user_id: Uuid,
    current_session: Uuid,
    current_password: &str,
    new_password: &str,
) -> Result<(), AppError> {
    let user = super::find_by_id(&state.db, user_id).await?;
    require_password(&user, current_password).await?;
    check_new_password("new_password", new_password)?;
    let password_hash = hash_password(new_password.to_owned()).await?;
    let txn = state.db.begin().await?;
    users::Entity::update_many()
        .col_expr(users::Column::PasswordHash, Expr::value(password_hash))
        .col_expr(users::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(users::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    session::end_all_except(&txn, user_id, Some(current_session)).await?;
    txn.commit().await?;
    Ok(())
}

/// Starts an email change: the password confirms it is the owner, then a link sent to the new address
/// proves that address. The old one stays in use until then.
pub async fn request_email_change(
    state: &AppState,
    user_id: Uuid,
    password: &str,
    new_email: &str,
) -> Result<(), AppError> {
    let user = super::find_by_id(&state.db, user_id).await?;
    require_password(&user, password).await?;
    let new_email = normalize_email(new_email)?;
    if new_email == user.email {
        return Err(AppError::invalid("email", "This is already your email address."));
    }
    if super::find_by_email(&state.db, &new_email).await?.is_some() {
        return Err(AppError::Conflict("Another account uses this email.".into()));
    }
    let token =
        single_use::issue(&state.db, user.id, Purpose::ChangeEmail, Some(new_email.clone()), Utc::now()).await?;
    send_in_background(
        state,
        messages::confirm_new_email(&new_email, &link(state, &format!("/verify-email?token={token}"))),
    );
    Ok(())
}

/// Deletes the account: its rows (every table cascades from the user) and then its files.
pub async fn delete_account(state: &AppState, user_id: Uuid, password: &str) -> Result<(), AppError> {
    let user = super::find_by_id(&state.db, user_id).await?;
    require_password(&user, password).await?;
    let files = state.storage.list(&user_prefix(user_id)).await?;
    users::Entity::delete_by_id(user_id).exec(&state.db).await?;
    forget_blobs(state, &files).await;
    tracing::info!(%user_id, files = files.len(), "account deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_are_checked_for_shape() {
        for ok in ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5"] {
            assert!(check_timezone(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Paris", "Europe/", "../etc", "Europe/Pa ris"] {
            assert!(check_timezone(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn avatar_ids_are_read_back_from_their_urls() {
        let id = Uuid::now_v7();
        assert_eq!(avatar_id_of(&format!("/media/avatars/{}/{id}", Uuid::nil())), Some(id));
        assert_eq!(avatar_id_of("https://elsewhere.example/x.png"), None);
    }
}
