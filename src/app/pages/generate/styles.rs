//! Style presets: a look picked with one click, added to the prompt as the words that ask any
//! model for it. The words travel in the prompt itself, so every model takes them, the job and its
//! images keep them, and recalling a prompt that ends with a style's words picks the style again.

use super::draft::Draft;
use leptos::prelude::*;

#[derive(Debug, PartialEq, Eq)]
pub struct Style {
    pub id: &'static str,
    pub name: &'static str,
    /// What the prompt gains, after a comma.
    pub words: &'static str,
}

pub static STYLES: [Style; 11] = [
    Style { id: "photographic", name: "Photographic", words: "photograph, natural light, 35mm lens, sharp focus" },
    Style {
        id: "cinematic",
        name: "Cinematic",
        words: "cinematic still, dramatic lighting, shallow depth of field, film grain",
    },
    Style { id: "anime", name: "Anime", words: "anime illustration, clean line art, cel shading, vibrant colours" },
    Style { id: "digital-art", name: "Digital art", words: "digital painting, concept art, rich detail" },
    Style { id: "watercolour", name: "Watercolour", words: "watercolour painting, soft washes, paper texture" },
    Style { id: "oil-painting", name: "Oil painting", words: "oil painting, visible brush strokes, rich colour" },
    Style { id: "3d-render", name: "3D render", words: "3D render, soft global illumination, studio lighting" },
    Style { id: "pixel-art", name: "Pixel art", words: "pixel art, 16-bit, limited palette" },
    Style { id: "line-art", name: "Line art", words: "line art, black ink on white, minimal" },
    Style { id: "isometric", name: "Isometric", words: "isometric view, miniature diorama, tilt-shift" },
    Style { id: "neon-punk", name: "Neon punk", words: "neon punk, glowing neon signs, night city, cyberpunk" },
];

/// The prompt as the model gets it: the user's words, then the style's.
pub fn styled(prompt: &str, style: Option<&Style>) -> String {
    match style {
        Some(style) if prompt.trim().is_empty() => style.words.to_owned(),
        Some(style) => format!("{}, {}", prompt.trim_end(), style.words),
        None => prompt.to_owned(),
    }
}

/// A prompt split back into the user's words and the style whose words end it, if one does.
pub fn unstyled(prompt: &str) -> (String, Option<&'static Style>) {
    for style in &STYLES {
        if prompt == style.words {
            return (String::new(), Some(style));
        }
        if let Some(words) = prompt.strip_suffix(style.words).and_then(|rest| rest.strip_suffix(", ")) {
            return (words.to_owned(), Some(style));
        }
    }
    (prompt.to_owned(), None)
}

/// One chip per style and "None", as a radio group: arrow keys move between them.
#[component]
pub fn StylePicker() -> impl IntoView {
    let draft = expect_context::<Draft>();
    let takes_prompt = move || draft.model.with(|model| model.spec.param("prompt").is_some());
    let chip = move |id: &'static str, name: &'static str, style: Option<&'static Style>| {
        let checked = move || draft.style.get().map(|chosen| chosen.id) == style.map(|style| style.id);
        view! {
            <label class="inline-flex cursor-pointer items-center rounded-full border border-border px-3 py-1 text-sm transition hover:bg-surface has-checked:border-primary has-checked:bg-primary/15 has-checked:font-semibold has-checked:text-accent has-focus-visible:ring-2 has-focus-visible:ring-ring" title=style.map(|style| format!("Adds: {}", style.words))>
                <input type="radio" name="style" value=id class="sr-only" prop:checked=checked
                    on:change=move |_| draft.style.set(style) />
                <span>{name}</span>
            </label>
        }
    };
    view! {
        <Show when=takes_prompt>
            <fieldset class="flex flex-col gap-2" data-testid="styles">
                <legend class="text-sm font-semibold">"Style"</legend>
                <div class="flex flex-wrap gap-2">
                    {chip("none", "None", None)}
                    {STYLES.iter().map(|style| chip(style.id, style.name, Some(style))).collect_view()}
                </div>
                {move || draft.style.get().map(|style| view! {
                    <p class="text-xs text-muted" data-testid="style-words">"Adds to the prompt: “"{style.words}"”"</p>
                })}
            </fieldset>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_styled_prompt_splits_back_into_its_words_and_style() {
        for style in &STYLES {
            let prompt = styled("a lighthouse at dusk ", Some(style));
            assert_eq!(prompt, format!("a lighthouse at dusk, {}", style.words));
            assert_eq!(unstyled(&prompt), ("a lighthouse at dusk".to_owned(), Some(style)));
        }
    }

    #[test]
    fn a_style_alone_is_a_whole_prompt() {
        let style = &STYLES[1];
        assert_eq!(styled("  ", Some(style)), style.words);
        assert_eq!(unstyled(style.words), (String::new(), Some(style)));
    }

    #[test]
    fn a_prompt_without_a_style_is_left_as_it_is() {
        assert_eq!(styled("a red fox", None), "a red fox");
        assert_eq!(unstyled("a red fox, in the snow"), ("a red fox, in the snow".to_owned(), None));
        // Words that merely contain a style's, without the comma before them, are the user's own.
        let glued = format!("a red fox{}", STYLES[0].words);
        assert_eq!(unstyled(&glued), (glued.clone(), None));
    }

    #[test]
    fn every_style_has_its_own_id_and_words() {
        for (index, style) in STYLES.iter().enumerate() {
            for other in &STYLES[index + 1..] {
                assert_ne!(style.id, other.id);
                assert!(!style.words.ends_with(other.words) && !other.words.ends_with(style.words));
            }
        }
    }
}
