//! Form pieces: labelled fields with their error below, submit buttons with a spinner, and alerts.

use crate::types::ApiError;
use leptos::prelude::*;

/// The error of the last submission, if it concerned `field`.
pub fn field_error<T>(result: Signal<Option<Result<T, ApiError>>>, field: &'static str) -> Signal<Option<String>>
where
    T: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match result.get() {
        Some(Err(e)) if e.field.as_deref() == Some(field) => Some(e.message),
        _ => None,
    })
}

/// The error of the last submission when it concerns no single field.
pub fn form_error<T>(result: Signal<Option<Result<T, ApiError>>>) -> Signal<Option<String>>
where
    T: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match result.get() {
        Some(Err(e)) if e.field.is_none() => Some(e.message),
        _ => None,
    })
}

#[component]
pub fn TextField(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] help: &'static str,
    #[prop(optional, into)] value: Signal<String>,
    #[prop(optional, into)] error: Signal<Option<String>>,
    #[prop(default = true)] required: bool,
    #[prop(optional)] autofocus: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let help_id = format!("{id}-help");
    let error_id = format!("{id}-error");
    let described_by = {
        let (help_id, error_id) = (help_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if !help.is_empty() {
                ids.push(help_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="flex flex-col gap-1">
            <label for=id.clone() class="text-sm font-semibold">{label}</label>
            <input
                id=id
                name=name
                type=kind
                class="input"
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                required=required
                autofocus=autofocus
                value=move || value.get()
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {(!help.is_empty()).then(|| view! { <p id=help_id class="text-xs text-muted">{help}</p> })}
            {move || error.get().map(|message| view! { <p id=error_id.clone() class="text-sm text-error" role="alert">{message}</p> })}
        </div>
    }
}

/// A submit button that shows a spinner and refuses double submits while `pending`.
#[component]
pub fn SubmitButton(
    label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(default = "btn btn-primary")] class: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class=class disabled=move || pending.get() aria-busy=move || pending.get().to_string()>
            {move || pending.get().then(|| view! { <span class="spinner" aria-hidden="true"></span> })}
            {label}
        </button>
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertKind {
    Error,
    Success,
    Info,
}

#[component]
pub fn Alert(kind: AlertKind, children: Children) -> impl IntoView {
    let (class, role) = match kind {
        AlertKind::Error => ("alert alert-error", "alert"),
        AlertKind::Success => ("alert alert-success", "status"),
        AlertKind::Info => ("alert alert-info", "status"),
    };
    view! { <div class=class role=role>{children()}</div> }
}
