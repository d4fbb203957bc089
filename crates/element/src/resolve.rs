//! Resolving an element for loading: its Type chain up to the Meta, the Type whose factory
//! implements it, and its configuration merged along the chain with variables substituted.

use std::path::Path;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::declaration::Declaration;
use crate::error::{ElementError, ElementErrorKind, ElementResult};
use crate::json_file::{ensure_inside, parse_object, read_text};
use crate::registry::{ElementFactory, Registry};
use crate::vars::{substitute, EnvSource, Layers, SubstituteError};

/// One step of a Type chain: a declared folder, or a Type/Meta known only in code.
#[derive(Debug, Clone)]
pub(crate) struct ChainLink {
    pub full_name: String,
    pub declaration: Option<Arc<Declaration>>,
}

/// Follows `type` links from `start` to a Meta. Errors name the file whose `type` field
/// points nowhere or closes a loop.
///
/// `hint` turns an unknown fullName into a "did you mean" suffix for the message.
pub(crate) fn type_chain(
    start: &Arc<Declaration>,
    lookup: &dyn Fn(&str) -> Option<Arc<Declaration>>,
    registry: &Registry,
    hint: &dyn Fn(&str) -> String,
) -> ElementResult<Vec<ChainLink>> {
    let mut chain = vec![ChainLink {
        full_name: start.full_name.clone(),
        declaration: Some(start.clone()),
    }];
    let mut next = start.type_name.clone();
    let mut pointing_file = start.file.clone();
    loop {
        if chain.iter().any(|l| l.full_name == next) {
            let names: Vec<&str> = chain.iter().map(|l| l.full_name.as_str()).collect();
            return Err(ElementError::new(
                ElementErrorKind::TypeCycle,
                format!("type links loop: {} → {next}", names.join(" → ")),
            )
            .with_element(&start.full_name)
            .with_file(&pointing_file)
            .with_field("type"));
        }
        if registry.metas.contains(&next) && lookup(&next).is_none() {
            chain.push(ChainLink {
                full_name: next,
                declaration: None,
            });
            return Ok(chain);
        }
        if let Some(decl) = lookup(&next) {
            let parent = decl.type_name.clone();
            pointing_file = decl.file.clone();
            chain.push(ChainLink {
                full_name: next,
                declaration: Some(decl),
            });
            if parent.is_empty() {
                return Ok(chain);
            }
            next = parent;
            continue;
        }
        if let Some(registered) = registry.types.get(&next) {
            let parent = registered.parent.clone();
            chain.push(ChainLink {
                full_name: next.clone(),
                declaration: None,
            });
            match parent {
                Some(parent) => {
                    next = parent;
                    continue;
                }
                None => {
                    return Err(ElementError::new(
                        ElementErrorKind::UnknownType,
                        format!(
                            "Type {next} is registered in code but not declared: \
                             add {} with its parent Meta or Type",
                            declared_path_hint(&next)
                        ),
                    )
                    .with_element(&start.full_name)
                    .with_file(&pointing_file)
                    .with_field("type"))
                }
            }
        }
        return Err(ElementError::new(
            ElementErrorKind::UnknownType,
            format!(
                "unknown type {next:?}: it is neither declared in the app nor registered{}",
                hint(&next)
            ),
        )
        .with_element(&start.full_name)
        .with_file(&pointing_file)
        .with_field("type"));
    }
}

fn declared_path_hint(full_name: &str) -> String {
    format!("{}/e.json", full_name.replace('.', "/"))
}

/// The nearest link (from the element itself upward) that has a registered factory.
pub(crate) fn implementation<'a>(
    chain: &'a [ChainLink],
    registry: &Registry,
) -> Option<(&'a ChainLink, Arc<dyn ElementFactory>)> {
    chain.iter().find_map(|link| {
        registry
            .types
            .get(&link.full_name)
            .map(|t| (link, t.factory.clone()))
    })
}

/// Merges `<Type>.json` defaults from the Meta end down to the element, each overridden
/// key by key by the next, with variables substituted per file. A missing file (the
/// element's own `<Name>.json` included) has nothing to override, as in JitAi.
pub(crate) fn merged_config(
    element: &Declaration,
    chain: &[ChainLink],
    env: &EnvSource,
    app_env_vars: &std::collections::HashMap<String, String>,
) -> ElementResult<Value> {
    let mut merged = Value::Object(Map::new());
    // A name declared anywhere on the chain may be referenced in any of its files.
    let declared: Vec<&str> = chain
        .iter()
        .filter_map(|link| link.declaration.as_deref())
        .flat_map(|decl| decl.variables.iter().map(|v| v.name.as_str()))
        .collect();
    for link in chain.iter().rev() {
        let Some(decl) = &link.declaration else {
            continue;
        };
        let file = decl.config_file();
        let Some(mut value) = read_config(&file, &decl.app_root, element)? else {
            continue;
        };
        let mut declared_defaults: Vec<(&str, &str)> = Vec::new();
        for var in element.variables.iter().chain(decl.variables.iter()) {
            if let Some(default) = &var.default {
                declared_defaults.push((&var.name, default));
            }
        }
        let layers = Layers {
            env,
            app_env_vars,
            declared_defaults,
            declared: declared.clone(),
        };
        substitute(&mut value, &layers).map_err(|e| match e {
            SubstituteError::Unresolved(u) => ElementError::new(
                ElementErrorKind::UnresolvedVariable,
                format!(
                    "variable {} is not set (environment, app.json envVars, or a default in e.json variables)",
                    u.variable
                ),
            )
            .with_element(&element.full_name)
            .with_file(&file)
            .with_field(u.field),
            SubstituteError::Undeclared(u) => ElementError::new(
                ElementErrorKind::UnresolvedVariable,
                undeclared_message(&u.variable, element),
            )
            .with_element(&element.full_name)
            .with_file(&file)
            .with_field(u.field),
            SubstituteError::Malformed { field, message } => {
                ElementError::new(ElementErrorKind::InvalidConfig, message)
                    .with_element(&element.full_name)
                    .with_file(&file)
                    .with_field(field)
            }
        })?;
        merge(&mut merged, value);
    }
    Ok(merged)
}

/// Says that `variable` is not declared for `element`, and how to declare it.
fn undeclared_message(variable: &str, element: &Declaration) -> String {
    format!(
        "variable {variable} is not declared, so it is not read from the environment: \
         add {{\"name\": \"{variable}\"}} to \"variables\" in {} (or a key {variable} to \
         \"envVars\" in app.json), or have the host allow it \
         (AppBuilder::allow_env_prefix, jitstore --allow-env)",
        element.file.display()
    )
}

/// The JSON object in `file`; `None` when there is no such file. A file that is a link
/// leading out of `app_root` (the app declaring it) is refused, unread.
fn read_config(
    file: &Path,
    app_root: &Path,
    element: &Declaration,
) -> ElementResult<Option<Value>> {
    let with_element = |e: ElementError| e.with_element(&element.full_name);
    ensure_inside(file, app_root, ElementErrorKind::InvalidConfig).map_err(with_element)?;
    let Some(text) = read_text(file, ElementErrorKind::InvalidConfig).map_err(with_element)? else {
        return Ok(None);
    };
    let map = parse_object(&text, file, ElementErrorKind::InvalidConfig).map_err(with_element)?;
    Ok(Some(Value::Object(map)))
}

/// Deep merge: objects merge key by key, anything else is replaced.
pub(crate) fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            for (k, v) in over {
                match base.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        base.insert(k, v);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_overrides_key_by_key() {
        let mut base = json!({"directory": "a", "limits": {"max": 1, "min": 0}, "list": [1, 2]});
        merge(
            &mut base,
            json!({"limits": {"max": 5}, "list": [3], "extra": true}),
        );
        assert_eq!(
            base,
            json!({"directory": "a", "limits": {"max": 5, "min": 0}, "list": [3], "extra": true})
        );
    }
}
