//! A working colour: three channels from 0 to 255 as floats, so blends do not band before the end.

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rgb(pub(crate) [f32; 3]);

impl Rgb {
    pub(crate) const WHITE: Rgb = Rgb([255.0, 255.0, 255.0]);

    /// `hue` in degrees (any value, wrapped), `saturation` and `lightness` in `[0, 1]`.
    pub(crate) fn hsl(hue: f32, saturation: f32, lightness: f32) -> Rgb {
        let h = hue.rem_euclid(360.0) / 60.0;
        let s = saturation.clamp(0.0, 1.0);
        let l = lightness.clamp(0.0, 1.0);
        let chroma = (1.0 - (2.0 * l - 1.0).abs()) * s;
        let x = chroma * (1.0 - (h % 2.0 - 1.0).abs());
        let (r, g, b) = match h as u32 {
            0 => (chroma, x, 0.0),
            1 => (x, chroma, 0.0),
            2 => (0.0, chroma, x),
            3 => (0.0, x, chroma),
            4 => (x, 0.0, chroma),
            _ => (chroma, 0.0, x),
        };
        let m = l - chroma / 2.0;
        Rgb([(r + m) * 255.0, (g + m) * 255.0, (b + m) * 255.0])
    }

    pub(crate) fn lerp(self, other: Rgb, t: f32) -> Rgb {
        let [a, b, c] = self.0;
        let [x, y, z] = other.0;
        Rgb([a + (x - a) * t, b + (y - b) * t, c + (z - c) * t])
    }

    pub(crate) fn scale(self, factor: f32) -> Rgb {
        let [r, g, b] = self.0;
        Rgb([r * factor, g * factor, b * factor])
    }

    /// Rec. 601 luma, 0 to 255.
    #[cfg(test)]
    pub(crate) fn luma(self) -> f32 {
        let [r, g, b] = self.0;
        0.299 * r + 0.587 * g + 0.114 * b
    }
}

/// Blends `colour` over one RGB pixel with opacity `alpha` in `[0, 1]`.
#[inline]
pub(crate) fn blend(pixel: &mut [u8], colour: Rgb, alpha: f32) {
    for (channel, target) in pixel.iter_mut().zip(colour.0) {
        let current = f32::from(*channel);
        *channel = to_byte(current + (target - current) * alpha);
    }
}

/// Writes an opaque colour into one RGB pixel.
#[inline]
pub(crate) fn put(pixel: &mut [u8], colour: Rgb) {
    for (channel, value) in pixel.iter_mut().zip(colour.0) {
        *channel = to_byte(value);
    }
}

#[inline]
pub(crate) fn to_byte(value: f32) -> u8 {
    (value + 0.5).clamp(0.0, 255.0) as u8
}

/// Hermite ease from 0 at `edge0` to 1 at `edge1`; works with `edge0 > edge1` too.
#[inline]
pub(crate) fn smoothstep(edge0: f32, edge1: f32, x: f32) -> f32 {
    let t = ((x - edge0) / (edge1 - edge0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsl_primaries_come_out_as_expected() {
        assert_eq!(Rgb::hsl(0.0, 1.0, 0.5), Rgb([255.0, 0.0, 0.0]));
        assert_eq!(Rgb::hsl(120.0, 1.0, 0.5), Rgb([0.0, 255.0, 0.0]));
        assert_eq!(Rgb::hsl(240.0, 1.0, 0.5), Rgb([0.0, 0.0, 255.0]));
        assert_eq!(Rgb::hsl(-120.0, 1.0, 0.5), Rgb::hsl(240.0, 1.0, 0.5));
        assert_eq!(Rgb::hsl(77.0, 0.0, 1.0), Rgb::WHITE);
    }

    #[test]
    fn blending_at_zero_keeps_the_pixel_and_at_one_replaces_it() {
        let mut pixel = [10, 20, 30];
        blend(&mut pixel, Rgb([200.0, 100.0, 0.0]), 0.0);
        assert_eq!(pixel, [10, 20, 30]);
        blend(&mut pixel, Rgb([200.0, 100.0, 0.0]), 1.0);
        assert_eq!(pixel, [200, 100, 0]);
    }

    #[test]
    fn smoothstep_eases_between_its_edges_in_either_direction() {
        assert_eq!(smoothstep(0.0, 1.0, -1.0), 0.0);
        assert_eq!(smoothstep(0.0, 1.0, 0.5), 0.5);
        assert_eq!(smoothstep(1.0, 0.0, 0.0), 1.0);
    }
}
