//! Reusable widgets.

pub mod auth_card;
pub mod favourite;
pub mod form;
pub mod icon;
pub mod job_status;
pub mod logo;
pub mod model_facts;
pub mod queue_list;
pub mod service_worker;
pub mod theme_toggle;
pub mod upload;
