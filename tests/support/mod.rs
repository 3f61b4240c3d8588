//! Real parts for integration tests: a throwaway PostgreSQL cluster, an S3-compatible server, and an
//! in-process studio.
#![allow(dead_code)]

pub mod client;
pub mod postgres;
pub mod queue;
pub mod s3;
pub mod studio;
