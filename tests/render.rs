//! `azplan render`: the committed renders of the examples are current (this repository's own
//! config-review check), and `--check` fails with a diff on a changed spec until `--update`.

mod common;
use common::{azplan, text};

#[test]
fn every_example_render_is_current() {
    for example in [
        "minimal",
        "platform",
        "dev-prod",
        "shared-network",
        "hub-spoke",
        "key-vault",
        "monitoring",
        "egress",
        "storage",
        "gitops",
    ] {
        let dir = format!("examples/{example}/rendered");
        let out = azplan(&["render", &format!("examples/{example}"), "--check", &dir]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{dir} is stale: run `azplan render examples/{example} --update {dir}`\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}

#[test]
fn a_changed_spec_fails_the_check_with_a_diff_until_updated() {
    let dir = std::env::temp_dir().join(format!("azplan-render-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let dir_text = dir.to_str().unwrap();
    let stack = "examples/dev-prod";
    let written = azplan(&["render", stack, "--out", dir_text]);
    assert_eq!(written.status.code(), Some(0), "{}", text(&written.stderr));
    let same = azplan(&["render", stack, "--check", dir_text]);
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stderr));

    // The prod environment changes bodies: the check fails and shows what.
    let changed = azplan(&["render", stack, "--env", "prod", "--check", dir_text]);
    assert_eq!(changed.status.code(), Some(1));
    let diff = text(&changed.stdout);
    assert!(diff.contains("--- a/") && diff.contains("+++ b/"), "{diff}");
    assert!(
        diff.lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")),
        "{diff}"
    );
    assert!(
        text(&changed.stderr).contains("--update"),
        "{}",
        text(&changed.stderr)
    );

    let updated = azplan(&["render", stack, "--env", "prod", "--update", dir_text]);
    assert_eq!(updated.status.code(), Some(0));
    let again = azplan(&["render", stack, "--env", "prod", "--check", dir_text]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stdout));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn renders_are_deterministic_and_mark_what_apply_fills_in() {
    let first = azplan(&["render", "examples/platform"]);
    let second = azplan(&["render", "examples/platform"]);
    assert_eq!(first.stdout, second.stdout);
    let shown = text(&first.stdout);
    assert!(
        shown.contains("(known after apply)"),
        "principal IDs come later"
    );
    assert!(
        shown.contains("\"request\": \"PUT /subscriptions/"),
        "{shown}"
    );
}

#[test]
fn zones_written_as_arm_strings_render_the_same_requests() {
    // ARM, Bicep and Terraform write zones as strings ("1"); azplan takes both forms.
    let dir = std::env::temp_dir().join(format!("azplan-zones-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rewritten = 0;
    for entry in std::fs::read_dir(common::root().join("examples/platform")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let spec = std::fs::read_to_string(&path).unwrap();
            assert!(
                !spec.contains("[\"1\""),
                "the example already writes strings"
            );
            let strings = spec.replace("zones: [1, 2, 3]", "zones: [\"1\", \"2\", \"3\"]");
            rewritten += usize::from(strings != spec);
            std::fs::write(dir.join(path.file_name().unwrap()), strings).unwrap();
        }
    }
    assert!(
        rewritten > 0,
        "the example writes no `zones: [1, 2, 3]` any more"
    );
    let out = azplan(&[
        "render",
        dir.to_str().unwrap(),
        "--check",
        "examples/platform/rendered",
    ]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
