//! The loader an [`App`] is opened with: from a declaration to a built element through
//! the Type [`Registry`] — the Type chain, the implementing factory, the merged config —
//! and the [`BuildContext`] handed to that factory. A builtin element (registered in
//! code, no folder) is built by its own factory, with no Type chain and no config file.

use std::sync::Arc;

use async_trait::async_trait;

use crate::app::{App, ElementLoader};
use crate::context::BuildContext;
use crate::declaration::Declaration;
use crate::element::Element;
use crate::error::{ElementError, ElementErrorKind, ElementResult};
use crate::registry::{BuiltinElement, Registry};
use crate::resolve::{implementation, merged_config, type_chain, ChainLink};
use crate::suggest::did_you_mean;

/// Loads elements with the factories of a [`Registry`].
pub(crate) struct RegistryLoader {
    registry: Registry,
}

impl RegistryLoader {
    pub(crate) fn new(registry: Registry) -> Self {
        Self { registry }
    }

    /// The Type chain of `decl`, with "did you mean" hints for an unknown Type.
    fn chain(&self, app: &App, decl: &Arc<Declaration>) -> ElementResult<Vec<ChainLink>> {
        let lookup = |name: &str| app.inner.catalog.declaration(name);
        // Only computed for an unknown Type.
        let hint = |name: &str| did_you_mean(name, app.type_names().iter().map(String::as_str));
        type_chain(decl, &lookup, &self.registry, &hint)
    }

    /// The factory of the builtin element `decl` and the context it builds with.
    fn builtin(
        &self,
        app: &App,
        decl: &Arc<Declaration>,
        loading: Vec<String>,
    ) -> ElementResult<(&BuiltinElement, BuildContext)> {
        let builtin = self
            .registry
            .builtin_elements
            .get(&decl.full_name)
            .ok_or_else(|| {
                ElementError::new(
                    ElementErrorKind::NotFound,
                    "no builtin element of this fullName is registered",
                )
                .with_element(&decl.full_name)
            })?;
        let ctx = BuildContext {
            declaration: decl.clone(),
            type_chain: vec![decl.full_name.clone(), decl.type_name.clone()],
            implementation: decl.full_name.clone(),
            config: serde_json::Value::Object(serde_json::Map::new()),
            config_file: decl.config_file(),
            app: app.clone(),
            loading,
        };
        Ok((builtin, ctx))
    }
}

#[async_trait]
impl ElementLoader for RegistryLoader {
    async fn load(
        &self,
        app: &App,
        full_name: &str,
        loading: Vec<String>,
    ) -> ElementResult<Arc<Element>> {
        let registry = &self.registry;
        let inner = &app.inner;
        let decl = app.declaration(full_name).map_err(|err| {
            if err.kind() == ElementErrorKind::NotFound
                && (registry.types.contains_key(full_name) || registry.metas.contains(full_name))
            {
                ElementError::new(
                    ElementErrorKind::NotInstantiable,
                    format!("{full_name} is a Meta or Type registered in code; declare an instance of it"),
                )
                .with_element(full_name)
            } else {
                err
            }
        })?;
        // Only the Meta test of `role_of`, which needs no other declaration.
        if app.is_meta(&decl) {
            return Err(ElementError::new(
                ElementErrorKind::NotInstantiable,
                "a Meta roots a family and cannot be instantiated",
            )
            .with_element(full_name)
            .with_file(&decl.file));
        }
        if decl.builtin {
            let (builtin, ctx) = self.builtin(app, &decl, loading)?;
            let (implementation, type_chain) = (ctx.implementation.clone(), ctx.type_chain.clone());
            let value = builtin
                .factory
                .build(ctx)
                .await
                .map_err(|e| e.with_element(full_name))?;
            return Ok(Arc::new(Element::new(
                decl,
                implementation,
                type_chain,
                value,
            )));
        }
        let chain = self.chain(app, &decl)?;
        let (implementing, factory) = implementation(&chain, registry).ok_or_else(|| {
            ElementError::new(
                ElementErrorKind::UnknownType,
                format!(
                    "no implementation is registered for any Type in {}",
                    chain
                        .iter()
                        .map(|l| l.full_name.as_str())
                        .collect::<Vec<_>>()
                        .join(" → ")
                ),
            )
            .with_element(full_name)
            .with_file(&decl.file)
            .with_field("type")
        })?;
        let implementation_name = implementing.full_name.clone();
        let config = merged_config(&decl, &chain, &inner.env, &inner.env_vars)?;
        let ctx = BuildContext {
            declaration: decl.clone(),
            type_chain: chain.iter().map(|l| l.full_name.clone()).collect(),
            implementation: implementation_name.clone(),
            config,
            config_file: decl.config_file(),
            app: app.clone(),
            loading,
        };
        let type_chain = ctx.type_chain.clone();
        let value = factory
            .build(ctx)
            .await
            .map_err(|e| e.with_element(full_name))?;
        Ok(Arc::new(Element::new(
            decl,
            implementation_name,
            type_chain,
            value,
        )))
    }

    fn check_type_chain(&self, app: &App, decl: &Arc<Declaration>) -> ElementResult<()> {
        self.chain(app, decl).map(|_| ())
    }

    async fn check_builtin(&self, app: &App, decl: &Arc<Declaration>) -> ElementResult<()> {
        let (builtin, ctx) = self.builtin(app, decl, vec![decl.full_name.clone()])?;
        builtin
            .factory
            .check(&ctx)
            .await
            .map_err(|e| e.with_element(&decl.full_name))
    }
}
