use crate::api::auth::VerifyEmail;
use crate::app::components::auth_card::AuthCard;
use crate::app::components::form::{Alert, AlertKind, SubmitButton};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

/// Confirming takes a click, not just a visit: mail scanners that open links must not use them up.
#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let verify = ServerAction::<VerifyEmail>::new();
    view! {
        <AuthCard title="Confirm your email">
            {move || match verify.value().get() {
                Some(Ok(message)) => view! {
                    <Alert kind=AlertKind::Success>{message}</Alert>
                    <a href="/login" class="btn btn-primary mt-4 w-full">"Sign in"</a>
                }.into_any(),
                other => view! {
                    {other.and_then(Result::err).map(|e| view! { <Alert kind=AlertKind::Error>{e.message}</Alert> })}
                    <ActionForm action=verify attr:class="flex flex-col gap-4">
                        <input type="hidden" name="token" value=token />
                        <p class="text-sm text-muted">"Confirm that this address is yours to finish setting up your account."</p>
                        <SubmitButton label="Confirm my email" pending=verify.pending() />
                    </ActionForm>
                }.into_any(),
            }}
        </AuthCard>
    }
}
