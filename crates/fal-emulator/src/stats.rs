//! Counts of calls per kind, so tests can assert e.g. that a request was submitted exactly once.

use serde_json::{Map, Value};
use std::sync::Mutex;

/// The kinds of call the emulator tells apart (for statistics and for fault rules).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallKind {
    Submit,
    Status,
    Stream,
    Result,
    Cancel,
    /// `POST /rest/storage/upload/initiate`
    Upload,
    /// `PUT` of the bytes to an upload URL.
    UploadPut,
    Sync,
}

impl CallKind {
    pub const ALL: [CallKind; 8] = [
        CallKind::Submit,
        CallKind::Status,
        CallKind::Stream,
        CallKind::Result,
        CallKind::Cancel,
        CallKind::Upload,
        CallKind::UploadPut,
        CallKind::Sync,
    ];

    pub fn name(self) -> &'static str {
        match self {
            CallKind::Submit => "submit",
            CallKind::Status => "status",
            CallKind::Stream => "stream",
            CallKind::Result => "result",
            CallKind::Cancel => "cancel",
            CallKind::Upload => "upload",
            CallKind::UploadPut => "upload_put",
            CallKind::Sync => "sync",
        }
    }

    pub fn from_name(name: &str) -> Option<CallKind> {
        CallKind::ALL.into_iter().find(|kind| kind.name() == name)
    }
}

#[derive(Default)]
pub struct Stats {
    counts: Mutex<[u64; CallKind::ALL.len()]>,
}

impl Stats {
    pub fn count(&self, kind: CallKind) {
        let mut counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        counts[index(kind)] += 1;
    }

    /// `{"submit": 3, "status": 10, …}` with every kind present.
    pub fn to_json(&self) -> Value {
        let counts = self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let map: Map<String, Value> =
            CallKind::ALL.into_iter().map(|kind| (kind.name().to_owned(), Value::from(counts[index(kind)]))).collect();
        Value::Object(map)
    }

    pub fn reset(&self) {
        *self.counts.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = [0; CallKind::ALL.len()];
    }
}

fn index(kind: CallKind) -> usize {
    CallKind::ALL.iter().position(|candidate| *candidate == kind).unwrap_or(0)
}
