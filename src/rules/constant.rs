//! `constant: VALUE`: the same fixed value in every row.

use super::{Pseudonym, Rule, RuleError};

/// Writes one fixed value in every row, empty rows included.
#[derive(Debug, Clone)]
pub struct Constant(pub String);

impl Rule for Constant {
    fn apply(&self, _value: &str, _inputs: &[Option<&str>]) -> Result<Pseudonym, RuleError> {
        Ok(Pseudonym::valid(self.0.clone()))
    }

    fn fills_empty(&self) -> bool {
        true
    }
}

/// Reads the YAML value of `constant:` (a string, number or boolean) as text.
pub(super) fn parse(options: &serde_norway::Value) -> Result<String, String> {
    use serde_norway::Value;
    match options {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err("rule `constant` needs a value: `{ constant: VALUE }`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_value_whatever_the_input() {
        let rule = Constant("TEST".into());
        assert_eq!(rule.apply("a", &[]).unwrap().text.as_deref(), Some("TEST"));
        assert_eq!(rule.apply("b", &[]).unwrap().text.as_deref(), Some("TEST"));
        assert!(rule.fills_empty());
    }

    #[test]
    fn refuses_a_missing_value() {
        assert!(parse(&serde_norway::Value::Null).is_err());
    }
}
