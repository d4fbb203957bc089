//! Variable references in configuration values: `{{VAR}}`, `${VAR}` and
//! `${VAR:-default}`, resolved from the process environment, then `app.json` `envVars`,
//! then the defaults declared in `e.json` `variables`, then the inline default.
//!
//! A reference may only name a variable the app declares — an entry of `variables` in
//! the `e.json` of the element or of a Type on its chain, or a key of `app.json`
//! `envVars` — or one the host chose: set on the builder ([`EnvSource::set`],
//! [`EnvSource::fixed`]) or matching a prefix it allows ([`EnvSource::allow_prefix`]).
//! Anything else is refused before the environment is read, so a configuration file
//! cannot pull an unrelated secret (`{{DATABASE_PASSWORD}}`) out of the process.

use std::collections::HashMap;

use serde_json::Value;

/// Where variable values come from, in order of precedence.
pub trait VariableSource {
    /// The value of `name`, or `None` when this source does not define it.
    fn lookup(&self, name: &str) -> Option<String>;

    /// Whether a reference may name `name` at all; [`substitute`] refuses the others
    /// with [`SubstituteError::Undeclared`] without looking them up. Every name, unless
    /// a source says otherwise.
    fn may_reference(&self, name: &str) -> bool {
        let _ = name;
        true
    }
}

/// The layered lookup used while loading one element.
pub(crate) struct Layers<'a> {
    pub env: &'a EnvSource,
    pub app_env_vars: &'a HashMap<String, String>,
    pub declared_defaults: Vec<(&'a str, &'a str)>,
    /// Names declared in `variables` along the element's Type chain.
    pub declared: Vec<&'a str>,
}

impl VariableSource for Layers<'_> {
    fn may_reference(&self, name: &str) -> bool {
        self.declared.contains(&name)
            || self.app_env_vars.contains_key(name)
            || self.env.host_chosen(name)
    }

    fn lookup(&self, name: &str) -> Option<String> {
        self.env
            .get(name)
            .or_else(|| self.app_env_vars.get(name).cloned())
            .or_else(|| {
                self.declared_defaults
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_string())
            })
    }
}

/// The environment variables are read from: the process environment (optional) under a
/// map of overrides set by the host (tests, embedding runtimes, the example app), and the
/// name prefixes the host lets any configuration reference without a declaration.
#[derive(Clone)]
pub struct EnvSource {
    overrides: HashMap<String, String>,
    read_process: bool,
    allowed_prefixes: Vec<String>,
}

impl std::fmt::Debug for EnvSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The values may be secrets: show the names only.
        let mut names: Vec<&String> = self.overrides.keys().collect();
        names.sort();
        f.debug_struct("EnvSource")
            .field("overrides", &names)
            .field("read_process", &self.read_process)
            .field("allowed_prefixes", &self.allowed_prefixes)
            .finish()
    }
}

impl Default for EnvSource {
    fn default() -> Self {
        Self::process()
    }
}

impl EnvSource {
    /// The process environment, with no overrides.
    pub fn process() -> Self {
        Self {
            overrides: HashMap::new(),
            read_process: true,
            allowed_prefixes: Vec::new(),
        }
    }

    /// Only these variables exist; the process environment is not read. The host chose
    /// them, so configurations may reference them without declaring them.
    pub fn fixed(vars: HashMap<String, String>) -> Self {
        Self {
            overrides: vars,
            read_process: false,
            allowed_prefixes: Vec::new(),
        }
    }

    /// Stops reading the process environment: only `vars` and the variables already
    /// [`set`](Self::set) (which win) exist. Allowed prefixes are kept.
    pub fn replace_process(&mut self, vars: HashMap<String, String>) {
        self.read_process = false;
        for (name, value) in vars {
            self.overrides.entry(name).or_insert(value);
        }
    }

    /// Sets one variable, taking precedence over the process environment. The host chose
    /// it, so configurations may reference it without declaring it.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.overrides.insert(name.into(), value.into());
    }

    /// Lets configurations reference, without declaring them, the variables whose names
    /// start with `prefix` (e.g. `OSS_`). An empty prefix allows every variable.
    pub fn allow_prefix(&mut self, prefix: impl Into<String>) {
        self.allowed_prefixes.push(prefix.into());
    }

    /// Whether the host chose `name`: set on this source, or under an allowed prefix.
    pub fn host_chosen(&self, name: &str) -> bool {
        self.overrides.contains_key(name)
            || self.allowed_prefixes.iter().any(|p| name.starts_with(p))
    }

    /// The value of `name` in this environment.
    pub fn get(&self, name: &str) -> Option<String> {
        self.overrides.get(name).cloned().or_else(|| {
            self.read_process
                .then(|| std::env::var(name).ok())
                .flatten()
        })
    }
}

/// A reference that could not be resolved: the variable and where it sits in the JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// The variable's name.
    pub variable: String,
    /// JSON path of the value holding the reference, e.g. `accessKeySecret`.
    pub field: String,
}

/// Why a reference could not be substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubstituteError {
    /// No value for a variable.
    Unresolved(Unresolved),
    /// The variable may not be referenced here ([`VariableSource::may_reference`]).
    Undeclared(Unresolved),
    /// A reference is malformed.
    Malformed {
        /// JSON path of the value.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// Replaces every variable reference in the string values of `value`, in place.
pub fn substitute(value: &mut Value, vars: &dyn VariableSource) -> Result<(), SubstituteError> {
    substitute_at(value, vars, &mut String::new())
}

fn substitute_at(
    value: &mut Value,
    vars: &dyn VariableSource,
    path: &mut String,
) -> Result<(), SubstituteError> {
    match value {
        Value::String(s) => {
            if s.contains("{{") || s.contains("${") {
                *s = substitute_str(s, vars, path)?;
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                substitute_at(item, vars, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                substitute_at(item, vars, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Substitutes the references in one string; `field` is used in errors.
pub fn substitute_str(
    input: &str,
    vars: &dyn VariableSource,
    field: &str,
) -> Result<String, SubstituteError> {
    let malformed = |message: String| SubstituteError::Malformed {
        field: field.to_string(),
        message,
    };
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    loop {
        let next_braces = rest.find("{{");
        let next_dollar = rest.find("${");
        let (start, is_dollar) = match (next_braces, next_dollar) {
            (None, None) => break,
            (Some(b), Some(d)) if d < b => (d, true),
            (Some(b), _) => (b, false),
            (None, Some(d)) => (d, true),
        };
        out.push_str(&rest[..start]);
        let (open, close) = if is_dollar { (2, "}") } else { (2, "}}") };
        let body_start = start + open;
        let Some(end) = rest[body_start..].find(close) else {
            return Err(malformed(format!(
                "unterminated variable reference in {input:?}"
            )));
        };
        let body = rest[body_start..body_start + end].trim();
        let (name, inline_default) = match (is_dollar, body.split_once(":-")) {
            (true, Some((n, d))) => (n.trim(), Some(d)),
            _ => (body, None),
        };
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        {
            return Err(malformed(format!(
                "bad variable name {name:?} in {input:?}"
            )));
        }
        if !vars.may_reference(name) {
            return Err(SubstituteError::Undeclared(Unresolved {
                variable: name.to_string(),
                field: field.to_string(),
            }));
        }
        match vars
            .lookup(name)
            .or_else(|| inline_default.map(str::to_string))
        {
            Some(v) => out.push_str(&v),
            None => {
                return Err(SubstituteError::Unresolved(Unresolved {
                    variable: name.to_string(),
                    field: field.to_string(),
                }))
            }
        }
        rest = &rest[body_start + end + close.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct Map(HashMap<String, String>);
    impl VariableSource for Map {
        fn lookup(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
    }

    fn vars() -> Map {
        Map(HashMap::from([
            ("A".to_string(), "alpha".to_string()),
            ("B".to_string(), "beta".to_string()),
        ]))
    }

    #[test]
    fn all_three_forms_substitute() {
        let v = vars();
        assert_eq!(substitute_str("{{A}}", &v, "f").unwrap(), "alpha");
        assert_eq!(
            substitute_str("{{ A }}/${B}", &v, "f").unwrap(),
            "alpha/beta"
        );
        assert_eq!(substitute_str("${C:-gamma}", &v, "f").unwrap(), "gamma");
        assert_eq!(substitute_str("${A:-gamma}", &v, "f").unwrap(), "alpha");
        assert_eq!(substitute_str("${C:-}", &v, "f").unwrap(), "");
        assert_eq!(
            substitute_str("plain $ { text", &v, "f").unwrap(),
            "plain $ { text"
        );
    }

    #[test]
    fn unresolved_names_variable_and_field() {
        let mut value = json!({"outer": {"list": ["ok", "{{MISSING}}"]}});
        let err = substitute(&mut value, &vars()).unwrap_err();
        assert_eq!(
            err,
            SubstituteError::Unresolved(Unresolved {
                variable: "MISSING".into(),
                field: "outer.list[1]".into()
            })
        );
    }

    #[test]
    fn malformed_references_are_errors() {
        assert!(matches!(
            substitute_str("{{A", &vars(), "f"),
            Err(SubstituteError::Malformed { .. })
        ));
        assert!(matches!(
            substitute_str("${}", &vars(), "f"),
            Err(SubstituteError::Malformed { .. })
        ));
    }

    #[test]
    fn layers_prefer_env_then_app_then_declared() {
        let env = EnvSource::fixed(HashMap::from([("X".into(), "env".into())]));
        let app = HashMap::from([
            ("X".to_string(), "app".to_string()),
            ("Y".to_string(), "app".to_string()),
        ]);
        let layers = Layers {
            env: &env,
            app_env_vars: &app,
            declared_defaults: vec![("X", "decl"), ("Y", "decl"), ("Z", "decl")],
            declared: vec!["X", "Y", "Z"],
        };
        assert_eq!(layers.lookup("X").as_deref(), Some("env"));
        assert_eq!(layers.lookup("Y").as_deref(), Some("app"));
        assert_eq!(layers.lookup("Z").as_deref(), Some("decl"));
        assert_eq!(layers.lookup("W"), None);
    }

    #[test]
    fn only_declared_or_host_chosen_names_may_be_referenced() {
        let mut env = EnvSource::process();
        env.set("HOST_SET", "h");
        env.allow_prefix("OSS_");
        let app = HashMap::from([("FROM_APP".to_string(), "a".to_string())]);
        let layers = Layers {
            env: &env,
            app_env_vars: &app,
            declared_defaults: vec![],
            declared: vec!["DECLARED"],
        };
        for allowed in ["HOST_SET", "OSS_BUCKET", "FROM_APP", "DECLARED"] {
            assert!(layers.may_reference(allowed), "{allowed}");
        }
        for refused in ["PATH", "DATABASE_PASSWORD", "OSS", "declared"] {
            assert!(!layers.may_reference(refused), "{refused}");
        }
        // Refused before any lookup, inline default or not.
        assert_eq!(
            substitute_str("x${PATH:-fallback}", &layers, "f"),
            Err(SubstituteError::Undeclared(Unresolved {
                variable: "PATH".into(),
                field: "f".into()
            }))
        );
        let shown = format!("{env:?}");
        assert!(
            shown.contains("HOST_SET") && !shown.contains("\"h\""),
            "{shown}"
        );
    }

    #[test]
    fn overrides_shadow_the_process_environment() {
        let mut env = EnvSource::process();
        assert_eq!(env.get("PATH"), std::env::var("PATH").ok());
        env.set("PATH", "overridden");
        assert_eq!(env.get("PATH").as_deref(), Some("overridden"));
        let fixed = EnvSource::fixed(HashMap::new());
        assert_eq!(fixed.get("PATH"), None);
    }
}
