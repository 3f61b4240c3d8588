//! The studio's sections, as the sidebar and the mobile menu list them.

use crate::app::components::icon::IconName;

pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    /// The path prefix of the section's pages: the item is marked current on any of them.
    pub section: &'static str,
    pub icon: IconName,
    /// Sections not built yet are shown, disabled and marked "soon", so the studio's shape is visible
    /// without links that lead nowhere.
    pub ready: bool,
}

pub const SECTIONS: &[NavItem] = &[
    NavItem { label: "Dashboard", href: "/dashboard", section: "/dashboard", icon: IconName::Home, ready: true },
    NavItem { label: "Generate", href: "/generate", section: "/generate", icon: IconName::Sparkles, ready: true },
    NavItem { label: "My images", href: "/gallery", section: "/gallery", icon: IconName::Images, ready: false },
    NavItem { label: "Projects", href: "/projects", section: "/projects", icon: IconName::Folder, ready: false },
    NavItem { label: "Collections", href: "/collections", section: "/collections", icon: IconName::Grid, ready: false },
    NavItem { label: "Prompt library", href: "/prompts", section: "/prompts", icon: IconName::Book, ready: false },
    NavItem { label: "Queue", href: "/queue", section: "/queue", icon: IconName::Queue, ready: true },
    NavItem { label: "Models", href: "/models", section: "/models", icon: IconName::Layers, ready: true },
    NavItem {
        label: "Settings",
        href: "/settings/account",
        section: "/settings",
        icon: IconName::Settings,
        ready: true,
    },
];
