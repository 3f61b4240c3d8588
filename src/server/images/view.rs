//! An `images` row as the browser sees it.

use crate::server::db::entity::images;
use crate::types::ImageView;
use serde_json::Value;

pub fn image_view(row: images::Model) -> ImageView {
    let seed = row.parameters.get("seed").or_else(|| row.metadata.get("seed")).and_then(Value::as_u64);
    ImageView {
        id: row.id,
        prompt: row.prompt,
        negative_prompt: row.negative_prompt,
        model_id: row.model_id,
        parameters: row.parameters,
        seed,
        width: row.width,
        height: row.height,
        format: shown_format(&row.format).to_owned(),
        file_size: row.file_size,
        generation_time: row.generation_time,
        cost_credits: row.cost_credits,
        is_favorite: row.is_favorite,
        parent_image_id: row.parent_image_id,
        created_at: row.created_at,
    }
}

/// Rows store the file extension (`jpg`); the browser is promised the format's name (`jpeg`).
fn shown_format(stored: &str) -> &str {
    match stored {
        "jpg" => "jpeg",
        other => other,
    }
}
