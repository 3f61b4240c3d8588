use crate::api::auth::{ResetPassword, reset_link_is_live};
use crate::app::components::auth_card::AuthCard;
use crate::app::components::form::{Alert, AlertKind, SubmitButton, TextField, field_error, form_error};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let live = Resource::new(token, |token| async move {
        if token.is_empty() { Ok(false) } else { reset_link_is_live(token).await }
    });
    let reset = ServerAction::<ResetPassword>::new();
    let result: Signal<_> = reset.value().into();
    let done = move || matches!(result.get(), Some(Ok(())));
    view! {
        <AuthCard title="Choose a new password" subtitle="Every device signed in to your account will be signed out.">
            <Suspense fallback=|| view! { <p class="skeleton h-24">"Checking your link…"</p> }>
                {move || Suspend::new(async move {
                    match live.await {
                        _ if done() => view! {
                            <Alert kind=AlertKind::Success>"Your password is changed. Sign in with the new one."</Alert>
                            <a href="/login" class="btn btn-primary mt-4 w-full">"Sign in"</a>
                        }.into_any(),
                        Ok(true) => view! {
                            <ActionForm action=reset attr:class="flex flex-col gap-4">
                                <input type="hidden" name="token" value=token />
                                {move || form_error(result).get().map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })}
                                {move || field_error(result, "token").get().map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })}
                                <TextField
                                    name="password"
                                    label="New password"
                                    kind="password"
                                    autocomplete="new-password"
                                    autofocus=true
                                    help="At least 8 characters. Common passwords are refused."
                                    error=field_error(result, "password")
                                />
                                <SubmitButton label="Set new password" pending=reset.pending() />
                            </ActionForm>
                        }.into_any(),
                        Ok(false) => view! {
                            <Alert kind=AlertKind::Error>"This reset link is invalid, used or expired."</Alert>
                            <a href="/forgot-password" class="btn btn-primary mt-4 w-full">"Ask for a new link"</a>
                        }.into_any(),
                        Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
