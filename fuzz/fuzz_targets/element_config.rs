//! Fuzz target: any bytes as an `e.json`, an `app.json` and a `<Name>.json` with
//! variable references. Invariants: no panic; a refusal has the file's error kind; text
//! without `{{`/`${` is left alone by substitution; substituting JSON keeps its keys.

#![no_main]

use std::collections::HashMap;
use std::path::Path;

use jit_element::vars::{substitute, substitute_str, VariableSource};
use jit_element::{AppConfig, Declaration, ElementErrorKind};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

struct Vars(HashMap<String, String>);

impl VariableSource for Vars {
    fn lookup(&self, name: &str) -> Option<String> {
        self.0.get(name).cloned()
    }
}

fn keys(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Path::new("/app/storages/Files/e.json");
    if let Err(e) = Declaration::parse("storages.Files", text, file, Path::new("/app")) {
        assert_eq!(e.kind(), ElementErrorKind::InvalidDeclaration);
        assert_eq!(e.file(), Some(file));
    }
    if let Err(e) = AppConfig::parse(text, Path::new("/app/app.json"), Path::new("/app")) {
        assert_eq!(e.kind(), ElementErrorKind::InvalidDeclaration);
    }
    let vars = Vars(HashMap::from([
        ("A".to_string(), "{{A}}".to_string()),
        ("B".to_string(), "${B}".to_string()),
    ]));
    let substituted = substitute_str(text, &vars, "field");
    if !text.contains("{{") && !text.contains("${") {
        assert_eq!(substituted.as_deref(), Ok(text));
    }
    if let Ok(mut value) = serde_json::from_str::<Value>(text) {
        let before = keys(&value);
        if substitute(&mut value, &vars).is_ok() {
            assert_eq!(keys(&value), before);
        }
    }
});
