//! The fal.ai client.
