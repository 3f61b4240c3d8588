//! `/admin/models`: administrators switch models on and off for everyone.

use crate::api::models::{SetModelEnabled, list_models};
use crate::app::components::form::{Alert, AlertKind};
use crate::app::components::model_facts::provider_label;
use crate::app::session::use_current_user;
use crate::types::{ModelInfo, Role};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminModelsPage() -> impl IntoView {
    let me = use_current_user();
    let switch = ServerAction::<SetModelEnabled>::new();
    let models = Resource::new(move || switch.version().get(), |_| list_models());
    view! {
        <Title text="Admin · Models" />
        <div class="mx-auto flex max-w-5xl flex-col gap-6">
            <header>
                <h1 class="text-2xl font-bold sm:text-3xl">"Models"</h1>
                <p class="mt-1 text-muted">"A model switched off disappears from everyone's model list; queued work keeps its record."</p>
            </header>
            {move || switch.value().get().map(|result| match result {
                Ok(model) => {
                    let state = if model.enabled { "on" } else { "off" };
                    view! { <Alert kind=AlertKind::Success>{format!("{} is switched {state}.", model.spec.name)}</Alert> }.into_any()
                }
                Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
            })}
            <Suspense fallback=|| view! { <p class="skeleton h-48" aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let is_admin = matches!(me.await, Ok(Some(user)) if user.role == Role::Admin);
                    if !is_admin {
                        return view! { <Alert kind=AlertKind::Error>"This page is for administrators."</Alert> }.into_any();
                    }
                    match models.await {
                        Ok(models) => view! { <SwitchTable models switch /> }.into_any(),
                        Err(e) => view! { <Alert kind=AlertKind::Error>{e.message}</Alert> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn SwitchTable(models: Vec<ModelInfo>, switch: ServerAction<SetModelEnabled>) -> impl IntoView {
    view! {
        <div class="card overflow-x-auto">
            <table class="w-full text-left text-sm">
                <thead class="border-b border-border text-muted">
                    <tr>
                        <th scope="col" class="p-3">"Model"</th>
                        <th scope="col" class="p-3">"Runs on"</th>
                        <th scope="col" class="p-3">"State"</th>
                        <th scope="col" class="p-3"><span class="sr-only">"Action"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {models.into_iter().map(|model| {
                        let next = !model.enabled;
                        let action_label = if model.enabled { "Switch off" } else { "Switch on" };
                        view! {
                            <tr class="border-b border-border last:border-0" data-model=model.spec.id.clone()>
                                <th scope="row" class="p-3 font-semibold">
                                    {model.spec.name.clone()}
                                    <code class="block text-xs font-normal text-muted">{model.spec.id.clone()}</code>
                                </th>
                                <td class="p-3">{provider_label(model.spec.provider)}</td>
                                <td class="p-3">{if model.enabled { "On" } else { "Off" }}</td>
                                <td class="p-3 text-right">
                                    <ActionForm action=switch>
                                        <input type="hidden" name="key" value=model.key.to_string() />
                                        <input type="hidden" name="enabled" value=next.to_string() />
                                        <button
                                            type="submit"
                                            class=if model.enabled { "btn btn-secondary" } else { "btn btn-primary" }
                                            disabled=move || switch.pending().get()
                                        >
                                            {action_label}<span class="sr-only">{format!(" {}", model.spec.name)}</span>
                                        </button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
