//! A small set of line icons drawn for Atelier (24×24, stroke = currentColor).

use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconName {
    Home,
    Sparkles,
    Images,
    Folder,
    Grid,
    Book,
    Queue,
    Settings,
    Search,
    Menu,
    Close,
    Sun,
    Moon,
    Monitor,
    Contrast,
    ChevronLeft,
    Layers,
    Share,
    Shield,
}

impl IconName {
    fn paths(self) -> &'static [&'static str] {
        match self {
            IconName::Home => &["M3 11l9-7 9 7", "M5 10v10h5v-6h4v6h5V10"],
            IconName::Sparkles => &[
                "M12 3l1.8 5.2L19 10l-5.2 1.8L12 17l-1.8-5.2L5 10l5.2-1.8z",
                "M19 16l.8 2.2L22 19l-2.2.8L19 22l-.8-2.2L16 19l2.2-.8z",
            ],
            IconName::Images => &["M4 6h12v12H4z", "M8 3h12v12", "M4 15l4-4 4 4 2-2 2 2"],
            IconName::Folder => &["M3 6h6l2 2h10v11H3z"],
            IconName::Grid => &["M4 4h7v7H4z", "M13 4h7v7h-7z", "M4 13h7v7H4z", "M13 13h7v7h-7z"],
            IconName::Book => &["M5 4h10a4 4 0 0 1 4 4v12H9a4 4 0 0 1-4-4z", "M5 16a4 4 0 0 1 4-4h10"],
            IconName::Queue => &["M4 6h16", "M4 12h16", "M4 18h10", "M18 16l3 2-3 2z"],
            IconName::Settings => &[
                "M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z",
                "M12 2v3",
                "M12 19v3",
                "M2 12h3",
                "M19 12h3",
                "M4.9 4.9l2.1 2.1",
                "M17 17l2.1 2.1",
                "M4.9 19.1L7 17",
                "M17 7l2.1-2.1",
            ],
            IconName::Search => &["M10.5 4a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13z", "M15.5 15.5L21 21"],
            IconName::Menu => &["M4 6h16", "M4 12h16", "M4 18h16"],
            IconName::Close => &["M6 6l12 12", "M18 6L6 18"],
            IconName::Sun => &[
                "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",
                "M12 2v2",
                "M12 20v2",
                "M2 12h2",
                "M20 12h2",
                "M5 5l1.4 1.4",
                "M17.6 17.6L19 19",
                "M5 19l1.4-1.4",
                "M17.6 6.4L19 5",
            ],
            IconName::Moon => &["M20 14.5A8 8 0 0 1 9.5 4a8 8 0 1 0 10.5 10.5z"],
            IconName::Monitor => &["M3 5h18v11H3z", "M8 20h8", "M12 16v4"],
            IconName::Contrast => &["M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18z", "M12 3v18a9 9 0 0 0 0-18z"],
            IconName::ChevronLeft => &["M15 5l-7 7 7 7"],
            IconName::Layers => &["M12 3l9 5-9 5-9-5z", "M3 13l9 5 9-5"],
            IconName::Share => &[
                "M18 8a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
                "M6 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
                "M18 22a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
                "M8.6 13.5l6.8 4",
                "M15.4 6.5l-6.8 4",
            ],
            IconName::Shield => &["M12 3l8 3v6c0 4.5-3.4 8.3-8 9-4.6-.7-8-4.5-8-9V6z", "M9 12l2 2 4-4"],
        }
    }
}

/// A decorative icon; give the surrounding control its accessible name.
#[component]
pub fn Icon(name: IconName, #[prop(default = "h-5 w-5")] class: &'static str) -> impl IntoView {
    view! {
        <svg
            class=class
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="1.8"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
            focusable="false"
        >
            {name.paths().iter().map(|d| view! { <path d=*d /> }).collect_view()}
        </svg>
    }
}
