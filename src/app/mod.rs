//! The UI, compiled for both builds: the HTML shell, the routes, pages and components.

mod components;
mod layout;
mod live;
mod nav;
mod pages;
mod session;
pub mod theme;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{SsrMode, path};

use layout::DashboardLayout;
use pages::admin::{models::AdminModelsPage, queue::AdminQueuePage};
use pages::auth::{
    forgot_password::ForgotPasswordPage, login::Login, register::RegisterPage, reset_password::ResetPasswordPage,
    verify_email::VerifyEmailPage,
};
use pages::generate::GeneratePage;
use pages::image::ImagePage;
use pages::queue::QueuePage;
use pages::settings::{account::AccountSettings, security::SecuritySettings};
use pages::{dashboard::Dashboard, landing::Landing, models::ModelsPage, not_found::NotFound};

/// The HTML document around the app. Runs only on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let theme = theme::initial_theme();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        // One nonce for the whole response, provided here at the root so the hydration script and
        // the resource scripts streamed after the page both carry the one the policy names.
        let nonce = leptos::nonce::Nonce::new();
        provide_context(nonce.clone());
        response.insert_header(
            http::header::CONTENT_SECURITY_POLICY,
            crate::server::http::security_headers::content_security_policy(&nonce.to_string()),
        );
    }
    view! {
        <!DOCTYPE html>
        <html lang="en" data-theme=theme.as_str()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#8B5CF6" />
                <meta name="color-scheme" content="light dark" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-bg text-fg font-sans antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    theme::provide_theme();
    session::provide_current_user();
    components::service_worker::register_after_hydration();

    view! {
        <Title formatter=|page: String| if page.is_empty() { "Atelier".to_owned() } else { format!("{page} · Atelier") } />
        <Router>
            <Routes fallback=|| view! { <NotFound /> }>
                <Route path=path!("/") view=Landing />
                <Route path=path!("/login") view=Login ssr=SsrMode::Async />
                <Route path=path!("/register") view=RegisterPage />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/verify-email") view=VerifyEmailPage />
                <ParentRoute path=path!("/dashboard") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=Dashboard />
                </ParentRoute>
                <ParentRoute path=path!("/generate") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=GeneratePage />
                </ParentRoute>
                <ParentRoute path=path!("/images") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!(":id") view=ImagePage />
                </ParentRoute>
                <ParentRoute path=path!("/queue") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=QueuePage />
                </ParentRoute>
                <ParentRoute path=path!("/models") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=ModelsPage />
                </ParentRoute>
                <ParentRoute path=path!("/admin") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!("models") view=AdminModelsPage />
                    <Route path=path!("queue") view=AdminQueuePage />
                </ParentRoute>
                <ParentRoute path=path!("/settings") view=DashboardLayout ssr=SsrMode::Async>
                    <Route path=path!("account") view=AccountSettings />
                    <Route path=path!("security") view=SecuritySettings />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
