//! Server functions, one module per domain. Thin: check the caller, validate, call `server`, return
//! shared types.

pub mod studio;
