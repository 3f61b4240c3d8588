//! Sending an image file from the browser into the user's library (`POST /api/images/upload`), so it
//! can be the input of an image-to-image, inpainting or upscaling model.

#[cfg(feature = "hydrate")]
use crate::types::{ApiError, ImageView};

/// Uploads the first file chosen in an `<input type="file">`; `Ok(None)` when none was chosen.
#[cfg(feature = "hydrate")]
pub async fn upload_chosen(input: &web_sys::HtmlInputElement) -> Result<Option<ImageView>, ApiError> {
    let Some(file) = input.files().and_then(|files| files.get(0)) else { return Ok(None) };
    upload(&file).await.map(Some)
}

#[cfg(feature = "hydrate")]
async fn upload(file: &web_sys::File) -> Result<ImageView, ApiError> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    let unreachable =
        |_| ApiError::new(503, "unreachable", "The studio could not be reached. Check your connection and try again.");
    let form = web_sys::FormData::new().map_err(unreachable)?;
    form.append_with_blob("image", file).map_err(unreachable)?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&form);
    let answer = JsFuture::from(leptos::prelude::window().fetch_with_str_and_init(ImageView::UPLOAD_PATH, &init))
        .await
        .map_err(unreachable)?;
    let response: web_sys::Response = answer.dyn_into().map_err(unreachable)?;
    let text = JsFuture::from(response.text().map_err(unreachable)?).await.map_err(unreachable)?;
    let body = text.as_string().unwrap_or_default();
    if response.ok() {
        serde_json::from_str(&body)
            .map_err(|_| ApiError::new(502, "bad_answer", "The studio's answer could not be read."))
    } else {
        Err(serde_json::from_str(&body)
            .unwrap_or_else(|_| ApiError::new(response.status(), "refused", "The upload was refused.")))
    }
}
