//! Text-to-image: a procedural picture painted layer by layer, the work split into the requested
//! number of steps.

use image::RgbImage;

use crate::composition::compose;
use crate::layers::Canvas;
use crate::noise::{Fnv, Rng};
use crate::prompt::{Reading, words};
use crate::{Sketch, Step};

/// Paints `sketch`, calling `progress` once after each of its steps (at least one).
pub(crate) fn paint(sketch: &Sketch, progress: &mut dyn FnMut(Step)) -> RgbImage {
    let total = sketch.steps.max(1);
    let mut image = RgbImage::new(sketch.width, sketch.height);
    if sketch.width == 0 || sketch.height == 0 {
        (1..=total).for_each(|step| progress(Step { step, total }));
        return image;
    }
    let mut rng = Rng::new(fingerprint(sketch));
    let layers = compose(&Reading::of(sketch.prompt, sketch.negative_prompt), sketch.width, sketch.height, &mut rng);
    let mut canvas = Canvas { width: sketch.width, height: sketch.height, pixels: &mut image };
    let plan = Plan::new(layers.len() as u32, sketch.height, total);
    for step in 0..total {
        for unit in plan.units_of(step) {
            let (layer, rows) = plan.unit(unit);
            layers[layer as usize].paint(&mut canvas, rows);
        }
        progress(Step { step: step + 1, total });
    }
    image
}

/// The stable hash everything in a picture grows from: the prompt's words (so case and punctuation
/// do not matter), the negative prompt's, the seed and the size.
pub(crate) fn fingerprint(sketch: &Sketch) -> u64 {
    let mut hash = Fnv::new();
    for word in words(sketch.prompt) {
        hash.bytes(word.as_bytes()).bytes(&[0]);
    }
    hash.bytes(&[1]);
    for word in words(sketch.negative_prompt) {
        hash.bytes(word.as_bytes()).bytes(&[0]);
    }
    hash.number(sketch.seed).number(u64::from(sketch.width)).number(u64::from(sketch.height));
    hash.finish()
}

/// How the work is cut: every layer is split into the same number of row bands, and the
/// (layer, band) units, taken layer by layer, are shared out evenly among the steps. Painting a
/// layer band by band gives the same pixels as painting it at once, so the picture does not depend
/// on the step count, only the pace of its progress does.
struct Plan {
    bands: u32,
    units: u64,
    steps: u32,
    height: u32,
}

impl Plan {
    fn new(layers: u32, height: u32, steps: u32) -> Plan {
        let layers = layers.max(1);
        let bands = steps.div_ceil(layers).max(1);
        Plan { bands, units: u64::from(layers) * u64::from(bands), steps, height }
    }

    fn units_of(&self, step: u32) -> std::ops::Range<u64> {
        let share = |s: u32| self.units * u64::from(s) / u64::from(self.steps);
        share(step)..share(step + 1)
    }

    /// The layer index and the rows of one unit.
    fn unit(&self, unit: u64) -> (u32, std::ops::Range<u32>) {
        let bands = u64::from(self.bands);
        let layer = (unit / bands) as u32;
        let band = unit % bands;
        let row = |b: u64| (u64::from(self.height) * b / bands) as u32;
        (layer, row(band)..row(band + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_gets_work_and_every_unit_is_painted_once() {
        for (layers, steps) in [(9, 12), (12, 12), (15, 4), (3, 50), (1, 1)] {
            let plan = Plan::new(layers, 100, steps);
            let mut painted = Vec::new();
            for step in 0..steps {
                let units = plan.units_of(step);
                assert!(!units.is_empty(), "{layers} layers, {steps} steps: step {step} is idle");
                painted.extend(units);
            }
            assert_eq!(painted, (0..plan.units).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_bands_of_a_layer_cover_every_row_once() {
        let plan = Plan::new(4, 101, 13);
        let mut rows = Vec::new();
        for unit in 0..plan.bands as u64 {
            let (layer, band) = plan.unit(unit);
            assert_eq!(layer, 0);
            rows.extend(band);
        }
        assert_eq!(rows, (0..101).collect::<Vec<_>>());
    }

    #[test]
    fn the_fingerprint_ignores_case_and_punctuation_but_not_words() {
        let sketch = |prompt| Sketch { prompt, negative_prompt: "", width: 64, height: 64, seed: 1, steps: 4 };
        assert_eq!(fingerprint(&sketch("A red fox.")), fingerprint(&sketch("a  RED, fox")));
        assert_ne!(fingerprint(&sketch("a red fox")), fingerprint(&sketch("a red box")));
        assert_ne!(fingerprint(&sketch("red fox")), fingerprint(&sketch("redfox")));
    }
}
