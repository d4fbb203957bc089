//! [`App::check`]: every problem of an app at once — broken declarations, broken Type
//! chains, the error of loading each declared Instance, and what the factory of each
//! builtin element finds — instead of one at a time as elements are asked for.

use crate::app::App;
use crate::declaration::ElementRole;
use crate::error::ElementError;

impl App {
    /// Reports every problem of the app at once, sorted by fullName (an element may have
    /// more than one); an empty list means every declared Instance loads.
    ///
    /// - the declarations that could not be read ([`App::problems`]);
    /// - each declared Type whose `type` links loop or lead to an unknown Type;
    /// - each declared Instance that fails to load — unknown Types, type and load cycles,
    ///   bad config, unresolved variables, factory errors — with the error
    ///   [`App::get_element`] returns. When the failure is in another element the Instance
    ///   loads (a wrapper's inner element), the report names the Instance and says
    ///   `via <that element>`, keeping the file, field and kind, with the original error
    ///   as its source.
    ///
    /// Metas and Types are not loaded, so they are never reported as not instantiable.
    /// The loads are real: Instances that load are built and cached, as on first use.
    /// Builtin elements (registered in code, no folder) are not loaded — that may have
    /// side effects, such as opening a database — their factory's
    /// [`check`](crate::ElementFactory::check) runs instead; one overridden by a folder
    /// is an ordinary Instance.
    pub async fn check(&self) -> Vec<ElementError> {
        let mut report = self.problems();
        for decl in self.declarations() {
            match self.role_of(&decl) {
                ElementRole::Meta => {}
                ElementRole::Type => {
                    if let Err(err) = self.inner.loader.check_type_chain(self, &decl) {
                        report.push(err.with_element(&decl.full_name));
                    }
                }
                ElementRole::Instance if decl.builtin => {
                    if let Err(err) = self.inner.loader.check_builtin(self, &decl).await {
                        report.push(attribute_to(&decl.full_name, err));
                    }
                }
                ElementRole::Instance => {
                    if let Err(err) = self.get_element(&decl.full_name).await {
                        report.push(attribute_to(&decl.full_name, err));
                    }
                }
            }
        }
        report.sort_by(|a, b| a.full_name().cmp(&b.full_name()));
        report
    }
}

/// `err` as a problem of `full_name`: unchanged when it already names that element,
/// otherwise restated as `via <the element it names>: …`.
fn attribute_to(full_name: &str, err: ElementError) -> ElementError {
    let Some(other) = err.full_name().filter(|n| *n != full_name) else {
        return err.with_element(full_name);
    };
    let mut restated = ElementError::new(err.kind(), format!("via {other}: {}", err.message()))
        .with_element(full_name);
    if let Some(file) = err.file() {
        restated = restated.with_file(file);
    }
    if let Some(field) = err.field() {
        restated = restated.with_field(field);
    }
    restated.with_source(err)
}
