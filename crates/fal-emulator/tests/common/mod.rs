//! A running emulator and a client that speaks to it, shared by the integration tests.
#![allow(dead_code)] // each test file uses a different part of it

use fal_emulator::{Emulator, EmulatorConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub const FLUX_DEV: &str = "fal-ai/flux/dev";
pub const SCHNELL: &str = "fal-ai/flux/schnell";
pub const UPSCALER: &str = "fal-ai/clarity-upscaler";

pub struct Harness {
    pub emulator: Emulator,
    pub http: reqwest::Client,
}

pub async fn start() -> Harness {
    start_with(EmulatorConfig::default()).await
}

pub async fn start_with(config: EmulatorConfig) -> Harness {
    let emulator = Emulator::start(config, "127.0.0.1:0".parse().unwrap()).await.expect("the emulator starts");
    Harness { emulator, http: reqwest::Client::new() }
}

/// A quick text-to-image input: 64×64, few steps, PNG.
pub fn small_input(prompt: &str) -> Value {
    json!({
        "prompt": prompt,
        "image_size": { "width": 64, "height": 64 },
        "num_inference_steps": 4,
        "output_format": "png",
    })
}

impl Harness {
    pub fn auth(&self) -> String {
        format!("Key {}", self.emulator.key())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.emulator.url())
    }

    /// Submits and returns the raw response, with extra headers.
    pub async fn submit_raw(&self, model: &str, input: &Value, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self
            .http
            .post(format!("{}/{model}", self.emulator.queue_url()))
            .header("authorization", self.auth())
            .json(input);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("the emulator answers")
    }

    /// Submits and returns the submit answer, which must be a 200.
    pub async fn submit(&self, model: &str, input: &Value, headers: &[(&str, &str)]) -> Value {
        let response = self.submit_raw(model, input, headers).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn get(&self, url: &str) -> (StatusCode, Value) {
        let response = self.http.get(url).header("authorization", self.auth()).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn put(&self, url: &str) -> (StatusCode, Value) {
        let response = self.http.put(url).header("authorization", self.auth()).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn status(&self, submitted: &Value) -> (StatusCode, Value) {
        let url = format!("{}?logs=1", submitted["status_url"].as_str().unwrap());
        self.get(&url).await
    }

    /// Polls the status until it says `wanted`.
    pub async fn wait_for_status(&self, submitted: &Value, wanted: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (_, status) = self.status(submitted).await;
            if status["status"] == wanted {
                return status;
            }
            assert!(Instant::now() < deadline, "still {status} instead of {wanted}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    pub async fn wait_completed(&self, submitted: &Value) -> Value {
        self.wait_for_status(submitted, "COMPLETED").await
    }

    pub async fn result(&self, submitted: &Value) -> (StatusCode, Value) {
        self.get(submitted["response_url"].as_str().unwrap()).await
    }

    pub async fn add_fault(&self, rule: Value) -> Value {
        let response = self.http.post(self.url("/_emulator/faults")).json(&rule).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "rule {rule} is accepted");
        response.json().await.unwrap()
    }

    pub async fn stats(&self) -> Value {
        self.http.get(self.url("/_emulator/stats")).send().await.unwrap().json().await.unwrap()
    }

    pub async fn requests(&self) -> Vec<Value> {
        let listing: Value = self.http.get(self.url("/_emulator/requests")).send().await.unwrap().json().await.unwrap();
        listing.as_array().cloned().unwrap_or_default()
    }

    pub async fn request(&self, request_id: &Value) -> Value {
        self.requests().await.into_iter().find(|request| request["request_id"] == *request_id).expect("listed")
    }

    /// Downloads a file URL and decodes it.
    pub async fn fetch_image(&self, url: &str) -> (String, image::DynamicImage) {
        let response = self.http.get(url).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        let bytes = response.bytes().await.unwrap();
        (content_type, image::load_from_memory(&bytes).expect("a decodable image"))
    }
}

/// A PNG of the given size as bytes.
pub fn png_bytes(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 4) as u8, (y * 4) as u8, 128]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}
