//! A finished render as fal answers it: encoded files on the CDN (or data URIs) in the model's
//! output shape.

use crate::files::FileStore;
use atelier_catalogue::{ModelSpec, OutputShape, ParamKind};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use image::codecs::jpeg::JpegEncoder;
use image::{DynamicImage, ImageFormat};
use serde_json::{Map, Value, json};
use std::io::Cursor;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    Png,
    Jpeg,
    Webp,
}

impl OutputFormat {
    /// From `output_format` (flux) or `format` (fast-sdxl); PNG when neither is set.
    pub fn from_params(params: &Map<String, Value>) -> OutputFormat {
        let requested = params.get("output_format").or_else(|| params.get("format")).and_then(Value::as_str);
        match requested.map(str::to_ascii_lowercase).as_deref() {
            Some("jpeg" | "jpg") => OutputFormat::Jpeg,
            Some("webp") => OutputFormat::Webp,
            _ => OutputFormat::Png,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Png => "image/png",
            OutputFormat::Jpeg => "image/jpeg",
            OutputFormat::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Png => "png",
            OutputFormat::Jpeg => "jpg",
            OutputFormat::Webp => "webp",
        }
    }
}

pub struct EncodedImage {
    pub bytes: Bytes,
    pub width: u32,
    pub height: u32,
    pub format: OutputFormat,
}

pub fn encode(images: &[DynamicImage], format: OutputFormat) -> Result<Vec<EncodedImage>, image::ImageError> {
    images
        .iter()
        .map(|image| {
            let mut buffer = Cursor::new(Vec::new());
            match format {
                OutputFormat::Png => image.write_to(&mut buffer, ImageFormat::Png)?,
                // JPEG has no alpha channel (background removal makes RGBA).
                OutputFormat::Jpeg => JpegEncoder::new_with_quality(&mut buffer, 90).encode_image(&image.to_rgb8())?,
                OutputFormat::Webp => image.write_to(&mut buffer, ImageFormat::WebP)?,
            }
            Ok(EncodedImage { bytes: buffer.into_inner().into(), width: image.width(), height: image.height(), format })
        })
        .collect()
}

/// Where the image bytes go: the emulated CDN, or inline as data URIs (`sync_mode`).
pub struct Delivery<'a> {
    pub files: &'a FileStore,
    pub base_url: &'a str,
    pub sync_mode: bool,
}

impl Delivery<'_> {
    /// `{url, width, height, content_type}`
    pub fn publish(&self, image: EncodedImage) -> Value {
        let content_type = image.format.content_type();
        let url = if self.sync_mode {
            format!("data:{content_type};base64,{}", STANDARD.encode(&image.bytes))
        } else {
            let name = self.files.put(image.format.extension(), content_type, image.bytes);
            format!("{}/files/{name}", self.base_url)
        };
        json!({ "url": url, "width": image.width, "height": image.height, "content_type": content_type })
    }
}

/// The model's output JSON, shaped as its catalogue entry says.
pub fn output_json(
    spec: &ModelSpec,
    params: &Map<String, Value>,
    images: Vec<Value>,
    seed: u64,
    inference_time: f64,
) -> Value {
    let timings = json!({ "inference": inference_time });
    match spec.output {
        OutputShape::Images => json!({
            "has_nsfw_concepts": vec![false; images.len()],
            "images": images,
            "seed": seed,
            "prompt": params.get("prompt").and_then(Value::as_str).unwrap_or_default(),
            "timings": timings,
        }),
        OutputShape::Image => {
            let mut output = json!({ "image": images.into_iter().next(), "timings": timings });
            let takes_seed = spec.params.iter().any(|param| matches!(param.kind, ParamKind::Seed));
            if let (true, Some(fields)) = (takes_seed, output.as_object_mut()) {
                fields.insert("seed".into(), json!(seed));
            }
            output
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_output_format_comes_from_output_format_or_format() {
        let params = |key: &str, value: &str| Map::from_iter([(key.to_owned(), json!(value))]);
        assert_eq!(OutputFormat::from_params(&params("output_format", "jpeg")), OutputFormat::Jpeg);
        assert_eq!(OutputFormat::from_params(&params("format", "png")), OutputFormat::Png);
        assert_eq!(OutputFormat::from_params(&Map::new()), OutputFormat::Png);
    }

    #[test]
    fn an_rgba_image_can_be_encoded_as_jpeg() {
        let image = DynamicImage::new_rgba8(8, 4);
        let encoded = encode(&[image], OutputFormat::Jpeg).unwrap();
        assert_eq!((encoded[0].width, encoded[0].height), (8, 4));
        assert_eq!(&encoded[0].bytes[..2], &[0xFF, 0xD8]);
    }

    #[test]
    fn sync_mode_inlines_images_as_data_uris() {
        let files = FileStore::default();
        let delivery = Delivery { files: &files, base_url: "http://emulator", sync_mode: true };
        let encoded = encode(&[DynamicImage::new_rgb8(2, 2)], OutputFormat::Png).unwrap();
        let image = delivery.publish(encoded.into_iter().next().unwrap());
        assert!(image["url"].as_str().unwrap().starts_with("data:image/png;base64,"));
    }
}
