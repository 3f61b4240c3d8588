//! The layers a sketch is painted from, back to front. Each layer paints any band of rows on its own,
//! so a render can be split into as many real steps as asked for.

mod silhouette;

pub(crate) use silhouette::{Silhouette, Texture};

use std::ops::Range;

use crate::colour::{Rgb, blend, put, smoothstep, to_byte};
use crate::noise::pixel_hash;

/// An RGB8 pixel buffer, row-major, three bytes a pixel.
pub(crate) struct Canvas<'a> {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) pixels: &'a mut [u8],
}

impl Canvas<'_> {
    pub(crate) fn row(&mut self, y: u32) -> &mut [u8] {
        let stride = self.width as usize * 3;
        let start = y as usize * stride;
        &mut self.pixels[start..start + stride]
    }

    fn pixel(&mut self, x: u32, y: u32) -> &mut [u8] {
        let start = (y as usize * self.width as usize + x as usize) * 3;
        &mut self.pixels[start..start + 3]
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Layer {
    Sky(Sky),
    Stars(Stars),
    Glow(Glow),
    Discs(Vec<Disc>),
    Clouds(Vec<Puff>),
    Silhouette(Silhouette),
    Finish(Finish),
}

impl Layer {
    /// Paints the rows of `rows` that lie on the canvas.
    pub(crate) fn paint(&self, canvas: &mut Canvas, rows: Range<u32>) {
        let rows = rows.start.min(canvas.height)..rows.end.min(canvas.height);
        match self {
            Layer::Sky(sky) => sky.paint(canvas, rows),
            Layer::Stars(stars) => stars.paint(canvas, rows),
            Layer::Glow(glow) => glow.paint(canvas, rows),
            Layer::Discs(discs) => discs.iter().for_each(|disc| disc.paint(canvas, rows.clone())),
            Layer::Clouds(puffs) => puffs.iter().for_each(|puff| puff.paint(canvas, rows.clone())),
            Layer::Silhouette(silhouette) => silhouette.paint(canvas, rows),
            Layer::Finish(finish) => finish.paint(canvas, rows),
        }
    }
}

/// The rows and columns of a box around a centre, clipped to the canvas and to `rows`.
fn clip(canvas: &Canvas, rows: &Range<u32>, cx: f32, cy: f32, rx: f32, ry: f32) -> (Range<u32>, Range<u32>) {
    let span = |low: f32, high: f32, limit: u32| {
        let low = low.floor().max(0.0) as u32;
        let high = (high.ceil() + 1.0).clamp(0.0, limit as f32) as u32;
        low.min(high)..high
    };
    let xs = span(cx - rx, cx + rx, canvas.width);
    let ys = span(cy - ry, cy + ry, canvas.height);
    (xs, ys.start.max(rows.start)..ys.end.min(rows.end))
}

/// A vertical gradient from `top` to `horizon` (at `horizon_y`), then on to `below`, tilted a little.
#[derive(Clone, Debug)]
pub(crate) struct Sky {
    pub(crate) top: Rgb,
    pub(crate) horizon: Rgb,
    pub(crate) below: Rgb,
    pub(crate) horizon_y: f32,
    /// How many pixels the gradient rises from the left edge to the right.
    pub(crate) tilt: f32,
}

impl Sky {
    fn paint(&self, canvas: &mut Canvas, rows: Range<u32>) {
        let width = canvas.width as f32;
        let height = canvas.height as f32;
        let horizon_y = self.horizon_y.max(1.0);
        let below_span = (height - horizon_y).max(1.0);
        for y in rows {
            let row = canvas.row(y);
            for (x, pixel) in row.chunks_exact_mut(3).enumerate() {
                let level = y as f32 + self.tilt * (x as f32 / width - 0.5);
                let colour = if level < horizon_y {
                    let t = (level / horizon_y).max(0.0);
                    self.top.lerp(self.horizon, t * t)
                } else {
                    self.horizon.lerp(self.below, ((level - horizon_y) / below_span).min(1.0))
                };
                put(pixel, colour);
            }
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Star {
    pub(crate) x: u32,
    pub(crate) y: u32,
    pub(crate) brightness: f32,
    pub(crate) big: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Stars {
    pub(crate) colour: Rgb,
    pub(crate) stars: Vec<Star>,
}

impl Stars {
    fn paint(&self, canvas: &mut Canvas, rows: Range<u32>) {
        let width = canvas.width;
        for star in self.stars.iter().filter(|star| rows.contains(&star.y) && star.x < width) {
            blend(canvas.pixel(star.x, star.y), self.colour, star.brightness);
            if star.big {
                let neighbours = [(0, -1), (0, 1), (-1, 0), (1, 0)];
                for (dx, dy) in neighbours {
                    let (x, y) = (star.x as i64 + dx, star.y as i64 + dy);
                    if x >= 0 && x < canvas.width as i64 && y >= rows.start as i64 && y < rows.end as i64 {
                        blend(canvas.pixel(x as u32, y as u32), self.colour, star.brightness * 0.45);
                    }
                }
            }
        }
    }
}

/// A sun or moon: a soft-edged disc in a fading halo.
#[derive(Clone, Debug)]
pub(crate) struct Glow {
    pub(crate) cx: f32,
    pub(crate) cy: f32,
    pub(crate) radius: f32,
    pub(crate) halo_radius: f32,
    pub(crate) halo_strength: f32,
    pub(crate) disc: Rgb,
    pub(crate) halo: Rgb,
}

impl Glow {
    fn paint(&self, canvas: &mut Canvas, rows: Range<u32>) {
        let reach = self.halo_radius.max(self.radius + 1.0);
        let (xs, ys) = clip(canvas, &rows, self.cx, self.cy, reach, reach);
        for y in ys {
            let dy = y as f32 + 0.5 - self.cy;
            for x in xs.clone() {
                let dx = x as f32 + 0.5 - self.cx;
                let distance = (dx * dx + dy * dy).sqrt();
                if distance >= reach {
                    continue;
                }
                let pixel = canvas.pixel(x, y);
                let fade = 1.0 - distance / reach;
                blend(pixel, self.halo, self.halo_strength * fade * fade);
                let cover = (self.radius - distance + 0.5).clamp(0.0, 1.0);
                if cover > 0.0 {
                    blend(pixel, self.disc, cover);
                }
            }
        }
    }
}

/// A shaded disc (a planet, a bubble) or, with a `hole`, a ring; `squash` below 1 flattens it.
#[derive(Clone, Debug)]
pub(crate) struct Disc {
    pub(crate) cx: f32,
    pub(crate) cy: f32,
    pub(crate) radius: f32,
    pub(crate) hole: f32,
    pub(crate) squash: f32,
    pub(crate) light: Rgb,
    pub(crate) shade: Rgb,
    pub(crate) alpha: f32,
}

impl Disc {
    fn paint(&self, canvas: &mut Canvas, rows: Range<u32>) {
        let squash = self.squash.max(0.05);
        let (xs, ys) = clip(canvas, &rows, self.cx, self.cy, self.radius + 1.0, (self.radius + 1.0) * squash);
        for y in ys {
            let dy = (y as f32 + 0.5 - self.cy) / squash;
            for x in xs.clone() {
                let dx = x as f32 + 0.5 - self.cx;
                let distance = (dx * dx + dy * dy).sqrt();
                let mut cover = (self.radius - distance + 0.5).clamp(0.0, 1.0);
                if self.hole > 0.0 {
                    cover *= (distance - self.hole + 0.5).clamp(0.0, 1.0);
                }
                if cover <= 0.0 {
                    continue;
                }
                let shading = ((dx + dy) / (2.83 * self.radius) + 0.5).clamp(0.0, 1.0);
                blend(canvas.pixel(x, y), self.light.lerp(self.shade, shading), cover * self.alpha);
            }
        }
    }
}

/// One soft ellipse of a cloud, lighter on top.
#[derive(Clone, Debug)]
pub(crate) struct Puff {
    pub(crate) cx: f32,
    pub(crate) cy: f32,
    pub(crate) rx: f32,
    pub(crate) ry: f32,
    pub(crate) light: Rgb,
    pub(crate) shade: Rgb,
    pub(crate) alpha: f32,
}

impl Puff {
    fn paint(&self, canvas: &mut Canvas, rows: Range<u32>) {
        let (xs, ys) = clip(canvas, &rows, self.cx, self.cy, self.rx, self.ry);
        for y in ys {
            let v = (y as f32 + 0.5 - self.cy) / self.ry;
            let colour = self.light.lerp(self.shade, (v * 0.5 + 0.5).clamp(0.0, 1.0));
            for x in xs.clone() {
                let u = (x as f32 + 0.5 - self.cx) / self.rx;
                let cover = smoothstep(1.0, 0.45, u * u + v * v);
                if cover > 0.0 {
                    blend(canvas.pixel(x, y), colour, cover * self.alpha);
                }
            }
        }
    }
}

/// A vignette and film grain over everything, so flat areas do not band.
#[derive(Clone, Debug)]
pub(crate) struct Finish {
    pub(crate) vignette: f32,
    pub(crate) grain: f32,
    pub(crate) salt: u32,
}

impl Finish {
    fn paint(&self, canvas: &mut Canvas, rows: Range<u32>) {
        let width = canvas.width as f32;
        let height = canvas.height as f32;
        for y in rows {
            let ny = (y as f32 + 0.5) / height * 2.0 - 1.0;
            let row = canvas.row(y);
            for (x, pixel) in row.chunks_exact_mut(3).enumerate() {
                let nx = (x as f32 + 0.5) / width * 2.0 - 1.0;
                let shade = 1.0 - self.vignette * (nx * nx + ny * ny) * 0.5;
                let noise = (pixel_hash(x as u32, y, self.salt) & 0xff) as f32 / 127.5 - 1.0;
                let grain = noise * self.grain;
                for channel in pixel.iter_mut() {
                    *channel = to_byte(f32::from(*channel) * shade + grain);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canvas_of(pixels: &mut [u8], width: u32, height: u32) -> Canvas<'_> {
        Canvas { width, height, pixels }
    }

    #[test]
    fn a_layer_painted_in_bands_matches_one_painted_at_once() {
        let disc = Layer::Discs(vec![Disc {
            cx: 20.0,
            cy: 18.0,
            radius: 11.0,
            hole: 4.0,
            squash: 0.7,
            light: Rgb::WHITE,
            shade: Rgb([0.0, 0.0, 200.0]),
            alpha: 0.8,
        }]);
        let mut whole = vec![40; 40 * 36 * 3];
        disc.paint(&mut canvas_of(&mut whole, 40, 36), 0..36);
        let mut banded = vec![40; 40 * 36 * 3];
        for band in [0..7, 7..20, 20..36] {
            disc.paint(&mut canvas_of(&mut banded, 40, 36), band);
        }
        assert_eq!(whole, banded);
        assert_ne!(whole, vec![40; 40 * 36 * 3]);
    }

    #[test]
    fn shapes_partly_off_the_canvas_are_clipped_not_wrapped() {
        let glow = Layer::Glow(Glow {
            cx: -5.0,
            cy: 12.0,
            radius: 4.0,
            halo_radius: 12.0,
            halo_strength: 0.5,
            disc: Rgb::WHITE,
            halo: Rgb::WHITE,
        });
        let mut pixels = vec![0; 10 * 10 * 3];
        glow.paint(&mut canvas_of(&mut pixels, 10, 10), 0..100);
        // Only the bottom-left corner is within the halo's reach.
        assert!(pixels[(9 * 10) * 3] > 0);
        assert_eq!(pixels[(9 * 10 + 9) * 3], 0);
        assert_eq!(pixels[0], 0);
    }
}
