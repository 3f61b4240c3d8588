//! Building query strings (both builds: the sign-in redirect is made in the UI, the avatar form's
//! answer on the server).

/// Percent-encodes a query-string value. `/` is left as is: it is valid there and keeps paths readable.
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::encode_query_value;

    #[test]
    fn reserved_characters_are_escaped_and_paths_stay_readable() {
        assert_eq!(encode_query_value("/settings/account?tab=a&b"), "/settings/account%3Ftab%3Da%26b");
        assert_eq!(encode_query_value("5 MB é"), "5%20MB%20%C3%A9");
    }
}
