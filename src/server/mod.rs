//! Everything only the server may touch: configuration, database, storage, accounts, the model
//! catalogue, image providers, HTTP routes.

pub mod accounts;
pub mod auth;
pub mod catalogue;
pub mod config;
pub mod db;
pub mod error;
pub mod events;
pub mod http;
pub mod images;
pub mod imaging;
pub mod jobs;
pub mod mail;
pub mod presets;
pub mod providers;
pub mod shares;
pub mod state;
pub mod storage;
