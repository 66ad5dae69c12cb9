//! Integration tests: the real `azplan` binary over the examples and the spec-case folders,
//! with insta snapshots in the top-level `snapshots/` folder.

use std::path::{Path, PathBuf};
mod common;
use common::{azplan, check, root, text};

fn entries(dir: &str) -> Vec<PathBuf> {
    let root = root().join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "yaml"))
        // examples/ci holds CI workflows, not stacks (tests/workflows.rs checks them).
        .filter(|p| !p.ends_with("examples/ci"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{dir} has no cases");
    paths
}

fn relative(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .display()
        .to_string()
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_example_validates_cleanly_and_its_graph_is_stable() {
    for example in entries("examples") {
        let path = relative(&example);
        let validated = azplan(&["validate", &path]);
        assert_eq!(
            validated.status.code(),
            Some(0),
            "{path}: {}",
            text(&validated.stderr)
        );
        assert!(
            validated.stderr.is_empty(),
            "{path} should have no warnings:\n{}",
            text(&validated.stderr)
        );
        let graph = azplan(&["graph", &path]);
        assert_eq!(
            graph.status.code(),
            Some(0),
            "{path}: {}",
            text(&graph.stderr)
        );
        check(&format!("graph-{}", stem(&example)), &text(&graph.stdout));
    }
}

#[test]
fn graph_renders_as_dot_and_mermaid() {
    for format in ["dot", "mermaid"] {
        let out = azplan(&["graph", "examples/platform", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        check(&format!("graph-platform-{format}"), &text(&out.stdout));
    }
}

#[test]
fn environments_values_files_and_vars_change_the_stack() {
    let prod = azplan(&[
        "validate",
        "examples/dev-prod",
        "--env",
        "prod",
        "--format",
        "json",
    ]);
    assert_eq!(prod.status.code(), Some(0), "{}", text(&prod.stderr));
    check("validate-dev-prod-prod-json", &text(&prod.stdout));

    let values = azplan(&[
        "validate",
        "examples/dev-prod",
        "--env",
        "prod",
        "--values",
        "examples/dev-prod/load-test.values.yaml",
        "--var",
        "appsMax=2",
    ]);
    assert_eq!(
        values.status.code(),
        Some(1),
        "appsMax=2 is below the prod minimum of 3"
    );
    check("validate-dev-prod-var-override", &text(&values.stderr));

    let unknown = azplan(&["validate", "examples/dev-prod", "--env", "staging"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(text(&unknown.stderr).contains("unknown environment `staging`"));
}

#[test]
fn invalid_specs_fail_with_every_error_at_its_place() {
    for case in entries("tests/invalid") {
        let path = relative(&case);
        let out = azplan(&["validate", &path]);
        assert_eq!(out.status.code(), Some(1), "{path} should be invalid");
        let stderr = text(&out.stderr);
        assert!(
            stderr.contains(&format!("[{path}:")),
            "{path}: no file:line:column in\n{stderr}"
        );
        assert!(
            stderr.contains("help:"),
            "{path}: no help line in\n{stderr}"
        );
        check(&format!("invalid-{}", stem(&case)), &stderr);
    }
}

#[test]
fn warnings_print_but_do_not_fail() {
    for case in entries("tests/warnings") {
        let path = relative(&case);
        let out = azplan(&["validate", &path]);
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{path} should only warn:\n{stderr}"
        );
        assert!(stderr.contains("⚠"), "{path} printed no warning:\n{stderr}");
        check(&format!("warning-{}", stem(&case)), &stderr);
    }
}

#[test]
fn json_diagnostics_locate_every_problem() {
    let out = azplan(&[
        "validate",
        "tests/invalid/many-errors.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(value["valid"], false);
    let diagnostics = value["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics.len() >= 4,
        "many-errors.yaml should report several errors"
    );
    for d in diagnostics {
        assert!(d["location"]["line"].as_u64().is_some(), "{d}");
        assert!(d["code"].as_str().unwrap().starts_with("azplan::"));
    }
}

#[test]
fn committed_schema_is_current() {
    let out = azplan(&["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string(root().join("schemas/azplan.schema.json")).unwrap();
    assert!(
        text(&out.stdout) == committed,
        "schemas/azplan.schema.json is stale: run `cargo run -- schema > schemas/azplan.schema.json`"
    );
}

#[test]
fn examples_carry_the_schema_modeline() {
    for example in entries("examples") {
        let files: Vec<PathBuf> = if example.is_dir() {
            std::fs::read_dir(&example)
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect()
        } else {
            vec![example]
        };
        // The spec files (a rendered/ folder of JSON sits beside them).
        for file in files.iter().filter(|f| {
            f.extension().is_some_and(|x| x == "yaml")
                && !f.to_string_lossy().ends_with(".values.yaml")
        }) {
            let first = std::fs::read_to_string(file).unwrap();
            assert!(
                first
                    .lines()
                    .next()
                    .unwrap_or("")
                    .starts_with("# yaml-language-server: $schema="),
                "{} lacks the modeline",
                file.display()
            );
        }
    }
}

#[test]
fn help_shows_examples_and_bad_usage_exits_2() {
    for args in [
        &["--help"][..],
        &["validate", "--help"],
        &["graph", "--help"],
        &["schema", "--help"],
    ] {
        let out = azplan(args);
        assert_eq!(out.status.code(), Some(0));
        assert!(
            text(&out.stdout).contains("Examples:"),
            "{args:?} help has no example"
        );
    }
    assert_eq!(azplan(&["validate"]).status.code(), Some(2));
    assert_eq!(
        azplan(&["graph", "examples/platform", "--format", "svg"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn a_missing_stack_is_a_clear_error() {
    let out = azplan(&["validate", "no/such/stack"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("cannot read stack `no/such/stack`"));
}

mod loader_never_panics {
    use azplan::check::check_str;
    use azplan::load::LoadOptions;
    use proptest::prelude::*;

    /// Fragments of real specs, so random documents get deep into validation, not just the parser.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("stack: s\n".to_string()),
            Just("subscription: 00000000-0000-0000-0000-000000000000\n".to_string()),
            Just("location: westeurope\nresourceGroup: rg\nresourceGroups: {rg: {}}\n".to_string()),
            Just("vnets:\n  v:\n    addressSpace: [10.0.0.0/8]\n    subnets: {a: {prefix: 10.1.0.0/16}, b: {prefix: 10.1.0.0/24, delegation: Microsoft.ContainerInstance/containerGroups}}\n".to_string()),
            Just("clusters:\n  c:\n    oidcIssuer: true\n    network: {subnet: vnet/v/a}\n    virtualNodes: {subnet: vnet/v/b}\n    nodePools: {system: {mode: System, vmSize: x, count: 1}}\n".to_string()),
            Just("identities:\n  i:\n    federatedCredentials: {f: {cluster: cluster/c, namespace: n, serviceAccount: s}}\n".to_string()),
            Just("roleAssignments:\n  r: {role: AcrPull, scope: registry/x, principal: cluster/c:kubelet, dependsOn: [cluster/c]}\n".to_string()),
            Just("variables: {n: {default: 3}, m: {default: '${var.n}'}, me: {default: '${var.me}'}}\nenvironments: {prod: {n: 5}}\n".to_string()),
            Just("workspaces:\n  w: {retentionDays: '${var.n}', dailyQuotaGb: '${var.m}'}\n".to_string()),
            Just("defaults: &pool {vmSize: x, count: 1}\n".to_string()),
            Just("clusters:\n  d:\n    nodePools:\n      system: {<<: *pool, mode: System}\n      apps: *pool\n".to_string()),
            Just("registries:\n  acr00001: {sku: Basic, raw: {a: .nan, b: 1e999, c: 99999999999999999999999}}\n".to_string()),
            Just("a: &a [x, x, x, x]\nb: &b [*a, *a, *a, *a]\nc: [*b, *b, *b, *b, *missing]\n".to_string()),
            "[ -~\n]{0,60}".prop_map(|s| s),
        ]
    }

    /// Values files: declared, undeclared and aliased variables.
    fn values_fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("n: 4\n".to_string()),
            Just("undeclared: 1\n".to_string()),
            Just("x: &x {a: 1}\nm: *x\n".to_string()),
            Just("- not a mapping\n".to_string()),
            "[ -~\n]{0,40}".prop_map(|s| s),
        ]
    }

    /// Loads a stack directory with values files and renders every diagnostic both ways, as
    /// the CLI does: a span into any file (values files and `--var` included) must render.
    fn load_and_render(spec: &str, values: &[String], vars: &[String]) {
        static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let case = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("azplan-prop-{}-{case}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("stack.yaml"), spec).unwrap();
        let mut files = Vec::new();
        for (i, text) in values.iter().enumerate() {
            let path = dir.join(format!("v{i}.values.yaml"));
            std::fs::write(&path, text).unwrap();
            files.push(path);
        }
        let options = LoadOptions {
            environment: Some("prod".into()),
            values_files: files,
            vars: vars.to_vec(),
        };
        let checked = azplan::check::check(&dir, &options);
        let _ = azplan::render::human(&checked.diagnostics, false, 100);
        let _ = azplan::render::json(&checked.diagnostics, &checked.sources);
        let _ = std::fs::remove_dir_all(&dir);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn on_arbitrary_text(text in "\\PC{0,200}") {
            let _ = check_str("fuzz.yaml", &text, &LoadOptions::default());
        }

        #[test]
        fn on_mixed_spec_fragments(parts in prop::collection::vec(fragment(), 0..8), cut in 0usize..400) {
            let text: String = parts.concat();
            let cut = text.char_indices().map(|(i, _)| i).find(|i| *i >= cut).unwrap_or(text.len());
            let _ = check_str("fuzz.yaml", &text, &LoadOptions::default());
            let _ = check_str("fuzz.yaml", &text[..cut], &LoadOptions::default());
        }

        #[test]
        fn on_stacks_with_values_files_and_vars(
            parts in prop::collection::vec(fragment(), 0..8),
            values in prop::collection::vec(values_fragment(), 0..3),
            vars in prop::collection::vec("(n|m|zz)=[ -~]{0,8}", 0..3),
        ) {
            load_and_render(&parts.concat(), &values, &vars);
        }
    }
}

#[test]
fn an_arm_id_inside_a_declared_group_waits_for_that_group() {
    // A role assignment scoped by ARM ID to a group the stack creates (the ID's group name in
    // another case) must not be written before the group exists.
    let dir = std::env::temp_dir().join(format!("azplan-cli-ids-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("stack.yaml"),
        "stack: ids\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\n\
         resourceGroup: app\nresourceGroups:\n  app:\n    name: rg-app\nidentities:\n  reader: {}\n\
         roleAssignments:\n  by-id:\n    role: Reader\n    scope: /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/RG-APP\n    principal: identity/reader\n",
    )
    .unwrap();
    let graph = azplan(&["graph", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(graph.status.code(), Some(0), "{}", text(&graph.stderr));
    assert!(
        text(&graph.stdout).contains("roleAssignment/by-id <- rg/app, identity/reader"),
        "{}",
        text(&graph.stdout)
    );
}

#[test]
fn a_directory_stack_reads_only_its_own_yaml_files() {
    let dir = std::env::temp_dir().join(format!("azplan-cli-own-files-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("old")).unwrap();
    std::fs::write(
        dir.join("stack.yaml"),
        "stack: own\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\n\
         resourceGroup: app\nresourceGroups:\n  app: {}\n",
    )
    .unwrap();
    // `*.yml` beside it is part of the stack; a subdirectory (an old copy, another stack) is not:
    // read, it would declare `app` twice and an invalid registry.
    std::fs::write(dir.join("more.yml"), "workspaces:\n  logs: {}\n").unwrap();
    std::fs::write(
        dir.join("old").join("stack.yaml"),
        "resourceGroups:\n  app: {}\nregistries:\n  x: {}\n",
    )
    .unwrap();
    let out = azplan(&["validate", dir.to_str().unwrap()]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("is valid: 2 resources"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn acknowledged_warnings_are_counted_not_printed() {
    let dir = std::env::temp_dir().join(format!("azplan-cli-ack-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("stack.yaml"),
        "stack: ack\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\n\
         resourceGroup: rg\nresourceGroups:\n  rg: {}\nclusters:\n  aks:\n    acknowledge:\n\
         \x20     - {warning: public-api-server, reason: behind the corporate proxy}\n\
         \x20   nodePools:\n      system: {mode: System, vmSize: Standard_D2ds_v5, count: 1}\n",
    )
    .unwrap();
    let stack = dir.to_str().unwrap();
    let human = azplan(&["validate", stack]);
    let json = azplan(&["validate", stack, "--format", "json"]);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(human.status.code(), Some(0), "{}", text(&human.stderr));
    assert!(human.stderr.is_empty(), "{}", text(&human.stderr));
    assert!(
        text(&human.stdout).contains("(0 errors, 0 warnings, 1 acknowledged)"),
        "{}",
        text(&human.stdout)
    );
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["warnings"], 0);
    let acknowledged = value["acknowledged"].as_array().unwrap();
    assert_eq!(acknowledged.len(), 1, "{value}");
    assert_eq!(acknowledged[0]["code"], "azplan::warn::public-api-server");
    assert_eq!(acknowledged[0]["reason"], "behind the corporate proxy");
}

/// Two outbound addresses whose target names end alike each get their own derived grant (the
/// second's name carries a hash of its target), and the cluster waits for both; before, the
/// second was reported as "derived but also declared" about an entry that did not exist.
#[test]
fn derived_grants_to_targets_of_the_same_name_are_kept_apart() {
    let out = azplan(&["graph", "tests/fixtures/derived-grant-names.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let graph = text(&out.stdout);
    let grants: Vec<&str> = graph
        .lines()
        .filter(|l| l.starts_with("roleAssignment/aks-network-egress"))
        .collect();
    assert_eq!(grants.len(), 2, "{graph}");
    let cluster = graph
        .lines()
        .find(|l| l.starts_with("cluster/aks <-"))
        .expect("the cluster's line");
    for grant in grants {
        let address = grant.split_whitespace().next().unwrap();
        assert!(
            cluster.contains(&format!("{address},")) || cluster.ends_with(address),
            "the cluster does not wait for {address}: {cluster}"
        );
    }
}
