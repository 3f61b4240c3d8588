//! Reading a prompt: which colours, moods and motifs its words ask for. Words the tables do not know
//! still count: they seed the picture and may add a motif of their own.

use crate::noise::hash_str;

/// A colour a word pulls toward: hue in degrees, saturation and lightness in `[0, 1]`, and for a few
/// scene words a second hue that belongs with it (a sunset's purple sky).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ColourCue {
    pub(crate) hue: f32,
    pub(crate) saturation: f32,
    pub(crate) lightness: f32,
    pub(crate) partner: Option<f32>,
    /// Words like "sunset" colour the sky rather than the land.
    pub(crate) of_sky: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mood {
    pub(crate) dark: bool,
    pub(crate) pastel: bool,
    pub(crate) vivid: bool,
    pub(crate) mono: bool,
    /// Snow on the peaks.
    pub(crate) snowy: bool,
    /// The sun sits low, near the horizon.
    pub(crate) low_sun: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Motif {
    Stars,
    Sun,
    Moon,
    Rings,
    Orbs,
    Clouds,
    Mountains,
    Hills,
    Dunes,
    City,
    Forest,
    Sea,
}

impl Motif {
    pub(crate) fn is_ground(self) -> bool {
        matches!(self, Motif::Mountains | Motif::Hills | Motif::Dunes | Motif::City | Motif::Forest | Motif::Sea)
    }
}

/// What a prompt (and its negative prompt) asks for.
#[derive(Clone, Debug, Default)]
pub(crate) struct Reading {
    /// Lower-cased words of the prompt, in order.
    pub(crate) words: Vec<String>,
    /// Lower-cased words of the negative prompt.
    pub(crate) unwanted: Vec<String>,
    pub(crate) colours: Vec<ColourCue>,
    /// Hues the negative prompt names: the palette steers away from them.
    pub(crate) avoided_hues: Vec<f32>,
    pub(crate) mood: Mood,
    /// Sorted back to front, without duplicates or unwanted motifs.
    pub(crate) motifs: Vec<Motif>,
}

impl Reading {
    pub(crate) fn of(prompt: &str, negative_prompt: &str) -> Reading {
        let unwanted = words(negative_prompt);
        let unwanted_motifs: Vec<Motif> = unwanted.iter().flat_map(|word| motifs_of(word)).copied().collect();

        let mut reading = Reading { words: words(prompt), unwanted, ..Reading::default() };
        reading.avoided_hues = reading.unwanted.iter().filter_map(|word| colour_of(word)).map(|cue| cue.hue).collect();
        let mut extra_motifs = 0;
        for word in &reading.words {
            if let Some(cue) = colour_of(word) {
                reading.colours.push(cue);
            }
            for tone in tones_of(word) {
                tone.apply(&mut reading.mood);
            }
            let named = motifs_of(word);
            reading.motifs.extend(named.iter().filter(|motif| !unwanted_motifs.contains(motif)));
            // A word we do not know may still bring something to the picture, chosen by its spelling.
            let known = !named.is_empty() || colour_of(word).is_some() || !tones_of(word).is_empty();
            if !known && !is_stop_word(word) && extra_motifs < 2 {
                let hash = hash_str(word);
                if hash.is_multiple_of(3) {
                    let motif = WANDERING_MOTIFS[(hash >> 8) as usize % WANDERING_MOTIFS.len()];
                    if !unwanted_motifs.contains(&motif) {
                        reading.motifs.push(motif);
                        extra_motifs += 1;
                    }
                }
            }
        }
        reading.motifs.sort();
        reading.motifs.dedup();
        reading
    }

    pub(crate) fn unwants(&self, motif: Motif) -> bool {
        self.unwanted.iter().any(|word| motifs_of(word).contains(&motif))
    }
}

/// Motifs an unknown word may bring.
const WANDERING_MOTIFS: &[Motif] =
    &[Motif::Orbs, Motif::Rings, Motif::Clouds, Motif::Hills, Motif::Mountains, Motif::Dunes, Motif::Sea];

/// Lower-cased runs of letters and digits.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).map(str::to_lowercase).collect()
}

/// The word, then the word without a plural ending.
fn stems(word: &str) -> impl Iterator<Item = &str> {
    let plural = |suffix: &str| word.strip_suffix(suffix).filter(|stem| stem.len() > 2);
    [Some(word), plural("es"), plural("s")].into_iter().flatten()
}

fn lookup<T: Copy>(table: &[(&str, T)], word: &str) -> Option<T> {
    stems(word).find_map(|stem| table.iter().find(|(name, _)| *name == stem).map(|(_, value)| *value))
}

fn colour_of(word: &str) -> Option<ColourCue> {
    lookup(COLOURS, word).map(|(hue, saturation, lightness, partner)| ColourCue {
        hue,
        saturation,
        lightness,
        partner,
        of_sky: stems(word).any(|stem| SKY_WORDS.contains(&stem)),
    })
}

fn motifs_of(word: &str) -> &'static [Motif] {
    lookup(MOTIFS, word).unwrap_or(&[])
}

fn tones_of(word: &str) -> &'static [Tone] {
    lookup(TONES, word).unwrap_or(&[])
}

fn is_stop_word(word: &str) -> bool {
    STOP_WORDS.contains(&word) || word.len() < 3 || word.chars().all(|c| c.is_ascii_digit())
}

#[derive(Clone, Copy, Debug)]
enum Tone {
    Dark,
    Pastel,
    Vivid,
    Mono,
    Snowy,
    LowSun,
}

impl Tone {
    fn apply(self, mood: &mut Mood) {
        match self {
            Tone::Dark => mood.dark = true,
            Tone::Pastel => mood.pastel = true,
            Tone::Vivid => mood.vivid = true,
            Tone::Mono => mood.mono = true,
            Tone::Snowy => mood.snowy = true,
            Tone::LowSun => mood.low_sun = true,
        }
    }
}

type ColourEntry = (f32, f32, f32, Option<f32>);

#[rustfmt::skip]
const COLOURS: &[(&str, ColourEntry)] = &[
    ("red", (0.0, 0.75, 0.5, None)), ("crimson", (348.0, 0.7, 0.42, None)), ("scarlet", (5.0, 0.8, 0.48, None)),
    ("ruby", (350.0, 0.7, 0.4, None)), ("orange", (28.0, 0.85, 0.55, None)), ("amber", (40.0, 0.85, 0.52, None)),
    ("gold", (45.0, 0.75, 0.55, None)), ("golden", (45.0, 0.75, 0.55, None)), ("yellow", (54.0, 0.85, 0.6, None)),
    ("lemon", (57.0, 0.8, 0.65, None)), ("lime", (85.0, 0.7, 0.55, None)), ("green", (125.0, 0.55, 0.42, None)),
    ("emerald", (145.0, 0.6, 0.4, None)), ("forest", (120.0, 0.45, 0.3, Some(95.0))),
    ("jungle", (115.0, 0.55, 0.32, Some(75.0))), ("mint", (155.0, 0.45, 0.7, None)),
    ("teal", (178.0, 0.55, 0.4, None)), ("cyan", (186.0, 0.75, 0.55, None)), ("turquoise", (174.0, 0.65, 0.52, None)),
    ("aqua", (180.0, 0.7, 0.6, None)), ("blue", (218.0, 0.7, 0.5, None)), ("ocean", (205.0, 0.65, 0.42, Some(185.0))),
    ("sea", (200.0, 0.6, 0.45, Some(190.0))), ("sky", (205.0, 0.6, 0.65, None)), ("azure", (210.0, 0.75, 0.58, None)),
    ("navy", (228.0, 0.6, 0.25, None)), ("indigo", (252.0, 0.55, 0.35, None)), ("purple", (278.0, 0.55, 0.45, None)),
    ("violet", (270.0, 0.6, 0.55, None)), ("lavender", (265.0, 0.45, 0.75, None)),
    ("magenta", (305.0, 0.75, 0.5, None)), ("pink", (330.0, 0.7, 0.72, None)), ("rose", (345.0, 0.55, 0.65, None)),
    ("sunset", (22.0, 0.85, 0.55, Some(285.0))), ("sunrise", (35.0, 0.8, 0.62, Some(330.0))),
    ("dawn", (30.0, 0.7, 0.65, Some(210.0))), ("dusk", (280.0, 0.4, 0.35, Some(25.0))),
    ("autumn", (25.0, 0.7, 0.45, Some(45.0))), ("fire", (12.0, 0.9, 0.5, Some(45.0))),
    ("lava", (8.0, 0.9, 0.45, Some(30.0))), ("desert", (35.0, 0.55, 0.62, Some(20.0))),
    ("sand", (40.0, 0.45, 0.7, None)), ("snow", (205.0, 0.2, 0.9, None)), ("winter", (205.0, 0.3, 0.82, None)),
    ("ice", (195.0, 0.45, 0.8, None)), ("night", (232.0, 0.5, 0.18, Some(260.0))),
    ("midnight", (238.0, 0.55, 0.12, Some(270.0))), ("neon", (305.0, 1.0, 0.55, Some(185.0))),
    ("cyberpunk", (300.0, 0.95, 0.5, Some(190.0))), ("brown", (25.0, 0.45, 0.32, None)),
    ("earth", (30.0, 0.35, 0.35, None)), ("silver", (210.0, 0.08, 0.75, None)), ("grey", (0.0, 0.0, 0.5, None)),
    ("gray", (0.0, 0.0, 0.5, None)), ("black", (0.0, 0.0, 0.1, None)), ("white", (0.0, 0.0, 0.93, None)),
    ("storm", (215.0, 0.2, 0.35, None)), ("snowy", (205.0, 0.2, 0.88, None)),
    ("twilight", (265.0, 0.45, 0.4, Some(230.0))),
];

/// Colour words that colour the sky.
const SKY_WORDS: &[&str] = &["sunset", "sunrise", "dawn", "dusk", "night", "midnight", "sky", "storm", "twilight"];

#[rustfmt::skip]
const TONES: &[(&str, &[Tone])] = &[
    ("night", &[Tone::Dark]), ("midnight", &[Tone::Dark]), ("dark", &[Tone::Dark]), ("gothic", &[Tone::Dark]),
    ("shadow", &[Tone::Dark]), ("space", &[Tone::Dark]), ("galaxy", &[Tone::Dark]),
    ("noir", &[Tone::Dark, Tone::Mono]), ("pastel", &[Tone::Pastel]), ("soft", &[Tone::Pastel]),
    ("dreamy", &[Tone::Pastel]), ("pale", &[Tone::Pastel]), ("gentle", &[Tone::Pastel]),
    ("neon", &[Tone::Dark, Tone::Vivid]), ("cyberpunk", &[Tone::Dark, Tone::Vivid]), ("vivid", &[Tone::Vivid]),
    ("vibrant", &[Tone::Vivid]), ("bright", &[Tone::Vivid]), ("electric", &[Tone::Vivid]),
    ("psychedelic", &[Tone::Vivid]), ("monochrome", &[Tone::Mono]), ("grayscale", &[Tone::Mono]),
    ("greyscale", &[Tone::Mono]), ("snow", &[Tone::Snowy]), ("snowy", &[Tone::Snowy]), ("winter", &[Tone::Snowy]),
    ("ice", &[Tone::Snowy]), ("icy", &[Tone::Snowy]), ("frozen", &[Tone::Snowy]), ("alpine", &[Tone::Snowy]),
    ("sunset", &[Tone::LowSun]), ("sunrise", &[Tone::LowSun]), ("dawn", &[Tone::LowSun]),
    ("dusk", &[Tone::LowSun]), ("evening", &[Tone::LowSun]), ("twilight", &[Tone::LowSun]),
];

#[rustfmt::skip]
const MOTIFS: &[(&str, &[Motif])] = &[
    ("mountain", &[Motif::Mountains]), ("peak", &[Motif::Mountains]), ("alps", &[Motif::Mountains]),
    ("alpine", &[Motif::Mountains]), ("volcano", &[Motif::Mountains]), ("cliff", &[Motif::Mountains]),
    ("hill", &[Motif::Hills]), ("valley", &[Motif::Hills]), ("meadow", &[Motif::Hills]), ("field", &[Motif::Hills]),
    ("countryside", &[Motif::Hills]), ("landscape", &[Motif::Hills, Motif::Mountains]),
    ("desert", &[Motif::Dunes, Motif::Sun]), ("dune", &[Motif::Dunes]), ("sand", &[Motif::Dunes]),
    ("city", &[Motif::City]), ("skyline", &[Motif::City]), ("building", &[Motif::City]), ("tower", &[Motif::City]),
    ("street", &[Motif::City]), ("urban", &[Motif::City]), ("town", &[Motif::City]), ("cyberpunk", &[Motif::City]),
    ("forest", &[Motif::Forest]), ("tree", &[Motif::Forest]), ("wood", &[Motif::Forest]), ("pine", &[Motif::Forest]),
    ("jungle", &[Motif::Forest]),
    ("ocean", &[Motif::Sea]), ("sea", &[Motif::Sea]), ("wave", &[Motif::Sea]), ("water", &[Motif::Sea]),
    ("lake", &[Motif::Sea]), ("beach", &[Motif::Sea]), ("coast", &[Motif::Sea]), ("river", &[Motif::Sea]),
    ("harbor", &[Motif::Sea, Motif::City]), ("harbour", &[Motif::Sea, Motif::City]),
    ("sun", &[Motif::Sun]), ("sunset", &[Motif::Sun]), ("sunrise", &[Motif::Sun]), ("dawn", &[Motif::Sun]),
    ("summer", &[Motif::Sun]), ("moon", &[Motif::Moon]), ("night", &[Motif::Moon, Motif::Stars]),
    ("midnight", &[Motif::Moon, Motif::Stars]), ("twilight", &[Motif::Stars]), ("star", &[Motif::Stars]), ("galaxy", &[Motif::Stars, Motif::Rings]),
    ("space", &[Motif::Stars, Motif::Orbs]), ("cosmic", &[Motif::Stars, Motif::Orbs]),
    ("planet", &[Motif::Orbs, Motif::Rings]), ("cloud", &[Motif::Clouds]), ("cloudy", &[Motif::Clouds]),
    ("storm", &[Motif::Clouds]), ("sky", &[Motif::Clouds]), ("bubble", &[Motif::Orbs]), ("orb", &[Motif::Orbs]),
    ("circle", &[Motif::Orbs]), ("abstract", &[Motif::Orbs, Motif::Rings]), ("ring", &[Motif::Rings]),
    ("portal", &[Motif::Rings]), ("halo", &[Motif::Rings]),
];

#[rustfmt::skip]
const STOP_WORDS: &[&str] = &[
    "the", "and", "with", "for", "from", "into", "onto", "over", "under", "above", "below", "near", "very", "some",
    "this", "that", "its", "his", "her", "their", "our", "your", "style", "photo", "picture", "image", "painting",
    "detailed", "high", "quality", "resolution", "realistic", "beautiful", "art", "artwork", "render", "scene",
    "view", "shot", "lighting", "light", "background", "foreground",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_lower_cased_and_split_on_punctuation() {
        assert_eq!(words("A Red-fox, at NIGHT!"), ["a", "red", "fox", "at", "night"]);
        assert!(words("  ,, ").is_empty());
    }

    #[test]
    fn colour_words_and_plurals_are_recognised() {
        let reading = Reading::of("Red mountains under a NIGHT sky", "");
        assert_eq!(reading.colours.len(), 3, "red, night and sky");
        assert_eq!(reading.colours[0].hue, 0.0);
        assert!(reading.mood.dark);
        assert!(reading.motifs.contains(&Motif::Mountains));
        assert!(reading.motifs.contains(&Motif::Moon));
        assert!(reading.motifs.contains(&Motif::Stars));
    }

    #[test]
    fn the_negative_prompt_removes_motifs_and_avoids_hues() {
        let reading = Reading::of("mountains by the sea", "mountains, green");
        assert!(!reading.motifs.contains(&Motif::Mountains));
        assert!(reading.motifs.contains(&Motif::Sea));
        assert!(reading.unwants(Motif::Mountains));
        assert_eq!(reading.avoided_hues, [125.0]);
    }

    #[test]
    fn motifs_come_sorted_back_to_front_without_duplicates() {
        let reading = Reading::of("sea, ocean, waves and a sunset sun", "");
        assert_eq!(reading.motifs, [Motif::Sun, Motif::Sea]);
    }
}
