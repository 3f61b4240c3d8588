//! Accounts and security through the real router: sign-up and verification, sign-in and sessions,
//! password reset and change, two-factor, cross-site refusal, rate limits, isolation between users,
//! protected pages, avatars, deleting an account, the `admin create` command and the REST routes.
#![cfg(feature = "ssr")]

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use atelier::api::account::{
    ChangePassword, ConfirmTwoFactor, DeleteAccount, DisableTwoFactor, EndSession, GetPreferences, ListSessions,
    RecoveryCodesLeft, RememberTheme, RenameAccount, SavePreferences, StartTwoFactor,
};
use atelier::api::auth::{
    ForgotPassword, GetMe, Register, ResendVerification, ResetLinkIsLive, ResetPassword, SignIn, SignInSecondFactor,
    SignOut, VerifyEmail,
};
use atelier::server::accounts::profile::user_prefix;
use atelier::server::auth::token::hash_token;
use atelier::server::auth::totp::current_code;
use atelier::server::db::entity::{auth_tokens, recovery_codes, sessions, user_settings, users};
use atelier::types::{CurrentUser, Preferences, Role, SessionInfo, SignInResult, TwoFactorEnrollment};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Utc;
use leptos::server_fn::ServerFn;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use support::client::{Client, SESSION_COOKIE, latest_link, mails_to, query_param};
use support::studio::{TestResponse, TestStudio};
use uuid::Uuid;

const PASSWORD: &str = "velvet lanterns hum at dawn";
const NEW_PASSWORD: &str = "copper kites over quiet fields";
const STARTING_CREDITS: i32 = 250;
const BAD_CREDENTIALS: &str = "The email or password is incorrect.";

// ---------------------------------------------------------------------------------------------
// Set-up and small helpers
// ---------------------------------------------------------------------------------------------

/// A studio on SQLite whose new accounts start with [`STARTING_CREDITS`].
async fn sqlite_studio(extra: &[(&str, &str)]) -> TestStudio {
    let credits = STARTING_CREDITS.to_string();
    let mut env = vec![("ATELIER_STARTING_CREDITS", credits.as_str())];
    env.extend_from_slice(extra);
    TestStudio::start(&env).await
}

/// The same, on a fresh PostgreSQL database.
async fn postgres_studio() -> TestStudio {
    let url = support::postgres::fresh_database().await;
    let credits = STARTING_CREDITS.to_string();
    TestStudio::start(&[("ATELIER_STARTING_CREDITS", credits.as_str()), ("DATABASE_URL", &url)]).await
}

async fn register(client: &Client<'_>, name: &str, email: &str, password: &str) -> TestResponse {
    client.call(Register::PATH, &[("name", name), ("email", email), ("password", password)]).await
}

async fn sign_in(client: &Client<'_>, email: &str, password: &str) -> TestResponse {
    client.call(SignIn::PATH, &[("email", email), ("password", password)]).await
}

/// Signs in and expects to be in (no second factor).
async fn sign_in_ok(client: &Client<'_>, email: &str, password: &str) {
    let response = sign_in(client, email, password).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json::<SignInResult>(), SignInResult::SignedIn { next: "/dashboard".into() });
    assert!(client.session_token().is_some(), "a session cookie is set");
}

/// Who the client is signed in as, according to `get_me`.
async fn me(client: &Client<'_>) -> Option<CurrentUser> {
    let response = client.call(GetMe::PATH, &[]).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json()
}

/// Creates an account for `email` (name "Ada Lovelace", [`PASSWORD`]) and signs a new client in.
async fn account<'a>(studio: &'a TestStudio, email: &str) -> (Client<'a>, Uuid) {
    let client = Client::new(studio);
    let response = register(&client, "Ada Lovelace", email, PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    sign_in_ok(&client, email, PASSWORD).await;
    let id = me(&client).await.expect("signed in after signing up").id;
    (client, id)
}

/// Another device of the same account.
async fn other_device<'a>(studio: &'a TestStudio, email: &str, password: &str) -> Client<'a> {
    let client = Client::new(studio);
    sign_in_ok(&client, email, password).await;
    client
}

async fn user_by_email(studio: &TestStudio, email: &str) -> Option<users::Model> {
    users::Entity::find().filter(users::Column::Email.eq(email)).one(&studio.state.db).await.unwrap()
}

async fn user_by_id(studio: &TestStudio, id: Uuid) -> Option<users::Model> {
    users::Entity::find_by_id(id).one(&studio.state.db).await.unwrap()
}

async fn sessions_of(studio: &TestStudio, user_id: Uuid) -> Vec<sessions::Model> {
    sessions::Entity::find().filter(sessions::Column::UserId.eq(user_id)).all(&studio.state.db).await.unwrap()
}

async fn session_by_token(studio: &TestStudio, token: &str) -> Option<sessions::Model> {
    sessions::Entity::find().filter(sessions::Column::Token.eq(hash_token(token))).one(&studio.state.db).await.unwrap()
}

async fn settings_of(studio: &TestStudio, user_id: Uuid) -> Option<user_settings::Model> {
    user_settings::Entity::find().filter(user_settings::Column::UserId.eq(user_id)).one(&studio.state.db).await.unwrap()
}

async fn count_users(studio: &TestStudio) -> u64 {
    users::Entity::find().count(&studio.state.db).await.unwrap()
}

/// Asserts an `ApiError` answer: status, code and (when given) the field.
fn assert_api_error(response: &TestResponse, status: StatusCode, code: &str, field: Option<&str>) -> String {
    assert_eq!(response.status, status, "{}", response.body);
    let error = response.api_error();
    assert_eq!(error.code, code, "{}", response.body);
    assert_eq!(error.field.as_deref(), field, "{}", response.body);
    assert!(!error.message.is_empty());
    error.message
}

fn assert_ok_unit(response: &TestResponse) {
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    response.json::<()>();
}

/// Unix time at least 5 s before its 30-second TOTP step ends, so that codes computed from it are
/// still in the expected step when the server checks them.
async fn unix_time_mid_step() -> u64 {
    loop {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        if now % 30 < 25 {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn code_at(secret: &str, unix_time: u64) -> String {
    current_code(secret, unix_time).expect("the secret is valid base32")
}

/// Six digits that are none of the codes the server could accept around `unix_time`.
fn wrong_code(secret: &str, unix_time: u64) -> String {
    let near: Vec<String> = (0..=4).map(|i| code_at(secret, unix_time - 60 + 30 * i)).collect();
    (0..10).map(|d| d.to_string().repeat(6)).find(|c| !near.contains(c)).unwrap()
}

/// A PNG of the given size, drawn here.
fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 140]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image).write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

async fn blobs_of(studio: &TestStudio, user_id: Uuid) -> Vec<String> {
    studio.state.storage.list(&user_prefix(user_id)).await.unwrap().iter().map(|k| k.as_str().to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Sign-up and email verification
// ---------------------------------------------------------------------------------------------

async fn registration_scenario(studio: TestStudio) {
    let client = Client::new(&studio);
    let response = register(&client, "  Ada Lovelace ", "  Ada@Example.COM ", PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json::<String>(), "ada@example.com", "the address is normalised");
    assert_eq!(client.session_token(), None, "signing up does not sign in");

    let row = user_by_email(&studio, "ada@example.com").await.expect("the users row exists");
    assert_eq!(row.name, "Ada Lovelace");
    assert!(!row.email_verified);
    assert_eq!(row.credits_balance, STARTING_CREDITS);
    assert_eq!(row.role, "user");
    assert!(row.password_hash.starts_with("$argon2id$"), "{}", row.password_hash);
    assert!(!row.password_hash.contains(PASSWORD));
    let settings = settings_of(&studio, row.id).await.expect("a settings row from the start");
    assert_eq!((settings.theme.as_str(), settings.language.as_str()), ("auto", "en"));

    let link = latest_link(&studio, "ada@example.com", "/verify-email").await;
    let token = query_param(&link, "token").expect("the link carries a token");
    assert_eq!(token.len(), 43, "{link}");
    let stored: Vec<auth_tokens::Model> =
        auth_tokens::Entity::find().filter(auth_tokens::Column::UserId.eq(row.id)).all(&studio.state.db).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].purpose, "verify_email");
    assert_eq!(stored[0].token_hash, hash_token(&token), "only the hash of the mailed token is stored");

    sign_in_ok(&client, "ada@example.com", PASSWORD).await;
    let before = me(&client).await.expect("signed in");
    assert!(!before.email_verified);
    assert_eq!(before.credits, STARTING_CREDITS);

    // Opening the page does not use the link up (mail scanners open links): confirming takes a click.
    let page = Client::new(&studio).page(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Confirm your email"), "the verification page renders");

    let verified = client.call(VerifyEmail::PATH, &[("token", &token)]).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.json::<String>(), "Your email address is confirmed.");

    let after = me(&client).await.expect("still signed in");
    assert_eq!(
        after,
        CurrentUser {
            id: row.id,
            email: "ada@example.com".into(),
            name: "Ada Lovelace".into(),
            avatar_url: None,
            role: Role::User,
            credits: STARTING_CREDITS,
            email_verified: true,
            two_factor_enabled: false,
        }
    );
    assert!(user_by_email(&studio, "ada@example.com").await.unwrap().email_verified);

    let again = client.call(VerifyEmail::PATH, &[("token", &token)]).await;
    assert_api_error(&again, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("token"));
}

#[tokio::test]
async fn a_new_account_is_verified_through_the_mailed_link_and_starts_with_the_configured_credits() {
    registration_scenario(sqlite_studio(&[]).await).await;
}

#[tokio::test]
async fn a_new_account_is_verified_through_the_mailed_link_on_postgres() {
    registration_scenario(postgres_studio().await).await;
}

#[tokio::test]
async fn the_verification_page_carries_its_token_in_the_form_so_it_works_without_javascript() {
    let studio = sqlite_studio(&[]).await;
    let page = Client::new(&studio).page("/verify-email?token=abcDEF123_-xyz").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains(r#"value="abcDEF123_-xyz""#),
        "the hidden token input must hold the token in the server-rendered HTML; got: {}",
        page.body.lines().find(|l| l.contains(r#"name="token""#)).unwrap_or(&page.body)
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Registration validation
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn registration_refuses_bad_input_naming_the_field_and_writes_nothing() {
    let studio = sqlite_studio(&[]).await;
    let client = Client::new(&studio);

    let bad_email = register(&client, "Ada", "not-an-email", PASSWORD).await;
    let message = assert_api_error(&bad_email, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("email"));
    assert_eq!(message, "Enter an email address such as name@example.com.");

    let short = register(&client, "Ada", "short@example.com", "2short").await;
    assert_api_error(&short, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("password"));
    assert!(user_by_email(&studio, "short@example.com").await.is_none(), "no row after a refused password");

    let common = register(&client, "Ada", "common@example.com", "Sunshine").await;
    assert_api_error(&common, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("password"));
    assert!(user_by_email(&studio, "common@example.com").await.is_none(), "no row after a common password");

    let no_name = register(&client, "   ", "noname@example.com", PASSWORD).await;
    assert_api_error(&no_name, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("name"));
    assert!(user_by_email(&studio, "noname@example.com").await.is_none());

    assert_eq!(register(&client, "Ada", "ada@example.com", PASSWORD).await.status, StatusCode::OK);
    let duplicate = register(&client, "Someone Else", "ADA@example.com ", NEW_PASSWORD).await;
    let message = assert_api_error(&duplicate, StatusCode::CONFLICT, "conflict", None);
    assert_eq!(message, "An account with this email already exists. Sign in instead.");

    assert_eq!(count_users(&studio).await, 1, "only the one valid sign-up wrote a row");
    assert_eq!(user_settings::Entity::find().count(&studio.state.db).await.unwrap(), 1);
    let ada = user_by_email(&studio, "ada@example.com").await.unwrap();
    assert_eq!(ada.name, "Ada", "the duplicate did not overwrite the first account");
    assert!(atelier::server::auth::password::verify_password(PASSWORD, &ada.password_hash));
}

// ---------------------------------------------------------------------------------------------
// 3. Sign-in and sign-out
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn signing_in_sets_an_http_only_lax_session_cookie_for_the_whole_site() {
    let studio = sqlite_studio(&[]).await;
    let client = Client::new(&studio);
    assert_eq!(register(&client, "Ada", "ada@example.com", PASSWORD).await.status, StatusCode::OK);

    let response = client
        .call(SignIn::PATH, &[("email", "ada@example.com"), ("password", PASSWORD), ("next", "/settings/security")])
        .await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.json::<SignInResult>(), SignInResult::SignedIn { next: "/settings/security".into() });

    let cookie = response.set_cookie(SESSION_COOKIE).expect("a session cookie is set");
    // The attributes follow the leading `name=value` pair.
    let (_, attributes) = cookie.split_once(';').expect("the cookie has attributes");
    let attributes: Vec<&str> = attributes.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"HttpOnly"), "{cookie}");
    assert!(attributes.contains(&"SameSite=Lax"), "{cookie}");
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    assert!(attributes.contains(&"Max-Age=2592000"), "30 days by default: {cookie}");
    assert!(!attributes.contains(&"Secure"), "the test studio is served over http: {cookie}");
    let token = client.session_token().unwrap();
    assert_eq!(token.len(), 43);

    // A `next` that leaves the site is not followed.
    let other = Client::new(&studio);
    let response = other
        .call(SignIn::PATH, &[("email", "ada@example.com"), ("password", PASSWORD), ("next", "https://evil.example/")])
        .await;
    assert_eq!(response.json::<SignInResult>(), SignInResult::SignedIn { next: "/dashboard".into() });

    let user = user_by_email(&studio, "ada@example.com").await.unwrap();
    assert!(user.last_login.is_some(), "the sign-in is recorded");
    assert_eq!(me(&client).await.map(|u| u.email).as_deref(), Some("ada@example.com"));
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let studio = sqlite_studio(&[]).await;
    let client = Client::new(&studio);
    assert_eq!(register(&client, "Ada", "ada@example.com", PASSWORD).await.status, StatusCode::OK);

    let wrong_password = sign_in(&client, "ada@example.com", "not the right password").await;
    let unknown_email = sign_in(&client, "nobody@example.com", PASSWORD).await;
    let malformed_email = sign_in(&client, "nobody", PASSWORD).await;
    for response in [&wrong_password, &unknown_email, &malformed_email] {
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{}", response.body);
        assert_eq!(response.set_cookie(SESSION_COOKIE), None);
    }
    assert_eq!(wrong_password.body, unknown_email.body, "the body does not reveal which accounts exist");
    assert_eq!(wrong_password.body, malformed_email.body);
    assert_eq!(assert_api_error(&wrong_password, StatusCode::UNAUTHORIZED, "bad_credentials", None), BAD_CREDENTIALS);
    assert_eq!(me(&client).await, None);
}

async fn sign_out_scenario(studio: TestStudio) {
    let (client, user_id) = account(&studio, "ada@example.com").await;
    let token = client.session_token().unwrap();
    let other = other_device(&studio, "ada@example.com", PASSWORD).await;
    assert_eq!(sessions_of(&studio, user_id).await.len(), 2);

    let response = client.call(SignOut::PATH, &[]).await;
    assert_ok_unit(&response);
    let clearing = response.set_cookie(SESSION_COOKIE).expect("the cookie is cleared");
    assert!(clearing.starts_with(&format!("{SESSION_COOKIE}=;")), "{clearing}");
    assert!(clearing.contains("Max-Age=0"), "{clearing}");
    assert_eq!(client.session_token(), None);

    assert!(session_by_token(&studio, &token).await.is_none(), "the session row is deleted on the server");
    assert_eq!(sessions_of(&studio, user_id).await.len(), 1, "only this device is signed out");
    assert!(me(&other).await.is_some());

    // A copy of the old cookie is worthless now.
    let replay = Client::new(&studio);
    replay.set_cookie(SESSION_COOKIE, &token);
    assert_eq!(me(&replay).await, None);
    let rest = replay.get("/api/auth/me").await;
    assert_api_error(&rest, StatusCode::UNAUTHORIZED, "unauthorized", None);
}

#[tokio::test]
async fn signing_out_deletes_the_session_so_a_replayed_cookie_is_refused() {
    sign_out_scenario(sqlite_studio(&[]).await).await;
}

#[tokio::test]
async fn signing_out_deletes_the_session_so_a_replayed_cookie_is_refused_on_postgres() {
    sign_out_scenario(postgres_studio().await).await;
}

// ---------------------------------------------------------------------------------------------
// 4. Session tokens
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn every_sign_in_gets_a_new_token_and_only_its_sha256_is_stored() {
    let studio = sqlite_studio(&[]).await;
    let (first, user_id) = account(&studio, "ada@example.com").await;
    let second = other_device(&studio, "ada@example.com", PASSWORD).await;
    let tokens = [first.session_token().unwrap(), second.session_token().unwrap()];
    assert_ne!(tokens[0], tokens[1], "each sign-in has its own token");

    let rows = sessions_of(&studio, user_id).await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row.token.len(), 64, "{}", row.token);
        assert!(row.token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{}", row.token);
        assert!(!tokens.contains(&row.token), "the cookie token itself is never stored");
    }
    let mut stored: Vec<&str> = rows.iter().map(|r| r.token.as_str()).collect();
    let mut expected: Vec<String> = tokens.iter().map(|t| hash_token(t)).collect();
    stored.sort();
    expected.sort();
    assert_eq!(stored, expected);

    // Signing in again on the first device rotates its token and ends its old session.
    sign_in_ok(&first, "ada@example.com", PASSWORD).await;
    let rotated = first.session_token().unwrap();
    assert_ne!(rotated, tokens[0]);
    let mut stored: Vec<String> = sessions_of(&studio, user_id).await.into_iter().map(|r| r.token).collect();
    let mut expected = vec![hash_token(&rotated), hash_token(&tokens[1])];
    stored.sort();
    expected.sort();
    assert_eq!(stored, expected, "the replaced session is gone");
}

// ---------------------------------------------------------------------------------------------
// 5. Session expiry
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_session_left_idle_longer_than_the_configured_minutes_is_refused() {
    let studio = sqlite_studio(&[("ATELIER_SESSION_IDLE_MINUTES", "1")]).await;
    let (client, user_id) = account(&studio, "ada@example.com").await;
    let token = client.session_token().unwrap();
    let other = other_device(&studio, "ada@example.com", PASSWORD).await;

    let move_last_seen = |token: String, seconds: i64| {
        let db = studio.state.db.clone();
        async move {
            sessions::Entity::update_many()
                .col_expr(sessions::Column::LastSeenAt, Expr::value(Utc::now() - chrono::Duration::seconds(seconds)))
                .filter(sessions::Column::Token.eq(hash_token(&token)))
                .exec(&db)
                .await
                .unwrap()
        }
    };
    // 30 s idle is within the minute: still signed in.
    assert_eq!(move_last_seen(other.session_token().unwrap(), 30).await.rows_affected, 1);
    assert!(me(&other).await.is_some());

    assert_eq!(move_last_seen(token.clone(), 120).await.rows_affected, 1);
    assert_eq!(me(&client).await, None, "two idle minutes are too many");
    assert_api_error(&client.get("/api/auth/me").await, StatusCode::UNAUTHORIZED, "unauthorized", None);
    assert!(session_by_token(&studio, &token).await.is_none(), "the stale session is deleted");
    assert_eq!(sessions_of(&studio, user_id).await.len(), 1);
}

#[tokio::test]
async fn a_session_past_its_expiry_is_refused() {
    let studio = sqlite_studio(&[]).await;
    let (client, _) = account(&studio, "ada@example.com").await;
    let token = client.session_token().unwrap();
    sessions::Entity::update_many()
        .col_expr(sessions::Column::ExpiresAt, Expr::value(Utc::now() - chrono::Duration::seconds(1)))
        .filter(sessions::Column::Token.eq(hash_token(&token)))
        .exec(&studio.state.db)
        .await
        .unwrap();
    assert_eq!(me(&client).await, None);
    assert!(session_by_token(&studio, &token).await.is_none());
}

// ---------------------------------------------------------------------------------------------
// 6. Forgotten passwords
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn forgot_password_answers_the_same_for_unknown_addresses_and_mails_only_real_ones() {
    let studio = sqlite_studio(&[]).await;
    let client = Client::new(&studio);
    assert_eq!(register(&client, "Ada", "ada@example.com", PASSWORD).await.status, StatusCode::OK);

    let known = client.call(ForgotPassword::PATH, &[("email", "ada@example.com")]).await;
    let unknown = client.call(ForgotPassword::PATH, &[("email", "nobody@example.com")]).await;
    assert_ok_unit(&known);
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));

    let link = latest_link(&studio, "ada@example.com", "/reset-password").await;
    assert!(query_param(&link, "token").is_some_and(|t| t.len() == 43), "{link}");
    // The unknown address never gets a mail (none is even queued); give a stray one time to land.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(mails_to(&studio, "nobody@example.com").is_empty());
    let resets =
        mails_to(&studio, "ada@example.com").into_iter().filter(|m| m.subject == "Reset your Atelier password").count();
    assert_eq!(resets, 1);

    let malformed = client.call(ForgotPassword::PATH, &[("email", "nobody")]).await;
    assert_api_error(&malformed, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("email"));
}

async fn password_reset_scenario(studio: TestStudio) {
    let (first, user_id) = account(&studio, "ada@example.com").await;
    let second = other_device(&studio, "ada@example.com", PASSWORD).await;
    assert_eq!(sessions_of(&studio, user_id).await.len(), 2);

    assert_ok_unit(&Client::new(&studio).call(ForgotPassword::PATH, &[("email", "ada@example.com")]).await);
    let link = latest_link(&studio, "ada@example.com", "/reset-password").await;
    let token = query_param(&link, "token").unwrap();
    let anonymous = Client::new(&studio);
    let live = anonymous.call(ResetLinkIsLive::PATH, &[("token", &token)]).await;
    assert!(live.json::<bool>(), "{}", live.body);
    let page = anonymous.page(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Set new password"), "the reset page offers the form for a live link");

    // A weak password is refused without spending the link.
    let weak = anonymous.call(ResetPassword::PATH, &[("token", &token), ("password", "password1")]).await;
    assert_api_error(&weak, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("password"));
    assert!(anonymous.call(ResetLinkIsLive::PATH, &[("token", &token)]).await.json::<bool>());

    let reset = anonymous.call(ResetPassword::PATH, &[("token", &token), ("password", NEW_PASSWORD)]).await;
    assert_ok_unit(&reset);
    assert!(sessions_of(&studio, user_id).await.is_empty(), "every session ends");
    assert_eq!(me(&first).await, None);
    assert_eq!(me(&second).await, None);
    assert!(user_by_id(&studio, user_id).await.unwrap().email_verified, "following the mailed link proves the address");

    let again =
        anonymous.call(ResetPassword::PATH, &[("token", &token), ("password", "another fine passphrase")]).await;
    let message = assert_api_error(&again, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("token"));
    assert_eq!(message, "This reset link is invalid or has expired. Ask for a new one.");
    assert!(!anonymous.call(ResetLinkIsLive::PATH, &[("token", &token)]).await.json::<bool>());

    let old = sign_in(&anonymous, "ada@example.com", PASSWORD).await;
    assert_api_error(&old, StatusCode::UNAUTHORIZED, "bad_credentials", None);
    sign_in_ok(&anonymous, "ada@example.com", NEW_PASSWORD).await;
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_signs_out_everywhere() {
    password_reset_scenario(sqlite_studio(&[]).await).await;
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_signs_out_everywhere_on_postgres() {
    password_reset_scenario(postgres_studio().await).await;
}

#[tokio::test]
async fn an_expired_reset_link_is_refused_and_the_password_stays() {
    let studio = sqlite_studio(&[]).await;
    let (client, user_id) = account(&studio, "ada@example.com").await;
    assert_ok_unit(&client.call(ForgotPassword::PATH, &[("email", "ada@example.com")]).await);
    let token = query_param(&latest_link(&studio, "ada@example.com", "/reset-password").await, "token").unwrap();

    let expired = auth_tokens::Entity::update_many()
        .col_expr(auth_tokens::Column::ExpiresAt, Expr::value(Utc::now() - chrono::Duration::minutes(1)))
        .filter(auth_tokens::Column::UserId.eq(user_id))
        .filter(auth_tokens::Column::Purpose.eq("reset_password"))
        .exec(&studio.state.db)
        .await
        .unwrap();
    assert_eq!(expired.rows_affected, 1);

    assert!(!client.call(ResetLinkIsLive::PATH, &[("token", &token)]).await.json::<bool>());
    let reset = client.call(ResetPassword::PATH, &[("token", &token), ("password", NEW_PASSWORD)]).await;
    assert_api_error(&reset, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("token"));
    assert!(me(&client).await.is_some(), "a refused reset ends no session");
    other_device(&studio, "ada@example.com", PASSWORD).await;
}

// ---------------------------------------------------------------------------------------------
// 7. Changing the password
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_signs_out_every_other_device() {
    let studio = sqlite_studio(&[]).await;
    let (client, user_id) = account(&studio, "ada@example.com").await;
    let other = other_device(&studio, "ada@example.com", PASSWORD).await;
    let this_session = session_by_token(&studio, &client.session_token().unwrap()).await.unwrap().id;

    let wrong = client
        .call(ChangePassword::PATH, &[("current_password", "not my password"), ("new_password", NEW_PASSWORD)])
        .await;
    let message = assert_api_error(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("current_password"));
    assert_eq!(message, "The password is incorrect.");
    assert!(me(&other).await.is_some(), "a refused change ends nothing");

    let weak = client.call(ChangePassword::PATH, &[("current_password", PASSWORD), ("new_password", "12345678")]).await;
    assert_api_error(&weak, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("new_password"));

    let changed =
        client.call(ChangePassword::PATH, &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)]).await;
    assert_ok_unit(&changed);
    assert!(me(&client).await.is_some(), "this device stays signed in");
    assert_eq!(me(&other).await, None, "the other device is signed out");
    let left: Vec<Uuid> = sessions_of(&studio, user_id).await.iter().map(|s| s.id).collect();
    assert_eq!(left, vec![this_session]);

    let fresh = Client::new(&studio);
    assert_api_error(
        &sign_in(&fresh, "ada@example.com", PASSWORD).await,
        StatusCode::UNAUTHORIZED,
        "bad_credentials",
        None,
    );
    sign_in_ok(&fresh, "ada@example.com", NEW_PASSWORD).await;
}

// ---------------------------------------------------------------------------------------------
// 8. Two-factor authentication
// ---------------------------------------------------------------------------------------------

/// Starts and confirms two-factor for the signed-in `client` with the code of the step before
/// `now` (so the current step is still unused); returns the secret and the recovery codes.
async fn enable_two_factor(client: &Client<'_>, now: u64) -> (String, Vec<String>) {
    let started = client.call(StartTwoFactor::PATH, &[]).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let enrollment: TwoFactorEnrollment = started.json();
    let confirmed = client.call(ConfirmTwoFactor::PATH, &[("code", &code_at(&enrollment.secret, now - 30))]).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    (enrollment.secret, confirmed.json())
}

/// Signs in with the password and expects to be asked for a second factor; returns the pending token.
async fn pending_second_factor(client: &Client<'_>, email: &str, password: &str) -> String {
    let response = sign_in(client, email, password).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    assert_eq!(response.set_cookie(SESSION_COOKIE), None, "no session before the second factor");
    match response.json::<SignInResult>() {
        SignInResult::SecondFactorRequired { pending_token } => pending_token,
        other => panic!("expected a second-factor step, got {other:?}"),
    }
}

async fn second_factor(client: &Client<'_>, pending_token: &str, code: &str) -> TestResponse {
    client.call(SignInSecondFactor::PATH, &[("pending_token", pending_token), ("code", code)]).await
}

async fn two_factor_scenario(studio: TestStudio) {
    let (client, user_id) = account(&studio, "ada@example.com").await;

    let started = client.call(StartTwoFactor::PATH, &[]).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    let enrollment: TwoFactorEnrollment = started.json();
    assert_eq!(enrollment.secret.len(), 32);
    assert!(
        enrollment.otpauth_url.starts_with(&format!(
            "otpauth://totp/Atelier:ada%40example.com?secret={}&issuer=Atelier",
            enrollment.secret
        )),
        "{}",
        enrollment.otpauth_url
    );
    assert!(enrollment.qr_svg.starts_with("<svg"), "{}", &enrollment.qr_svg[..40.min(enrollment.qr_svg.len())]);
    assert!(!me(&client).await.unwrap().two_factor_enabled, "off until a code confirms the set-up");

    let now = unix_time_mid_step().await;
    let secret = enrollment.secret;
    let wrong = client.call(ConfirmTwoFactor::PATH, &[("code", &wrong_code(&secret, now))]).await;
    assert_api_error(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("code"));

    let confirmed = client.call(ConfirmTwoFactor::PATH, &[("code", &code_at(&secret, now - 30))]).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let codes: Vec<String> = confirmed.json();
    assert_eq!(codes.len(), 10);
    assert!(codes.iter().all(|c| c.len() == 9 && c.as_bytes()[4] == b'-'), "{codes:?}");
    let mut distinct = codes.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 10);
    assert_eq!(client.call(RecoveryCodesLeft::PATH, &[]).await.json::<u64>(), 10);
    let stored: Vec<recovery_codes::Model> = recovery_codes::Entity::find()
        .filter(recovery_codes::Column::UserId.eq(user_id))
        .all(&studio.state.db)
        .await
        .unwrap();
    assert_eq!(stored.len(), 10);
    assert!(stored.iter().all(|row| !codes.contains(&row.code_hash) && row.code_hash.len() == 64));
    assert!(me(&client).await.unwrap().two_factor_enabled);
    let restart = client.call(StartTwoFactor::PATH, &[]).await;
    assert_api_error(&restart, StatusCode::CONFLICT, "conflict", None);

    // The password alone no longer signs in.
    let phone = Client::new(&studio);
    let pending = pending_second_factor(&phone, "ada@example.com", PASSWORD).await;
    assert_eq!(me(&phone).await, None);
    let bad = second_factor(&phone, &pending, &wrong_code(&secret, now)).await;
    assert_eq!(
        assert_api_error(&bad, StatusCode::UNAUTHORIZED, "bad_credentials", None),
        "That code is not right. Check your authenticator app and try again."
    );
    let code = code_at(&secret, now);
    let good = second_factor(&phone, &pending, &code).await;
    assert_eq!(good.status, StatusCode::OK, "{}", good.body);
    assert_eq!(good.json::<SignInResult>(), SignInResult::SignedIn { next: "/dashboard".into() });
    assert!(good.set_cookie(SESSION_COOKIE).is_some());
    assert_eq!(me(&phone).await.map(|u| u.id), Some(user_id));

    // The same code (the same time step) cannot sign in a second time.
    let laptop = Client::new(&studio);
    let pending = pending_second_factor(&laptop, "ada@example.com", PASSWORD).await;
    let replay = second_factor(&laptop, &pending, &code).await;
    assert_api_error(&replay, StatusCode::UNAUTHORIZED, "bad_credentials", None);
    assert_eq!(me(&laptop).await, None);

    // A recovery code works, however it is typed, and only once.
    let recovery = second_factor(&laptop, &pending, &format!(" {} ", codes[0].to_uppercase())).await;
    assert_eq!(recovery.status, StatusCode::OK, "{}", recovery.body);
    assert!(me(&laptop).await.is_some());
    assert_eq!(client.call(RecoveryCodesLeft::PATH, &[]).await.json::<u64>(), 9);

    let tablet = Client::new(&studio);
    let pending_tablet = pending_second_factor(&tablet, "ada@example.com", PASSWORD).await;
    let reused = second_factor(&tablet, &pending_tablet, &codes[0]).await;
    assert_api_error(&reused, StatusCode::UNAUTHORIZED, "bad_credentials", None);
    assert_eq!(me(&tablet).await, None);

    // A pending sign-in that was completed cannot be completed again, and spends no code trying.
    let stale = second_factor(&tablet, &pending, &codes[1]).await;
    assert_eq!(
        assert_api_error(&stale, StatusCode::UNAUTHORIZED, "bad_credentials", None),
        "This sign-in has expired. Enter your email and password again."
    );
    assert_eq!(client.call(RecoveryCodesLeft::PATH, &[]).await.json::<u64>(), 9);

    // The REST login takes the code in the same request.
    let script = Client::new(&studio);
    let without = script.post_json("/api/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_api_error(&without, StatusCode::UNAUTHORIZED, "bad_credentials", None);
    let with = script
        .post_json("/api/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD, "code": codes[2]}))
        .await;
    assert_eq!(with.status, StatusCode::OK, "{}", with.body);
    assert_eq!(with.json::<CurrentUser>().id, user_id);
    assert!(script.session_token().is_some());
}

#[tokio::test]
async fn two_factor_sign_in_needs_a_fresh_code_or_an_unused_recovery_code() {
    two_factor_scenario(sqlite_studio(&[]).await).await;
}

#[tokio::test]
async fn two_factor_sign_in_needs_a_fresh_code_or_an_unused_recovery_code_on_postgres() {
    two_factor_scenario(postgres_studio().await).await;
}

#[tokio::test]
async fn turning_two_factor_off_needs_the_password_and_a_code() {
    let studio = sqlite_studio(&[]).await;
    let (client, user_id) = account(&studio, "ada@example.com").await;
    let now = unix_time_mid_step().await;
    let (secret, _codes) = enable_two_factor(&client, now).await;
    let code = code_at(&secret, now);

    let wrong_password =
        client.call(DisableTwoFactor::PATH, &[("current_password", "not my password"), ("code", &code)]).await;
    assert_api_error(&wrong_password, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("current_password"));
    let wrong_code = client
        .call(DisableTwoFactor::PATH, &[("current_password", PASSWORD), ("code", &wrong_code(&secret, now))])
        .await;
    assert_api_error(&wrong_code, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("code"));
    assert!(me(&client).await.unwrap().two_factor_enabled, "still on after refused attempts");

    let disabled = client.call(DisableTwoFactor::PATH, &[("current_password", PASSWORD), ("code", &code)]).await;
    assert_ok_unit(&disabled);
    assert!(!me(&client).await.unwrap().two_factor_enabled);
    let row = user_by_id(&studio, user_id).await.unwrap();
    assert_eq!((row.totp_secret, row.totp_enabled_at, row.totp_last_step), (None, None, None));
    let codes_left =
        recovery_codes::Entity::find().filter(recovery_codes::Column::UserId.eq(user_id)).count(&studio.state.db);
    assert_eq!(codes_left.await.unwrap(), 0);

    other_device(&studio, "ada@example.com", PASSWORD).await;
}

// ---------------------------------------------------------------------------------------------
// 9. Cross-site requests
// ---------------------------------------------------------------------------------------------

fn cross_site_request(path: &str, content_type: &str, body: String, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder =
        Request::post(path).header(header::CONTENT_TYPE, content_type).header(header::ACCEPT, "application/json");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body)).unwrap()
}

#[tokio::test]
async fn cross_site_posts_are_refused_before_they_reach_a_server_function_or_a_rest_route() {
    let studio = sqlite_studio(&[]).await;
    let (client, user_id) = account(&studio, "ada@example.com").await;
    let forged_headers: [&[(&str, &str)]; 3] = [
        &[("sec-fetch-site", "cross-site")],
        &[("sec-fetch-site", "same-site")],
        &[("origin", "https://evil.example")],
    ];

    for headers in forged_headers {
        // A forged sign-out would end the victim's session: it is refused and the session lives on.
        let sign_out = client
            .send(cross_site_request(SignOut::PATH, "application/x-www-form-urlencoded", String::new(), headers))
            .await;
        let message = assert_api_error(&sign_out, StatusCode::FORBIDDEN, "forbidden", None);
        assert_eq!(message, "You do not have access to this.");
        assert_eq!(sign_out.set_cookie(SESSION_COOKIE), None, "{headers:?}");
        assert!(me(&client).await.is_some(), "{headers:?}");

        let theme = client
            .send(cross_site_request(
                RememberTheme::PATH,
                "application/x-www-form-urlencoded",
                "theme=dark".into(),
                headers,
            ))
            .await;
        assert_api_error(&theme, StatusCode::FORBIDDEN, "forbidden", None);
        assert_eq!(theme.set_cookie("atelier_theme"), None);

        let rest = client
            .send(cross_site_request(
                "/api/auth/profile",
                "application/json",
                json!({"name": "Mallory"}).to_string(),
                headers,
            ))
            .await;
        assert_api_error(&rest, StatusCode::FORBIDDEN, "forbidden", None);
        let logout =
            client.send(cross_site_request("/api/auth/logout", "application/json", "{}".into(), headers)).await;
        assert_api_error(&logout, StatusCode::FORBIDDEN, "forbidden", None);
    }
    assert_eq!(sessions_of(&studio, user_id).await.len(), 1);
    assert_eq!(settings_of(&studio, user_id).await.unwrap().theme, "auto", "no forged request changed anything");

    // The same requests from the studio's own pages go through.
    let theme = client.call(RememberTheme::PATH, &[("theme", "dark")]).await;
    assert_ok_unit(&theme);
    assert!(theme.set_cookie("atelier_theme").is_some_and(|c| c.starts_with("atelier_theme=dark;")));
    assert_eq!(settings_of(&studio, user_id).await.unwrap().theme, "dark");
    let forgot = client.post_json("/api/auth/forgot-password", &json!({"email": "ada@example.com"})).await;
    assert_eq!(forgot.status, StatusCode::OK, "{}", forgot.body);
    assert_eq!(
        forgot.json::<serde_json::Value>(),
        json!({"message": "If an account uses this address, a reset link is on its way."})
    );

    // Reading is never blocked: a cross-site GET is answered as usual.
    let me_cross = client
        .send(Request::get("/api/auth/me").header("sec-fetch-site", "cross-site").body(Body::empty()).unwrap())
        .await;
    assert_eq!(me_cross.status, StatusCode::OK, "{}", me_cross.body);
    assert_eq!(me_cross.json::<CurrentUser>().id, user_id);
    let landing = client
        .send(
            Request::get("/")
                .header("sec-fetch-site", "cross-site")
                .header("origin", "https://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(landing.status, StatusCode::OK);
}

// ---------------------------------------------------------------------------------------------
// 10. Rate limits
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn ten_failed_sign_ins_lock_the_account_for_the_window_without_touching_others() {
    let studio = sqlite_studio(&[]).await;
    let setup = Client::new(&studio);
    assert_eq!(register(&setup, "Ada", "ada@example.com", PASSWORD).await.status, StatusCode::OK);
    assert_eq!(register(&setup, "Grace", "grace@example.com", PASSWORD).await.status, StatusCode::OK);

    let attacker = Client::from_ip(&studio, [10, 0, 0, 1]);
    for attempt in 1..=10 {
        let response = sign_in(&attacker, "ada@example.com", &format!("guess number {attempt}")).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "attempt {attempt}: {}", response.body);
    }
    let limited = sign_in(&attacker, "ada@example.com", "guess number 11").await;
    let message = assert_api_error(&limited, StatusCode::TOO_MANY_REQUESTS, "rate_limited", None);
    assert_eq!(message, "Too many attempts. Try again in 15 minutes.");
    let retry_after: u64 = limited.header(header::RETRY_AFTER).expect("Retry-After is set").parse().unwrap();
    assert!((840..=900).contains(&retry_after), "seconds until the 15-minute window ends: {retry_after}");

    // Even the right password waits, from this IP and from another one: the account is limited.
    let right = sign_in(&attacker, "ada@example.com", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(right.set_cookie(SESSION_COOKIE), None);
    let elsewhere = sign_in(&Client::from_ip(&studio, [10, 0, 0, 3]), "ada@example.com", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::TOO_MANY_REQUESTS);

    // Another account from another IP is not affected.
    let grace = Client::from_ip(&studio, [10, 0, 0, 2]);
    assert_eq!(sign_in(&grace, "grace@example.com", "a wrong guess").await.status, StatusCode::UNAUTHORIZED);
    sign_in_ok(&grace, "grace@example.com", PASSWORD).await;
    assert_eq!(me(&grace).await.map(|u| u.email).as_deref(), Some("grace@example.com"));
}

// ---------------------------------------------------------------------------------------------
// 11. Isolation between users
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn one_user_can_neither_see_nor_end_nor_change_what_belongs_to_another() {
    let studio = sqlite_studio(&[]).await;
    let (ada, ada_id) = account(&studio, "ada@example.com").await;
    let (grace, grace_id) = account(&studio, "grace@example.com").await;
    let _ada_phone = other_device(&studio, "ada@example.com", PASSWORD).await;
    let grace_session = session_by_token(&studio, &grace.session_token().unwrap()).await.unwrap();

    let listed = ada.call(ListSessions::PATH, &[]).await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
    let listed: Vec<SessionInfo> = listed.json();
    let mut listed_ids: Vec<Uuid> = listed.iter().map(|s| s.id).collect();
    let mut ada_ids: Vec<Uuid> = sessions_of(&studio, ada_id).await.iter().map(|s| s.id).collect();
    listed_ids.sort();
    ada_ids.sort();
    assert_eq!(listed_ids, ada_ids, "exactly Ada's own sessions");
    assert!(!listed_ids.contains(&grace_session.id));
    assert_eq!(listed.iter().filter(|s| s.current).count(), 1);

    let end = ada.call(EndSession::PATH, &[("session_id", &grace_session.id.to_string())]).await;
    assert_eq!(assert_api_error(&end, StatusCode::NOT_FOUND, "not_found", None), "That session does not exist.");
    assert_eq!(me(&grace).await.map(|u| u.id), Some(grace_id), "Grace is still signed in");
    assert_eq!(sessions_of(&studio, grace_id).await, vec![grace_session]);

    let grace_settings = settings_of(&studio, grace_id).await.unwrap();
    let saved = ada
        .call(
            SavePreferences::PATH,
            &[
                ("preferences[theme]", "dark"),
                ("preferences[gallery_view]", "masonry"),
                ("preferences[timezone]", "Europe/Paris"),
                ("preferences[language]", "fr"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let expected = Preferences {
        theme: "dark".into(),
        default_model: None,
        gallery_view: "masonry".into(),
        timezone: "Europe/Paris".into(),
        language: "fr".into(),
    };
    assert_eq!(saved.json::<Preferences>(), expected);
    assert_eq!(ada.call(GetPreferences::PATH, &[]).await.json::<Preferences>(), expected);
    assert_eq!(settings_of(&studio, grace_id).await.unwrap(), grace_settings, "Grace's row is untouched");
    assert_eq!(
        grace.call(GetPreferences::PATH, &[]).await.json::<Preferences>(),
        Preferences {
            theme: "auto".into(),
            default_model: None,
            gallery_view: "grid".into(),
            timezone: "UTC".into(),
            language: "en".into(),
        }
    );
}

#[tokio::test]
async fn protected_server_functions_and_rest_routes_answer_401_json_without_a_session() {
    let studio = sqlite_studio(&[]).await;
    let anonymous = Client::new(&studio);
    let session_id = Uuid::now_v7().to_string();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (ListSessions::PATH, vec![]),
        (EndSession::PATH, vec![("session_id", &session_id)]),
        (GetPreferences::PATH, vec![]),
        (
            SavePreferences::PATH,
            vec![
                ("preferences[theme]", "dark"),
                ("preferences[gallery_view]", "grid"),
                ("preferences[timezone]", "UTC"),
                ("preferences[language]", "en"),
            ],
        ),
        (ChangePassword::PATH, vec![("current_password", PASSWORD), ("new_password", NEW_PASSWORD)]),
        (DeleteAccount::PATH, vec![("current_password", PASSWORD)]),
        (RenameAccount::PATH, vec![("name", "Mallory")]),
        (StartTwoFactor::PATH, vec![]),
        (ConfirmTwoFactor::PATH, vec![("code", "123456")]),
        (DisableTwoFactor::PATH, vec![("current_password", PASSWORD), ("code", "123456")]),
        (RecoveryCodesLeft::PATH, vec![]),
        (ResendVerification::PATH, vec![]),
    ];
    for (path, fields) in calls {
        let response = anonymous.call(path, &fields).await;
        let message = assert_api_error(&response, StatusCode::UNAUTHORIZED, "unauthorized", None);
        assert_eq!(message, "Sign in to continue.", "{path}");
    }
    assert_eq!(me(&anonymous).await, None, "get_me answers null, not an error");

    assert_api_error(&anonymous.get("/api/auth/me").await, StatusCode::UNAUTHORIZED, "unauthorized", None);
    let profile = anonymous.json_request("PUT", "/api/auth/profile", &json!({"name": "Mallory"})).await;
    assert_api_error(&profile, StatusCode::UNAUTHORIZED, "unauthorized", None);
    let avatar = anonymous.upload("/api/account/avatar", "avatar", "a.png", "image/png", &png(8, 8)).await;
    assert_api_error(&avatar, StatusCode::UNAUTHORIZED, "unauthorized", None);
}

// ---------------------------------------------------------------------------------------------
// 12. Protected pages
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn protected_pages_redirect_visitors_to_sign_in_with_the_page_to_come_back_to() {
    let studio = sqlite_studio(&[]).await;
    let anonymous = Client::new(&studio);
    for (path, location) in [
        ("/dashboard", "/login?next=/dashboard"),
        ("/settings/security", "/login?next=/settings/security"),
        ("/settings/account", "/login?next=/settings/account"),
    ] {
        let page = anonymous.page(path).await;
        assert_eq!(page.status, StatusCode::FOUND, "{path}");
        assert_eq!(page.header(header::LOCATION), Some(location), "{path}");
        assert!(!page.body.contains("Welcome to your studio"), "{path}");
    }
}

#[tokio::test]
async fn the_sign_in_redirect_keeps_the_query_string_of_the_protected_page() {
    let studio = sqlite_studio(&[]).await;
    let page = Client::new(&studio).page("/settings/account?tab=avatar").await;
    assert_eq!(page.status, StatusCode::FOUND);
    assert_eq!(page.header(header::LOCATION), Some("/login?next=/settings/account%3Ftab%3Davatar"));
}

#[tokio::test]
async fn protected_pages_render_for_a_signed_in_user() {
    let studio = sqlite_studio(&[]).await;
    let (client, _) = account(&studio, "ada@example.com").await;
    let dashboard = client.page("/dashboard").await;
    assert_eq!(dashboard.status, StatusCode::OK);
    assert_eq!(dashboard.header(header::LOCATION), None);
    assert!(dashboard.body.contains("Welcome to your studio"));
    assert!(dashboard.body.contains(r#"aria-label="Account menu for Ada Lovelace""#), "the signed-in user is shown");
    let security = client.page("/settings/security").await;
    assert_eq!(security.status, StatusCode::OK);
    assert_eq!(security.header(header::LOCATION), None);
    assert!(security.body.contains("Two-factor authentication"));
    assert!(security.body.contains("Changing it signs out every other device."));
    assert!(security.body.contains(r#"name="current_password""#));
}

#[tokio::test]
async fn the_sign_in_page_sends_someone_already_signed_in_on_to_the_studio() {
    let studio = sqlite_studio(&[]).await;
    let (client, _) = account(&studio, "ada@example.com").await;
    let page = client.page("/login?next=/settings/account").await;
    assert!(page.status.is_redirection(), "{}", page.status);
    assert_eq!(page.header(header::LOCATION), Some("/settings/account"));
    let page = client.page("/login?next=https://evil.example").await;
    assert_eq!(page.header(header::LOCATION), Some("/dashboard"));
}

// ---------------------------------------------------------------------------------------------
// 13. Avatars
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_uploaded_avatar_is_cropped_square_re_encoded_and_served_as_png() {
    let studio = sqlite_studio(&[]).await;
    let (client, user_id) = account(&studio, "ada@example.com").await;

    let response = client.upload("/api/account/avatar", "avatar", "me.png", "image/png", &png(800, 600)).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.body);
    let user: CurrentUser = response.json();
    let url = user.avatar_url.expect("avatar_url is set");
    let prefix = format!("/media/avatars/{user_id}/");
    assert!(url.starts_with(&prefix), "{url}");
    let avatar_id: Uuid = url[prefix.len()..].parse().expect("the URL ends in the avatar id");
    assert_eq!(me(&client).await.unwrap().avatar_url.as_deref(), Some(url.as_str()));
    assert_eq!(
        blobs_of(&studio, user_id).await,
        vec![
            format!("users/{user_id}/avatar/{avatar_id}-thumb.png"),
            format!("users/{user_id}/avatar/{avatar_id}.png")
        ]
    );

    let served = Client::new(&studio).get_bytes(&url).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.headers[header::CONTENT_TYPE], "image/png");
    let image = image::load_from_memory_with_format(&served.body, image::ImageFormat::Png).unwrap();
    assert_eq!((image.width(), image.height()), (512, 512));
    let thumb = Client::new(&studio).get_bytes(&format!("{url}?size=thumb")).await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert_eq!(thumb.headers[header::CONTENT_TYPE], "image/png");
    let thumb = image::load_from_memory_with_format(&thumb.body, image::ImageFormat::Png).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (96, 96));

    // A small picture is not blown up, and replacing the avatar drops the old files.
    let smaller: CurrentUser =
        client.upload("/api/account/avatar", "avatar", "small.png", "image/png", &png(100, 80)).await.json();
    let new_url = smaller.avatar_url.unwrap();
    assert_ne!(new_url, url);
    let new_id = &new_url[prefix.len()..];
    assert_eq!(
        blobs_of(&studio, user_id).await,
        vec![format!("users/{user_id}/avatar/{new_id}-thumb.png"), format!("users/{user_id}/avatar/{new_id}.png")]
    );
    let served = Client::new(&studio).get_bytes(&new_url).await;
    let image = image::load_from_memory_with_format(&served.body, image::ImageFormat::Png).unwrap();
    assert_eq!((image.width(), image.height()), (80, 80));
    assert_eq!(Client::new(&studio).get(&url).await.status, StatusCode::NOT_FOUND, "the old URL is gone");
}

#[tokio::test]
async fn an_avatar_that_is_not_an_image_or_is_too_large_is_refused_and_leaves_nothing_behind() {
    let studio = sqlite_studio(&[]).await;
    let (client, user_id) = account(&studio, "ada@example.com").await;

    let text = client
        .upload("/api/account/avatar", "avatar", "cat.png", "image/png", b"this is a text file, not a picture\n")
        .await;
    let message = assert_api_error(&text, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("avatar"));
    assert_eq!(message, "Only PNG, JPEG and WebP images are accepted.");

    let huge = client.upload("/api/account/avatar", "avatar", "wide.png", "image/png", &png(5000, 1)).await;
    let message = assert_api_error(&huge, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("avatar"));
    assert_eq!(message, "The image is 5000×1 pixels; the limit is 4096×4096.");

    let heavy =
        client.upload("/api/account/avatar", "avatar", "big.png", "image/png", &vec![0u8; 7 * 1024 * 1024]).await;
    let message = assert_api_error(&heavy, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("avatar"));
    assert_eq!(message, "The file is larger than 5 MB.");

    let empty = client.upload("/api/account/avatar", "photo", "x.png", "image/png", &png(8, 8)).await;
    let message = assert_api_error(&empty, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("avatar"));
    assert_eq!(message, "Choose an image file to upload.");

    assert!(blobs_of(&studio, user_id).await.is_empty(), "no blob is kept for a refused upload");
    assert_eq!(user_by_id(&studio, user_id).await.unwrap().avatar_url, None);

    // A plain HTML form (no JavaScript) is sent back to the account page with the reason.
    let form = client
        .send(
            Request::post("/api/account/avatar")
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=b")
                .header(header::ACCEPT, "text/html")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(
                    "--b\r\nContent-Disposition: form-data; name=\"avatar\"; filename=\"a.png\"\r\n\
                     Content-Type: image/png\r\n\r\nnot a picture\r\n--b--\r\n",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER);
    assert_eq!(
        form.header(header::LOCATION),
        Some("/settings/account?error=Only%20PNG%2C%20JPEG%20and%20WebP%20images%20are%20accepted.")
    );
}

// ---------------------------------------------------------------------------------------------
// 14. Deleting an account
// ---------------------------------------------------------------------------------------------

async fn delete_account_scenario(studio: TestStudio) {
    let (client, user_id) = account(&studio, "ada@example.com").await;
    let (grace, grace_id) = account(&studio, "grace@example.com").await;
    let phone = other_device(&studio, "ada@example.com", PASSWORD).await;
    let upload = client.upload("/api/account/avatar", "avatar", "me.png", "image/png", &png(64, 64)).await;
    assert_eq!(upload.status, StatusCode::OK, "{}", upload.body);
    let grace_upload = grace.upload("/api/account/avatar", "avatar", "g.png", "image/png", &png(64, 64)).await;
    assert_eq!(grace_upload.status, StatusCode::OK, "{}", grace_upload.body);
    assert_ok_unit(&client.call(ForgotPassword::PATH, &[("email", "ada@example.com")]).await);
    latest_link(&studio, "ada@example.com", "/reset-password").await;
    let db = &studio.state.db;
    let tokens_of = |id: Uuid| auth_tokens::Entity::find().filter(auth_tokens::Column::UserId.eq(id)).count(db);
    assert_eq!(tokens_of(user_id).await.unwrap(), 2, "a verification and a reset token exist");
    assert_eq!(blobs_of(&studio, user_id).await.len(), 2);

    let wrong = client.call(DeleteAccount::PATH, &[("current_password", "not my password")]).await;
    assert_api_error(&wrong, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("current_password"));
    assert!(user_by_id(&studio, user_id).await.is_some());
    assert!(me(&client).await.is_some());

    let deleted = client.call(DeleteAccount::PATH, &[("current_password", PASSWORD)]).await;
    assert_ok_unit(&deleted);
    let clearing = deleted.set_cookie(SESSION_COOKIE).expect("the session cookie is cleared");
    assert!(clearing.contains("Max-Age=0"), "{clearing}");
    assert_eq!(client.session_token(), None);

    assert!(user_by_id(&studio, user_id).await.is_none());
    assert!(sessions_of(&studio, user_id).await.is_empty());
    assert!(settings_of(&studio, user_id).await.is_none());
    assert_eq!(tokens_of(user_id).await.unwrap(), 0);
    assert!(blobs_of(&studio, user_id).await.is_empty(), "the avatar files are deleted");
    assert_eq!(me(&phone).await, None, "the other device is signed out too");
    let again = sign_in(&Client::new(&studio), "ada@example.com", PASSWORD).await;
    assert_api_error(&again, StatusCode::UNAUTHORIZED, "bad_credentials", None);

    // The other user keeps everything.
    assert_eq!(me(&grace).await.map(|u| u.id), Some(grace_id));
    assert!(settings_of(&studio, grace_id).await.is_some());
    assert_eq!(blobs_of(&studio, grace_id).await.len(), 2);
}

#[tokio::test]
async fn deleting_the_account_removes_its_rows_sessions_and_files_and_signs_out() {
    delete_account_scenario(sqlite_studio(&[]).await).await;
}

#[tokio::test]
async fn deleting_the_account_removes_its_rows_sessions_and_files_and_signs_out_on_postgres() {
    delete_account_scenario(postgres_studio().await).await;
}

// ---------------------------------------------------------------------------------------------
// 15. `atelier admin create`
// ---------------------------------------------------------------------------------------------

/// Runs the binary on `data_dir` with `stdin` fed in; returns (success, stdout + stderr).
fn atelier(data_dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(args)
        .current_dir(data_dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ATELIER_DATA_DIR", data_dir)
        .env("ATELIER_STARTING_CREDITS", STARTING_CREDITS.to_string())
        .env("ATELIER_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the atelier binary runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    let output = child.wait_with_output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

#[tokio::test]
async fn admin_create_makes_a_verified_administrator_or_promotes_an_existing_account() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, output) = atelier(
        dir.path(),
        &["admin", "create", "--email", "Root@Example.com", "--name", "Root", "--password-stdin"],
        Some("an admin passphrase of some length\n"),
    );
    assert!(ok, "{output}");
    assert_eq!(output.trim(), "Created administrator root@example.com.");

    let database_url = format!("sqlite://{}?mode=rwc", dir.path().join("atelier.db").display());
    let studio = sqlite_studio(&[("DATABASE_URL", &database_url)]).await;
    let admin = Client::new(&studio);
    sign_in_ok(&admin, "root@example.com", "an admin passphrase of some length").await;
    let user = me(&admin).await.unwrap();
    assert_eq!((user.role, user.email_verified, user.name.as_str()), (Role::Admin, true, "Root"));
    assert_eq!(user.credits, STARTING_CREDITS);
    assert!(settings_of(&studio, user.id).await.is_some(), "an administrator has a settings row too");

    // An existing account is promoted, keeping its password.
    let (grace, grace_id) = account(&studio, "grace@example.com").await;
    assert_eq!(me(&grace).await.unwrap().role, Role::User);
    let (ok, output) = atelier(dir.path(), &["admin", "create", "--email", "grace@example.com"], None);
    assert!(ok, "{output}");
    assert_eq!(output.trim(), "grace@example.com is now an administrator.");
    assert_eq!(user_by_id(&studio, grace_id).await.unwrap().role, "admin");
    assert_eq!(me(&grace).await.unwrap().role, Role::Admin);
    other_device(&studio, "grace@example.com", PASSWORD).await;
    assert_eq!(count_users(&studio).await, 2);

    // Without --password-stdin a password is generated and shown once.
    let (ok, output) = atelier(dir.path(), &["admin", "create", "--email", "ops@example.com"], None);
    assert!(ok, "{output}");
    let generated = output
        .lines()
        .find_map(|line| line.strip_prefix("Created administrator ops@example.com with password: "))
        .unwrap_or_else(|| panic!("no generated password in {output}"));
    assert_eq!(generated.len(), 20, "{generated}");
    other_device(&studio, "ops@example.com", generated).await;

    // A weak password is refused before anything is written.
    let (ok, output) = atelier(
        dir.path(),
        &["admin", "create", "--email", "weak@example.com", "--password-stdin"],
        Some("password\n"),
    );
    assert!(!ok, "{output}");
    assert!(user_by_email(&studio, "weak@example.com").await.is_none());
}

// ---------------------------------------------------------------------------------------------
// 16. The REST routes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_rest_routes_register_verify_sign_in_read_and_sign_out_in_json() {
    let studio = sqlite_studio(&[]).await;
    let script = Client::new(&studio);

    let created = script
        .post_json("/api/auth/register", &json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.header(header::CONTENT_TYPE), Some("application/json"));
    let user: CurrentUser = created.json();
    assert_eq!((user.email.as_str(), user.credits, user.email_verified), ("ada@example.com", STARTING_CREDITS, false));
    assert_eq!(script.session_token(), None);

    let duplicate = script
        .post_json("/api/auth/register", &json!({"name": "Ada", "email": "ada@example.com", "password": PASSWORD}))
        .await;
    assert_api_error(&duplicate, StatusCode::CONFLICT, "conflict", None);
    let weak = script
        .post_json("/api/auth/register", &json!({"name": "Bo", "email": "bo@example.com", "password": "qwerty"}))
        .await;
    assert_api_error(&weak, StatusCode::UNPROCESSABLE_ENTITY, "invalid", Some("password"));

    let token = query_param(&latest_link(&studio, "ada@example.com", "/verify-email").await, "token").unwrap();
    let verified = script.post_json("/api/auth/verify-email", &json!({"token": token})).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.json::<serde_json::Value>(), json!({"verified": true}));

    let anonymous = script.get("/api/auth/me").await;
    assert_eq!(anonymous.header(header::CONTENT_TYPE), Some("application/json"));
    let message = assert_api_error(&anonymous, StatusCode::UNAUTHORIZED, "unauthorized", None);
    assert_eq!(message, "Sign in to continue.");

    let wrong =
        script.post_json("/api/auth/login", &json!({"email": "ada@example.com", "password": "nope nope"})).await;
    assert_eq!(assert_api_error(&wrong, StatusCode::UNAUTHORIZED, "bad_credentials", None), BAD_CREDENTIALS);
    let login = script.post_json("/api/auth/login", &json!({"email": "ada@example.com", "password": PASSWORD})).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert!(login.set_cookie(SESSION_COOKIE).is_some_and(|c| c.contains("HttpOnly")));
    let signed_in: CurrentUser = login.json();
    assert_eq!((signed_in.id, signed_in.email_verified), (user.id, true));

    let me_rest = script.get("/api/auth/me").await;
    assert_eq!(me_rest.status, StatusCode::OK, "{}", me_rest.body);
    assert_eq!(me_rest.json::<CurrentUser>(), signed_in);

    let renamed = script.json_request("PUT", "/api/auth/profile", &json!({"name": "Ada King"})).await;
    assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.body);
    assert_eq!(renamed.json::<CurrentUser>().name, "Ada King");

    let logout = script.post_json("/api/auth/logout", &json!({})).await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT);
    assert!(logout.set_cookie(SESSION_COOKIE).is_some_and(|c| c.contains("Max-Age=0")));
    assert!(sessions_of(&studio, user.id).await.is_empty());
    assert_api_error(&script.get("/api/auth/me").await, StatusCode::UNAUTHORIZED, "unauthorized", None);
}
