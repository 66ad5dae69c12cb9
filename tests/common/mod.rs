//! Helpers shared by the binary-driving test files: run `azplan` from the repository root
//! without colour at a fixed width, and snapshot into the top-level `snapshots/` folder.

use std::path::Path;
use std::process::{Command, Output};

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn azplan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_azplan"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .output()
        .expect("the azplan binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every test snapshots into `snapshots/`, named without the module prefix.
#[allow(dead_code)] // not every test binary snapshots
pub fn check(name: &str, value: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, value));
}
