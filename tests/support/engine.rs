//! The engine of an in-process studio, and waiting for the jobs it runs.

use super::studio::TestStudio;
use atelier::server::db::entity::{generation_queue, images};
use atelier::server::jobs::engine::{Engine, EngineSettings};
use atelier::types::JobStatus;
use sea_orm::EntityTrait;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The studio's engine, looking for work and for cancellations every 50 ms.
pub fn engine(studio: &TestStudio) -> Engine {
    let mut settings = EngineSettings::from_config(&studio.state.config);
    settings.idle = Duration::from_millis(50);
    settings.cancel_check = Duration::from_millis(50);
    Engine::start_with(studio.state.clone(), settings)
}

/// Waits (up to 60 s: the machine may be busy) for the job to end, insists that it completed, and
/// returns its row.
pub async fn finished(studio: &TestStudio, job: Uuid) -> generation_queue::Model {
    let started = Instant::now();
    loop {
        let row = generation_queue::Entity::find_by_id(job).one(&studio.state.db).await.unwrap().unwrap();
        let status = JobStatus::parse(&row.status).unwrap();
        if status.is_final() {
            assert_eq!(status, JobStatus::Completed, "{:?}: {:?}", row.error_type, row.error_message);
            return row;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "job {job} still {} after 60 s", row.status);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The rows of the images a completed job made, in the order it lists them.
pub async fn made_by(studio: &TestStudio, job: Uuid) -> Vec<images::Model> {
    let row = finished(studio, job).await;
    let ids: Vec<Uuid> = serde_json::from_value(row.result_image_ids).unwrap();
    let mut made = Vec::new();
    for id in ids {
        made.push(images::Entity::find_by_id(id).one(&studio.state.db).await.unwrap().expect("the image row"));
    }
    made
}
