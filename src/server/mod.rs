//! Everything only the server may touch: configuration, database, storage, accounts, HTTP routes.

pub mod accounts;
pub mod auth;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod imaging;
pub mod mail;
pub mod state;
pub mod storage;
