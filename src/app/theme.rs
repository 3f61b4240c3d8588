//! Light, dark, auto (follows the system) and high-contrast themes.
//!
//! The choice lives in a cookie, so the server renders `<html data-theme=…>` right away and the page
//! never flashes the wrong theme; CSS does the rest, including "auto". The browser reads the same
//! attribute back when it hydrates, so both sides start from one value.

use leptos::prelude::*;

pub const THEME_COOKIE: &str = "atelier_theme";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    Light,
    Dark,
    #[default]
    Auto,
    Contrast,
}

impl Theme {
    pub const ALL: [Theme; 4] = [Theme::Light, Theme::Dark, Theme::Auto, Theme::Contrast];

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
            Theme::Auto => "auto",
            Theme::Contrast => "contrast",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Theme::Light => "Light",
            Theme::Dark => "Dark",
            Theme::Auto => "Auto",
            Theme::Contrast => "High contrast",
        }
    }

    pub fn parse(value: &str) -> Option<Theme> {
        Theme::ALL.into_iter().find(|t| t.as_str() == value)
    }

    /// The theme a click on the toggle moves to.
    pub fn next(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Auto,
            Theme::Auto => Theme::Contrast,
            Theme::Contrast => Theme::Light,
        }
    }
}

/// The theme the page was rendered with: the request's cookie on the server, the `<html>` attribute
/// the server wrote in the browser.
pub fn initial_theme() -> Theme {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .and_then(|parts| theme_from_cookie_header(parts.headers.get(http::header::COOKIE)?.to_str().ok()?))
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|html| html.get_attribute("data-theme"))
            .and_then(|value| Theme::parse(&value))
            .unwrap_or_default()
    }
}

/// Finds the theme in a `Cookie` header.
pub fn theme_from_cookie_header(header: &str) -> Option<Theme> {
    crate::cookies::cookie_value(header, THEME_COOKIE).and_then(Theme::parse)
}

/// The current theme, shared by every control that shows or changes it.
#[derive(Clone, Copy)]
pub struct ThemeState(pub RwSignal<Theme>);

pub fn provide_theme() -> ThemeState {
    let state = ThemeState(RwSignal::new(initial_theme()));
    provide_context(state);
    state
}

pub fn use_theme() -> ThemeState {
    expect_context::<ThemeState>()
}

impl ThemeState {
    /// Switches the page to `theme` (already remembered elsewhere, e.g. by saving preferences).
    pub fn apply(self, theme: Theme) {
        self.0.set(theme);
        paint(theme);
    }

    /// Switches the page to `theme` and remembers it: in this browser at once, and in the account
    /// (when signed in) through the server.
    pub fn choose(self, theme: Theme) {
        self.apply(theme);
        remember(theme);
    }
}

#[cfg(feature = "hydrate")]
fn paint(theme: Theme) {
    if let Some(html) = document().document_element() {
        let _ = html.set_attribute("data-theme", theme.as_str());
    }
}

#[cfg(feature = "hydrate")]
fn remember(theme: Theme) {
    use wasm_bindgen::JsCast;
    if let Ok(html_document) = document().dyn_into::<web_sys::HtmlDocument>() {
        let cookie = format!("{THEME_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", theme.as_str());
        let _ = html_document.set_cookie(&cookie);
    }
    leptos::task::spawn_local(async move {
        // The cookie above already keeps the choice in this browser; the account copy can wait.
        let _ = crate::api::account::remember_theme(theme.as_str().to_owned()).await;
    });
}

#[cfg(not(feature = "hydrate"))]
fn paint(_theme: Theme) {}

#[cfg(not(feature = "hydrate"))]
fn remember(_theme: Theme) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_theme_cookie_is_found_among_others() {
        assert_eq!(theme_from_cookie_header("a=1; atelier_theme=dark; b=2"), Some(Theme::Dark));
        assert_eq!(theme_from_cookie_header("atelier_theme=contrast"), Some(Theme::Contrast));
    }

    #[test]
    fn unknown_or_missing_themes_are_ignored() {
        assert_eq!(theme_from_cookie_header("atelier_theme=neon"), None);
        assert_eq!(theme_from_cookie_header("other=dark"), None);
    }

    #[test]
    fn the_toggle_cycles_through_every_theme() {
        let mut seen = vec![Theme::Light];
        while seen.len() < 5 {
            seen.push(seen.last().unwrap().next());
        }
        assert_eq!(seen, [Theme::Light, Theme::Dark, Theme::Auto, Theme::Contrast, Theme::Light]);
    }
}
