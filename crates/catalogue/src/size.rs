//! fal's `image_size`: a preset name or an explicit `{width, height}`.

use serde_json::Value;

/// fal's presets: name, width, height.
pub const PRESETS: &[(&str, u32, u32)] = &[
    ("square_hd", 1024, 1024),
    ("square", 512, 512),
    ("portrait_4_3", 768, 1024),
    ("portrait_16_9", 576, 1024),
    ("landscape_4_3", 1024, 768),
    ("landscape_16_9", 1024, 576),
];

/// The largest width or height fal accepts for a custom `image_size`.
pub const MAX_SIDE: u32 = 14142;

/// The width and height of a preset, if `name` is one.
pub fn preset(name: &str) -> Option<(u32, u32)> {
    PRESETS.iter().find(|(preset, _, _)| *preset == name).map(|&(_, width, height)| (width, height))
}

/// The width and height an `image_size` value stands for, if it is a known preset or a well-formed size.
pub fn resolve_image_size(value: &Value) -> Option<(u32, u32)> {
    match value {
        Value::String(name) => preset(name),
        Value::Object(size) => {
            if size.len() != 2 {
                return None;
            }
            let width = side(size.get("width")?)?;
            let height = side(size.get("height")?)?;
            Some((width, height))
        }
        _ => None,
    }
}

/// A width or height: a whole number (possibly written `1024.0`) from 1 to [`MAX_SIDE`].
fn side(value: &Value) -> Option<u32> {
    let side = crate::validate::whole_number(value)?;
    u32::try_from(side).ok().filter(|side| (1..=MAX_SIDE).contains(side))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn presets_resolve_to_their_sizes() {
        assert_eq!(resolve_image_size(&json!("square_hd")), Some((1024, 1024)));
        assert_eq!(resolve_image_size(&json!("portrait_16_9")), Some((576, 1024)));
        assert_eq!(resolve_image_size(&json!("landscape_4_3")), Some((1024, 768)));
    }

    #[test]
    fn custom_sizes_resolve_to_their_width_and_height() {
        assert_eq!(resolve_image_size(&json!({"width": 1920, "height": 1080})), Some((1920, 1080)));
        assert_eq!(resolve_image_size(&json!({"width": 800.0, "height": 600})), Some((800, 600)));
        assert_eq!(resolve_image_size(&json!({"width": 14142, "height": 1})), Some((14142, 1)));
    }

    #[test]
    fn garbage_resolves_to_nothing() {
        for garbage in [
            json!("huge"),
            json!(""),
            json!(1024),
            json!(null),
            json!(["square_hd"]),
            json!({"width": 1024}),
            json!({"width": 0, "height": 512}),
            json!({"width": 14143, "height": 512}),
            json!({"width": -5, "height": 512}),
            json!({"width": 512.5, "height": 512}),
            json!({"width": "512", "height": 512}),
            json!({"width": 512, "height": 512, "depth": 3}),
        ] {
            assert_eq!(resolve_image_size(&garbage), None, "{garbage}");
        }
    }
}
