//! Everything below a skyline: mountains, hills, forests, cities and the sea, each with its texture.

use std::ops::Range;

use super::Canvas;
use crate::colour::{Rgb, blend, smoothstep};
use crate::noise::{ValueNoise, pixel_hash};

/// What is drawn inside a silhouette besides its gradient.
#[derive(Clone, Debug)]
pub(crate) enum Texture {
    Plain,
    /// Peaks that rise above `line` are white down to partway toward it.
    Snow {
        line: f32,
        colour: Rgb,
    },
    /// Lit windows on a grid of `cell` pixels; `lit` out of 100 are on.
    Windows {
        cell: u32,
        colour: Rgb,
        lit: u32,
        salt: u32,
    },
    /// Sparkling streaks on water, brightest in a column under the sun (`glint`, one value a column).
    Ripples {
        noise: ValueNoise,
        colour: Rgb,
        glint: Vec<f32>,
        bands: f32,
        salt: u32,
    },
}

/// Everything below a skyline `profile` (one y a column): mountains, hills, forests, cities, the sea.
#[derive(Clone, Debug)]
pub(crate) struct Silhouette {
    pub(crate) profile: Vec<f32>,
    pub(crate) top_colour: Rgb,
    pub(crate) bottom_colour: Rgb,
    pub(crate) texture: Texture,
}

impl Silhouette {
    pub(super) fn paint(&self, canvas: &mut Canvas, rows: Range<u32>) {
        let height = canvas.height as f32;
        let top = self.profile.iter().copied().fold(f32::INFINITY, f32::min).max(0.0);
        let span = (height - top).max(1.0);
        for y in rows {
            let fy = y as f32;
            if fy + 1.0 <= top {
                continue;
            }
            let depth = ((fy - top) / span).clamp(0.0, 1.0);
            let base = self.top_colour.lerp(self.bottom_colour, depth);
            let row_texture = RowTexture::new(&self.texture, y, top, span);
            let row = canvas.row(y);
            for (x, (pixel, &edge)) in row.chunks_exact_mut(3).zip(&self.profile).enumerate() {
                let cover = (fy + 1.0 - edge).clamp(0.0, 1.0);
                if cover <= 0.0 {
                    continue;
                }
                let colour = row_texture.colour(&self.texture, base, x as u32, y, fy - edge, edge);
                blend(pixel, colour, cover);
            }
        }
    }
}

/// Per-row values of a texture, worked out once a row rather than once a pixel.
struct RowTexture {
    ripple_shift: f32,
    ripple_scale: f32,
}

impl RowTexture {
    fn new(texture: &Texture, y: u32, top: f32, span: f32) -> RowTexture {
        match texture {
            Texture::Ripples { bands, salt, .. } => {
                // Bands crowd together toward the horizon, as they would in perspective.
                let band = (bands * ((y as f32 - top).max(0.0) / span).sqrt()) as u32;
                let shift = (pixel_hash(band, 0, *salt) % 1024) as f32;
                let closeness = ((y as f32 - top) / span).clamp(0.0, 1.0);
                RowTexture { ripple_shift: shift, ripple_scale: 0.08 / (0.15 + closeness * 2.0) }
            }
            _ => RowTexture { ripple_shift: 0.0, ripple_scale: 0.0 },
        }
    }

    /// `below_edge`: how far this pixel is under the silhouette's edge; `edge`: that edge's y.
    #[inline]
    fn colour(&self, texture: &Texture, base: Rgb, x: u32, y: u32, below_edge: f32, edge: f32) -> Rgb {
        match texture {
            Texture::Plain => base,
            Texture::Snow { line, colour } => {
                let cap = (line - edge) * 0.7;
                if edge < *line && below_edge < cap {
                    base.lerp(*colour, smoothstep(cap, cap * 0.7, below_edge))
                } else {
                    base
                }
            }
            Texture::Windows { cell, colour, lit, salt } => {
                let cell = (*cell).max(3);
                let (wx, wy) = (x % cell, y % cell);
                let inside = wx >= cell / 3 && wx < cell - cell / 3 && wy >= cell / 3 && wy < cell - cell / 4;
                if inside && below_edge > cell as f32 && pixel_hash(x / cell, y / cell, *salt) % 100 < *lit {
                    *colour
                } else {
                    base
                }
            }
            Texture::Ripples { noise, colour, glint, .. } => {
                let wave = noise.sample(x as f32 * self.ripple_scale + self.ripple_shift);
                let sparkle = smoothstep(0.6, 0.9, wave) * (0.18 + glint.get(x as usize).copied().unwrap_or(0.0));
                base.lerp(*colour, sparkle.min(1.0))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_silhouette_fills_only_below_its_profile() {
        let hill = Silhouette {
            profile: vec![2.0, 5.0, 8.0],
            top_colour: Rgb::WHITE,
            bottom_colour: Rgb::WHITE,
            texture: Texture::Plain,
        };
        let mut pixels = vec![0; 3 * 10 * 3];
        hill.paint(&mut Canvas { width: 3, height: 10, pixels: &mut pixels }, 0..10);
        let at = |x: usize, y: usize| pixels[(y * 3 + x) * 3];
        assert_eq!((at(0, 1), at(0, 2), at(0, 9)), (0, 255, 255));
        assert_eq!((at(1, 4), at(1, 5)), (0, 255));
        assert_eq!((at(2, 7), at(2, 8)), (0, 255));
    }
}
