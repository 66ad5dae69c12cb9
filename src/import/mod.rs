//! `azplan import`: a spec written from what exists in Azure. Pure, like the planner: a
//! function of live state (read by `read` or given as a file) and a selection. Each kind's
//! entry is the inverse of the body its `kinds/` module renders; the result is then planned
//! against the same live state, and every property the plan would still change goes into the
//! resource's `raw:` with a comment, until the plan is clean (or nothing more can be done).

mod cluster;
mod importer;
mod marks;
mod names;
pub mod read;
mod select;
mod spec;
mod unmodelled;
mod yaml_out;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use importer::Importer;
pub use select::Selection;
use spec::SpecEntry;
use yaml_out::{Map, Y};

use crate::kind::Kind;
use crate::kinds::{OWNER_PREFIX, OWNER_TAG};
use crate::live::LiveState;
use crate::plan::{Action, PlanOptions};

/// How to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The stack name; by default the `azplan-stack` tag most resources carry.
    pub stack: Option<String>,
}

/// The written spec and what the importer has to say about it.
#[derive(Debug, Clone)]
pub struct Imported {
    pub yaml: String,
    pub stack: String,
    /// Resources written (children and folded role assignments included).
    pub resources: usize,
    /// Resources of types azplan does not model: (ID, type).
    pub unsupported: Vec<(String, String)>,
    /// What still does not round-trip: `address path` property changes, and spec errors.
    pub unresolved: Vec<String>,
    /// Things worth knowing (deletes a plan would make, plan errors).
    pub notes: Vec<String>,
    /// Properties written to `raw:`, as `address path`.
    pub raw: Vec<String>,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    #[error("nothing to import: {what}")]
    #[diagnostic(
        code(azplan::import::nothing),
        help(
            "check the resource group names, IDs or tag (`az group list`, `az resource list --tag K=V`)"
        )
    )]
    Nothing { what: String },
}

/// Most rounds of moving plan changes into `raw:`: each round fixes every change it sees, and
/// a second only catches values that appear once the first ones are in.
const ROUNDS: usize = 4;

/// Writes a spec for the selected live resources.
pub fn import(
    live: &LiveState,
    selection: &Selection,
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let selected = select::select(live, selection);
    let missing: Vec<&str> = selection
        .groups
        .iter()
        .filter(|g| select::group_id(live, g).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::Nothing {
            what: format!("no resource group named `{}`", missing.join("`, `")),
        });
    }
    if selected.found.is_empty() {
        let what = if selected.unsupported.is_empty() {
            "no resource matches the selection".to_string()
        } else {
            format!(
                "only resources of types azplan does not model match ({})",
                selected.unsupported.len()
            )
        };
        return Err(ImportError::Nothing { what });
    }
    let stack = options
        .stack
        .clone()
        .unwrap_or_else(|| stack_name(&selected.found, selection));
    // Another stack's resources stay that stack's: a plan of this one could never take them.
    let mut found = selected.found;
    let others: Vec<(String, String)> = found
        .values()
        .filter_map(|f| owner(f).filter(|o| *o != stack).map(|o| (f.id.clone(), o)))
        .collect();
    for (id, _) in &others {
        let lower = id.to_ascii_lowercase();
        found.retain(|k, _| *k != lower && !k.starts_with(&format!("{lower}/")));
    }
    // A stack deploys into one subscription: resources of another are left out (role
    // assignments name their scope by ID, so those held by imported identities stay).
    let subscription_of =
        |id: &str| crate::id::ResourceId::parse(id).map(|i| i.subscription().to_ascii_lowercase());
    let main = found
        .values()
        .find(|f| f.kind != Kind::RoleAssignment)
        .and_then(|f| subscription_of(&f.id));
    let elsewhere: Vec<String> = found
        .values()
        .filter(|f| f.kind != Kind::RoleAssignment && subscription_of(&f.id) != main)
        .map(|f| f.id.clone())
        .collect();
    found.retain(|_, f| f.kind == Kind::RoleAssignment || subscription_of(&f.id) == main);
    let mut early_notes = Vec::new();
    if !elsewhere.is_empty() {
        early_notes.push(format!(
            "a stack deploys into one subscription; left out, import them separately:\n    {}",
            elsewhere.join("\n    ")
        ));
    }
    if !others.is_empty() {
        let listed: Vec<String> = others
            .iter()
            .map(|(id, o)| format!("{id} (stack `{o}`)"))
            .collect();
        early_notes.push(format!(
            "{} resources owned by other stacks were left out:\n    {}",
            others.len(),
            listed.join("\n    ")
        ));
    }
    if found.is_empty() {
        return Err(ImportError::Nothing {
            what: format!("every resource that matches is owned by another stack than `{stack}`"),
        });
    }
    let mut importer = Importer::new(live, &found, stack.clone());
    importer.notes.extend(early_notes);
    let entries = importer.entries();
    let mut doc = Doc {
        importer,
        entries,
        raws: BTreeMap::new(),
        unsupported: selected.unsupported.values().cloned().collect(),
    };
    let (unresolved, notes) = doc.converge(live);
    let mut all_notes = std::mem::take(&mut doc.importer.notes);
    all_notes.extend(notes);
    let resources = doc.entries.len()
        + doc.entries.iter().map(|e| e.children.len()).sum::<usize>()
        + doc.importer.folded.ids.len();
    let raw = doc
        .raws
        .iter()
        .chain(doc.importer.captured.iter())
        .flat_map(|(address, paths)| paths.keys().map(move |p| format!("{address} {p}")))
        .collect();
    Ok(Imported {
        yaml: doc.render(),
        stack,
        resources,
        unsupported: doc.unsupported,
        unresolved,
        notes: all_notes,
        raw,
    })
}

/// The stack name: the ownership tag most selected resources carry, else the first group's
/// name without an `rg-` prefix.
/// The stack that owns a resource: its tag, or a role assignment's mark.
fn owner(f: &select::Found) -> Option<String> {
    f.body
        .get("tags")
        .and_then(|t| t.get(OWNER_TAG))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            let d = marks::text_at(&f.body, "properties.description")?;
            marks::ownership_mark(d).map(|(s, _, _)| s)
        })
}

fn stack_name(found: &BTreeMap<String, select::Found>, selection: &Selection) -> String {
    let mut owners: BTreeMap<String, usize> = BTreeMap::new();
    for f in found.values() {
        if let Some(owner) = owner(f) {
            *owners.entry(owner).or_default() += 1;
        }
    }
    if let Some((owner, _)) = owners.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
        return owner.clone();
    }
    selection
        .groups
        .first()
        .map(|g| g.rsplit('/').next().unwrap_or(g))
        .map(|g| g.strip_prefix("rg-").unwrap_or(g).to_string())
        .filter(|g| !g.is_empty())
        .unwrap_or_else(|| "imported".into())
}

/// The spec being written: entries, the values moved to `raw:`, and what was left out.
struct Doc<'a> {
    importer: Importer<'a>,
    entries: Vec<SpecEntry>,
    /// Per address: dotted path → live value.
    raws: BTreeMap<String, BTreeMap<String, Value>>,
    unsupported: Vec<(String, String)>,
}

/// Kinds whose entries take `raw:`.
fn takes_raw(address: &str) -> bool {
    let mut parts = address.split('/');
    let prefix = parts.next().unwrap_or_default();
    let child = parts.nth(1).is_some();
    match Kind::from_prefix(prefix) {
        Some(Kind::Identity) => !child,
        Some(Kind::RoleAssignment | Kind::Existing) | None => false,
        Some(_) => true,
    }
}

impl Doc<'_> {
    /// Plans the spec against live state and moves what would change into `raw:`, until the
    /// plan is clean; returns what is left, and notes.
    fn converge(&mut self, live: &LiveState) -> (Vec<String>, Vec<String>) {
        let imported: BTreeSet<String> = self
            .entries
            .iter()
            .flat_map(|e| {
                std::iter::once(e.address.clone()).chain(e.children.iter().map(|c| c.1.clone()))
            })
            .collect();
        for round in 0..=ROUNDS {
            let text = self.render();
            let checked =
                crate::check::check_str("stack.yaml", &text, &crate::load::LoadOptions::default());
            if checked.diagnostics.has_errors() {
                let rendered = crate::render::human(&checked.diagnostics, false, 100);
                return (
                    vec![format!("the written spec has errors:\n{rendered}")],
                    Vec::new(),
                );
            }
            let (Some(stack), Some(graph)) = (&checked.stack, &checked.graph) else {
                return (vec!["the written spec did not build".into()], Vec::new());
            };
            let (plan, errors) = crate::plan::plan(
                stack,
                graph,
                live,
                PlanOptions {
                    adopt: true,
                    ..Default::default()
                },
            );
            let mut unresolved = Vec::new();
            let mut notes: Vec<String> = errors.iter().map(ToString::to_string).collect();
            let mut added = false;
            let mut deleted = Vec::new();
            for change in &plan.changes {
                if !imported.contains(&change.address) {
                    match change.action {
                        Action::Delete if change.goes_with.is_none() => {
                            deleted.push(change.id.clone());
                        }
                        Action::Create | Action::Replace | Action::Update => {
                            unresolved.push(format!("{} {}", change.address, change.action.verb()))
                        }
                        _ => {}
                    }
                    continue;
                }
                if change.action == Action::Create {
                    unresolved.push(format!(
                        "{} would be created: Azure has it under another ID",
                        change.address
                    ));
                    continue;
                }
                let body = live.get(&change.id);
                for pc in &change.changes {
                    if owner_mark(change.action, pc) {
                        continue;
                    }
                    let value = body.and_then(|b| crate::plan::lookup(b, &pc.path));
                    let known = self.raws.get(&change.address).and_then(|r| r.get(&pc.path));
                    match value {
                        Some(v)
                            if !v.is_null()
                                && takes_raw(&change.address)
                                && known != Some(v)
                                && round < ROUNDS =>
                        {
                            self.raws
                                .entry(change.address.clone())
                                .or_default()
                                .insert(pc.path.clone(), v.clone());
                            added = true;
                        }
                        _ => unresolved.push(format!("{} {}", change.address, pc.path)),
                    }
                }
            }
            if !deleted.is_empty() {
                notes.push(format!(
                    "the stack `{}` owns {} resources that were not imported; a plan of this spec would delete them:\n    {}",
                    self.importer.stack,
                    deleted.len(),
                    deleted.join("\n    ")
                ));
            }
            if !added {
                unresolved.sort();
                unresolved.dedup();
                return (unresolved, notes);
            }
        }
        (Vec::new(), Vec::new())
    }

    fn render(&self) -> String {
        let i = &self.importer;
        let mut top = Map::new();
        top.set("stack", i.stack.clone());
        top.set("subscription", i.subscription.clone());
        if let Some(location) = &i.location {
            top.set("location", location.clone());
        }
        if let Some(reference) = &i.default_group_ref {
            top.set("resourceGroup", reference.clone());
        }
        if !i.common_tags.is_empty() {
            top.set("tags", spec::tags_map(&i.common_tags));
        }
        let mut sections: BTreeMap<&str, Map> = BTreeMap::new();
        for entry in &self.entries {
            let mut map = entry.map.clone();
            let child_section = match entry.section {
                "vnets" => "subnets",
                "identities" => "federatedCredentials",
                _ => "nodePools",
            };
            for (name, address, child) in &entry.children {
                let mut child = child.clone();
                self.add_raw(address, &mut child);
                map.map_mut(child_section).set(name, child);
            }
            self.add_raw(&entry.address, &mut map);
            sections.entry(entry.section).or_default().set_commented(
                &entry.key,
                map,
                entry.comment.clone(),
            );
        }
        let existing: Vec<(String, String)> = i.existing.values().cloned().collect();
        if !existing.is_empty() {
            let mut e = Map::new();
            for (key, id) in existing {
                let mut m = Map::new();
                m.set("id", id);
                e.set(&key, m);
            }
            sections.insert("existing", e);
        }
        for section in [
            "resourceGroups",
            "existing",
            "workspaces",
            "solutions",
            "monitorWorkspaces",
            "dataCollectionEndpoints",
            "dataCollectionRules",
            "registries",
            "vnets",
            "dnsZones",
            "identities",
            "clusters",
            "roleAssignments",
            "policyAssignments",
        ] {
            if let Some(map) = sections.remove(section) {
                top.set(section, map);
            }
        }
        let mut text = String::from(
            "# Written by `azplan import` from what exists in Azure. Settings equal to their\n# defaults are left out; `raw:` holds what the spec's own fields cannot write.\n",
        );
        text.push_str(&yaml_out::render(&top));
        if !self.unsupported.is_empty() {
            text.push_str(
                "\n# Not imported: azplan does not model these types, or does not import them yet (README:\n# the spec format, the roadmap).\n",
            );
            for (id, arm_type) in &self.unsupported {
                text.push_str(&format!("#   {id} ({arm_type})\n"));
            }
        }
        text
    }

    fn add_raw(&self, address: &str, map: &mut Map) {
        let captured = self.importer.captured.get(address);
        let differing = self.raws.get(address);
        if captured.is_none() && differing.is_none() {
            return;
        }
        let mut raw = Value::Object(serde_json::Map::new());
        let mut comment = vec!["Kept as Azure has it:".to_string()];
        for (path, value) in captured.into_iter().flatten() {
            crate::kinds::set(&mut raw, path, value.clone());
            comment.push(format!("  {path}: no spec field for it"));
        }
        for (path, value) in differing.into_iter().flatten() {
            crate::kinds::set(&mut raw, path, value.clone());
            comment.push(format!(
                "  {path}: the spec's fields would write another value"
            ));
        }
        map.set_commented("raw", Y::from(&raw), comment);
    }
}

/// The ownership mark an adopt writes (the tag, or a role assignment's description where it
/// had none): no property change.
fn owner_mark(action: Action, pc: &crate::plan::PropertyChange) -> bool {
    if action != Action::Adopt {
        return false;
    }
    // A tag, or a policy assignment's metadata entry (`kinds::policy_assignment`).
    if pc.path == format!("tags.{OWNER_TAG}")
        || pc.path == format!("properties.metadata.{OWNER_TAG}")
    {
        return true;
    }
    pc.path == "properties.description"
        && pc.before.is_none()
        && pc
            .after
            .as_str()
            .is_some_and(|a| a.starts_with(OWNER_PREFIX) && a.split_whitespace().count() == 2)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const G: &str = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-app";

    fn live(bodies: Vec<Value>) -> LiveState {
        let mut live = LiveState::default();
        for b in bodies {
            live.insert(b);
        }
        live
    }

    /// A group no stack owns: an untagged registry, an identity with a role assignment made by
    /// another tool, and a type azplan does not model.
    fn estate() -> LiveState {
        // Types from the kind table (ARM types are written only there and in `kinds/`).
        let t = |k: Kind| k.def().arm[0].path;
        let (rg, acr, msi, ra) = (
            t(Kind::ResourceGroup),
            t(Kind::Registry),
            t(Kind::Identity),
            t(Kind::RoleAssignment),
        );
        let registry = format!("{G}/providers/{acr}/acrapp");
        let acr_pull = crate::roles::resolve("AcrPull").unwrap().guid;
        live(vec![
            json!({"id": G, "type": rg, "location": "westeurope",
                   "tags": {"note": "costs ${team}"}}),
            json!({"id": registry, "type": acr,
                   "location": "westeurope", "sku": {"name": "Basic"},
                   "properties": {"adminUserEnabled": false, "publicNetworkAccess": "Enabled",
                                  "anonymousPullEnabled": true, "loginServer": "acrapp.azurecr.io"}}),
            json!({"id": format!("{G}/providers/{msi}/id-app"), "type": msi,
                   "location": "westeurope",
                   "properties": {"principalId": "aaaaaaaa-0000-0000-0000-000000000001"}}),
            json!({"id": format!("{registry}/providers/{ra}/11111111-2222-3333-4444-555555555555"),
                   "type": ra,
                   "properties": {"scope": registry,
                       "roleDefinitionId": acr_pull,
                       "principalId": "aaaaaaaa-0000-0000-0000-000000000001",
                       "principalType": "ServicePrincipal"}}),
            // A provider azplan does not model.
            json!({"id": format!("{G}/providers/Contoso.Widgets/gadgets/app"), "type": "Contoso.Widgets/gadgets",
                   "location": "westeurope"}),
        ])
    }

    #[test]
    fn a_group_imports_as_an_idiomatic_spec_that_plans_clean() {
        let selection = Selection {
            groups: vec!["rg-app".into()],
            ..Selection::default()
        };
        let imported = import(&estate(), &selection, &ImportOptions::default()).unwrap();
        let yaml = &imported.yaml;
        for expected in [
            "stack: app\n",
            "resourceGroup: rg-app\n",
            // `${` is doubled so variables leave it alone.
            "note: \"costs $${team}\"\n",
            "sku: Basic\n",
            "principal: identity/id-app\n",
            "scope: registry/acrapp\n",
            // Not the GUID azplan would derive: kept.
            "name: 11111111-2222-3333-4444-555555555555\n",
            "anonymousPullEnabled: true",
            "/providers/Contoso.Widgets/gadgets/app (Contoso.Widgets/gadgets)\n",
        ] {
            assert!(yaml.contains(expected), "no `{expected}`:\n{yaml}");
        }
        assert!(
            !yaml.contains("adminUser"),
            "a default is left out:\n{yaml}"
        );
        assert!(imported.unresolved.is_empty(), "{:?}", imported.unresolved);
        assert_eq!(imported.unsupported.len(), 1);
    }

    #[test]
    fn nothing_to_import_says_why() {
        let selection = Selection {
            groups: vec!["rg-nope".into()],
            ..Selection::default()
        };
        let error = import(&estate(), &selection, &ImportOptions::default()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("no resource group named `rg-nope`")
        );
        let selection = Selection {
            tags: vec![("team".into(), "x".into())],
            ..Selection::default()
        };
        assert!(import(&estate(), &selection, &ImportOptions::default()).is_err());
    }
}
