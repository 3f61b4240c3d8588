//! The REST face of accounts (`/api/auth/*`, `/api/account/avatar`), for scripts and the avatar form.
//! Each handler is a thin wrapper over `server::accounts`, like the server functions.

use crate::query::encode_query_value;
use crate::server::accounts::sign_in::SignInOutcome;
use crate::server::accounts::{self, current_user, profile, recovery, registration};
use crate::server::auth::CurrentSession;
use crate::server::auth::session::ClientInfo;
use crate::server::error::AppError;
use crate::server::state::AppState;
use crate::types::CurrentUser;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post, put};
use axum::{Extension, Json, Router};
use bytes::Bytes;
use serde::Deserialize;
use serde_json::json;

/// Account requests are small forms; only the avatar upload carries a file.
const FORM_BODY_LIMIT: usize = 16 * 1024;
const AVATAR_BODY_LIMIT: usize = 6 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    let avatar =
        Router::new().route("/api/account/avatar", post(upload_avatar)).layer(DefaultBodyLimit::max(AVATAR_BODY_LIMIT));
    Router::new()
        .route("/api/auth/register", post(register))
        .route("/api/auth/login", post(login))
        .route("/api/auth/logout", post(logout))
        .route("/api/auth/me", get(me))
        .route("/api/auth/verify-email", post(verify_email))
        .route("/api/auth/forgot-password", post(forgot_password))
        .route("/api/auth/reset-password", post(reset_password))
        .route("/api/auth/profile", put(update_profile))
        .route("/api/auth/change-password", put(change_password))
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .merge(avatar)
}

#[derive(Deserialize)]
struct RegisterBody {
    name: String,
    email: String,
    password: String,
}

async fn register(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    Json(body): Json<RegisterBody>,
) -> Result<(StatusCode, Json<CurrentUser>), AppError> {
    let input = registration::Registration { email: body.email, password: body.password, name: body.name };
    let user = registration::register(&state, input, &client).await?;
    Ok((StatusCode::CREATED, Json(current_user(&user))))
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
    /// The authenticator or recovery code, for accounts with two-factor authentication.
    code: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    Json(body): Json<LoginBody>,
) -> Result<Response, AppError> {
    let mut outcome = accounts::sign_in::sign_in(&state, &body.email, &body.password, &client).await?;
    if let SignInOutcome::SecondFactorRequired { pending_token } = &outcome {
        let Some(code) = body.code.as_deref() else {
            return Err(AppError::BadCredentials(
                "This account needs a code from its authenticator app: send it as `code`.",
            ));
        };
        outcome = accounts::sign_in::complete_second_factor(&state, pending_token, code, &client).await?;
    }
    match outcome {
        SignInOutcome::SignedIn { token, user } => {
            Ok(([(header::SET_COOKIE, state.sessions.cookie(&token))], Json(current_user(&user))).into_response())
        }
        SignInOutcome::SecondFactorRequired { .. } => Err(AppError::internal("second factor asked twice")),
    }
}

async fn logout(State(state): State<AppState>, session: Option<CurrentSession>) -> Result<Response, AppError> {
    if let Some(session) = session {
        accounts::sign_in::sign_out(&state, session.user.id, session.session_id).await?;
    }
    Ok(([(header::SET_COOKIE, state.sessions.clearing_cookie())], StatusCode::NO_CONTENT).into_response())
}

async fn me(session: CurrentSession) -> Json<CurrentUser> {
    Json(current_user(&session.user))
}

#[derive(Deserialize)]
struct TokenBody {
    token: String,
}

async fn verify_email(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    Json(body): Json<TokenBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    registration::verify_email(&state, &body.token, &client).await?;
    Ok(Json(json!({ "verified": true })))
}

#[derive(Deserialize)]
struct EmailBody {
    email: String,
}

async fn forgot_password(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    Json(body): Json<EmailBody>,
) -> Result<Json<serde_json::Value>, AppError> {
    recovery::request_reset(&state, &body.email, &client).await?;
    Ok(Json(json!({ "message": "If an account uses this address, a reset link is on its way." })))
}

#[derive(Deserialize)]
struct ResetBody {
    token: String,
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    Json(body): Json<ResetBody>,
) -> Result<StatusCode, AppError> {
    recovery::reset_password(&state, &body.token, &body.password, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct ProfileBody {
    name: String,
}

async fn update_profile(
    State(state): State<AppState>,
    session: CurrentSession,
    Json(body): Json<ProfileBody>,
) -> Result<Json<CurrentUser>, AppError> {
    Ok(Json(current_user(&profile::rename(&state, session.user.id, &body.name).await?)))
}

#[derive(Deserialize)]
struct ChangePasswordBody {
    current_password: String,
    new_password: String,
}

async fn change_password(
    State(state): State<AppState>,
    session: CurrentSession,
    Json(body): Json<ChangePasswordBody>,
) -> Result<StatusCode, AppError> {
    profile::change_password(&state, session.user.id, session.session_id, &body.current_password, &body.new_password)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Takes the `avatar` field of a multipart form. A browser form (no JavaScript needed) is sent back
/// to the account page with a notice; other clients get JSON.
async fn upload_avatar(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    multipart: Multipart,
) -> Response {
    let from_form =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|accept| accept.contains("text/html"));
    let result = async {
        let session = session.ok_or(AppError::Unauthorized)?;
        let upload = avatar_field(multipart).await?;
        profile::set_avatar(&state, session.user.id, upload).await
    }
    .await;
    match (result, from_form) {
        (Ok(_), true) => Redirect::to("/settings/account?notice=avatar-updated").into_response(),
        (Ok(user), false) => Json(current_user(&user)).into_response(),
        (Err(AppError::Unauthorized), true) => Redirect::to("/login?next=/settings/account").into_response(),
        (Err(e), true) => {
            let message = e.to_api_error().message;
            Redirect::to(&format!("/settings/account?error={}", encode_query_value(&message))).into_response()
        }
        (Err(e), false) => e.into_response(),
    }
}

async fn avatar_field(mut multipart: Multipart) -> Result<Bytes, AppError> {
    let missing = || AppError::invalid("avatar", "Choose an image file to upload.");
    while let Some(field) = multipart.next_field().await.map_err(upload_error)? {
        if field.name() == Some("avatar") {
            let bytes =
                field.bytes().await.map_err(|_| AppError::invalid("avatar", "The upload did not arrive whole."))?;
            return if bytes.is_empty() { Err(missing()) } else { Ok(bytes) };
        }
    }
    Err(missing())
}

fn upload_error(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::invalid("avatar", "The file is larger than 5 MB.")
    } else {
        AppError::invalid("avatar", "The upload did not arrive whole. Try again.")
    }
}
