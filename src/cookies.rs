//! Reading cookies out of a `Cookie` request header (both builds: the theme reads it during SSR, the
//! session layer on every request).

/// The value of the first cookie called `name` in a `Cookie` header.
pub fn cookie_value<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::cookie_value;

    #[test]
    fn finds_a_cookie_among_others() {
        assert_eq!(cookie_value("a=1; b=two; c=3", "b"), Some("two"));
        assert_eq!(cookie_value("a=1;b=2", "b"), Some("2"));
        assert_eq!(cookie_value("ab=1", "a"), None);
        assert_eq!(cookie_value("", "a"), None);
        assert_eq!(cookie_value("a=\"quoted\"", "a"), Some("quoted"));
    }
}
