//! The CI examples under examples/ci are well-formed workflows, and every azplan command in them
//! is one the binary accepts (subcommand and flags), so they cannot rot as the CLI changes.
//! (actionlint checks GitHub's own rules in `.ci/run`.)

use std::path::{Path, PathBuf};

use serde_yaml::Value;

mod common;
use common::{azplan, root, text};

fn workflows() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["examples/ci/github-actions", "examples/ci/azure-devops"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|x| x == "yml") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 3, "the workflow examples moved?");
    files
}

fn scripts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                if matches!(k.as_str(), Some("run" | "inlineScript" | "script"))
                    && let Some(s) = v.as_str()
                {
                    out.push(s.to_string());
                }
                scripts(v, out);
            }
        }
        Value::Sequence(items) => items.iter().for_each(|i| scripts(i, out)),
        _ => {}
    }
}

fn check_github_workflow(path: &Path, doc: &Value) {
    let name = path.display();
    assert!(doc.get("on").is_some(), "{name}: no `on`");
    let jobs = doc.get("jobs").and_then(Value::as_mapping).expect("jobs");
    for (job, body) in jobs {
        assert!(
            body.get("runs-on").is_some(),
            "{name}: job {job:?} has no runs-on"
        );
        let steps = body
            .get("steps")
            .and_then(Value::as_sequence)
            .unwrap_or_else(|| panic!("{name}: job {job:?} has no steps"));
        for step in steps {
            let uses = step.get("uses").is_some();
            let run = step.get("run").is_some();
            assert!(
                uses ^ run,
                "{name}: a step needs exactly one of uses/run: {step:?}"
            );
        }
    }
}

#[test]
fn ci_examples_are_well_formed_and_use_real_azplan_commands() {
    for path in workflows() {
        let source = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            source.matches("${{").count(),
            source.matches("}}").count(),
            "{}: unbalanced expressions",
            path.display()
        );
        let doc: Value =
            serde_yaml::from_str(&source).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if path.to_string_lossy().contains("github-actions") {
            check_github_workflow(&path, &doc);
        }
        let mut all = Vec::new();
        scripts(&doc, &mut all);
        let commands: Vec<String> = all
            .iter()
            .flat_map(|s| s.lines())
            .map(str::trim)
            .filter(|l| l.starts_with("azplan "))
            .map(str::to_string)
            .collect();
        assert!(
            !commands.is_empty(),
            "{}: no azplan command",
            path.display()
        );
        for command in commands {
            let words: Vec<&str> = command.split_whitespace().collect();
            let help = azplan(&[words[1], "--help"]);
            assert_eq!(
                help.status.code(),
                Some(0),
                "{}: `{}` is not an azplan command",
                path.display(),
                words[1]
            );
            let help = text(&help.stdout);
            for flag in words.iter().filter(|w| w.starts_with("--")) {
                assert!(
                    help.contains(flag),
                    "{}: `{command}` uses {flag}, which `azplan {} --help` does not list",
                    path.display(),
                    words[1]
                );
            }
        }
    }
}
