//! Helpers for unit tests: insta snapshots live in the top-level `snapshots/` folder.

/// insta settings that store snapshots in `<crate>/snapshots/`, grouped by module path.
#[allow(dead_code)] // used by snapshot tests as they are added
pub fn snapshot_settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"));
    settings.set_prepend_module_to_snapshot(true);
    settings
}

/// `assert_snap!(name, value)`: an insta debug snapshot stored in `snapshots/`.
#[macro_export]
#[doc(hidden)]
macro_rules! assert_snap {
    ($name:expr, $value:expr) => {
        $crate::test_support::snapshot_settings().bind(|| insta::assert_snapshot!($name, $value))
    };
}
