//! The app's default storage name: `settings.defaultElement.defaultStorage` (JitAi's
//! key) first, then `settings.defaultStorage`, then `storages.Default`.

use jit_element::App;
use jit_storage::{StorageAppExt, DEFAULT_STORAGE};

fn name_with(settings: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let app_json = format!(r#"{{ "name": "t", "settings": {settings} }}"#);
    std::fs::write(dir.path().join("app.json"), app_json).unwrap();
    let app = App::builder(dir.path()).open().unwrap();
    app.default_storage_name()
}

#[test]
fn jitai_key_first_then_the_older_key_then_storages_default() {
    let both = r#"{ "defaultElement": { "defaultStorage": "storages.Jit" },
                    "defaultStorage": "storages.Old" }"#;
    assert_eq!(name_with(both), "storages.Jit");
    assert_eq!(
        name_with(r#"{ "defaultStorage": "storages.Old" }"#),
        "storages.Old"
    );
    let other_default = r#"{ "defaultElement": { "defaultModel": "models.X" },
                             "defaultStorage": "storages.Old" }"#;
    assert_eq!(name_with(other_default), "storages.Old");
    assert_eq!(name_with("{}"), DEFAULT_STORAGE);
}
