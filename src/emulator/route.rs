//! Turns a request path into what it addresses, matching ARM's case-insensitive segments while
//! keeping the caller's casing of names (RPC: names are case-insensitive, casing is preserved).

use crate::emulator::error::ArmError;
use crate::emulator::key_vault::VaultRoute;
use crate::emulator::kind::Kind;
use crate::emulator::records;

/// An addressed resource instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) kind: Kind,
    pub(crate) subscription: String,
    /// The resource group that contains the resource; for role assignments, the scope's group if any.
    pub(crate) resource_group: Option<String>,
    /// Canonical id with the caller's casing of names.
    pub(crate) id: String,
    pub(crate) name: String,
    /// Id of the parent resource (child types) or the scope (role assignments).
    pub(crate) parent_id: Option<String>,
}

impl Target {
    pub(crate) fn key(&self) -> String {
        self.id.to_ascii_lowercase()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// A polling URL handed out in Azure-AsyncOperation (`status`) or Location headers.
    Operation {
        id: String,
        status: bool,
    },
    /// `GET /subscriptions` (Subscriptions_List) and `GET /subscriptions/{id}`.
    Subscriptions {
        subscription: Option<String>,
    },
    ListResourceGroups {
        subscription: String,
    },
    ResourceGroupResources {
        subscription: String,
        resource_group: String,
    },
    SubscriptionResources {
        subscription: String,
    },
    Instance(Target),
    /// LIST of a type: under a resource group, a subscription, or a parent resource.
    Collection {
        kind: Kind,
        subscription: String,
        resource_group: Option<String>,
        parent_id: Option<String>,
    },
    /// LIST of a private DNS zone's record sets of one type (`None`: the `ALL` listing).
    RecordSets {
        subscription: String,
        zone_id: String,
        record_type: Option<&'static str>,
    },
    /// A POST action on a resource (`listClusterUserCredential`, `start`, `abort`, …), with the
    /// action's canonical name.
    Action {
        target: Target,
        action: &'static str,
    },
    /// `…/upgradeProfiles/default` of a managed cluster or agent pool.
    UpgradeProfile(Target),
    /// LIST of role assignments visible at a scope.
    RoleAssignmentsAt {
        subscription: String,
        scope: String,
    },
    /// LIST of policy assignments that apply at a scope.
    PolicyAssignmentsAt {
        subscription: String,
        scope: String,
    },
    /// LIST of the diagnostic settings of one resource (`DiagnosticSettings_List`).
    DiagnosticSettingsAt {
        scope: String,
    },
    /// LIST of the data collection rule associations of one resource
    /// (`DataCollectionRuleAssociations_ListByResource`).
    RuleAssociationsAt {
        scope: String,
    },
    /// LIST of the associations naming one data collection rule (`{rule}/associations`,
    /// `DataCollectionRuleAssociations_ListByRule`).
    RuleAssociationsOfRule {
        rule: String,
    },
    /// `POST /providers/Microsoft.ResourceGraph/resources` (Azure Resource Graph, `resource_graph`).
    ResourceGraph,
    /// `GET /subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values`
    /// (ActivityLogs_List, `activity`).
    ActivityLog {
        subscription: String,
    },
    /// Key Vault's subscription-level paths: deleted vaults, their purge, the name check
    /// (`key_vault`).
    KeyVault {
        subscription: String,
        op: VaultRoute,
    },
    /// `POST /subscriptions/{sub}/providers/Microsoft.Storage/checkNameAvailability`
    /// (StorageAccounts_CheckNameAvailability, `storage`).
    StorageNameCheck,
}

impl Route {
    /// The kind whose api-versions apply, if the route addresses a resource type.
    pub(crate) fn kind(&self) -> Option<Kind> {
        match self {
            // Resource Graph and the Activity Log check their own api-versions.
            Route::Operation { .. }
            | Route::Subscriptions { .. }
            | Route::ResourceGraph
            | Route::ActivityLog { .. } => None,
            Route::ListResourceGroups { .. }
            | Route::ResourceGroupResources { .. }
            | Route::SubscriptionResources { .. } => Some(Kind::ResourceGroup),
            Route::Instance(target) => Some(target.kind),
            Route::Collection { kind, .. } => Some(*kind),
            Route::RecordSets { .. } => Some(Kind::PrivateDnsRecordSet),
            Route::Action { target, .. } | Route::UpgradeProfile(target) => Some(target.kind),
            Route::RoleAssignmentsAt { .. } => Some(Kind::RoleAssignment),
            Route::PolicyAssignmentsAt { .. } => Some(Kind::PolicyAssignment),
            Route::DiagnosticSettingsAt { .. } => Some(Kind::DiagnosticSetting),
            Route::RuleAssociationsAt { .. } | Route::RuleAssociationsOfRule { .. } => {
                Some(Kind::DataCollectionRuleAssociation)
            }
            Route::KeyVault { .. } => Some(Kind::KeyVault),
            Route::StorageNameCheck => Some(Kind::StorageAccount),
        }
    }
}

fn not_found(path: &str) -> ArmError {
    ArmError::new(
        404,
        "NotFound",
        format!("The requested path '{path}' does not address a resource this emulator serves."),
    )
}

/// A type this emulator does not serve: said plainly, so nobody mistakes it for Azure refusing a
/// real type (501: the emulator lacks the functionality; clients do not retry it).
fn not_emulated(namespace: &str, types: &[&str]) -> ArmError {
    let served: Vec<String> = Kind::ALL
        .into_iter()
        .filter(|k| *k != Kind::ResourceGroup)
        .map(|k| {
            if k == Kind::PrivateDnsRecordSet {
                "Microsoft.Network/privateDnsZones/{A,AAAA,CNAME,MX,PTR,SOA,SRV,TXT}".to_string()
            } else {
                k.arm_type()
            }
        })
        .collect();
    ArmError::new(
        501,
        "ResourceTypeNotEmulated",
        format!(
            "The resource type '{namespace}/{}' is not emulated by the azplan ARM emulator. Emulated types: {}.",
            types.join("/"),
            served.join(", ")
        ),
    )
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

pub(crate) fn parse(path: &str) -> Result<Route, ArmError> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    match segs.as_slice() {
        [p, ns, r]
            if eq(p, "providers") && eq(ns, "Microsoft.ResourceGraph") && eq(r, "resources") =>
        {
            return Ok(Route::ResourceGraph);
        }
        [s, sub, p, ns, e, m, v]
            if eq(s, "subscriptions")
                && eq(p, "providers")
                && eq(ns, "Microsoft.Insights")
                && eq(e, "eventtypes")
                && eq(m, "management")
                && eq(v, "values") =>
        {
            return Ok(Route::ActivityLog {
                subscription: (*sub).to_string(),
            });
        }
        [s] if eq(s, "subscriptions") => return Ok(Route::Subscriptions { subscription: None }),
        [s, id] if eq(s, "subscriptions") => {
            return Ok(Route::Subscriptions {
                subscription: Some((*id).to_string()),
            });
        }
        _ => {}
    }
    if segs.len() < 2 || !eq(segs[0], "subscriptions") {
        return Err(not_found(path));
    }
    let sub = segs[1].to_string();
    let Some(p) = segs.iter().rposition(|s| eq(s, "providers")) else {
        return parse_without_provider(path, &sub, &segs[2..]);
    };
    let scope = &segs[..p];
    let ns = segs.get(p + 1).copied().ok_or_else(|| not_found(path))?;
    let rest = &segs[p + 2..];

    if eq(ns, "Microsoft.Authorization") {
        for kind in [Kind::RoleAssignment, Kind::PolicyAssignment] {
            if rest.first().is_some_and(|t| eq(t, kind.segment())) {
                return parse_assignment(path, kind, &sub, scope, rest);
            }
        }
    }
    // Diagnostic settings of a resource (a scope with a provider: subscription-level settings
    // are another API, subscriptionDiagnosticsSettings_API.json, not served).
    if eq(ns, "Microsoft.Insights")
        && rest.first().is_some_and(|t| eq(t, "diagnosticSettings"))
        && scope.iter().any(|s| eq(s, "providers"))
    {
        return parse_diagnostic_setting(path, &sub, scope, rest);
    }
    // A managed cluster's extensions (extensions.json 2025-03-01 of Microsoft.
    // KubernetesConfiguration) and Flux configurations (fluxconfiguration.json 2025-04-01):
    // extension resources whose scope is the cluster. Other cluster types of that path
    // (`connectedClusters`, `provisionedClusters`) are not served.
    if let Some(kind) = [Kind::ClusterExtension, Kind::FluxConfiguration]
        .into_iter()
        .find(|k| eq(ns, k.namespace()) && rest.first().is_some_and(|t| eq(t, k.segment())))
        && let [s, _, g, rg, p, cns, ct, _] = scope
        && eq(s, "subscriptions")
        && eq(g, "resourceGroups")
        && eq(p, "providers")
        && eq(cns, Kind::Cluster.namespace())
        && eq(ct, Kind::Cluster.segment())
    {
        let cluster = format!("/{}", scope.join("/"));
        return match rest {
            [_] => Ok(Route::Collection {
                kind,
                subscription: sub,
                resource_group: Some((*rg).to_string()),
                parent_id: Some(cluster),
            }),
            [_, name] => Ok(Route::Instance(Target {
                kind,
                subscription: sub,
                resource_group: Some((*rg).to_string()),
                id: format!("{cluster}/providers/{}/{name}", kind.arm_type()),
                name: (*name).to_string(),
                parent_id: Some(cluster),
            })),
            _ => Err(not_found(path)),
        };
    }
    // Data collection rule associations of a resource, and a rule's list of them.
    if eq(ns, "Microsoft.Insights")
        && rest
            .first()
            .is_some_and(|t| eq(t, "dataCollectionRuleAssociations"))
        && scope.iter().any(|s| eq(s, "providers"))
    {
        return parse_rule_association(path, &sub, scope, rest);
    }
    if eq(ns, "Microsoft.Insights")
        && scope.len() == 4
        && rest.len() == 3
        && eq(rest[0], "dataCollectionRules")
        && eq(rest[2], "associations")
    {
        return Ok(Route::RuleAssociationsOfRule {
            rule: format!(
                "/{}/providers/{ns}/{}/{}",
                scope.join("/"),
                rest[0],
                rest[1]
            ),
        });
    }
    if rest.len() == 4 && eq(rest[0], "locations") {
        if eq(rest[2], "operations") || eq(rest[2], "operationStatuses") {
            return Ok(Route::Operation {
                id: rest[3].to_string(),
                status: true,
            });
        }
        if eq(rest[2], "operationResults") {
            return Ok(Route::Operation {
                id: rest[3].to_string(),
                status: false,
            });
        }
    }
    if scope.len() == 2
        && eq(ns, "Microsoft.KeyVault")
        && let Some(op) = key_vault_route(rest)
    {
        return Ok(Route::KeyVault {
            subscription: sub,
            op,
        });
    }
    if scope.len() == 2
        && eq(ns, "Microsoft.Storage")
        && matches!(rest, [c] if eq(c, "checkNameAvailability"))
    {
        return Ok(Route::StorageNameCheck);
    }
    let resource_group = match scope.len() {
        2 => None,
        4 if eq(scope[2], "resourceGroups") => Some(scope[3].to_string()),
        _ => return Err(not_found(path)),
    };
    let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
    let names: Vec<&str> = rest.iter().skip(1).step_by(2).copied().collect();
    if let (Some(rg), true) = (&resource_group, eq(ns, "Microsoft.Network"))
        && let [zones, zone, record_type, name @ ..] = rest
        && eq(zones, "privateDnsZones")
        && name.len() <= 1
    {
        let zone_id = format!(
            "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/privateDnsZones/{zone}"
        );
        if let (Some(record_type), [name]) = (records::record_type(record_type), name) {
            // The service answers with the record set name lower-cased (every RecordSet*Put example
            // in privatedns/stable/2024-06-01: `recordTXT` comes back as `recordtxt`).
            let name = name.to_lowercase();
            return Ok(Route::Instance(Target {
                kind: Kind::PrivateDnsRecordSet,
                subscription: sub.clone(),
                resource_group: Some(rg.clone()),
                id: format!("{zone_id}/{record_type}/{name}"),
                name,
                parent_id: Some(zone_id),
            }));
        }
        if name.is_empty() {
            let listed = if eq(record_type, "ALL") {
                Some(None)
            } else {
                records::record_type(record_type).map(Some)
            };
            if let Some(record_type) = listed {
                return Ok(Route::RecordSets {
                    subscription: sub,
                    zone_id,
                    record_type,
                });
            }
        }
    }
    if let (Some(rg), true) = (&resource_group, eq(ns, "Microsoft.ContainerService"))
        && let Some(route) = aks_route(&sub, rg, rest)
    {
        return Ok(route);
    }
    let kind = Kind::from_path(ns, &types).ok_or_else(|| not_emulated(ns, &types))?;
    let Some(rg) = resource_group else {
        if rest.len() == 1 && kind.lists_by_subscription() {
            return Ok(Route::Collection {
                kind,
                subscription: sub,
                resource_group: None,
                parent_id: None,
            });
        }
        return Err(not_found(path));
    };
    let mut id = format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/{}",
        kind.namespace()
    );
    let mut parent_id = None;
    let mut name = String::new();
    let mut kinds_chain = Vec::new();
    if let Some(parent) = kind.parent() {
        kinds_chain.push(parent);
    }
    kinds_chain.push(kind);
    for (i, k) in kinds_chain.iter().enumerate() {
        match names.get(i) {
            Some(n) => {
                if i + 1 == kinds_chain.len() {
                    parent_id = (i > 0).then(|| id.clone());
                }
                id = format!("{id}/{}/{n}", k.segment());
                name = (*n).to_string();
            }
            None => {
                // A collection: everything up to here is the parent.
                let parent = (i > 0).then(|| id.clone());
                return Ok(Route::Collection {
                    kind,
                    subscription: sub,
                    resource_group: Some(rg),
                    parent_id: parent,
                });
            }
        }
    }
    if names.len() != kinds_chain.len() {
        return Err(not_found(path));
    }
    Ok(Route::Instance(Target {
        kind,
        subscription: sub,
        resource_group: Some(rg),
        id,
        name,
        parent_id,
    }))
}

/// Key Vault's paths below `/subscriptions/{sub}/providers/Microsoft.KeyVault` that are not vaults.
fn key_vault_route(rest: &[&str]) -> Option<VaultRoute> {
    match rest {
        [d] if eq(d, "deletedVaults") => Some(VaultRoute::ListDeleted),
        [c] if eq(c, "checkNameAvailability") => Some(VaultRoute::CheckName),
        [l, location, d, name] if eq(l, "locations") && eq(d, "deletedVaults") => {
            Some(VaultRoute::Deleted {
                location: (*location).to_string(),
                name: (*name).to_string(),
            })
        }
        [l, location, d, name, p]
            if eq(l, "locations") && eq(d, "deletedVaults") && eq(p, "purge") =>
        {
            Some(VaultRoute::Purge {
                location: (*location).to_string(),
                name: (*name).to_string(),
            })
        }
        _ => None,
    }
}

/// Managed-cluster actions (POST) in the AKS spec's casing.
const CLUSTER_ACTIONS: [&str; 6] = [
    "listClusterAdminCredential",
    "listClusterUserCredential",
    "listClusterMonitoringUserCredential",
    "start",
    "stop",
    "abort",
];

/// AKS paths below a cluster that are not resources: actions and upgrade profiles.
fn aks_route(sub: &str, rg: &str, rest: &[&str]) -> Option<Route> {
    let [clusters, cluster, tail @ ..] = rest else {
        return None;
    };
    if !eq(clusters, "managedClusters") {
        return None;
    }
    let cluster_id = format!(
        "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.ContainerService/managedClusters/{cluster}"
    );
    let cluster_target = Target {
        kind: Kind::Cluster,
        subscription: sub.to_string(),
        resource_group: Some(rg.to_string()),
        id: cluster_id.clone(),
        name: (*cluster).to_string(),
        parent_id: None,
    };
    let pool_target = |pool: &str| Target {
        kind: Kind::NodePool,
        subscription: sub.to_string(),
        resource_group: Some(rg.to_string()),
        id: format!("{cluster_id}/agentPools/{pool}"),
        name: pool.to_string(),
        parent_id: Some(cluster_id.clone()),
    };
    match tail {
        [action] => CLUSTER_ACTIONS
            .into_iter()
            .find(|a| eq(a, action))
            .map(|action| Route::Action {
                target: cluster_target,
                action,
            }),
        [profiles, default] if eq(profiles, "upgradeProfiles") && eq(default, "default") => {
            Some(Route::UpgradeProfile(cluster_target))
        }
        [pools, pool, action] if eq(pools, "agentPools") && eq(action, "abort") => {
            Some(Route::Action {
                target: pool_target(pool),
                action: "abort",
            })
        }
        [pools, pool, profiles, default]
            if eq(pools, "agentPools")
                && eq(profiles, "upgradeProfiles")
                && eq(default, "default") =>
        {
            Some(Route::UpgradeProfile(pool_target(pool)))
        }
        _ => None,
    }
}

fn parse_without_provider(path: &str, sub: &str, rest: &[&str]) -> Result<Route, ArmError> {
    let subscription = sub.to_string();
    match rest {
        [r] if eq(r, "resourceGroups") => Ok(Route::ListResourceGroups { subscription }),
        [r] if eq(r, "resources") => Ok(Route::SubscriptionResources { subscription }),
        [o, id] if eq(o, "operationResults") => Ok(Route::Operation {
            id: (*id).to_string(),
            status: false,
        }),
        [r, rg] if eq(r, "resourceGroups") => Ok(Route::Instance(Target {
            kind: Kind::ResourceGroup,
            id: format!("/subscriptions/{sub}/resourceGroups/{rg}"),
            name: (*rg).to_string(),
            resource_group: Some((*rg).to_string()),
            subscription,
            parent_id: None,
        })),
        [r, rg, res] if eq(r, "resourceGroups") && eq(res, "resources") => {
            Ok(Route::ResourceGroupResources {
                subscription,
                resource_group: (*rg).to_string(),
            })
        }
        _ => Err(not_found(path)),
    }
}

/// A role or policy assignment (extension resources at any scope) or their LIST at a scope.
fn parse_assignment(
    path: &str,
    kind: Kind,
    sub: &str,
    scope: &[&str],
    rest: &[&str],
) -> Result<Route, ArmError> {
    let mut scope_path = String::new();
    for (i, s) in scope.iter().enumerate() {
        // Canonical casing for the fixed segments keeps stored scopes comparable.
        let seg = if i == 0 {
            "subscriptions"
        } else if i == 2 && eq(s, "resourceGroups") {
            "resourceGroups"
        } else if eq(s, "providers") {
            "providers"
        } else {
            s
        };
        scope_path.push('/');
        scope_path.push_str(seg);
    }
    let resource_group =
        (scope.len() >= 4 && eq(scope[2], "resourceGroups")).then(|| scope[3].to_string());
    match rest {
        [_] if kind == Kind::PolicyAssignment => Ok(Route::PolicyAssignmentsAt {
            subscription: sub.to_string(),
            scope: scope_path,
        }),
        [_] => Ok(Route::RoleAssignmentsAt {
            subscription: sub.to_string(),
            scope: scope_path,
        }),
        [_, name] => Ok(Route::Instance(Target {
            kind,
            subscription: sub.to_string(),
            resource_group,
            id: format!("{scope_path}/providers/{}/{name}", kind.arm_type()),
            name: (*name).to_string(),
            parent_id: Some(scope_path),
        })),
        _ => Err(not_found(path)),
    }
}

fn parse_diagnostic_setting(
    path: &str,
    sub: &str,
    scope: &[&str],
    rest: &[&str],
) -> Result<Route, ArmError> {
    // The scope keeps the caller's casing (the examples' `resourcegroups`, `microsoft.logic`
    // come back as sent in the setting's `id`); only the leading `subscriptions` is fixed.
    let scope_path = format!("/{}", scope.join("/"));
    let resource_group =
        (scope.len() >= 4 && eq(scope[2], "resourceGroups")).then(|| scope[3].to_string());
    match rest {
        [_] => Ok(Route::DiagnosticSettingsAt { scope: scope_path }),
        [_, name] => Ok(Route::Instance(Target {
            kind: Kind::DiagnosticSetting,
            subscription: sub.to_string(),
            resource_group,
            id: format!("{scope_path}/providers/microsoft.insights/diagnosticSettings/{name}"),
            name: (*name).to_string(),
            parent_id: Some(scope_path),
        })),
        _ => Err(not_found(path)),
    }
}

fn parse_rule_association(
    path: &str,
    sub: &str,
    scope: &[&str],
    rest: &[&str],
) -> Result<Route, ArmError> {
    // The scope keeps the caller's casing, as for diagnostic settings.
    let scope_path = format!("/{}", scope.join("/"));
    let resource_group =
        (scope.len() >= 4 && eq(scope[2], "resourceGroups")).then(|| scope[3].to_string());
    match rest {
        [_] => Ok(Route::RuleAssociationsAt { scope: scope_path }),
        [_, name] => Ok(Route::Instance(Target {
            kind: Kind::DataCollectionRuleAssociation,
            subscription: sub.to_string(),
            resource_group,
            id: format!(
                "{scope_path}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}"
            ),
            name: (*name).to_string(),
            parent_id: Some(scope_path),
        })),
        _ => Err(not_found(path)),
    }
}

/// Decodes the `%XX` escapes of a request path (a `+` in a path is a plus). Invalid UTF-8 after
/// decoding is replaced, never a panic.
pub(crate) fn decode_path(path: &str) -> String {
    if !path.contains('%') {
        return path.to_string();
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| std::str::from_utf8(&bytes[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes `%XX` escapes and `+` in a query component.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Query parameters, looked up case-insensitively by name.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(query: Option<&str>) -> Query {
        let pairs = query
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (decode(k), decode(v)),
                None => (decode(p), String::new()),
            })
            .collect();
        Query(pairs)
    }

    /// The query again, percent-encoded, without one parameter (to rebuild a nextLink).
    pub(crate) fn encode_without(&self, name: &str) -> String {
        let enc = |text: &str| {
            text.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect::<String>()
        };
        self.0
            .iter()
            .filter(|(k, _)| !eq(k, name))
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| eq(k, name))
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::{Query, Route, parse};
    use crate::emulator::kind::Kind;

    #[test]
    fn parses_instances_and_collections() {
        let r = parse("/subscriptions/s/resourcegroups/RG/providers/microsoft.network/virtualnetworks/V/subnets/a")
            .expect("route");
        let Route::Instance(t) = r else {
            panic!("not an instance")
        };
        assert_eq!(t.kind, Kind::Subnet);
        assert_eq!(
            t.id,
            "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/subnets/a"
        );
        assert_eq!(
            t.parent_id.as_deref(),
            Some(
                "/subscriptions/s/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V"
            )
        );
        let r = parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/agentPools")
            .expect("route");
        assert!(matches!(
            r,
            Route::Collection {
                kind: Kind::NodePool,
                parent_id: Some(_),
                ..
            }
        ));
        let r = parse("/subscriptions/s/providers/Microsoft.ContainerRegistry/registries")
            .expect("route");
        assert!(matches!(
            r,
            Route::Collection {
                kind: Kind::Registry,
                resource_group: None,
                ..
            }
        ));
        let r = parse("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/providers/Microsoft.Authorization/roleAssignments/x")
            .expect("route");
        let Route::Instance(t) = r else {
            panic!("not an instance")
        };
        assert_eq!(t.kind, Kind::RoleAssignment);
        assert_eq!(
            t.parent_id.as_deref(),
            Some(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"
            )
        );
        assert!(parse("/subscriptions/s/providers/Microsoft.Bogus/things/x").is_err());
        assert!(parse("/nothing").is_err());
    }

    #[test]
    fn rule_associations_hang_under_any_resource_and_list_per_rule() {
        let vm =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/myVm";
        let Ok(Route::Instance(t)) = parse(&format!(
            "{vm}/providers/Microsoft.Insights/dataCollectionRuleAssociations/myAssociation"
        )) else {
            panic!("not an instance")
        };
        assert_eq!(t.kind, Kind::DataCollectionRuleAssociation);
        assert_eq!(t.parent_id.as_deref(), Some(vm));
        assert!(matches!(
            parse(&format!("{vm}/providers/Microsoft.Insights/dataCollectionRuleAssociations")),
            Ok(Route::RuleAssociationsAt { scope }) if scope == vm
        ));
        let rule = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/ci";
        assert!(matches!(
            parse(&format!("{rule}/associations")),
            Ok(Route::RuleAssociationsOfRule { rule: r }) if r == rule
        ));
        // The rule itself still routes as a rule.
        assert!(
            matches!(parse(rule), Ok(Route::Instance(t)) if t.kind == Kind::DataCollectionRule)
        );
    }

    #[test]
    fn diagnostic_settings_hang_under_any_resource() {
        // A subnet's settings are the subnet's, not its VNet's; the scope keeps the caller's casing.
        let subnet = "/subscriptions/s/resourcegroups/RG/providers/Microsoft.Network/virtualNetworks/v/subnets/a";
        let Ok(Route::Instance(t)) = parse(&format!(
            "{subnet}/providers/microsoft.insights/DIAGNOSTICSETTINGS/to-logs"
        )) else {
            panic!("not an instance")
        };
        assert_eq!(t.kind, Kind::DiagnosticSetting);
        assert_eq!(t.parent_id.as_deref(), Some(subnet));
        assert_eq!(t.resource_group.as_deref(), Some("RG"));
        assert_eq!(
            t.id,
            format!("{subnet}/providers/microsoft.insights/diagnosticSettings/to-logs")
        );
        assert_eq!(
            parse(&format!(
                "{subnet}/providers/Microsoft.Insights/diagnosticSettings"
            )),
            Ok(Route::DiagnosticSettingsAt {
                scope: subnet.to_string()
            })
        );
        // Subscription-level settings are another API (subscriptionDiagnosticsSettings_API.json):
        // not served.
        assert!(
            parse("/subscriptions/s/providers/Microsoft.Insights/diagnosticSettings/x").is_err()
        );
    }

    #[test]
    fn key_vault_provider_paths_are_not_vaults() {
        use crate::emulator::key_vault::VaultRoute;
        let sub = "/subscriptions/s/providers/Microsoft.KeyVault";
        let op = |path: &str| match parse(path) {
            Ok(Route::KeyVault { op, .. }) => Some(op),
            _ => None,
        };
        assert_eq!(
            op(&format!("{sub}/deletedVaults")),
            Some(VaultRoute::ListDeleted)
        );
        assert_eq!(
            op(&format!("{sub}/locations/westus/deletedVaults/kv")),
            Some(VaultRoute::Deleted {
                location: "westus".into(),
                name: "kv".into()
            })
        );
        assert!(matches!(
            op(&format!("{sub}/locations/westus/deletedVaults/kv/purge")),
            Some(VaultRoute::Purge { .. })
        ));
        assert_eq!(
            op(&format!("{sub}/checkNameAvailability")),
            Some(VaultRoute::CheckName)
        );
        // Operation polling under the same provider still routes as operations.
        assert!(matches!(
            parse(&format!("{sub}/locations/westus/operationResults/x")),
            Ok(Route::Operation { .. })
        ));
        assert!(matches!(
            parse(&format!("{sub}/vaults")),
            Ok(Route::Collection {
                kind: Kind::KeyVault,
                ..
            })
        ));
    }

    #[test]
    fn paths_are_percent_decoded() {
        assert_eq!(
            super::decode_path("/subscriptions/s/resourceGroups/%C3%9Cml%C3%A4ut-rg+1"),
            "/subscriptions/s/resourceGroups/Ümläut-rg+1"
        );
        assert_eq!(super::decode_path("/a%2"), "/a%2");
        assert_eq!(super::decode_path("/a%zz"), "/a%zz");
    }

    #[test]
    fn query_is_decoded_and_case_insensitive() {
        let q = Query::parse(Some("Api-Version=2025-04-01&%24filter=atScope%28%29"));
        assert_eq!(q.get("api-version"), Some("2025-04-01"));
        assert_eq!(q.get("$filter"), Some("atScope()"));
    }
}
