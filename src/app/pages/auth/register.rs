use crate::api::auth::Register;
use crate::app::components::auth_card::AuthCard;
use crate::app::components::form::{Alert, AlertKind, SubmitButton, TextField, field_error, form_error};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let result: Signal<_> = register.value().into();
    let sent_to = move || match result.get() {
        Some(Ok(email)) => Some(email),
        _ => None,
    };
    view! {
        <AuthCard title="Create your account" subtitle="Start with free credits and the offline renderer.">
            <Show
                when=move || sent_to().is_none()
                fallback=move || view! {
                    <Alert kind=AlertKind::Success>
                        <p class="font-semibold">"Check your inbox"</p>
                        <p>"We sent a confirmation link to " <strong>{sent_to}</strong> ". Open it, then sign in."</p>
                    </Alert>
                    <a href="/login" class="btn btn-primary mt-4 w-full">"Go to sign in"</a>
                }
            >
                <ActionForm action=register attr:class="flex flex-col gap-4">
                    {move || form_error(result).get().map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })}
                    <TextField name="name" label="Name" autocomplete="name" autofocus=true error=field_error(result, "name") />
                    <TextField name="email" label="Email" kind="email" autocomplete="email" error=field_error(result, "email") />
                    <TextField
                        name="password"
                        label="Password"
                        kind="password"
                        autocomplete="new-password"
                        help="At least 8 characters. Common passwords are refused."
                        error=field_error(result, "password")
                    />
                    <SubmitButton label="Create account" pending=register.pending() />
                </ActionForm>
            </Show>
            <p class="mt-6 text-center text-sm text-muted">
                "Already have an account? " <a href="/login" class="font-semibold text-accent underline-offset-4 hover:underline">"Sign in"</a>
            </p>
        </AuthCard>
    }
}
