//! What the form holds: the chosen model, the prompts and the model's other parameters, checked
//! with the same `validate` the server runs, so a mistake shows before anything is sent.

use super::styles::{Style, styled, unstyled};
use crate::api::images::get_image;
use crate::types::{ApiError, GenerationRequest, ImageView, Job, ModelAvailability, ModelInfo, Preset};
use atelier_catalogue::Category;
use atelier_catalogue::{FieldError, validate};
use leptos::prelude::*;
use serde_json::{Map, Value};
use uuid::Uuid;

/// The parameters the form shows in their own places rather than in the parameter list.
pub const OWN_PLACES: [&str; 2] = ["prompt", "negative_prompt"];

#[derive(Clone, Copy)]
pub struct Draft {
    pub model: RwSignal<ModelInfo>,
    pub prompt: RwSignal<String>,
    pub negative_prompt: RwSignal<String>,
    /// The look picked with one click; its words are added to the prompt the model gets.
    pub style: RwSignal<Option<&'static Style>>,
    /// The model's other parameters by name; a value the user typed that does not parse is kept as
    /// text, so the check can say what is wrong with it.
    pub params: RwSignal<Map<String, Value>>,
    /// Keep the seed in `params` from one generation to the next; otherwise every run draws one.
    pub seed_locked: RwSignal<bool>,
    /// Set by a refused submit, so the checks are shown even for fields not touched yet.
    pub show_all_errors: RwSignal<bool>,
    /// What the server said about a field it refused (it knows what the browser cannot, e.g. credits).
    pub server_error: RwSignal<Option<FieldError>>,
}

impl Draft {
    pub fn new(model: ModelInfo) -> Self {
        let params = initial_params(&model);
        Self {
            model: RwSignal::new(model),
            prompt: RwSignal::new(String::new()),
            negative_prompt: RwSignal::new(String::new()),
            style: RwSignal::new(None),
            params: RwSignal::new(params),
            seed_locked: RwSignal::new(false),
            show_all_errors: RwSignal::new(false),
            server_error: RwSignal::new(None),
        }
    }

    /// Switches model, keeping the prompts and any value the new model also takes.
    pub fn choose(&self, model: ModelInfo) {
        let kept = self.params.get_untracked();
        let mut params = initial_params(&model);
        for (name, value) in kept {
            if model.spec.param(&name).is_some() && !OWN_PLACES.contains(&name.as_str()) {
                params.insert(name, value);
            }
        }
        self.params.set(params);
        self.model.set(model);
        self.server_error.set(None);
    }

    pub fn set_param(&self, name: &str, value: Option<Value>) {
        self.params.update(|params| match value {
            Some(value) => {
                params.insert(name.to_owned(), value);
            }
            None => {
                params.remove(name);
            }
        });
        self.server_error.update(|error| {
            if error.as_ref().is_some_and(|error| error.field == name) {
                *error = None;
            }
        });
    }

    pub fn param(&self, name: &str) -> Option<Value> {
        self.params.with(|params| params.get(name).cloned())
    }

    /// What a text or number box shows for a parameter: its number or text, or nothing.
    pub fn param_text(&self, name: &str) -> String {
        match self.param(name) {
            Some(Value::Number(number)) => number.to_string(),
            Some(Value::String(text)) => text,
            _ => String::new(),
        }
    }

    /// The prompt the model gets: the user's words and the style's.
    pub fn full_prompt(&self) -> String {
        self.prompt.with(|prompt| styled(prompt, self.style.get()))
    }

    /// The input as the model would get it: the parameters, the prompts, and no seed unless locked.
    pub fn input(&self) -> Map<String, Value> {
        let mut input = self.params.get();
        if !self.seed_locked.get() {
            input.remove("seed");
        }
        let spec_has = |name: &str| self.model.with(|model| model.spec.param(name).is_some());
        if spec_has("prompt") {
            input.insert("prompt".into(), Value::from(self.full_prompt()));
        }
        let negative = self.negative_prompt.get();
        if spec_has("negative_prompt") && !negative.trim().is_empty() {
            input.insert("negative_prompt".into(), Value::from(negative));
        }
        input
    }

    /// The checked input, or every problem with it.
    pub fn checked(&self) -> Result<Map<String, Value>, Vec<FieldError>> {
        let input = self.input();
        self.model.with(|model| validate(&model.spec, &input))
    }

    /// The problem with one field to show now, if any.
    pub fn error_for(&self, field: &str) -> Option<String> {
        if let Some(error) = self.server_error.get().filter(|error| error.field == field) {
            return Some(error.message);
        }
        let errors = self.checked().err()?;
        let error = errors.into_iter().find(|error| error.field == field)?;
        // An empty prompt is not a mistake until the user tries to generate.
        let untouched = field == "prompt" && self.prompt.with(|prompt| prompt.is_empty());
        (!untouched || self.show_all_errors.get()).then_some(error.message)
    }

    /// The request to send; `run_next` puts it first in the queue.
    pub fn request(&self, run_next: bool) -> Option<GenerationRequest> {
        let mut parameters = self.checked().ok()?;
        for name in OWN_PLACES {
            parameters.remove(name);
        }
        let negative = self.negative_prompt.get();
        Some(GenerationRequest {
            model_id: self.model.with(|model| model.spec.id.clone()),
            prompt: self.full_prompt(),
            negative_prompt: (!negative.trim().is_empty()).then_some(negative),
            parameters,
            project_id: None,
            parent_image_id: None,
            run_next,
        })
    }

    /// Puts a job's every setting back into the form ("remix"), its seed locked if it had one.
    pub fn recall(&self, job: &Job, models: &[ModelInfo]) {
        self.recall_settings(&job.model_id, &job.prompt, job.negative_prompt.as_deref(), &job.parameters, models);
    }

    /// Puts an image's every setting back into the form, its seed included and locked.
    pub fn recall_image(&self, image: &ImageView, models: &[ModelInfo]) {
        let model_id = image.model_id.as_deref().unwrap_or_default();
        self.recall_settings(model_id, &image.prompt, image.negative_prompt.as_deref(), &image.parameters, models);
    }

    /// Reads one of the user's images and puts its every setting back into the form ("remix this image").
    pub async fn remix_image(self, id: Uuid, models: StoredValue<Vec<ModelInfo>>) -> Result<(), ApiError> {
        let detail = get_image(id).await?;
        models.with_value(|models| self.recall_image(&detail.image, models));
        Ok(())
    }

    /// Puts a preset's settings into the form.
    pub fn apply_preset(&self, preset: &Preset, models: &[ModelInfo]) {
        let parameters = Value::Object(preset.parameters.clone());
        self.recall_settings(&preset.model_id, &preset.prompt, preset.negative_prompt.as_deref(), &parameters, models);
    }

    /// The form's settings as a preset keeps them: model, prompt, negative prompt, parameters (the
    /// seed only when locked).
    pub fn settings(&self) -> (String, String, Option<String>, Map<String, Value>) {
        let mut parameters = self.params.get_untracked();
        if !self.seed_locked.get_untracked() {
            parameters.remove("seed");
        }
        let negative = self.negative_prompt.get_untracked();
        (
            self.model.with_untracked(|model| model.spec.id.clone()),
            self.prompt.with_untracked(|prompt| styled(prompt, self.style.get_untracked())),
            (!negative.trim().is_empty()).then_some(negative),
            parameters,
        )
    }

    /// Makes one of the user's images the input of an image-to-image model (the chosen one if it
    /// takes an image, else the first that can run here).
    pub fn use_as_input(&self, image: Uuid, models: &[ModelInfo]) {
        let takes_image = |model: &ModelInfo| model.spec.param("image_url").is_some();
        if !self.model.with_untracked(takes_image) {
            let ready = |model: &&ModelInfo| model.availability == ModelAvailability::Ready;
            let choice = models
                .iter()
                .filter(ready)
                .find(|model| model.spec.category == Category::ImageToImage)
                .or_else(|| models.iter().filter(ready).find(|model| takes_image(model)));
            if let Some(model) = choice {
                self.choose(model.clone());
            }
        }
        self.set_param("image_url", Some(Value::from(ImageView::reference(image))));
    }

    fn recall_settings(
        &self,
        model_id: &str,
        prompt: &str,
        negative_prompt: Option<&str>,
        parameters: &Value,
        models: &[ModelInfo],
    ) {
        if let Some(model) = models.iter().find(|model| model.spec.id == model_id) {
            self.choose(model.clone());
        }
        let (words, style) = unstyled(prompt);
        self.prompt.set(words);
        self.style.set(style);
        self.negative_prompt.set(negative_prompt.unwrap_or_default().to_owned());
        if let Value::Object(parameters) = parameters {
            let mut params = self.params.get_untracked();
            for (name, value) in parameters {
                let known = self.model.with_untracked(|model| model.spec.param(name).is_some());
                if known && !OWN_PLACES.contains(&name.as_str()) {
                    params.insert(name.clone(), value.clone());
                }
            }
            self.seed_locked.set(params.contains_key("seed"));
            self.params.set(params);
        }
    }
}

fn initial_params(model: &ModelInfo) -> Map<String, Value> {
    let mut params = model.spec.defaults();
    for name in OWN_PLACES {
        params.remove(name);
    }
    params
}
