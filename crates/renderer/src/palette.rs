//! A picture's colours, from the prompt's colour words and moods; the seed fills in what words leave open.

use crate::colour::Rgb;
use crate::noise::Rng;
use crate::prompt::{ColourCue, Mood, Reading};

#[derive(Clone, Debug)]
pub(crate) struct Palette {
    pub(crate) sky_top: Rgb,
    pub(crate) sky_horizon: Rgb,
    /// The sun's (or moon's) disc and the halo around it.
    pub(crate) glow: Rgb,
    pub(crate) halo: Rgb,
    /// Ground from the farthest layer (hazy, close to the horizon) to the nearest (deep).
    pub(crate) far_land: Rgb,
    pub(crate) near_land: Rgb,
    /// Trees, far and near: the land's colour pulled toward green.
    pub(crate) far_foliage: Rgb,
    pub(crate) near_foliage: Rgb,
    pub(crate) water: Rgb,
    /// Shapes in the sky and lit windows.
    pub(crate) accents: [Rgb; 3],
    pub(crate) highlight: Rgb,
    pub(crate) dark: bool,
}

impl Palette {
    pub(crate) fn of(reading: &Reading, rng: &mut Rng) -> Palette {
        let mood = reading.mood;
        let sky_cue = reading.colours.iter().find(|cue| cue.of_sky).copied();
        let land_cues: Vec<ColourCue> = reading.colours.iter().filter(|cue| !cue.of_sky).copied().collect();
        let primary = land_cues.first().copied().or(sky_cue).unwrap_or_else(|| invented_cue(rng));
        let mut main_hue = primary.hue + rng.range(-8.0, 8.0);
        if reading.avoided_hues.iter().any(|&avoided| hue_distance(main_hue, avoided) < 35.0) {
            main_hue += 180.0;
        }
        let named = !reading.colours.is_empty();
        let second_hue = match (land_cues.get(1), primary.partner) {
            (Some(second), _) => second.hue,
            (None, Some(partner)) => partner,
            // A named colour keeps its neighbours so it dominates; otherwise any harmony will do.
            (None, None) if named => main_hue + [25.0, -25.0, 40.0, -40.0][rng.below(4) as usize],
            (None, None) => main_hue + [30.0, -30.0, 150.0, 180.0, 210.0, 120.0][rng.below(6) as usize],
        } + rng.range(-8.0, 8.0);
        let (sky_top_hue, sky_horizon_hue) = match sky_cue {
            Some(sky) => (sky.partner.unwrap_or(sky.hue), sky.hue),
            None => {
                // Unprompted skies lean blue; no sky turns green unless a sky word says so.
                let top = if named { second_hue } else { lerp_hue(second_hue, 215.0, 0.3) };
                let top = match top.rem_euclid(360.0) {
                    yellowish if (50.0..100.0).contains(&yellowish) => lerp_hue(top, 40.0, 0.7),
                    greenish if (100.0..175.0).contains(&greenish) => lerp_hue(top, 200.0, 0.7),
                    _ => top,
                };
                (top, lerp_hue(top, main_hue, 0.6))
            }
        };

        let saturation = adjust_saturation(primary.saturation, mood);
        let sky_saturation = sky_cue.map_or(saturation, |sky| adjust_saturation(sky.saturation, mood));
        let tone = |hue: f32, s: f32, l: f32| Rgb::hsl(hue, s * saturation, adjust_lightness(l, mood));
        let sky_tone = |hue: f32, s: f32, l: f32| Rgb::hsl(hue, s * sky_saturation, adjust_lightness(l, mood));

        let (sky_top, sky_horizon) = if mood.dark {
            (sky_tone(sky_top_hue, 0.7, 0.09), sky_tone(sky_horizon_hue, 0.8, 0.3))
        } else {
            let depth = rng.range(0.32, 0.5);
            (sky_tone(sky_top_hue, 0.75, depth), sky_tone(sky_horizon_hue, 0.7, 0.8))
        };
        let (glow, halo) = if mood.dark {
            (Rgb::hsl(50.0, 0.3, 0.9), Rgb::hsl(sky_top_hue, 0.4, 0.65))
        } else {
            let warm = lerp_hue(sky_horizon_hue, 42.0, 0.6);
            (tone(warm, 1.0, 0.8), tone(warm, 0.9, 0.68))
        };
        let land_lightness = match (mood.dark, mood.snowy) {
            (true, _) => 0.3,
            // Dark rock, so the snow shows.
            (false, true) => primary.lightness.clamp(0.25, 0.45),
            (false, false) => primary.lightness.clamp(0.25, 0.7),
        };
        let near_land = tone(main_hue, 0.8, land_lightness * 0.45);
        let far_land = tone(main_hue + rng.range(-20.0, 20.0), 0.5, land_lightness + 0.12).lerp(sky_horizon, 0.45);
        let leaf_hue = lerp_hue(main_hue, 125.0, 0.55);
        let near_foliage = tone(leaf_hue, 0.7, land_lightness * 0.4);
        let far_foliage = tone(leaf_hue, 0.5, land_lightness + 0.05).lerp(sky_horizon, 0.35);
        let water = tone(lerp_hue(second_hue, 205.0, 0.4), 0.7, if mood.dark { 0.2 } else { 0.4 }).lerp(sky_top, 0.3);
        let accent_lightness = if mood.dark { 0.6 } else { 0.62 };
        let accents = [
            tone(main_hue + 30.0, 0.95, accent_lightness),
            tone(second_hue - 20.0, 0.9, accent_lightness + 0.1),
            tone(main_hue + 180.0, 0.85, accent_lightness - 0.05),
        ];
        let highlight = if mood.vivid { tone(second_hue, 1.0, 0.7) } else { Rgb::hsl(48.0, 0.8 * saturation, 0.78) };
        Palette {
            sky_top,
            sky_horizon,
            glow,
            halo,
            far_land,
            near_land,
            far_foliage,
            near_foliage,
            water,
            accents,
            highlight,
            dark: mood.dark,
        }
    }

    /// The colour of ground layer `depth` (0 farthest, 1 nearest).
    pub(crate) fn land(&self, depth: f32) -> Rgb {
        self.far_land.lerp(self.near_land, depth)
    }

    pub(crate) fn foliage(&self, depth: f32) -> Rgb {
        self.far_foliage.lerp(self.near_foliage, depth)
    }
}

/// A colour for a prompt that names none.
fn invented_cue(rng: &mut Rng) -> ColourCue {
    ColourCue {
        hue: rng.range(0.0, 360.0),
        saturation: rng.range(0.45, 0.8),
        lightness: 0.5,
        partner: None,
        of_sky: false,
    }
}

fn adjust_saturation(saturation: f32, mood: Mood) -> f32 {
    if mood.mono {
        0.0
    } else if mood.vivid {
        1.0
    } else if mood.pastel {
        saturation * 0.6
    } else {
        // Grey words keep a whisper of colour so the picture still has a temperature.
        saturation.max(0.12)
    }
}

fn adjust_lightness(lightness: f32, mood: Mood) -> f32 {
    if mood.pastel { lightness + (0.88 - lightness) * 0.5 } else { lightness }
}

fn hue_distance(a: f32, b: f32) -> f32 {
    let d = (a - b).rem_euclid(360.0);
    d.min(360.0 - d)
}

/// Moves from hue `a` toward hue `b` the short way round.
fn lerp_hue(a: f32, b: f32, t: f32) -> f32 {
    let d = (b - a + 540.0).rem_euclid(360.0) - 180.0;
    a + d * t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn palette(prompt: &str) -> Palette {
        Palette::of(&Reading::of(prompt, ""), &mut Rng::new(3))
    }

    #[test]
    fn night_prompts_get_a_dark_sky() {
        assert!(palette("a quiet night").sky_top.luma() < 40.0);
        assert!(palette("a quiet morning").sky_top.luma() > 60.0);
    }

    #[test]
    fn colour_words_steer_the_ground() {
        let [r, g, b] = palette("red").near_land.0;
        assert!(r > g && r > b, "red ground should be reddish: {r} {g} {b}");
        let [r, g, b] = palette("forest").near_land.0;
        assert!(g > r && g > b, "forest ground should be greenish: {r} {g} {b}");
    }

    #[test]
    fn sky_words_colour_the_sky_and_leave_the_land_to_other_words() {
        let sunset = palette("green hills at sunset");
        let [r, _, b] = sunset.sky_horizon.0;
        assert!(r > b, "a sunset horizon is warm");
        let [r, g, b] = sunset.near_land.0;
        assert!(g > r && g > b, "the hills stay green");
    }

    #[test]
    fn monochrome_prompts_have_no_colour() {
        let [r, g, b] = palette("monochrome ocean").near_land.0;
        assert_eq!((r, g), (g, b));
    }

    #[test]
    fn hues_mix_the_short_way_round() {
        assert_eq!(lerp_hue(350.0, 10.0, 0.5), 360.0);
        assert_eq!(hue_distance(350.0, 10.0), 20.0);
    }
}
