//! `generation_queue`: the generation engine's durable jobs, from submission to their results.
//!
//! A worker claims a due `pending` job (its user's queue not paused) by setting it `running` with a
//! lease (`lease_expires_at`, `worker_id`); a job whose lease ran out is taken over by another
//! worker, which resumes from `provider_handle` when the provider already has the request.

use sea_orm::entity::prelude::*;

/// Values of [`Model::status`]. Waiting to be claimed; the column default.
pub const STATUS_PENDING: &str = "pending";
/// Claimed by a worker (holding a lease) and sent, or being sent, to the provider.
pub const STATUS_RUNNING: &str = "running";
/// Finished with its images in [`Model::result_image_ids`].
pub const STATUS_COMPLETED: &str = "completed";
/// Finished without images; [`Model::error_type`] and [`Model::error_message`] say why.
pub const STATUS_FAILED: &str = "failed";
/// Stopped at the user's request.
pub const STATUS_CANCELLED: &str = "cancelled";
/// Held back by the user: not claimed until set back to [`STATUS_PENDING`].
pub const STATUS_PAUSED: &str = "paused";

/// Values of [`Model::kind`]. An image from a prompt; the column default.
pub const KIND_TEXT_TO_IMAGE: &str = "text-to-image";
/// A new image from a prompt and [`Model::parent_image_id`].
pub const KIND_IMAGE_TO_IMAGE: &str = "image-to-image";
/// [`Model::parent_image_id`] repainted inside a mask.
pub const KIND_INPAINT: &str = "inpaint";
/// [`Model::parent_image_id`] on a larger canvas, the new area filled.
pub const KIND_OUTPAINT: &str = "outpaint";
/// [`Model::parent_image_id`] enlarged.
pub const KIND_UPSCALE: &str = "upscale";
/// [`Model::parent_image_id`] with its background made transparent.
pub const KIND_REMOVE_BACKGROUND: &str = "remove-background";
/// A variation of [`Model::parent_image_id`].
pub const KIND_VARIATION: &str = "variation";

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "generation_queue")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: Uuid,
    /// Set to NULL when the project is deleted.
    pub project_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub prompt: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub negative_prompt: Option<String>,
    /// The fal.ai model id.
    #[sea_orm(column_type = "Text")]
    pub model_id: String,
    /// JSON object; default `{}`.
    #[sea_orm(column_type = "JsonBinary")]
    pub parameters: Json,
    /// One of the `STATUS_*` constants (not constrained by the database, so a new status needs
    /// no migration); default [`STATUS_PENDING`].
    #[sea_orm(column_type = "Text")]
    pub status: String,
    /// Higher runs first; default 0.
    pub priority: i32,
    /// The provider's request id (also in [`Model::provider_handle`]).
    #[sea_orm(column_type = "Text", nullable)]
    pub fal_request_id: Option<String>,
    /// What went wrong, in a sentence a person can act on.
    #[sea_orm(column_type = "Text", nullable)]
    pub error_message: Option<String>,
    /// Attempts made so far (was `retry_count`); default 0.
    pub attempts: i32,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// One of the `KIND_*` constants (unconstrained, like `status`); default
    /// [`KIND_TEXT_TO_IMAGE`].
    #[sea_orm(column_type = "Text")]
    pub kind: String,
    /// Fractional ordering key within the user's queue, lower runs first (a moved job takes a
    /// value between its new neighbours); default 0. Ties, such as jobs queued before this
    /// column existed, fall back to `id` (UUIDv7, so by age).
    pub position: f64,
    /// A retry is not claimed before this time; NULL for a job never tried.
    pub next_attempt_at: Option<DateTimeUtc>,
    /// The running worker's lease: past it, another worker may take the job over.
    pub lease_expires_at: Option<DateTimeUtc>,
    /// The worker holding the lease.
    #[sea_orm(column_type = "Text", nullable)]
    pub worker_id: Option<String>,
    /// JSON object: the provider's request id and its status, response and cancel URLs, stored
    /// before waiting on it so that a restarted worker resumes instead of submitting again.
    #[sea_orm(column_type = "JsonBinary", nullable)]
    pub provider_handle: Option<Json>,
    /// 0..=1; default 0.
    pub progress: f64,
    /// The class of the last error, for code (the message is [`Model::error_message`]).
    #[sea_orm(column_type = "Text", nullable)]
    pub error_type: Option<String>,
    /// Jobs submitted together share it.
    pub batch_id: Option<Uuid>,
    /// JSON array of the produced images' ids (strings), in order; default `[]`.
    #[sea_orm(column_type = "JsonBinary")]
    pub result_image_ids: Json,
    /// Credits reserved from the user's balance when the job was accepted; default 0.
    pub credits_held: i32,
    /// The part of [`Model::credits_held`] charged once the job ended (the rest goes back to
    /// the balance); default 0.
    pub credits_charged: i32,
    /// The source image of the kinds other than [`KIND_TEXT_TO_IMAGE`]. Not a foreign key
    /// (SQLite cannot add one to an existing table): check ownership when accepting the job, and
    /// expect the image to have been deleted since.
    pub parent_image_id: Option<Uuid>,
    /// The user asked to cancel: the worker running the job cancels it at the provider and
    /// stops. Default false.
    pub cancel_requested: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::users::Entity",
        from = "Column::UserId",
        to = "super::users::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    #[sea_orm(
        belongs_to = "super::projects::Entity",
        from = "Column::ProjectId",
        to = "super::projects::Column::Id",
        on_delete = "SetNull"
    )]
    Project,
}

impl Related<super::users::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::projects::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Project.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
