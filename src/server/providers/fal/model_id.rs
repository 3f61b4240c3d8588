//! fal model ids (`fal-ai/flux/dev`, `workflows/owner/name`) and the parts of them each URL uses.

use super::error::FalError;
use std::fmt;

/// The prefixes that put a model in a namespace, shifting owner and alias one segment right.
const NAMESPACES: &[&str] = &["workflows", "comfy"];
const MAX_LEN: usize = 200;

/// A parsed model id. Submit and sync calls use the whole id; status, result and cancel use only
/// the app (`{namespace/}{owner}/{alias}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelId {
    full: String,
    namespace: Option<String>,
    owner: String,
    alias: String,
    path: Option<String>,
}

impl ModelId {
    pub fn parse(id: &str) -> Result<Self, FalError> {
        let invalid = |why: &str| FalError::InvalidInput(format!("'{}' is not a fal model id: {why}", shorten(id)));
        if id.is_empty() || id.len() > MAX_LEN {
            return Err(invalid("it must be 1 to 200 characters"));
        }
        let segments: Vec<&str> = id.split('/').collect();
        if let Some(bad) = segments.iter().find(|s| !is_valid_segment(s)) {
            return Err(invalid(&format!("the part '{}' must be letters, digits, '-', '_', '.' or '~'", shorten(bad))));
        }
        let (namespace, rest) = match segments.split_first() {
            Some((first, rest)) if NAMESPACES.contains(first) => (Some((*first).to_owned()), rest),
            _ => (None, segments.as_slice()),
        };
        let [owner, alias, path @ ..] = rest else {
            return Err(invalid("it needs an owner and a name, as in fal-ai/flux/dev"));
        };
        Ok(Self {
            full: id.to_owned(),
            namespace,
            owner: (*owner).to_owned(),
            alias: (*alias).to_owned(),
            path: (!path.is_empty()).then(|| path.join("/")),
        })
    }

    /// The whole id, as submit and sync URLs use it.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// `{namespace/}{owner}/{alias}`, as status, result and cancel URLs use it.
    pub fn app(&self) -> String {
        match &self.namespace {
            Some(namespace) => format!("{namespace}/{}/{}", self.owner, self.alias),
            None => format!("{}/{}", self.owner, self.alias),
        }
    }

    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    pub fn owner(&self) -> &str {
        &self.owner
    }

    pub fn alias(&self) -> &str {
        &self.alias
    }

    /// What follows the alias (`dev` in `fal-ai/flux/dev`), if anything.
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }
}

impl fmt::Display for ModelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

fn is_valid_segment(segment: &str) -> bool {
    !segment.is_empty()
        && segment != "."
        && segment != ".."
        && segment.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~'))
}

fn shorten(text: &str) -> String {
    const SHOWN: usize = 60;
    if text.chars().count() <= SHOWN { text.to_owned() } else { text.chars().take(SHOWN).collect::<String>() + "…" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_splits_into_owner_alias_and_path() {
        let id = ModelId::parse("fal-ai/flux/dev").unwrap();
        assert_eq!((id.owner(), id.alias(), id.path()), ("fal-ai", "flux", Some("dev")));
        assert_eq!(id.app(), "fal-ai/flux");
        assert_eq!(id.as_str(), "fal-ai/flux/dev");
    }

    #[test]
    fn a_long_path_is_kept_whole() {
        let id = ModelId::parse("fal-ai/flux/dev/image-to-image").unwrap();
        assert_eq!(id.path(), Some("dev/image-to-image"));
        assert_eq!(id.app(), "fal-ai/flux");
    }

    #[test]
    fn an_id_without_path_is_its_own_app() {
        let id = ModelId::parse("fal-ai/fast-sdxl").unwrap();
        assert_eq!(id.path(), None);
        assert_eq!(id.app(), "fal-ai/fast-sdxl");
    }

    #[test]
    fn a_namespace_prefix_shifts_owner_and_alias() {
        let id = ModelId::parse("workflows/ada/portrait/v2").unwrap();
        assert_eq!(id.namespace(), Some("workflows"));
        assert_eq!((id.owner(), id.alias(), id.path()), ("ada", "portrait", Some("v2")));
        assert_eq!(id.app(), "workflows/ada/portrait");
        assert_eq!(ModelId::parse("comfy/ada/flow").unwrap().app(), "comfy/ada/flow");
    }

    #[test]
    fn ids_that_could_escape_the_url_are_refused() {
        for bad in
            ["", "flux", "fal-ai//dev", "fal-ai/../admin", "fal-ai/flux?x=1", "fal-ai/fl ux", "workflows/ada", "/a/b"]
        {
            let err = ModelId::parse(bad).unwrap_err();
            assert!(matches!(err, FalError::InvalidInput(_)), "{bad}: {err:?}");
        }
    }
}
