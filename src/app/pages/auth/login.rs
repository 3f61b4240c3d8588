use crate::api::auth::{SignIn, SignInSecondFactor};
use crate::app::components::auth_card::AuthCard;
use crate::app::components::form::{Alert, AlertKind, SubmitButton, TextField, field_error, form_error};
use crate::app::session::{reload_at, use_current_user};
use crate::types::{SignInResult, safe_next};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_query_map;

#[component]
pub fn Login() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let sign_in = ServerAction::<SignIn>::new();
    let second_factor = ServerAction::<SignInSecondFactor>::new();
    let pending_token = RwSignal::new(None::<String>);

    let follow = move |result: Option<Result<SignInResult, crate::types::ApiError>>| match result {
        Some(Ok(SignInResult::SignedIn { next })) => reload_at(&next),
        Some(Ok(SignInResult::SecondFactorRequired { pending_token: token })) => pending_token.set(Some(token)),
        _ => {}
    };
    Effect::new(move |_| follow(sign_in.value().get()));
    Effect::new(move |_| follow(second_factor.value().get()));

    let sign_in_result: Signal<_> = sign_in.value().into();
    let second_result: Signal<_> = second_factor.value().into();
    // Someone already signed in has nothing to do here.
    let me = use_current_user();
    let already_signed_in = move || {
        Suspend::new(
            async move { me.await.ok().flatten().map(|_| view! { <Redirect path=safe_next(Some(&next())) /> }) },
        )
    };
    view! {
        <Suspense>{already_signed_in}</Suspense>
        <AuthCard title="Sign in" subtitle="Welcome back to your studio.">
            <Show
                when=move || pending_token.get().is_none()
                fallback=move || view! {
                    <ActionForm action=second_factor attr:class="flex flex-col gap-4" attr:data-testid="second-factor-form">
                        <p class="text-sm text-muted">
                            "Enter the 6-digit code from your authenticator app, or one of your recovery codes."
                        </p>
                        <input type="hidden" name="pending_token" value=move || pending_token.get().unwrap_or_default() />
                        <input type="hidden" name="next" value=next />
                        {move || form_error(second_result).get().map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })}
                        <TextField name="code" label="Authentication code" autocomplete="one-time-code" autofocus=true />
                        <SubmitButton label="Verify and sign in" pending=second_factor.pending() />
                    </ActionForm>
                }
            >
                <ActionForm action=sign_in attr:class="flex flex-col gap-4">
                    <input type="hidden" name="next" value=next />
                    {move || form_error(sign_in_result).get().map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })}
                    <TextField name="email" label="Email" kind="email" autocomplete="email" autofocus=true error=field_error(sign_in_result, "email") />
                    <TextField name="password" label="Password" kind="password" autocomplete="current-password" />
                    <a href="/forgot-password" class="self-end text-sm text-accent underline-offset-4 hover:underline">"Forgot your password?"</a>
                    <SubmitButton label="Sign in" pending=sign_in.pending() />
                </ActionForm>
            </Show>
            <p class="mt-6 text-center text-sm text-muted">
                "New to Atelier? " <a href="/register" class="font-semibold text-accent underline-offset-4 hover:underline">"Create an account"</a>
            </p>
        </AuthCard>
    }
}
