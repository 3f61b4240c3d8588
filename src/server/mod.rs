//! Everything only the server may touch: configuration, database, storage, HTTP routes.

pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod state;
pub mod storage;
