use super::SettingsHeader;
use crate::api::account::{ChangeEmail, DeleteAccount, RemoveAvatar, RenameAccount, SavePreferences, get_preferences};
use crate::app::components::form::{Alert, AlertKind, SubmitButton, TextField, field_error, form_error};
use crate::app::session::{reload_at, use_current_user};
use crate::app::theme::{Theme, use_theme};
use crate::types::{ApiError, CurrentUser, Preferences};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AccountSettings() -> impl IntoView {
    let me = use_current_user();
    // Resources are created outside any Suspense, so the server and the browser number them alike
    // during hydration.
    let prefs = Resource::new(|| (), |_| get_preferences());
    view! {
        <SettingsHeader title="Account" />
        <Suspense fallback=|| view! { <p class="skeleton h-40">"Loading your account…"</p> }>
            {move || Suspend::new(async move {
                me.await.ok().flatten().map(|user| view! {
                    <div class="flex flex-col gap-6">
                        <ProfileSection user=user.clone() />
                        <PreferencesSection prefs />
                        <EmailSection user=user.clone() />
                        <DangerZone />
                    </div>
                })
            })}
        </Suspense>
    }
}

#[component]
fn ProfileSection(user: CurrentUser) -> impl IntoView {
    let rename = ServerAction::<RenameAccount>::new();
    let remove_avatar = ServerAction::<RemoveAvatar>::new();
    let renamed: Signal<_> = rename.value().into();
    let query = use_query_map();
    let notice = move || query.read().get("notice").filter(|n| n == "avatar-updated");
    let upload_error = move || query.read().get("error");
    Effect::new(move |_| {
        if matches!(remove_avatar.value().get(), Some(Ok(_))) {
            reload_at("/settings/account");
        }
    });
    let name = user.name.clone();
    let initials = user.initials();
    view! {
        <section class="card p-6" aria-labelledby="profile-heading">
            <h2 id="profile-heading" class="text-lg font-bold">"Profile"</h2>
            <div class="mt-4 flex flex-col gap-6 sm:flex-row">
                <div class="flex flex-col items-center gap-3">
                    {match user.avatar_url.clone() {
                        Some(url) => view! { <img src=url alt="Your avatar" class="h-24 w-24 rounded-full object-cover" width="96" height="96" /> }.into_any(),
                        None => view! {
                            <span class="flex h-24 w-24 items-center justify-center rounded-full bg-primary-strong text-3xl font-bold text-white" aria-hidden="true">
                                {initials}
                            </span>
                        }.into_any(),
                    }}
                    {user.avatar_url.is_some().then(|| view! {
                        <ActionForm action=remove_avatar>
                            <button type="submit" class="text-sm text-accent underline-offset-4 hover:underline">"Remove avatar"</button>
                        </ActionForm>
                    })}
                </div>
                <div class="flex flex-1 flex-col gap-4">
                    {move || notice().map(|_| view! { <Alert kind=AlertKind::Success>"Your avatar is updated."</Alert> })}
                    {move || upload_error().map(|message| view! { <Alert kind=AlertKind::Error>{message}</Alert> })}
                    <form method="post" action="/api/account/avatar" enctype="multipart/form-data" class="flex flex-col gap-2">
                        <label for="avatar-file" class="text-sm font-semibold">"Avatar"</label>
                        <input id="avatar-file" name="avatar" type="file" accept="image/png,image/jpeg,image/webp" required class="text-sm" />
                        <p class="text-xs text-muted">"PNG, JPEG or WebP, up to 5 MB and 4096×4096 pixels. It is cropped to a square."</p>
                        <button type="submit" class="btn btn-secondary self-start">"Upload avatar"</button>
                    </form>
                    <ActionForm action=rename attr:class="flex flex-col gap-3">
                        <TextField name="name" label="Name" autocomplete="name" value=name error=field_error(renamed, "name") />
                        {move || matches!(renamed.get(), Some(Ok(_))).then(|| view! { <Alert kind=AlertKind::Success>"Your name is saved."</Alert> })}
                        <SubmitButton label="Save name" pending=rename.pending() class="btn btn-primary self-start" />
                    </ActionForm>
                </div>
            </div>
        </section>
    }
}

#[component]
fn PreferencesSection(prefs: Resource<Result<Preferences, ApiError>>) -> impl IntoView {
    view! {
        <section class="card p-6" aria-labelledby="preferences-heading">
            <h2 id="preferences-heading" class="text-lg font-bold">"Preferences"</h2>
            <Suspense fallback=|| view! { <p class="skeleton mt-4 h-32">"Loading preferences…"</p> }>
                {move || Suspend::new(async move {
                    match prefs.await {
                        Ok(prefs) => view! { <PreferencesForm prefs /> }.into_any(),
                        Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PreferencesForm(prefs: Preferences) -> impl IntoView {
    let save = ServerAction::<SavePreferences>::new();
    let result: Signal<_> = save.value().into();
    let theme = use_theme();
    Effect::new(move |_| {
        if let Some(Ok(saved)) = result.get()
            && let Some(chosen) = Theme::parse(&saved.theme)
        {
            theme.apply(chosen);
        }
    });
    let select =
        |name: &'static str, label: &'static str, current: String, options: &'static [(&'static str, &'static str)]| {
            let id = format!("pref-{name}");
            view! {
                <div class="flex flex-col gap-1">
                    <label for=id.clone() class="text-sm font-semibold">{label}</label>
                    <select id=id name=format!("preferences[{name}]") class="input">
                        {options.iter().map(|(value, text)| view! {
                            <option value=*value selected=current == *value>{*text}</option>
                        }).collect_view()}
                    </select>
                </div>
            }
        };
    view! {
        <ActionForm action=save attr:class="mt-4 grid gap-4 sm:grid-cols-2">
            {select("theme", "Theme", prefs.theme.clone(), &[("auto", "Auto (follow the system)"), ("light", "Light"), ("dark", "Dark"), ("contrast", "High contrast")])}
            {select("gallery_view", "Gallery view", prefs.gallery_view.clone(), &[("grid", "Grid"), ("masonry", "Masonry"), ("list", "List")])}
            {select("language", "Language", prefs.language.clone(), &[("en", "English"), ("fr", "Français"), ("de", "Deutsch"), ("es", "Español"), ("it", "Italiano"), ("pt", "Português"), ("nl", "Nederlands"), ("ja", "日本語")])}
            <div class="flex flex-col gap-1">
                <label for="pref-timezone" class="text-sm font-semibold">"Time zone"</label>
                <input id="pref-timezone" name="preferences[timezone]" class="input" value=prefs.timezone.clone() autocomplete="off" />
                {move || field_error(result, "timezone").get().map(|m| view! { <p class="text-sm text-error" role="alert">{m}</p> })}
            </div>
            <div class="flex flex-col gap-1 sm:col-span-2">
                <label for="pref-default-model" class="text-sm font-semibold">"Default model"</label>
                <input id="pref-default-model" name="preferences[default_model]" class="input font-mono" value=prefs.default_model.clone().unwrap_or_default() placeholder="fal-ai/flux/dev" autocomplete="off" />
                <p class="text-xs text-muted">"The model the generator starts with. Leave empty for the studio's default."</p>
            </div>
            <div class="flex items-center gap-3 sm:col-span-2">
                <SubmitButton label="Save preferences" pending=save.pending() />
                {move || matches!(result.get(), Some(Ok(_))).then(|| view! { <span class="text-sm text-muted" role="status">"Saved."</span> })}
                {move || form_error(result).get().map(|m| view! { <span class="text-sm text-error" role="alert">{m}</span> })}
            </div>
        </ActionForm>
    }
}

#[component]
fn EmailSection(user: CurrentUser) -> impl IntoView {
    let change = ServerAction::<ChangeEmail>::new();
    let result: Signal<_> = change.value().into();
    view! {
        <section class="card p-6" aria-labelledby="email-heading">
            <h2 id="email-heading" class="text-lg font-bold">"Email address"</h2>
            <p class="mt-1 text-sm text-muted">
                "You sign in with " <strong>{user.email.clone()}</strong>
                {if user.email_verified { " (confirmed)." } else { " (not confirmed yet)." }}
            </p>
            {move || match result.get() {
                Some(Ok(())) => view! { <Alert kind=AlertKind::Success>"Check the new address: the change happens when you open the link we sent there."</Alert> }.into_any(),
                _ => view! {
                    <ActionForm action=change attr:class="mt-4 grid gap-4 sm:grid-cols-2">
                        {move || form_error(result).get().map(|m| view! { <div class="sm:col-span-2"><Alert kind=AlertKind::Error>{m}</Alert></div> })}
                        <TextField name="new_email" label="New email" kind="email" autocomplete="email" error=field_error(result, "email") />
                        <TextField name="current_password" label="Current password" kind="password" autocomplete="current-password" error=field_error(result, "current_password") />
                        <SubmitButton label="Change email" pending=change.pending() class="btn btn-secondary justify-self-start" />
                    </ActionForm>
                }.into_any(),
            }}
        </section>
    }
}

/// Deleting the account asks for the password inside a confirmation dialog.
#[component]
fn DangerZone() -> impl IntoView {
    let delete = ServerAction::<DeleteAccount>::new();
    let result: Signal<_> = delete.value().into();
    Effect::new(move |_| {
        if matches!(result.get(), Some(Ok(()))) {
            reload_at("/?account=deleted");
        }
    });
    view! {
        <section class="card border-error/60 p-6" aria-labelledby="danger-heading">
            <h2 id="danger-heading" class="text-lg font-bold text-error">"Delete account"</h2>
            <p class="mt-1 text-sm text-muted">
                "Deletes your account, every image, project, collection and prompt in it, and signs you out everywhere. This cannot be undone."
            </p>
            <button type="button" class="btn btn-danger mt-4" popovertarget="delete-account-dialog">"Delete my account…"</button>
            <div id="delete-account-dialog" popover="auto" class="dialog" role="dialog" aria-labelledby="delete-dialog-heading">
                <h3 id="delete-dialog-heading" class="text-lg font-bold">"Delete your account?"</h3>
                <p class="mt-2 text-sm text-muted">"Enter your password to confirm. Everything in your studio will be gone."</p>
                <ActionForm action=delete attr:class="mt-4 flex flex-col gap-4">
                    {move || form_error(result).get().map(|m| view! { <Alert kind=AlertKind::Error>{m}</Alert> })}
                    <TextField name="current_password" label="Password" kind="password" autocomplete="current-password" error=field_error(result, "current_password") />
                    <div class="flex justify-end gap-2">
                        <button type="button" class="btn btn-secondary" popovertarget="delete-account-dialog" popovertargetaction="hide">"Keep my account"</button>
                        <SubmitButton label="Delete forever" pending=delete.pending() class="btn btn-danger" />
                    </div>
                </ActionForm>
            </div>
        </section>
    }
}
