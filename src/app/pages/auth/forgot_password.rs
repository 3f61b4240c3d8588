use crate::api::auth::ForgotPassword;
use crate::app::components::auth_card::AuthCard;
use crate::app::components::form::{Alert, AlertKind, SubmitButton, TextField, field_error, form_error};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let forgot = ServerAction::<ForgotPassword>::new();
    let result: Signal<_> = forgot.value().into();
    let sent = move || matches!(result.get(), Some(Ok(())));
    view! {
        <AuthCard title="Forgot your password?" subtitle="We will mail you a link to choose a new one.">
            <Show
                when=move || !sent()
                fallback=|| view! {
                    <Alert kind=AlertKind::Success>
                        "If an account uses this address, a reset link is on its way. It works once, for one hour."
                    </Alert>
                    <a href="/login" class="btn btn-secondary mt-4 w-full">"Back to sign in"</a>
                }
            >
                <ActionForm action=forgot attr:class="flex flex-col gap-4">
                    {move || form_error(result).get().map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })}
                    <TextField name="email" label="Email" kind="email" autocomplete="email" autofocus=true error=field_error(result, "email") />
                    <SubmitButton label="Send reset link" pending=forgot.pending() />
                </ActionForm>
            </Show>
            <p class="mt-6 text-center text-sm text-muted">
                <a href="/login" class="text-accent underline-offset-4 hover:underline">"Back to sign in"</a>
            </p>
        </AuthCard>
    }
}
