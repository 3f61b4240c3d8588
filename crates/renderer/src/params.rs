//! Reading a request's parameters, leniently about representation (`2`, `2.0` and `"2"` are the same
//! number) and strictly about meaning, with messages that name the parameter.

use serde_json::{Map, Value};

use crate::RenderError;

/// A text parameter; absent or null reads as empty.
pub(crate) fn text<'a>(params: &'a Map<String, Value>, name: &str) -> Result<&'a str, RenderError> {
    match params.get(name) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(RenderError::Invalid(format!("{name} must be text"))),
    }
}

/// A whole number from 0 up, if given.
pub(crate) fn whole(params: &Map<String, Value>, name: &str) -> Result<Option<u64>, RenderError> {
    let invalid = || RenderError::Invalid(format!("{name} must be a whole number of 0 or more"));
    match params.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => match (number.as_u64(), number.as_f64()) {
            (Some(value), _) => Ok(Some(value)),
            (None, Some(value)) if value >= 0.0 && value.fract() == 0.0 && value < u64::MAX as f64 => {
                Ok(Some(value as u64))
            }
            _ => Err(invalid()),
        },
        Some(Value::String(text)) => text.trim().parse().map(Some).map_err(|_| invalid()),
        Some(_) => Err(invalid()),
    }
}

/// A whole number in `range`, or `default` when absent.
pub(crate) fn whole_in(
    params: &Map<String, Value>,
    name: &str,
    range: std::ops::RangeInclusive<u32>,
    default: u32,
) -> Result<u32, RenderError> {
    let outside = || RenderError::Invalid(format!("{name} must be between {} and {}", range.start(), range.end()));
    match whole(params, name).map_err(|_| outside())? {
        None => Ok(default),
        Some(value) => u32::try_from(value).ok().filter(|value| range.contains(value)).ok_or_else(outside),
    }
}

/// A number from 0 to 1, or `default` when absent.
pub(crate) fn fraction(params: &Map<String, Value>, name: &str, default: f32) -> Result<f32, RenderError> {
    number_in(params, name, 0.0..=1.0, default)
}

/// A number in `range`, or `default` when absent.
pub(crate) fn number_in(
    params: &Map<String, Value>,
    name: &str,
    range: std::ops::RangeInclusive<f32>,
    default: f32,
) -> Result<f32, RenderError> {
    let outside =
        || RenderError::Invalid(format!("{name} must be a number between {} and {}", range.start(), range.end()));
    let value = match params.get(name) {
        None | Some(Value::Null) => return Ok(default),
        Some(Value::Number(number)) => number.as_f64().ok_or_else(outside)?,
        Some(Value::String(text)) => text.trim().parse::<f64>().map_err(|_| outside())?,
        Some(_) => return Err(outside()),
    };
    let value = value as f32;
    if range.contains(&value) { Ok(value) } else { Err(outside()) }
}

/// The upscale factor: `4`, `4.0`, `"4"` and `"4x"` all mean 4.
pub(crate) fn factor(params: &Map<String, Value>, name: &str, default: u32) -> Result<u32, RenderError> {
    let invalid = || RenderError::Invalid(format!("{name} must be 2, 4 or 8"));
    let value = match params.get(name) {
        Some(Value::String(text)) => {
            let digits = text.trim().trim_end_matches(['x', 'X', '×']).trim_start_matches(['x', 'X', '×']);
            digits.parse::<u64>().map_err(|_| invalid())?
        }
        _ => whole(params, name).map_err(|_| invalid())?.unwrap_or(u64::from(default)),
    };
    u32::try_from(value).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn numbers_are_read_whatever_their_json_shape() {
        let given = params(json!({"a": 3, "b": 3.0, "c": "3", "d": null, "e": -1, "f": 2.5, "g": true}));
        assert_eq!(whole(&given, "a"), Ok(Some(3)));
        assert_eq!(whole(&given, "b"), Ok(Some(3)));
        assert_eq!(whole(&given, "c"), Ok(Some(3)));
        assert_eq!(whole(&given, "d"), Ok(None));
        assert_eq!(whole(&given, "missing"), Ok(None));
        for bad in ["e", "f", "g"] {
            assert!(whole(&given, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn out_of_range_values_are_refused_with_the_parameter_named() {
        let given = params(json!({"num_images": 9, "strength": 1.5}));
        assert_eq!(
            whole_in(&given, "num_images", 1..=4, 1),
            Err(RenderError::Invalid("num_images must be between 1 and 4".into()))
        );
        assert_eq!(
            fraction(&given, "strength", 0.5),
            Err(RenderError::Invalid("strength must be a number between 0 and 1".into()))
        );
        assert_eq!(fraction(&given, "other", 0.5), Ok(0.5));
    }

    #[test]
    fn numbers_in_a_range_are_read_or_refused_with_the_range_named() {
        let given = params(json!({"zoom": 20, "far": 95.5, "word": "lots"}));
        assert_eq!(number_in(&given, "zoom", 0.0..=90.0, 0.0), Ok(20.0));
        assert_eq!(number_in(&given, "missing", 0.0..=90.0, 7.0), Ok(7.0));
        let outside = Err(RenderError::Invalid("far must be a number between 0 and 90".into()));
        assert_eq!(number_in(&given, "far", 0.0..=90.0, 0.0), outside);
        assert!(number_in(&given, "word", 0.0..=90.0, 0.0).is_err());
    }

    #[test]
    fn upscale_factors_may_be_written_with_an_x() {
        let given = params(json!({"a": "4x", "b": "x8", "c": 2, "d": "big"}));
        assert_eq!(factor(&given, "a", 2), Ok(4));
        assert_eq!(factor(&given, "b", 2), Ok(8));
        assert_eq!(factor(&given, "c", 4), Ok(2));
        assert_eq!(factor(&given, "missing", 4), Ok(4));
        assert!(factor(&given, "d", 2).is_err());
    }

    #[test]
    fn text_reads_missing_as_empty_and_refuses_other_types() {
        let given = params(json!({"prompt": "a cat", "n": 3}));
        assert_eq!(text(&given, "prompt"), Ok("a cat"));
        assert_eq!(text(&given, "negative_prompt"), Ok(""));
        assert!(text(&given, "n").is_err());
    }
}
