//! Real parts for integration tests: a throwaway PostgreSQL cluster, an S3-compatible server, an
//! in-process studio and studios as separate processes.
#![allow(dead_code)]

pub mod client;
pub mod engine;
pub mod postgres;
pub mod process;
pub mod queue;
pub mod s3;
pub mod studio;
