//! A small server-sent events parser: bytes in, the `data` of each complete event out. Comments
//! (fal's keep-alives), `event:`, `id:` and `retry:` lines are ignored.

/// Longest event the parser buffers; a stream that sends more without a blank line is cut.
const MAX_PENDING_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of the line being received.
    line: Vec<u8>,
    /// The `data` lines of the event being received.
    data: Option<String>,
    /// The last chunk ended in `\r`, so a `\n` opening the next one ends nothing.
    after_cr: bool,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds a chunk of the stream; returns the data of every event it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        let mut events = Vec::new();
        for &byte in chunk {
            let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
            match byte {
                b'\n' if after_cr => {}
                b'\n' | b'\r' => {
                    if let Some(event) = self.end_line() {
                        events.push(event);
                    }
                }
                _ if self.line.len() < MAX_PENDING_BYTES => self.line.push(byte),
                _ => {}
            }
        }
        events
    }

    /// Ends the current line; a blank line dispatches the event.
    fn end_line(&mut self) -> Option<String> {
        let line = String::from_utf8_lossy(&std::mem::take(&mut self.line)).into_owned();
        if line.is_empty() {
            return self.data.take();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        if field == "data" {
            match &mut self.data {
                Some(data) if data.len() + value.len() < MAX_PENDING_BYTES => {
                    data.push('\n');
                    data.push_str(value);
                }
                Some(_) => {}
                None => self.data = Some(value.to_owned()),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_blank_line_ends_an_event() {
        let mut parser = SseParser::new();
        let events = parser.push(b"data: {\"a\":1}\n\ndata: {\"a\":2}\n\n");
        assert_eq!(events, vec![r#"{"a":1}"#, r#"{"a":2}"#]);
    }

    #[test]
    fn comments_and_other_fields_are_ignored() {
        let mut parser = SseParser::new();
        let events = parser.push(b": keep-alive\n\nevent: status\nid: 3\nretry: 100\ndata: x\n\n");
        assert_eq!(events, vec!["x"]);
    }

    #[test]
    fn events_split_across_chunks_and_line_endings_are_joined() {
        let mut parser = SseParser::new();
        assert!(parser.push(b"data: first\r").is_empty());
        assert!(parser.push(b"\ndata: sec").is_empty());
        assert_eq!(parser.push(b"ond\r\n\r\n"), vec!["first\nsecond"]);
    }

    #[test]
    fn a_multibyte_character_split_between_chunks_survives() {
        let mut parser = SseParser::new();
        let text = "data: café\n\n".as_bytes();
        let (head, tail) = text.split_at(10);
        assert!(parser.push(head).is_empty());
        assert_eq!(parser.push(tail), vec!["café"]);
    }
}
