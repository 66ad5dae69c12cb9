//! The oracle of official bodies: every resource body in Microsoft's `x-ms-examples`
//! (`tests/oracle/examples/`, copied verbatim from Azure/azure-rest-api-specs) is live state for
//! a case in `tests/oracle/cases/<case>/`, beside a spec written by hand to match it. The plan
//! must be clean (adopt actions only, with no property changes), and flipping one spec value
//! must change exactly that property. Bodies no case uses are listed in
//! `tests/oracle/skipped.txt` with the reason; a body neither used nor listed fails the test.
//!
//! `case.yaml` of a case:
//!
//! ```yaml
//! live:                       # the official bodies the case plans against
//!   - example: aks-2026-08-01-ManagedClustersGet.json
//!     response: "200"         # optional: which response (default: the first with a body)
//!     item: 0                 # lists only: which element of `value`
//! adopt: true                 # optional (default true): plan with --adopt
//! unexpressed:                # properties of the body the spec cannot write (README lists them)
//!   - path: properties.gpuInstanceProfile
//!     why: GPU partitioning is not in the spec; azplan leaves it as it is
//! flips:                      # each changes one spec value (a variable) and names the change
//!   - vars: {count: "5"}
//!     changes: ["cluster/c/nodepool1 properties.count"]
//!     action: update          # optional: the action of the changed resource
//! ```
//!
//! Resource groups the bodies live in are added (at the resource's location), and subscription
//! IDs that are not GUIDs (`subid1`, as many examples write them) become a fixed GUID, since a
//! spec's subscription must be one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::{Value, json};

mod common;
use common::{azplan, root, text};

const EXAMPLES: &str = "tests/oracle/examples";
const CASES: &str = "tests/oracle/cases";
const STAND_IN_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    live: Vec<LiveEntry>,
    #[serde(default = "yes")]
    adopt: bool,
    #[serde(default)]
    unexpressed: Vec<Unexpressed>,
    #[serde(default)]
    flips: Vec<Flip>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LiveEntry {
    example: String,
    response: Option<String>,
    item: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Unexpressed {
    path: String,
    why: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Flip {
    vars: BTreeMap<String, String>,
    changes: Vec<String>,
    action: Option<String>,
}

/// One resource body of one example: (file, response status, list index).
type BodyKey = (String, String, Option<usize>);

/// The example's responses with a resource body, in status order.
fn bodies_of(file: &str) -> Vec<(BodyKey, Value)> {
    let text = std::fs::read_to_string(root().join(EXAMPLES).join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"));
    let example: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut out = Vec::new();
    let Some(responses) = example["responses"].as_object() else {
        return out;
    };
    for (status, response) in responses {
        let body = &response["body"];
        match body.get("value").and_then(Value::as_array) {
            Some(items) => {
                for (i, item) in items.iter().enumerate() {
                    if item.get("id").is_some() {
                        out.push(((file.into(), status.clone(), Some(i)), item.clone()));
                    }
                }
            }
            None if body.get("id").is_some() => {
                out.push(((file.into(), status.clone(), None), body.clone()));
            }
            None => {}
        }
    }
    out
}

fn pick(entry: &LiveEntry) -> (BodyKey, Value) {
    let bodies = bodies_of(&entry.example);
    bodies
        .into_iter()
        .find(|((_, status, item), _)| {
            entry.response.as_ref().is_none_or(|r| r == status) && *item == entry.item
        })
        .unwrap_or_else(|| {
            panic!(
                "{}: no body for response {:?} item {:?}",
                entry.example, entry.response, entry.item
            )
        })
}

/// `/subscriptions/subid1/...` → the stand-in GUID, everywhere in the body.
fn stand_in_subscriptions(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Some(rest) = s
                .find("/subscriptions/")
                .map(|at| (at, &s[at + "/subscriptions/".len()..]))
            {
                let (at, after) = rest;
                let sub: String = after.chars().take_while(|c| *c != '/').collect();
                if uuid_like(&sub) {
                    return;
                }
                let tail = &after[sub.len()..];
                *s = format!("{}/subscriptions/{STAND_IN_SUBSCRIPTION}{tail}", &s[..at]);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(stand_in_subscriptions),
        Value::Object(map) => map.values_mut().for_each(stand_in_subscriptions),
        _ => {}
    }
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The case's live state: its bodies, plus the resource groups they live in.
fn live_state(case: &Case) -> (Vec<Value>, Vec<Value>) {
    let mut keys = Vec::new();
    let mut bodies: Vec<Value> = Vec::new();
    for entry in &case.live {
        let (_, mut body) = pick(entry);
        stand_in_subscriptions(&mut body);
        keys.push(body.clone());
        bodies.push(body);
    }
    let mut groups: BTreeMap<String, Value> = BTreeMap::new();
    for body in &bodies {
        let id = body["id"].as_str().unwrap_or_default();
        let parts: Vec<&str> = id.split('/').collect();
        let Some(at) = parts
            .iter()
            .position(|p| p.eq_ignore_ascii_case("resourceGroups"))
        else {
            continue;
        };
        if parts.len() <= at + 2 {
            continue; // the body is a resource group itself
        }
        let group_id = parts[..at + 2].join("/");
        let location = body["location"].as_str().unwrap_or("westus").to_string();
        groups
            .entry(group_id.to_ascii_lowercase())
            .or_insert(json!({
                "id": group_id,
                "name": parts[at + 1],
                "type": "Microsoft.Resources/resourceGroups",
                "location": location,
                "properties": {"provisioningState": "Succeeded"},
            }));
    }
    let present: BTreeSet<String> = bodies
        .iter()
        .filter_map(|b| b["id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    for (id, group) in groups {
        if !present.contains(&id) {
            bodies.push(group);
        }
    }
    (keys, bodies)
}

/// The property changes of a plan, as `address path`, leaving out the adopt tag.
fn property_changes(plan: &Value) -> (Vec<String>, BTreeMap<String, String>) {
    let mut changes = Vec::new();
    let mut actions = BTreeMap::new();
    for change in plan["changes"].as_array().unwrap() {
        let address = change["address"].as_str().unwrap_or_default();
        let action = change["action"].as_str().unwrap_or_default();
        // A body caught mid-operation (a 201 answer is still `Creating`) is waited for, which is
        // right and no change; a `Failed` one is repaired, which is a change.
        let in_flight = action == "wait"
            && change["state"]
                .as_str()
                .is_some_and(|s| !["Failed", "Canceled", "Cancelled"].contains(&s));
        if action != "no-op" && action != "read" && !in_flight {
            actions.insert(address.to_string(), action.to_string());
        }
        for p in change["changes"].as_array().into_iter().flatten() {
            let path = p["path"].as_str().unwrap_or_default();
            if action == "adopt" && path == "tags.azplan-stack" {
                continue;
            }
            // A role assignment's ownership mark is its description, written where it had none.
            let marks_owner = path == "properties.description"
                && p["before"].is_null()
                && p["after"].as_str().is_some_and(|a| {
                    // `azplan-stack:<stack> <address>` alone, with no description of its own.
                    a.starts_with("azplan-stack:") && a.split_whitespace().count() == 2
                });
            if action == "adopt" && marks_owner {
                continue;
            }
            // A policy assignment's is an entry of its metadata.
            if action == "adopt" && path == "properties.metadata.azplan-stack" {
                continue;
            }
            changes.push(format!("{address} {path}"));
        }
    }
    changes.sort();
    (changes, actions)
}

fn plan(
    case_dir: &Path,
    live: &Path,
    adopt: bool,
    vars: &BTreeMap<String, String>,
) -> Result<Value, String> {
    let stack = case_dir.join("stack.yaml");
    let stack = stack.strip_prefix(root()).unwrap().display().to_string();
    let live = live.display().to_string();
    let mut args = vec!["plan", &stack, "--live", &live, "--format", "json"];
    if adopt {
        args.push("--adopt");
    }
    let pairs: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for pair in &pairs {
        args.extend(["--var", pair]);
    }
    let out = azplan(&args);
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            text(&out.stderr)
        ));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("plan JSON: {e}"))
}

fn case_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join(CASES))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

/// `tests/oracle/skipped.txt`: `file [status [item]] -- reason` per line.
fn skipped() -> BTreeMap<BodyKey, String> {
    let path = root().join("tests/oracle/skipped.txt");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = BTreeMap::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let (what, why) = line
            .split_once(" -- ")
            .unwrap_or_else(|| panic!("skipped.txt: `{line}` needs ` -- reason`"));
        let mut words = what.split_whitespace();
        let file = words.next().unwrap().to_string();
        let status = words.next().map(str::to_string);
        let item = words.next().map(|i| i.parse().unwrap());
        for (key, _) in bodies_of(&file) {
            if status.as_ref().is_none_or(|s| *s == key.1) && (item.is_none() || item == key.2) {
                out.insert(key, why.trim().to_string());
            }
        }
    }
    out
}

#[test]
fn official_bodies_plan_clean_and_each_flip_changes_one_property() {
    let dirs = case_dirs();
    let scratch = std::env::temp_dir().join(format!("azplan-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut failures = Vec::new();
    // Bodies are covered by content: a 201 body equal to its 200, or a list entry equal to a
    // GET, is the same test.
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let (mut clean, mut flips, mut unexpressed) = (0, 0, BTreeSet::new());
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let case: Case = match std::fs::read_to_string(dir.join("case.yaml"))
            .map_err(|e| e.to_string())
            .and_then(|t| serde_yaml::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("{name}: case.yaml: {e}"));
                continue;
            }
        };
        let (keys, bodies) = live_state(&case);
        covered.extend(keys.iter().map(|b| b.to_string()));
        let live = scratch.join(format!("{name}.json"));
        std::fs::write(&live, serde_json::to_string_pretty(&bodies).unwrap()).unwrap();
        for u in &case.unexpressed {
            assert!(
                !u.why.trim().is_empty(),
                "{name}: say why {} cannot be written",
                u.path
            );
            if !readme.contains(&format!("`{}`", u.path)) {
                failures.push(format!(
                    "{name}: `{}` cannot be written in the spec, but README's limits do not say so",
                    u.path
                ));
            }
            unexpressed.insert(u.path.clone());
        }
        match plan(dir, &live, case.adopt, &BTreeMap::new()) {
            Err(e) => failures.push(format!("{name} (as written): {e}")),
            Ok(p) => {
                let (changes, actions) = property_changes(&p);
                let not_adopt: Vec<String> = actions
                    .iter()
                    .filter(|(_, a)| *a != "adopt")
                    .map(|(addr, a)| format!("{addr} {a}"))
                    .collect();
                if changes.is_empty() && not_adopt.is_empty() {
                    clean += 1;
                } else {
                    failures.push(format!(
                        "{name} (as written): not clean: actions {not_adopt:?}, changes {changes:?}"
                    ));
                }
            }
        }
        for flip in &case.flips {
            flips += 1;
            match plan(dir, &live, case.adopt, &flip.vars) {
                Err(e) => failures.push(format!("{name} {:?}: {e}", flip.vars)),
                Ok(p) => {
                    let (changes, actions) = property_changes(&p);
                    let mut expected = flip.changes.clone();
                    expected.sort();
                    if changes != expected {
                        failures.push(format!(
                            "{name} {:?}: changes {changes:?}, expected {expected:?}",
                            flip.vars
                        ));
                    }
                    if let Some(action) = &flip.action {
                        let address = expected
                            .first()
                            .and_then(|c| c.split_whitespace().next())
                            .unwrap_or_default();
                        if actions.get(address) != Some(action) {
                            failures.push(format!(
                                "{name} {:?}: {address} is {:?}, expected {action}",
                                flip.vars,
                                actions.get(address)
                            ));
                        }
                    }
                }
            }
        }
    }
    let skipped = skipped();
    // Every distinct official body: the first place it appears, and its content.
    let mut all: BTreeMap<String, BodyKey> = BTreeMap::new();
    let mut files: Vec<String> = std::fs::read_dir(root().join(EXAMPLES))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".json"))
        .collect();
    files.sort();
    for file in files {
        for (key, mut body) in bodies_of(&file) {
            stand_in_subscriptions(&mut body);
            all.entry(body.to_string()).or_insert(key);
        }
    }
    let skipped_content: BTreeSet<&String> = all
        .iter()
        .filter(|(_, key)| skipped.contains_key(*key))
        .map(|(content, _)| content)
        .collect();
    let missing: Vec<String> = all
        .iter()
        .filter(|(content, _)| !covered.contains(*content) && !skipped_content.contains(content))
        .map(|(_, (f, s, i))| format!("{f} {s}{}", i.map(|i| format!(" {i}")).unwrap_or_default()))
        .collect();
    println!(
        "oracle: {} cases, {clean} clean as written, {flips} flips; {} of {} distinct official bodies in a case, {} skipped with a reason; {} properties the spec cannot write",
        dirs.len(),
        all.keys().filter(|c| covered.contains(*c)).count(),
        all.len(),
        skipped_content.len(),
        unexpressed.len()
    );
    let _ = std::fs::remove_dir_all(&scratch);
    if !missing.is_empty() {
        failures.push(format!(
            "{} official bodies are in no case and not in tests/oracle/skipped.txt:\n  {}",
            missing.len(),
            missing.join("\n  ")
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
