//! ARCHITECTURE.md's invariants, checked on the source: where ARM types and api-versions may be
//! written, who may print, which stages stay pure, and which way imports run. A failure names
//! the file and line that broke the rule.

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `src/`, relative to the root, with its lines before any
/// `#[cfg(test)]` module (test code may use literals freely).
fn sources() -> Vec<(String, Vec<String>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root().join("src"), &mut files);
    files.sort();
    assert!(files.len() > 40, "src/ moved?");
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let lines: Vec<String> = text
                .lines()
                .take_while(|l| !l.starts_with("#[cfg(test)]"))
                .map(str::to_string)
                .collect();
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            (name, lines)
        })
        .collect()
}

fn planner() -> Vec<(String, Vec<String>)> {
    sources()
        .into_iter()
        .filter(|(name, _)| !name.starts_with("src/emulator/"))
        .collect()
}

/// String literals on a line (without escapes: enough for this code base).
fn literals(line: &str) -> Vec<&str> {
    let code = line.split("//").next().unwrap_or("");
    code.split('"').skip(1).step_by(2).collect()
}

fn is_arm_type(literal: &str) -> bool {
    let mut parts = literal.split('/');
    let namespace = parts.next().unwrap_or("");
    namespace.starts_with("Microsoft.")
        && namespace.len() > "Microsoft.".len()
        && parts
            .next()
            .is_some_and(|t| !t.is_empty() && !t.contains(' '))
        && !literal.contains(' ')
}

fn is_api_version(literal: &str) -> bool {
    let date = literal.strip_suffix("-preview").unwrap_or(literal);
    date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[test]
fn arm_types_and_api_versions_are_written_only_in_the_kind_table_and_kinds() {
    let mut found = Vec::new();
    for (name, lines) in planner() {
        if name == "src/kind.rs" || name.starts_with("src/kinds/") {
            continue;
        }
        for (n, line) in lines.iter().enumerate() {
            for literal in literals(line) {
                if is_arm_type(literal) || is_api_version(literal) {
                    found.push(format!("{name}:{}: \"{literal}\"", n + 1));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "ARM types and api-versions belong in src/kind.rs:\n{}",
        found.join("\n")
    );
}

#[test]
fn only_the_cli_prints() {
    let mut found = Vec::new();
    for (name, lines) in planner() {
        if name.starts_with("src/cli/") {
            continue;
        }
        for (n, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for printing in [
                "println!",
                "eprintln!",
                "print!(",
                "eprint!(",
                "io::stdout()",
                "io::stderr()",
            ] {
                if code.contains(printing) {
                    found.push(format!("{name}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "stages return values; src/cli/ prints them:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_stages_up_to_the_plan_do_no_io() {
    let pure = [
        "src/kind.rs",
        "src/kinds/",
        "src/model.rs",
        "src/build.rs",
        "src/graph.rs",
        "src/plan/",
        "src/id.rs",
        "src/reference.rs",
        "src/names.rs",
        "src/net.rs",
        "src/roles.rs",
        "src/vars.rs",
        "src/de.rs",
        "src/acknowledge.rs",
        "src/salvage.rs",
        "src/yaml.rs",
        "src/spec.rs",
        "src/diag.rs",
    ];
    let io = [
        "std::fs",
        "std::env",
        "std::net::TcpStream",
        "tokio::",
        "reqwest",
        "azure_core",
        "Instant::now",
        "SystemTime::now",
        "std::process",
    ];
    let mut found = Vec::new();
    for (name, lines) in planner() {
        if !pure
            .iter()
            .any(|p| name == *p || (p.ends_with('/') && name.starts_with(p)))
        {
            continue;
        }
        for (n, line) in lines.iter().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in io {
                if code.contains(word) {
                    found.push(format!("{name}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "spec → model → graph → plan is pure (no files, network, clock or environment):\n{}",
        found.join("\n")
    );
}

#[test]
fn imports_run_one_way() {
    // (files, crate modules they must never import): the layers of ARCHITECTURE.md.
    let rules: &[(&str, &[&str])] = &[
        (
            "src/kind.rs",
            &[
                "kinds", "model", "build", "plan", "apply", "arm", "cli", "live",
            ],
        ),
        (
            "src/model.rs",
            &["kinds", "build", "plan", "apply", "arm", "cli", "live"],
        ),
        (
            "src/build.rs",
            &["kinds", "plan", "apply", "arm", "cli", "load", "live"],
        ),
        (
            "src/kinds/",
            &["plan", "apply", "arm", "cli", "connect", "outputs"],
        ),
        ("src/graph.rs", &["plan", "apply", "arm", "cli", "kinds"]),
        ("src/plan/", &["apply", "arm", "cli", "connect"]),
        (
            "src/live.rs",
            &["plan", "apply", "arm", "cli", "load", "kinds"],
        ),
        ("src/arm/", &["apply", "cli", "plan"]),
        ("src/apply/", &["cli"]),
    ];
    let mut found = Vec::new();
    for (name, lines) in planner() {
        for (files, forbidden) in rules {
            let applies = name == *files || (files.ends_with('/') && name.starts_with(files));
            if !applies {
                continue;
            }
            for (n, line) in lines.iter().enumerate() {
                for module in *forbidden {
                    if line.contains(&format!("crate::{module}::"))
                        || line.contains(&format!("crate::{module};"))
                        || line.contains(&format!("crate::{{{module}"))
                    {
                        found.push(format!("{name}:{}: {}", n + 1, line.trim()));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "an import runs against the layers:\n{}",
        found.join("\n")
    );
}
