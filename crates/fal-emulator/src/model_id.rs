//! fal's model ids and the paths of its queue host.
//!
//! An id splits on `/` into owner, alias and an optional path; a leading `workflows` or `comfy` is a
//! namespace that shifts everything by one. Submit uses the full id, while status, result and cancel
//! are addressed by `{owner}/{alias}` (the official clients) or by the full id (fal's OpenAPI).

const NAMESPACES: &[&str] = &["workflows", "comfy"];

/// A well-formed model id with its app part (`[namespace/]owner/alias`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelId {
    full: String,
    app: String,
}

impl ModelId {
    /// Parses `fal-ai/flux/dev`; `None` when the owner or alias is missing or a segment is empty.
    pub fn parse(id: &str) -> Option<ModelId> {
        let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
        if parts.iter().any(|part| part.is_empty()) {
            return None;
        }
        let app_len = if NAMESPACES.contains(&parts[0]) { 3 } else { 2 };
        if parts.len() < app_len {
            return None;
        }
        Some(ModelId { full: parts.join("/"), app: parts[..app_len].join("/") })
    }

    /// The whole id, e.g. `fal-ai/flux/dev`.
    pub fn full(&self) -> &str {
        &self.full
    }

    /// The app the queue addresses requests by, e.g. `fal-ai/flux`.
    pub fn app(&self) -> &str {
        &self.app
    }

    /// Whether `prefix` (what came before `/requests/` in a URL) names this model's requests.
    pub fn is_addressed_by(&self, prefix: &str) -> bool {
        let prefix = prefix.trim_matches('/');
        prefix == self.app || prefix == self.full
    }
}

/// What a request path under the queue host asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestAction {
    /// `…/requests/{id}`
    Result,
    /// `…/requests/{id}/status`
    Status,
    /// `…/requests/{id}/status/stream`
    StatusStream,
    /// `…/requests/{id}/cancel`
    Cancel,
}

/// A path under the queue host: a model (to submit to) or one of a request's resources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueuePath<'a> {
    Model(&'a str),
    Request { prefix: String, request_id: &'a str, action: RequestAction },
}

impl<'a> QueuePath<'a> {
    pub fn parse(path: &'a str) -> QueuePath<'a> {
        let trimmed = path.trim_matches('/');
        let segments: Vec<&str> = trimmed.split('/').collect();
        let n = segments.len();
        let tail = |len: usize| &segments[n - len..];
        let request = |marker_at: usize, action: RequestAction| QueuePath::Request {
            prefix: segments[..marker_at].join("/"),
            request_id: segments[marker_at + 1],
            action,
        };
        if n >= 5 && tail(4)[0] == "requests" && tail(2) == ["status", "stream"] {
            return request(n - 4, RequestAction::StatusStream);
        }
        if n >= 4 && tail(3)[0] == "requests" && tail(1) == ["status"] {
            return request(n - 3, RequestAction::Status);
        }
        if n >= 4 && tail(3)[0] == "requests" && tail(1) == ["cancel"] {
            return request(n - 3, RequestAction::Cancel);
        }
        if n >= 3 && tail(2)[0] == "requests" {
            return request(n - 2, RequestAction::Result);
        }
        QueuePath::Model(trimmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_with_a_path_keeps_owner_and_alias_as_its_app() {
        let id = ModelId::parse("fal-ai/flux/dev").unwrap();
        assert_eq!(id.full(), "fal-ai/flux/dev");
        assert_eq!(id.app(), "fal-ai/flux");
    }

    #[test]
    fn a_namespace_prefix_shifts_the_app_by_one_segment() {
        let id = ModelId::parse("workflows/someone/my-flow/extra").unwrap();
        assert_eq!(id.app(), "workflows/someone/my-flow");
        assert_eq!(ModelId::parse("comfy/someone").map(|id| id.full().to_owned()), None);
    }

    #[test]
    fn an_id_without_an_alias_or_with_empty_segments_is_rejected() {
        assert_eq!(ModelId::parse("fal-ai"), None);
        assert_eq!(ModelId::parse("fal-ai//dev"), None);
        assert_eq!(ModelId::parse(""), None);
    }

    #[test]
    fn requests_are_addressed_by_app_or_by_full_id() {
        let id = ModelId::parse("fal-ai/flux/dev").unwrap();
        assert!(id.is_addressed_by("fal-ai/flux"));
        assert!(id.is_addressed_by("fal-ai/flux/dev"));
        assert!(!id.is_addressed_by("fal-ai/flux/schnell"));
        assert!(!id.is_addressed_by("fal-ai"));
    }

    #[test]
    fn queue_paths_name_the_request_resource_they_address() {
        assert_eq!(QueuePath::parse("fal-ai/flux/dev"), QueuePath::Model("fal-ai/flux/dev"));
        let status = QueuePath::parse("fal-ai/flux/dev/requests/abc/status");
        assert_eq!(
            status,
            QueuePath::Request { prefix: "fal-ai/flux/dev".into(), request_id: "abc", action: RequestAction::Status }
        );
        let stream = QueuePath::parse("fal-ai/flux/requests/abc/status/stream");
        assert_eq!(
            stream,
            QueuePath::Request { prefix: "fal-ai/flux".into(), request_id: "abc", action: RequestAction::StatusStream }
        );
        let cancel = QueuePath::parse("fal-ai/flux/requests/abc/cancel");
        assert!(matches!(cancel, QueuePath::Request { action: RequestAction::Cancel, .. }));
        let result = QueuePath::parse("/fal-ai/flux/requests/abc/");
        assert!(matches!(result, QueuePath::Request { action: RequestAction::Result, request_id: "abc", .. }));
    }
}
