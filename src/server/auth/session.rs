//! Sign-in sessions: a random token in a cookie, only its SHA-256 in the `sessions` table.

use crate::cookies::cookie_value;
use crate::server::auth::token::{SecretToken, hash_token};
use crate::server::config::Config;
use crate::server::db::entity::{sessions, users};
use axum::http::{HeaderMap, HeaderValue, header};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// A session is touched at most this often, so reads do not turn every request into a write.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// How session cookies are named and how long sessions live.
#[derive(Debug, Clone)]
pub struct SessionPolicy {
    /// `__Host-atelier_session` over https. Browsers refuse `__Host-` cookies without `Secure`, and
    /// `Secure` cookies over plain http, so a studio served over http uses `atelier_session`.
    pub cookie_name: &'static str,
    pub secure: bool,
    pub idle: Duration,
    pub lifetime: Duration,
}

impl SessionPolicy {
    pub fn from_config(config: &Config) -> Self {
        let secure = config.server.public_url.starts_with("https://");
        Self {
            cookie_name: if secure { "__Host-atelier_session" } else { "atelier_session" },
            secure,
            idle: Duration::minutes(i64::from(config.auth.session_idle_minutes)),
            lifetime: Duration::days(i64::from(config.auth.session_lifetime_days)),
        }
    }

    /// The `Set-Cookie` value that hands `token` to the browser.
    pub fn cookie(&self, token: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let max_age = self.lifetime.num_seconds();
        HeaderValue::from_str(&format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            self.cookie_name
        ))
        .expect("session tokens are base64url")
    }

    /// The `Set-Cookie` value that makes the browser forget the session.
    pub fn clearing_cookie(&self) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!("{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}", self.cookie_name))
            .expect("static cookie")
    }

    /// The session token a request presents, if any.
    pub fn token_in<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(|cookies| cookie_value(cookies, self.cookie_name))
            .filter(|token| !token.is_empty())
    }
}

/// Where a sign-in came from, for the list of active sessions.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
}

/// Starts a session for `user_id`; returns the token for the cookie. Every sign-in gets a new token.
pub async fn start(
    db: &impl ConnectionTrait,
    policy: &SessionPolicy,
    user_id: Uuid,
    client: &ClientInfo,
) -> Result<String, DbErr> {
    let token = SecretToken::generate();
    let now = Utc::now();
    sessions::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token: Set(token.hash().to_owned()),
        expires_at: Set(now + policy.lifetime),
        created_at: Set(now),
        ip_address: Set(client.ip_address.clone()),
        user_agent: Set(client.user_agent.as_deref().map(|ua| ua.chars().take(512).collect())),
        last_seen_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(token.plain().to_owned())
}

/// The live session a token belongs to, with its user. Expired, idle and deactivated ones are none.
pub async fn find_live(
    db: &impl ConnectionTrait,
    policy: &SessionPolicy,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(sessions::Model, users::Model)>, DbErr> {
    let found = sessions::Entity::find()
        .filter(sessions::Column::Token.eq(hash_token(token)))
        .find_also_related(users::Entity)
        .one(db)
        .await?;
    let Some((session, Some(user))) = found else { return Ok(None) };
    if session.expires_at <= now || session.last_seen_at + policy.idle <= now || !user.is_active {
        sessions::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    if (now - session.last_seen_at).num_seconds() >= TOUCH_INTERVAL_SECONDS {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::LastSeenAt, sea_orm::sea_query::Expr::value(now))
            .filter(sessions::Column::Id.eq(session.id))
            .exec(db)
            .await?;
    }
    Ok(Some((session, user)))
}

/// The user's sessions, most recently used first.
pub async fn list_for_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Vec<sessions::Model>, DbErr> {
    sessions::Entity::find()
        .filter(sessions::Column::UserId.eq(user_id))
        .order_by_desc(sessions::Column::LastSeenAt)
        .all(db)
        .await
}

/// Ends one of the user's sessions; false when it is not theirs or already gone.
pub async fn end(db: &impl ConnectionTrait, user_id: Uuid, session_id: Uuid) -> Result<bool, DbErr> {
    let result = sessions::Entity::delete_many()
        .filter(sessions::Column::Id.eq(session_id))
        .filter(sessions::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

/// Ends every session of the user but `keep` (none kept when `keep` is `None`).
pub async fn end_all_except(db: &impl ConnectionTrait, user_id: Uuid, keep: Option<Uuid>) -> Result<u64, DbErr> {
    let mut query = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        query = query.filter(sessions::Column::Id.ne(keep));
    }
    Ok(query.exec(db).await?.rows_affected)
}

/// A short, human description of a browser from its user agent ("Firefox on Linux").
pub fn describe_device(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent else { return "Unknown device".to_owned() };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .iter()
    .find(|(marker, _)| ua.contains(marker))
    .map_or("Browser", |(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(marker, _)| ua.contains(marker))
    .map(|(_, name)| *name);
    match system {
        Some(system) => format!("{browser} on {system}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(public_url: &str) -> SessionPolicy {
        let config =
            Config::from_sources(None, |name| (name == "ATELIER_PUBLIC_URL").then(|| public_url.to_owned())).unwrap();
        SessionPolicy::from_config(&config)
    }

    #[test]
    fn https_studios_use_a_host_prefixed_secure_cookie() {
        let policy = policy("https://studio.example.com");
        let cookie = policy.cookie("abc").to_str().unwrap().to_owned();
        assert!(cookie.starts_with("__Host-atelier_session=abc; Path=/; HttpOnly; SameSite=Lax"), "{cookie}");
        assert!(cookie.ends_with("; Secure"));
    }

    #[test]
    fn plain_http_studios_use_a_cookie_browsers_accept_without_tls() {
        let policy = policy("http://127.0.0.1:3000");
        let cookie = policy.cookie("abc").to_str().unwrap().to_owned();
        assert!(cookie.starts_with("atelier_session=abc;"), "{cookie}");
        assert!(!cookie.contains("Secure"));
        assert!(policy.clearing_cookie().to_str().unwrap().contains("Max-Age=0"));
    }

    #[test]
    fn the_token_is_read_from_any_cookie_header() {
        let policy = policy("http://127.0.0.1:3000");
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, HeaderValue::from_static("atelier_theme=dark"));
        headers.append(header::COOKIE, HeaderValue::from_static("x=1; atelier_session=tok"));
        assert_eq!(policy.token_in(&headers), Some("tok"));
        assert_eq!(policy.token_in(&HeaderMap::new()), None);
    }

    #[test]
    fn devices_are_described_from_user_agents() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(describe_device(Some(firefox)), "Firefox on Linux");
        let chrome_android = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36";
        assert_eq!(describe_device(Some(chrome_android)), "Chrome on Android");
        assert_eq!(describe_device(None), "Unknown device");
    }
}
