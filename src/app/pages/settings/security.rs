use super::SettingsHeader;
use crate::api::account::{
    ChangePassword, ConfirmTwoFactor, DisableTwoFactor, EndOtherSessions, EndSession, StartTwoFactor, list_sessions,
};
use crate::app::components::form::{Alert, AlertKind, SubmitButton, TextField, field_error, form_error};
use crate::app::session::{reload_at, use_current_user};
use crate::types::{SessionInfo, TwoFactorEnrollment};
use leptos::form::ActionForm;
use leptos::prelude::*;

#[component]
pub fn SecuritySettings() -> impl IntoView {
    let me = use_current_user();
    view! {
        <SettingsHeader title="Security" />
        <div class="flex flex-col gap-6">
            <PasswordSection />
            <Suspense fallback=|| view! { <p class="skeleton h-32">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    me.await.ok().flatten().map(|user| view! { <TwoFactorSection enabled=user.two_factor_enabled /> })
                })}
            </Suspense>
            <SessionsSection />
        </div>
    }
}

#[component]
fn PasswordSection() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let result: Signal<_> = change.value().into();
    view! {
        <section class="card p-6" aria-labelledby="password-heading">
            <h2 id="password-heading" class="text-lg font-bold">"Password"</h2>
            <p class="mt-1 text-sm text-muted">"Changing it signs out every other device."</p>
            <ActionForm action=change attr:class="mt-4 grid gap-4 sm:grid-cols-2">
                {move || form_error(result).get().map(|m| view! { <div class="sm:col-span-2"><Alert kind=AlertKind::Error>{m}</Alert></div> })}
                {move || matches!(result.get(), Some(Ok(()))).then(|| view! {
                    <div class="sm:col-span-2"><Alert kind=AlertKind::Success>"Your password is changed. Other devices are signed out."</Alert></div>
                })}
                <TextField name="current_password" label="Current password" kind="password" autocomplete="current-password" error=field_error(result, "current_password") />
                <TextField name="new_password" label="New password" kind="password" autocomplete="new-password" help="At least 8 characters. Common passwords are refused." error=field_error(result, "new_password") />
                <SubmitButton label="Change password" pending=change.pending() class="btn btn-primary justify-self-start" />
            </ActionForm>
        </section>
    }
}

#[component]
fn TwoFactorSection(enabled: bool) -> impl IntoView {
    view! {
        <section class="card p-6" aria-labelledby="two-factor-heading" data-testid="two-factor">
            <h2 id="two-factor-heading" class="text-lg font-bold">"Two-factor authentication"</h2>
            {if enabled { view! { <DisableTwoFactorForm /> }.into_any() } else { view! { <EnableTwoFactor /> }.into_any() }}
        </section>
    }
}

#[component]
fn EnableTwoFactor() -> impl IntoView {
    let start = ServerAction::<StartTwoFactor>::new();
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let confirmed: Signal<_> = confirm.value().into();
    view! {
        {move || match (start.value().get(), confirmed.get()) {
            (_, Some(Ok(codes))) => view! { <RecoveryCodes codes /> }.into_any(),
            (Some(Ok(enrollment)), _) => view! {
                <EnrollmentStep enrollment confirm result=confirmed />
            }.into_any(),
            (other, _) => view! {
                <p class="mt-1 text-sm text-muted">
                    "Off. With it on, signing in also asks for a code from an authenticator app on your phone."
                </p>
                {other.and_then(Result::err).map(|e| view! { <Alert kind=AlertKind::Error>{e.message}</Alert> })}
                <ActionForm action=start attr:class="mt-4">
                    <SubmitButton label="Set up two-factor authentication" pending=start.pending() />
                </ActionForm>
            }.into_any(),
        }}
    }
}

#[component]
fn EnrollmentStep(
    enrollment: TwoFactorEnrollment,
    confirm: ServerAction<ConfirmTwoFactor>,
    result: Signal<Option<Result<Vec<String>, crate::types::ApiError>>>,
) -> impl IntoView {
    view! {
        <ol class="mt-4 flex flex-col gap-4 text-sm">
            <li>
                <p class="font-semibold">"1. Scan this code with your authenticator app"</p>
                <div class="mt-2 inline-block rounded-lg bg-white p-2" inner_html=enrollment.qr_svg.clone() role="img" aria-label="QR code for your authenticator app"></div>
                <p class="mt-2 text-muted">"Cannot scan? Enter this key instead:"</p>
                <code class="font-mono break-all" data-testid="totp-secret">{enrollment.secret.clone()}</code>
            </li>
            <li>
                <p class="font-semibold">"2. Enter the 6-digit code it shows"</p>
                <ActionForm action=confirm attr:class="mt-2 flex flex-col gap-3 sm:max-w-xs">
                    {move || form_error(result).get().map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })}
                    <TextField name="code" label="Code" autocomplete="one-time-code" error=field_error(result, "code") />
                    <SubmitButton label="Turn on" pending=confirm.pending() />
                </ActionForm>
            </li>
        </ol>
    }
}

#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <Alert kind=AlertKind::Success>"Two-factor authentication is on."</Alert>
        <p class="mt-4 text-sm font-semibold">"Save these recovery codes somewhere safe"</p>
        <p class="text-sm text-muted">"Each works once, if you lose your phone. They are shown only now."</p>
        <ul class="mt-3 grid grid-cols-2 gap-2 font-mono text-sm" data-testid="recovery-codes">
            {codes.into_iter().map(|code| view! { <li class="rounded border border-border px-2 py-1">{code}</li> }).collect_view()}
        </ul>
        <button type="button" class="btn btn-secondary mt-4" on:click=move |_| reload_at("/settings/security")>"I have saved them"</button>
    }
}

#[component]
fn DisableTwoFactorForm() -> impl IntoView {
    let disable = ServerAction::<DisableTwoFactor>::new();
    let result: Signal<_> = disable.value().into();
    Effect::new(move |_| {
        if matches!(result.get(), Some(Ok(()))) {
            reload_at("/settings/security");
        }
    });
    view! {
        <p class="mt-1 text-sm"><span class="badge">"On"</span>" Signing in asks for a code from your authenticator app."</p>
        <details class="mt-4">
            <summary class="cursor-pointer text-sm font-semibold">"Turn two-factor authentication off"</summary>
            <ActionForm action=disable attr:class="mt-3 grid gap-4 sm:grid-cols-2">
                {move || form_error(result).get().map(|m| view! { <div class="sm:col-span-2"><Alert kind=AlertKind::Error>{m}</Alert></div> })}
                <TextField name="current_password" label="Password" kind="password" autocomplete="current-password" error=field_error(result, "current_password") />
                <TextField name="code" label="Code from the app (or a recovery code)" autocomplete="one-time-code" error=field_error(result, "code") />
                <SubmitButton label="Turn off" pending=disable.pending() class="btn btn-danger justify-self-start" />
            </ActionForm>
        </details>
    }
}

#[component]
fn SessionsSection() -> impl IntoView {
    let end_one = ServerAction::<EndSession>::new();
    let end_others = ServerAction::<EndOtherSessions>::new();
    let sessions = Resource::new(move || (end_one.version().get(), end_others.version().get()), |_| list_sessions());
    view! {
        <section class="card p-6" aria-labelledby="sessions-heading">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h2 id="sessions-heading" class="text-lg font-bold">"Where you are signed in"</h2>
                <ActionForm action=end_others>
                    <SubmitButton label="Sign out everywhere else" pending=end_others.pending() class="btn btn-secondary" />
                </ActionForm>
            </div>
            <Transition fallback=|| view! { <p class="skeleton mt-4 h-24">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! {
                            <ul class="mt-4 divide-y divide-border" data-testid="sessions">
                                {list.into_iter().map(|session| view! { <SessionRow session end_one /> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SessionRow(session: SessionInfo, end_one: ServerAction<EndSession>) -> impl IntoView {
    let last_seen = session.last_seen_at.format("%Y-%m-%d %H:%M UTC").to_string();
    view! {
        <li class="flex flex-wrap items-center justify-between gap-3 py-3">
            <div>
                <p class="font-semibold">
                    {session.device.clone()}
                    {session.current.then(|| view! { <span class="badge ml-2">"This device"</span> })}
                </p>
                <p class="text-sm text-muted">
                    {session.ip_address.clone().unwrap_or_else(|| "Unknown address".into())} " · last active " {last_seen}
                </p>
            </div>
            {(!session.current).then(|| view! {
                <ActionForm action=end_one>
                    <input type="hidden" name="session_id" value=session.id.to_string() />
                    <button type="submit" class="btn btn-secondary">"Sign out"</button>
                </ActionForm>
            })}
        </li>
    }
}
