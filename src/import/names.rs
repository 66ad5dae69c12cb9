//! Keys for imported resources, and the role assignments a cluster derives. A key names a
//! resource inside the stack, and two things azplan derives from keys must come out as they
//! were when the stack made them: a role assignment's GUID (UUIDv5 of scope, role and the
//! principal's address) and its ownership mark (`azplan-stack:STACK roleAssignment/KEY`). Keys
//! are recovered from those marks where a stack left them (and from the GUIDs: the key whose
//! name matches); otherwise a resource's key is its Azure name. A role assignment whose GUID is
//! the one a cluster setting derives is folded back into that setting.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::importer::Importer;
use super::marks::{CLUSTER_PRINCIPALS, at, ownership_mark, text_at};
use super::select::Found;
use crate::id::ResourceId;
use crate::kind::Kind;

/// azplan's namespace for role-assignment names (`kinds::role_assignment`; a unit test checks
/// that both compute the same names).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6a7a_706c_616e_4000_8000_726f_6c65_7321);

/// The name azplan gives a role assignment of `role_guid` at `scope_id` for `principal` (an
/// address such as `identity/x` or `cluster/c:kubelet`, or a lower-cased object ID).
pub fn role_assignment_name(scope_id: &str, role_guid: &str, principal: &str) -> String {
    let key = format!(
        "{}|{}|{principal}",
        scope_id.to_ascii_lowercase(),
        role_guid.to_ascii_lowercase()
    );
    uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

/// Keys a resource of this Azure name may have had: the name, and every run of its
/// `-`-separated words (`id-external-dns-weu` → `external-dns`, `external`, …), longest first.
pub fn candidates(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split('-').collect();
    let mut out = vec![name.to_string()];
    for len in (1..words.len()).rev() {
        for start in 0..=words.len() - len {
            let candidate = words[start..start + len].join("-");
            if !candidate.is_empty() && !out.contains(&candidate) {
                out.push(candidate);
            }
        }
    }
    out
}

impl Importer<'_> {
    /// Keys: recovered from ownership marks where a stack left them, otherwise Azure names.
    pub(super) fn assign_keys(&mut self) {
        let mut hints: BTreeMap<String, String> = BTreeMap::new();
        let assignments: Vec<&Found> = self
            .found
            .values()
            .filter(|f| f.kind == Kind::RoleAssignment)
            .collect();
        for ra in &assignments {
            let description = text_at(&ra.body, "properties.description").unwrap_or_default();
            let mark = ownership_mark(description);
            if let Some((_, key, _)) = &mark {
                hints
                    .entry(ra.id.to_ascii_lowercase())
                    .or_insert(key.clone());
            }
            let (scope, role, principal_id, name) = match ra_parts(ra) {
                Some(parts) => parts,
                None => continue,
            };
            let ra_key = mark.as_ref().map(|(_, k, _)| k.clone()).unwrap_or_default();
            // Derived names say their cluster and target: `CLUSTER-acrpull-TARGET`.
            for marker in ["-acrpull-", "-approuting-dns-"] {
                if let Some((cluster_key, target_key)) = ra_key.split_once(marker)
                    && let Some((cluster_id, _)) = self.cluster_principal(&principal_id)
                {
                    hints.entry(cluster_id).or_insert(cluster_key.to_string());
                    hints
                        .entry(scope.to_ascii_lowercase())
                        .or_insert(target_key.to_string());
                }
            }
            // Principals by address: find the key that gives the assignment's own name.
            for (owner_id, facet) in self.principal_owners(&principal_id) {
                let Some(owner) = self.found.get(&owner_id) else {
                    continue;
                };
                let azure_name = ResourceId::parse(&owner.id)
                    .map(|i| i.name().to_string())
                    .unwrap_or_default();
                let mut tries = candidates(&azure_name);
                tries.extend(candidates(&ra_key));
                let prefix = owner.kind.prefix();
                let hit = tries.into_iter().find(|c| {
                    let principal = match &facet {
                        Some(facet) => format!("{prefix}/{c}:{facet}"),
                        None => format!("{prefix}/{c}"),
                    };
                    role_assignment_name(&scope, &role, &principal) == name
                });
                if let Some(key) = hit {
                    hints.entry(owner_id).or_insert(key);
                }
            }
        }
        // Top-level resources, in ID order so keys are stable.
        let mut taken: BTreeSet<String> = BTreeSet::new();
        let ids: Vec<(String, Kind, String)> = self
            .found
            .iter()
            .filter(|(_, f)| f.kind.parent().is_none())
            .map(|(lower, f)| {
                let name = ResourceId::parse(&f.id)
                    .map(|i| i.name().to_string())
                    .unwrap_or_default();
                (lower.clone(), f.kind, name)
            })
            .collect();
        // Hinted keys first, so a default never takes a recovered one.
        for (lower, kind, _) in &ids {
            if let Some(key) = hints.get(lower)
                && taken.insert(format!("{}/{key}", kind.prefix()))
            {
                self.keys.insert(lower.clone(), key.clone());
            }
        }
        for (lower, kind, name) in &ids {
            if self.keys.contains_key(lower) {
                continue;
            }
            let base = match kind {
                Kind::DnsZone => name.split('.').next().unwrap_or(name).to_string(),
                Kind::RoleAssignment => self.assignment_key(lower),
                _ => name.clone(),
            };
            let mut key = base.clone();
            let mut n = 2;
            while !taken.insert(format!("{}/{key}", kind.prefix())) {
                key = format!("{base}-{n}");
                n += 1;
            }
            self.keys.insert(lower.clone(), key);
        }
        // Existing entries may take hinted keys too (an attached registry of another team).
        for (lower, key) in hints {
            if !self.found.contains_key(&lower) {
                self.existing_key_hint(&lower, &key);
            }
        }
    }

    /// A readable key for a role assignment with no mark: `ROLE-on-SCOPE`.
    fn assignment_key(&self, lower: &str) -> String {
        let Some(ra) = self.found.get(lower) else {
            return "assignment".into();
        };
        let role = text_at(&ra.body, "properties.roleDefinitionId")
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_ascii_lowercase())
            .unwrap_or_default();
        let role_name = crate::roles::resolve(&role)
            .and_then(|r| r.name)
            .map_or(role.clone(), |n| n.to_ascii_lowercase().replace(' ', "-"));
        let scope = ra_scope(ra).unwrap_or_default();
        let scope_name = ResourceId::parse(&scope)
            .map(|i| i.name().to_string())
            .unwrap_or_else(|| "subscription".into());
        format!("{role_name}-{scope_name}")
    }

    fn existing_key_hint(&mut self, lower: &str, key: &str) {
        let Some(body) = self.live.get(lower) else {
            return;
        };
        let id = body
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or(lower)
            .to_string();
        if !self.existing.values().any(|(k, _)| k == key) {
            self.existing
                .insert(lower.to_string(), (key.to_string(), id));
        }
    }

    /// The clusters and identities whose identity has this object ID, with the cluster facet
    /// (`kubelet`, `appRouting`, …) where it is a cluster's.
    pub(super) fn principal_owners(&self, principal_id: &str) -> Vec<(String, Option<String>)> {
        let mut out = Vec::new();
        for (lower, f) in self.found.iter() {
            match f.kind {
                Kind::Identity
                    if text_at(&f.body, "properties.principalId")
                        .is_some_and(|p| p.eq_ignore_ascii_case(principal_id)) =>
                {
                    out.push((lower.clone(), None));
                }
                Kind::Cluster => {
                    for (facet, path) in CLUSTER_PRINCIPALS {
                        if text_at(&f.body, path)
                            .is_some_and(|p| p.eq_ignore_ascii_case(principal_id))
                        {
                            out.push((lower.clone(), Some(facet.to_string())));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The cluster (lower-cased ID) and facet whose identity this is, if any.
    fn cluster_principal(&self, principal_id: &str) -> Option<(String, String)> {
        self.principal_owners(principal_id)
            .into_iter()
            .find_map(|(id, facet)| facet.map(|f| (id, f)))
    }

    /// Role assignments that a cluster setting derives, found by the names azplan gives them.
    pub(super) fn fold_derived(&mut self) {
        let acr_pull = crate::roles::resolve(crate::roles::ACR_PULL).map(|r| r.guid);
        let dns = crate::roles::resolve(crate::roles::DNS_ZONE_CONTRIBUTOR).map(|r| r.guid);
        let assignments: Vec<Found> = self
            .found
            .values()
            .filter(|f| f.kind == Kind::RoleAssignment)
            .cloned()
            .collect();
        for ra in assignments {
            let Some((scope, role, principal_id, name)) = ra_parts(&ra) else {
                continue;
            };
            let Some((cluster_id, facet)) = self.cluster_principal(&principal_id) else {
                continue;
            };
            let Some(cluster_key) = self.key(&cluster_id).map(str::to_string) else {
                continue;
            };
            let principal = format!("cluster/{cluster_key}:{facet}");
            if role_assignment_name(&scope, &role, &principal) != name {
                continue;
            }
            if Some(&role) == acr_pull.as_ref() && facet == "kubelet" {
                let target = self.reference(&scope);
                self.folded
                    .attached
                    .entry(cluster_id)
                    .or_default()
                    .push(target);
                self.folded.ids.insert(ra.id.to_ascii_lowercase());
            } else if Some(&role) == dns.as_ref() && facet == "appRouting" {
                let zones = self.found.get(&cluster_id).and_then(|c| {
                    at(
                        &c.body,
                        "properties.ingressProfile.webAppRouting.dnsZoneResourceIds",
                    )
                    .and_then(Value::as_array)
                    .cloned()
                });
                let listed = zones
                    .into_iter()
                    .flatten()
                    .any(|z| z.as_str().is_some_and(|z| z.eq_ignore_ascii_case(&scope)));
                if listed {
                    self.folded
                        .dns_granted
                        .entry(cluster_id)
                        .or_default()
                        .insert(scope.to_ascii_lowercase());
                    self.folded.ids.insert(ra.id.to_ascii_lowercase());
                }
            }
        }
    }
}

/// A role assignment's (scope, role GUID, principal ID, name).
pub(super) fn ra_parts(ra: &Found) -> Option<(String, String, String, String)> {
    let scope = ra_scope(ra)?;
    let role = text_at(&ra.body, "properties.roleDefinitionId")?;
    let role = role.rsplit('/').next().unwrap_or(role).to_ascii_lowercase();
    let principal = text_at(&ra.body, "properties.principalId")?.to_string();
    let name = ResourceId::parse(&ra.id)?.name().to_ascii_lowercase();
    Some((scope, role, principal, name))
}

fn ra_scope(ra: &Found) -> Option<String> {
    text_at(&ra.body, "properties.scope")
        .map(str::to_string)
        .or_else(|| ResourceId::parse(&ra.id)?.scope().map(|s| s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_ones_azplan_derives() {
        let spec = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\nresourceGroup: g\nresourceGroups: {g: {}}\nidentities: {app: {}}\nroleAssignments:\n  r:\n    role: AcrPull\n    scope: rg/g\n    principal: identity/app\n";
        let checked = crate::check::check_str("s.yaml", spec, &crate::load::LoadOptions::default());
        let stack = checked.stack.expect("valid");
        let live = crate::live::LiveState::default();
        let ctx = crate::kinds::Context {
            stack: &stack,
            live: &live,
        };
        let address = crate::model::Address::new(crate::model::Kind::RoleAssignment, "r");
        let id = ctx.id(&address);
        let expected = role_assignment_name(
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/g",
            crate::roles::resolve("AcrPull").unwrap().guid.as_str(),
            "identity/app",
        );
        assert!(id.ends_with(&expected), "{id} vs {expected}");
    }

    #[test]
    fn marks_and_candidates() {
        assert_eq!(
            ownership_mark("azplan-stack:platform roleAssignment/x: why: because"),
            Some(("platform".into(), "x".into(), Some("why: because".into())))
        );
        assert_eq!(
            ownership_mark("azplan-stack:p roleAssignment/y"),
            Some(("p".into(), "y".into(), None))
        );
        assert!(candidates("id-external-dns-weu").contains(&"external-dns".to_string()));
    }
}
