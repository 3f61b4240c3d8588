//! Turning a reading of the prompt into layers: where the horizon sits, which shapes go where, in
//! which colours. All placement comes from the seeded generator, so it is repeatable.

use crate::colour::Rgb;
use crate::layers::{Disc, Finish, Glow, Layer, Puff, Silhouette, Sky, Star, Stars, Texture};
use crate::noise::{Rng, ValueNoise};
use crate::palette::Palette;
use crate::prompt::{Mood, Motif, Reading};

/// The layers of a `width`×`height` picture, back to front, ending with the finishing grain.
pub(crate) fn compose(reading: &Reading, width: u32, height: u32, rng: &mut Rng) -> Vec<Layer> {
    let palette = Palette::of(reading, rng);
    let motifs = complete_motifs(reading, &palette, rng);
    let frame = Frame::new(width, height, &motifs, rng);
    let mut layers = vec![Layer::Sky(Sky {
        top: palette.sky_top,
        horizon: palette.sky_horizon,
        below: palette.near_land,
        horizon_y: frame.horizon,
        tilt: frame.height * rng.range(-0.12, 0.12),
    })];
    let mut light_x = None;
    let ground: Vec<Motif> = motifs.iter().copied().filter(|m| m.is_ground() && *m != Motif::Sea).collect();
    let strata = ground.iter().map(|&motif| strata_count(motif, rng)).collect::<Vec<_>>();
    let total_strata: u32 = strata.iter().sum();
    let mut stratum = 0;
    for &motif in &motifs {
        let mut rng = rng.fork();
        match motif {
            Motif::Stars => layers.push(stars(&frame, &palette, &mut rng)),
            Motif::Sun | Motif::Moon => {
                let glow = glow(&frame, &palette, motif, reading.mood.low_sun, &mut rng);
                light_x.get_or_insert(glow.cx);
                layers.push(Layer::Glow(glow));
            }
            Motif::Rings => layers.push(rings(&frame, &palette, &mut rng)),
            Motif::Orbs => layers.push(orbs(&frame, &palette, &mut rng)),
            Motif::Clouds => layers.push(clouds(&frame, &palette, &mut rng)),
            Motif::Sea => layers.push(sea(&frame, &palette, light_x, &mut rng)),
            ground_motif => {
                let index = ground.iter().position(|&m| m == ground_motif).unwrap_or(0);
                for _ in 0..strata[index] {
                    let depth = if total_strata > 1 { stratum as f32 / (total_strata - 1) as f32 } else { 0.6 };
                    let base =
                        frame.horizon + (frame.ground_bottom - frame.horizon) * stratum as f32 / total_strata as f32;
                    let scene = Scene { frame: &frame, palette: &palette, mood: reading.mood };
                    layers.push(Layer::Silhouette(stratum_of(ground_motif, &scene, base, depth, &mut rng)));
                    stratum += 1;
                }
            }
        }
    }
    layers.push(Layer::Finish(Finish {
        vignette: rng.range(0.15, 0.35),
        grain: rng.range(3.0, 6.0),
        salt: rng.next_u64() as u32,
    }));
    layers
}

/// Adds a ground and something in the sky when the prompt asked for neither, so no picture is empty.
fn complete_motifs(reading: &Reading, palette: &Palette, rng: &mut Rng) -> Vec<Motif> {
    let mut motifs = reading.motifs.clone();
    let mut add_one_of = |motifs: &mut Vec<Motif>, choices: &[Motif]| {
        let allowed: Vec<Motif> = choices.iter().copied().filter(|&m| !reading.unwants(m)).collect();
        if !allowed.is_empty() {
            motifs.push(allowed[rng.below(allowed.len() as u32) as usize]);
        }
    };
    if !motifs.iter().any(|m| m.is_ground()) {
        use Motif::*;
        add_one_of(&mut motifs, &[Mountains, Hills, Dunes, Sea, Forest, City, Mountains, Hills]);
    }
    if !motifs.iter().any(|m| !m.is_ground()) {
        use Motif::*;
        if palette.dark {
            add_one_of(&mut motifs, &[Moon, Stars, Orbs]);
        } else {
            add_one_of(&mut motifs, &[Sun, Clouds, Orbs, Rings, Sun]);
        }
    }
    motifs.sort();
    motifs.dedup();
    motifs
}

/// What every ground layer is drawn against.
struct Scene<'a> {
    frame: &'a Frame,
    palette: &'a Palette,
    mood: Mood,
}

/// The picture's proportions: where the horizon is and where the land ends.
struct Frame {
    width: f32,
    height: f32,
    /// The smaller side: round things scale with it so they stay round in any aspect ratio.
    side: f32,
    horizon: f32,
    ground_bottom: f32,
    sea_level: f32,
}

impl Frame {
    fn new(width: u32, height: u32, motifs: &[Motif], rng: &mut Rng) -> Frame {
        let (width, height) = (width as f32, height as f32);
        let has_ground = motifs.iter().any(|m| m.is_ground());
        let horizon = if has_ground { height * rng.range(0.5, 0.68) } else { height * 0.92 };
        let only_sea = motifs.iter().all(|m| !m.is_ground() || *m == Motif::Sea);
        let sea_level = if only_sea { horizon } else { horizon + (height - horizon) * rng.range(0.3, 0.55) };
        let ground_bottom = if motifs.contains(&Motif::Sea) { sea_level + 2.0 } else { height * 0.9 };
        Frame { width, height, side: width.min(height), horizon, ground_bottom, sea_level }
    }
}

fn strata_count(motif: Motif, rng: &mut Rng) -> u32 {
    match motif {
        Motif::Mountains | Motif::Dunes => 2 + rng.below(2),
        Motif::Hills | Motif::City | Motif::Forest => 1 + rng.below(2),
        _ => 1,
    }
}

fn stars(frame: &Frame, palette: &Palette, rng: &mut Rng) -> Layer {
    let count = ((frame.width * frame.height / 700.0) as u32).min(40_000);
    let stars = (0..count)
        .map(|_| {
            let brightness = rng.unit();
            Star {
                x: (rng.unit() * frame.width) as u32,
                y: (rng.unit() * rng.unit() * frame.horizon) as u32,
                brightness: 0.25 + 0.75 * brightness * brightness,
                big: brightness > 0.97,
            }
        })
        .collect();
    let colour = if palette.dark { Rgb::WHITE } else { Rgb::WHITE.lerp(palette.sky_horizon, 0.3) };
    Layer::Stars(Stars { colour, stars })
}

fn glow(frame: &Frame, palette: &Palette, motif: Motif, low: bool, rng: &mut Rng) -> Glow {
    let is_moon = motif == Motif::Moon;
    let radius = frame.side * if is_moon { rng.range(0.04, 0.07) } else { rng.range(0.06, 0.12) };
    let (disc, halo, halo_strength) = if is_moon {
        (Rgb::hsl(50.0, 0.25, 0.9), palette.sky_horizon.lerp(Rgb::WHITE, 0.4), 0.3)
    } else {
        (palette.glow, palette.halo, 0.6)
    };
    Glow {
        cx: frame.width * rng.range(0.18, 0.82),
        cy: frame.horizon - frame.horizon * if low { rng.range(0.0, 0.12) } else { rng.range(0.15, 0.7) },
        radius,
        halo_radius: radius * rng.range(2.5, 4.5),
        halo_strength,
        disc,
        halo,
    }
}

fn rings(frame: &Frame, palette: &Palette, rng: &mut Rng) -> Layer {
    let count = 1 + rng.below(3);
    let cx = frame.width * rng.range(0.25, 0.75);
    let cy = frame.horizon * rng.range(0.3, 0.65);
    let squash = rng.range(0.3, 1.0);
    let rings = (0..count)
        .map(|i| {
            let radius = frame.side * (0.12 + 0.07 * i as f32) * rng.range(0.85, 1.2);
            let colour = palette.accents[(i as usize + 1) % 3];
            Disc {
                cx,
                cy,
                radius,
                hole: radius * rng.range(0.8, 0.93),
                squash,
                light: colour.lerp(Rgb::WHITE, 0.3),
                shade: colour.scale(0.7),
                alpha: rng.range(0.5, 0.8),
            }
        })
        .collect();
    Layer::Discs(rings)
}

fn orbs(frame: &Frame, palette: &Palette, rng: &mut Rng) -> Layer {
    let count = 2 + rng.below(5);
    let orbs = (0..count)
        .map(|i| {
            let colour = palette.accents[i as usize % 3];
            let radius = frame.side * rng.range(0.025, 0.13);
            Disc {
                cx: frame.width * rng.unit(),
                cy: frame.horizon * rng.range(0.1, 0.9),
                radius,
                hole: 0.0,
                squash: 1.0,
                light: colour.lerp(Rgb::WHITE, 0.35),
                shade: colour.scale(0.55),
                alpha: rng.range(0.75, 0.95),
            }
        })
        .collect();
    Layer::Discs(orbs)
}

fn clouds(frame: &Frame, palette: &Palette, rng: &mut Rng) -> Layer {
    let light = if palette.dark {
        palette.sky_horizon.lerp(Rgb::WHITE, 0.15)
    } else {
        Rgb::WHITE.lerp(palette.sky_horizon, 0.25)
    };
    let shade = palette.sky_top.lerp(light, 0.55);
    let mut puffs = Vec::new();
    for _ in 0..2 + rng.below(4) {
        let cx = frame.width * rng.range(-0.05, 1.05);
        let cy = frame.horizon * rng.range(0.15, 0.8);
        let size = frame.side * rng.range(0.05, 0.12);
        let alpha = rng.range(0.45, 0.8);
        for _ in 0..4 + rng.below(4) {
            puffs.push(Puff {
                cx: cx + size * rng.range(-2.2, 2.2),
                cy: cy + size * rng.range(-0.4, 0.3),
                rx: size * rng.range(0.9, 1.8),
                ry: size * rng.range(0.5, 0.9),
                light,
                shade,
                alpha,
            });
        }
    }
    Layer::Clouds(puffs)
}

/// One ground layer whose skyline rests on `base`, coloured for `depth` (0 far, 1 near).
fn stratum_of(motif: Motif, scene: &Scene, base: f32, depth: f32, rng: &mut Rng) -> Silhouette {
    let Scene { frame, palette, mood } = scene;
    let snowy = mood.snowy;
    let width = frame.width as usize;
    let height = frame.height;
    let mut texture = Texture::Plain;
    let profile = match motif {
        Motif::Mountains => {
            let noise = ValueNoise::new(rng);
            let features = rng.range(2.0, 5.0);
            let amplitude = height * rng.range(0.14, 0.3) * (1.0 - 0.35 * depth);
            if snowy || (!palette.dark && amplitude > height * 0.17 && rng.chance(0.5)) {
                let line = base - amplitude * if snowy { 0.45 } else { 0.62 };
                texture = Texture::Snow { line, colour: Rgb::WHITE.lerp(palette.sky_horizon, 0.2) };
            }
            let crests: Vec<f32> = (0..width).map(|x| ridge(&noise, x as f32 / frame.width * features)).collect();
            // Stretched so the highest crest reaches the full height and the lowest still rises a little.
            let (low, high) = crests.iter().fold((f32::MAX, f32::MIN), |(lo, hi), &c| (lo.min(c), hi.max(c)));
            let spread = (high - low).max(1e-3);
            crests.iter().map(|&crest| base - amplitude * (0.15 + 0.85 * (crest - low) / spread)).collect()
        }
        Motif::Hills | Motif::Dunes => {
            let amplitude = height * if motif == Motif::Hills { rng.range(0.05, 0.12) } else { rng.range(0.03, 0.08) };
            let sharpness = if motif == Motif::Dunes { 0.45 } else { 0.15 };
            let (cycles, phase, phase2) = (rng.range(0.7, 2.2), rng.range(0.0, 6.3), rng.range(0.0, 6.3));
            (0..width)
                .map(|x| {
                    let u = x as f32 / frame.width * cycles * std::f32::consts::TAU + phase;
                    let wave = (u.sin() + sharpness * (2.0 * u + phase2).sin()) / (1.0 + sharpness);
                    base - amplitude * (0.5 + 0.5 * wave)
                })
                .collect()
        }
        Motif::City => {
            if depth > 0.4 || rng.chance(0.5) {
                let cell = (frame.side * rng.range(0.012, 0.02)).max(3.0) as u32;
                let colour = palette.highlight;
                texture = Texture::Windows { cell, colour, lit: 20 + rng.below(40), salt: rng.next_u64() as u32 };
            }
            skyline(frame, base, rng)
        }
        Motif::Forest => treeline(frame, base, rng),
        _ => vec![base; width],
    };
    let colour_at = |depth: f32| if motif == Motif::Forest { palette.foliage(depth) } else { palette.land(depth) };
    let top_colour = colour_at(depth);
    let bottom_colour = colour_at((depth + 0.4).min(1.0)).scale(0.85);
    Silhouette { profile, top_colour, bottom_colour, texture }
}

/// Ridged fractal noise in `[0, 1]`: sharp crests, soft valleys.
fn ridge(noise: &ValueNoise, u: f32) -> f32 {
    let mut total = 0.0;
    let mut weight = 1.0;
    let mut frequency = 1.0;
    for octave in 0..4 {
        let n = noise.sample(u * frequency + octave as f32 * 37.0);
        let crest = 1.0 - (2.0 * n - 1.0).abs();
        total += crest * crest * weight;
        weight *= 0.5;
        frequency *= 2.1;
    }
    (total / 1.875).clamp(0.0, 1.0)
}

fn skyline(frame: &Frame, base: f32, rng: &mut Rng) -> Vec<f32> {
    let width = frame.width as usize;
    let mut profile = vec![base; width];
    let mut x = 0usize;
    while x < width {
        let building = (frame.side * rng.range(0.03, 0.09)).max(2.0) as usize;
        let gap = if rng.chance(0.2) { (frame.side * 0.01) as usize } else { 0 };
        let top = base - frame.height * rng.range(0.06, 0.3);
        let end = (x + building).min(width);
        profile[x..end].fill(top);
        x = end + gap;
    }
    profile
}

fn treeline(frame: &Frame, base: f32, rng: &mut Rng) -> Vec<f32> {
    let width = frame.width as usize;
    let mut profile = vec![base; width];
    let mut centre = -frame.side * 0.02;
    while centre < frame.width + frame.side * 0.05 {
        let tall = frame.height * rng.range(0.05, 0.15);
        let half = tall * rng.range(0.18, 0.3);
        let from = (centre - half).max(0.0) as usize;
        let to = ((centre + half).max(0.0) as usize).min(width);
        if from < to {
            for (x, edge) in (from..to).zip(&mut profile[from..to]) {
                let y = base - tall * (1.0 - (x as f32 - centre).abs() / half);
                *edge = edge.min(y);
            }
        }
        centre += half * rng.range(0.7, 1.6);
    }
    profile
}

fn sea(frame: &Frame, palette: &Palette, light_x: Option<f32>, rng: &mut Rng) -> Layer {
    let width = frame.width as usize;
    let spread = frame.side * rng.range(0.04, 0.09);
    let glint = (0..width)
        .map(|x| match light_x {
            Some(light) => {
                let d = (x as f32 - light) / spread;
                0.8 * (-d * d).exp()
            }
            None => 0.0,
        })
        .collect();
    let texture = Texture::Ripples {
        noise: ValueNoise::new(rng),
        colour: palette.glow.lerp(Rgb::WHITE, 0.4),
        glint,
        bands: rng.range(40.0, 90.0),
        salt: rng.next_u64() as u32,
    };
    Layer::Silhouette(Silhouette {
        profile: vec![frame.sea_level; width],
        top_colour: palette.water.lerp(palette.sky_horizon, 0.45),
        bottom_colour: palette.water.scale(0.7),
        texture,
    })
}
