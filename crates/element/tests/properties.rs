//! Property tests of variable substitution, for any input: [`substitute_str`] never
//! panics, leaves text without references alone, and replaces each reference by its
//! value (or inline default) once, without re-expanding values; [`substitute`] keeps the
//! shape of any JSON. (`e.json`, `app.json` and `<Name>.json`: `config_properties.rs`.)
//!
//! Case counts are bounded so that `cargo test --workspace` stays fast.

use std::collections::HashMap;

use jit_element::vars::{substitute, substitute_str, SubstituteError, VariableSource};
use proptest::prelude::*;
use serde_json::Value;

struct Vars(HashMap<String, String>);

impl VariableSource for Vars {
    fn lookup(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

/// Text rich in reference syntax: braces, dollars, `:-`, names and spaces.
fn ref_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => "([a-zA-Z_. -]{0,4}|\\{\\{|\\}\\}|\\$\\{|\\}|:-|\\$|\\{|FROM_ENV|A|B){0,8}",
        1 => any::<String>(),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ref_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-zA-Z_.]{0,6}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One piece of a template: literal text (no reference syntax) or a reference.
#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Braces(String, String),
    Dollar(String, String),
    DollarDefault(String, String, String),
}

fn pieces() -> impl Strategy<Value = Vec<Piece>> {
    let name = || prop_oneof!["[A-C]", "[A-Za-z0-9_.-]{1,8}"];
    let pad = "[ ]{0,2}";
    let piece = prop_oneof![
        "[^{}$]{0,8}".prop_map(Piece::Text),
        (name(), pad).prop_map(|(n, p)| Piece::Braces(n, p)),
        (name(), pad).prop_map(|(n, p)| Piece::Dollar(n, p)),
        (name(), pad, "[a-z0-9 :/.{-]{0,8}").prop_map(|(n, p, d)| Piece::DollarDefault(n, p, d)),
    ];
    proptest::collection::vec(piece, 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn substitution_never_panics_and_text_without_references_stays(input in ref_text()) {
        let vars = Vars(HashMap::from([("A".into(), "alpha".into())]));
        let result = substitute_str(&input, &vars, "f");
        if !input.contains("{{") && !input.contains("${") {
            prop_assert_eq!(result, Ok(input));
        }
    }

    #[test]
    fn references_are_replaced_once_by_value_or_default(
        template in pieces(),
        values in proptest::collection::hash_map("[A-C]", "[a-z{}$ ]{0,6}", 0..6),
    ) {
        let vars = Vars(values.clone());
        let mut input = String::new();
        let mut expected = String::new();
        let mut first_unresolved = None;
        for piece in &template {
            let (name, default) = match piece {
                Piece::Text(t) => {
                    input.push_str(t);
                    expected.push_str(t);
                    continue;
                }
                Piece::Braces(n, p) => {
                    input.push_str(&format!("{{{{{p}{n}{p}}}}}"));
                    (n, None)
                }
                Piece::Dollar(n, p) => {
                    input.push_str(&format!("${{{p}{n}{p}}}"));
                    (n, None)
                }
                Piece::DollarDefault(n, p, d) => {
                    input.push_str(&format!("${{{p}{n}{p}:-{d}}}"));
                    // The reference's text is trimmed, the default's end with it.
                    (n, Some(d.trim_end().to_string()))
                }
            };
            match values.get(name).cloned().or(default) {
                // Values holding reference syntax are inserted as they are.
                Some(v) => expected.push_str(&v),
                None => {
                    first_unresolved.get_or_insert_with(|| name.clone());
                }
            }
        }
        match (substitute_str(&input, &vars, "field"), first_unresolved) {
            (Ok(out), None) => prop_assert_eq!(out, expected, "{:?}", input),
            (Err(SubstituteError::Unresolved(u)), Some(name)) => {
                prop_assert_eq!(u.variable, name);
                prop_assert_eq!(u.field, "field");
            }
            (other, unresolved) => {
                prop_assert!(false, "{input:?}: got {other:?}, unresolved {unresolved:?}")
            }
        }
    }

    #[test]
    fn json_substitution_keeps_the_shape(value in json_value()) {
        let vars = Vars(HashMap::from([("A".into(), "{{A}}".into())]));
        let mut substituted = value.clone();
        if substitute(&mut substituted, &vars).is_ok() {
            prop_assert!(same_shape(&value, &substituted, &vars), "{value} -> {substituted}");
        }
    }
}

/// Same keys, lengths and non-string values; each string is its substitution.
fn same_shape(before: &Value, after: &Value, vars: &Vars) -> bool {
    match (before, after) {
        (Value::String(b), Value::String(a)) => substitute_str(b, vars, "").as_ref() == Ok(a),
        (Value::Array(b), Value::Array(a)) => {
            b.len() == a.len() && b.iter().zip(a).all(|(b, a)| same_shape(b, a, vars))
        }
        (Value::Object(b), Value::Object(a)) => {
            b.len() == a.len()
                && b.iter()
                    .all(|(k, b)| a.get(k).is_some_and(|a| same_shape(b, a, vars)))
        }
        (b, a) => b == a,
    }
}
