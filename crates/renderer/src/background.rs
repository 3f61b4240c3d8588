//! Background removal the classic way: the background is the colour that fills the border; whatever
//! of that colour is connected to the border becomes transparent, and the cut edge is feathered.

use image::{DynamicImage, RgbaImage};

/// How far, in pixels, the edge of what is kept fades out.
const FEATHER_RADIUS: usize = 2;

pub(crate) fn remove_background(source: &DynamicImage) -> RgbaImage {
    let mut image = source.to_rgba8();
    let (width, height) = (image.width() as usize, image.height() as usize);
    if width == 0 || height == 0 {
        return image;
    }
    let border = border_indices(width, height);
    let background = border_colour(&image, &border);
    let threshold = tolerance(&image, &border, background);
    let is_background = flood_from_border(&image, &border, background, threshold);
    let alpha = feathered_alpha(&is_background, width, height);
    for (index, pixel) in image.chunks_exact_mut(4).enumerate() {
        let mut keep = u32::from(alpha[index]);
        if keep > 0 && keep < 255 {
            // In the feathered band, pixels that are half background colour are half transparent.
            let similarity = ((distance(pixel, background) - threshold) / threshold).clamp(0.0, 1.0);
            keep = keep.min((similarity * 255.0) as u32).max(keep / 3);
        }
        pixel[3] = (u32::from(pixel[3]) * keep / 255) as u8;
    }
    image
}

/// Pixel indices of the outer ring, each once.
fn border_indices(width: usize, height: usize) -> Vec<usize> {
    let mut indices: Vec<usize> = (0..width).collect();
    if height > 1 {
        indices.extend((0..width).map(|x| (height - 1) * width + x));
    }
    for y in 1..height.saturating_sub(1) {
        indices.push(y * width);
        if width > 1 {
            indices.push(y * width + width - 1);
        }
    }
    indices
}

/// The mean of the border pixels in the most common colour bin (16 levels a channel).
fn border_colour(image: &RgbaImage, border: &[usize]) -> [f32; 3] {
    let bin = |p: &[u8]| (usize::from(p[0] >> 4) << 8) | (usize::from(p[1] >> 4) << 4) | usize::from(p[2] >> 4);
    let pixel = |index: usize| &image.as_raw()[index * 4..index * 4 + 4];
    let mut counts = vec![0u32; 4096];
    for &index in border {
        counts[bin(pixel(index))] += 1;
    }
    let commonest = (0..4096).max_by_key(|&b| (counts[b], std::cmp::Reverse(b))).unwrap_or(0);
    let mut sum = [0.0f64; 3];
    let mut n = 0.0f64;
    for &index in border.iter().filter(|&&index| bin(pixel(index)) == commonest) {
        let p = pixel(index);
        for (total, &value) in sum.iter_mut().zip(p) {
            *total += f64::from(value);
        }
        n += 1.0;
    }
    sum.map(|total| (total / n.max(1.0)) as f32)
}

/// How far from the background colour a pixel may be and still count as background: a little more
/// than the border's own variation (noise, compression, gentle gradients), within sane limits.
fn tolerance(image: &RgbaImage, border: &[usize], background: [f32; 3]) -> f32 {
    let near: Vec<f32> = border
        .iter()
        .map(|&index| distance(&image.as_raw()[index * 4..index * 4 + 4], background))
        .filter(|&d| d < 100.0)
        .collect();
    let spread = near.iter().sum::<f32>() / near.len().max(1) as f32;
    (24.0 + 2.5 * spread).clamp(30.0, 72.0)
}

fn distance(pixel: &[u8], colour: [f32; 3]) -> f32 {
    let [r, g, b] = colour;
    let (dr, dg, db) = (f32::from(pixel[0]) - r, f32::from(pixel[1]) - g, f32::from(pixel[2]) - b);
    (dr * dr + dg * dg + db * db).sqrt()
}

/// Marks every pixel reachable from the border through background-coloured (or fully transparent)
/// pixels, four-connected.
fn flood_from_border(image: &RgbaImage, border: &[usize], background: [f32; 3], threshold: f32) -> Vec<bool> {
    let width = image.width() as usize;
    let pixels = image.as_raw();
    let count = pixels.len() / 4;
    let passable = |index: usize| {
        let pixel = &pixels[index * 4..index * 4 + 4];
        pixel[3] == 0 || distance(pixel, background) <= threshold
    };
    let mut reached = vec![false; count];
    let mut stack: Vec<usize> = Vec::new();
    for &index in border {
        if !reached[index] && passable(index) {
            reached[index] = true;
            stack.push(index);
        }
    }
    while let Some(index) = stack.pop() {
        let x = index % width;
        let neighbours = [
            (x > 0).then(|| index - 1),
            (x + 1 < width).then(|| index + 1),
            index.checked_sub(width),
            Some(index + width).filter(|&below| below < count),
        ];
        for next in neighbours.into_iter().flatten() {
            if !reached[next] && passable(next) {
                reached[next] = true;
                stack.push(next);
            }
        }
    }
    reached
}

/// Opacity from 0 to 255: 0 on the background, 255 well inside what is kept, and a ramp over
/// `FEATHER_RADIUS` pixels just inside the cut (the share of kept pixels in the surrounding box).
fn feathered_alpha(is_background: &[bool], width: usize, height: usize) -> Vec<u8> {
    let radius = FEATHER_RADIUS;
    let kept: Vec<u8> = is_background.iter().map(|&background| u8::from(!background)).collect();
    let clamp = |value: usize, delta: usize, limit: usize| (value + delta).saturating_sub(radius).min(limit - 1);
    let mut across = vec![0u8; kept.len()];
    for y in 0..height {
        let row = &kept[y * width..(y + 1) * width];
        for x in 0..width {
            across[y * width + x] = (0..=2 * radius).map(|d| row[clamp(x, d, width)]).sum();
        }
    }
    let window = ((2 * radius + 1) * (2 * radius + 1)) as u32;
    let mut alpha = vec![0u8; kept.len()];
    for y in 0..height {
        for x in 0..width {
            let index = y * width + x;
            if kept[index] == 0 {
                continue;
            }
            let sum: u32 = (0..=2 * radius).map(|d| u32::from(across[clamp(y, d, height) * width + x])).sum();
            alpha[index] = (sum * 255 / window) as u8;
        }
    }
    alpha
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_border_ring_lists_each_pixel_once() {
        let mut ring = border_indices(4, 3);
        ring.sort();
        assert_eq!(ring, [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]);
        assert_eq!(border_indices(1, 1), [0]);
        assert_eq!(border_indices(3, 1), [0, 1, 2]);
    }

    #[test]
    fn the_feather_ramps_over_two_pixels_inside_the_cut() {
        // Left half background, right half kept.
        let is_background: Vec<bool> = (0..10 * 10).map(|i| i % 10 < 5).collect();
        let alpha = feathered_alpha(&is_background, 10, 10);
        let row: Vec<u8> = alpha[50..60].to_vec();
        assert_eq!(&row[..5], &[0; 5]);
        assert!(row[5] < row[6] && row[6] < row[7], "{row:?}");
        assert_eq!(&row[7..], &[255; 3]);
    }
}
