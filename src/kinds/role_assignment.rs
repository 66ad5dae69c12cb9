//! Role assignments. Their names are deterministic GUIDs of (scope, role, principal reference),
//! so a re-apply finds the same assignment instead of tripping over `RoleAssignmentExists`; they
//! have no tags, so ownership lives in the description.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;

use serde_json::{Value, json};

use super::{ArmType, BodyBuilder, Context, EMPTY, Kind, KindDef, OWNER_PREFIX, Rules, Serial};
use crate::model::PrincipalType;
use crate::model::{
    Address, ClusterIdentity, ControlPlaneIdentity, Principal, Resource, RoleAssignment, Spec,
};

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRoleAssignment {
    /// The assignment's GUID name, to adopt an existing assignment; by default azplan derives
    /// it from (scope, role, principal) so re-applies are idempotent.
    pub name: Option<Spanned<String>>,
    /// Built-in role name (e.g. `AcrPull`) or role definition GUID.
    pub role: Spanned<String>,
    /// Where the role applies: `subscription`, `rg/NAME`, `cluster/NAME:nodeResourceGroup`,
    /// any resource address (`dnsZone/x`, `vnet/v/s`), `cluster/NAME:namespace/NS`,
    /// `existing/NAME` or an ARM ID.
    pub scope: Spanned<String>,
    /// Who gets the role: `identity/NAME`, or a cluster identity such as `cluster/NAME:kubelet`,
    /// `:controlPlane`, `:appRouting`, `:monitoring`, `:virtualNodes`, `:azurePolicy`.
    pub principal: Option<Spanned<String>>,
    /// Object ID of a principal outside the stack (an Entra group, user or app).
    pub principal_id: Option<Spanned<String>>,
    /// Type of `principalId`. Required with `principalId`.
    pub principal_type: Option<PrincipalType>,
    pub description: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
}

pub static DEF: KindDef = KindDef {
    kind: Kind::RoleAssignment,
    section: Some("roleAssignments"),
    prefix: "roleAssignment",
    noun: "role assignment",
    example: "`roleAssignment/NAME`",
    arm: &[ArmType {
        path: "Microsoft.Authorization/roleAssignments",
        api_version: "2022-04-01",
    }],
    parent: None,
    // No tags: the owner is named at the start of the description.
    taggable: false,
    serial: Serial::Free,
    delete_rank: 10,
    rules: &RULES,
};

pub static RULES: Rules = Rules {
    immutable: &[
        (
            "properties.roleDefinitionId",
            "a role assignment's role cannot change",
        ),
        (
            "properties.principalId",
            "a role assignment's principal cannot change",
        ),
        (
            "properties.principalType",
            "a role assignment's principal type cannot change",
        ),
    ],
    case_insensitive: &["properties.principalId", "properties.principalType"],
    last_segment: &["properties.roleDefinitionId"],
    ..EMPTY
};

/// Fixed namespace for azplan's role-assignment names (UUIDv5).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6a7a_706c_616e_4000_8000_726f_6c65_7321);

pub fn name(ctx: &Context<'_>, _address: &Address, ra: &RoleAssignment) -> String {
    if let Some(name) = &ra.name {
        return name.clone();
    }
    let principal = match &ra.principal {
        Principal::Identity(a) => a.to_string(),
        Principal::Cluster { cluster, identity } => format!("{cluster}:{}", identity.name()),
        Principal::Object { id, .. } => id.to_ascii_lowercase(),
    };
    let key = format!(
        "{}|{}|{principal}",
        ctx.scope_id(&ra.scope).to_ascii_lowercase(),
        ra.role.guid
    );
    uuid::Uuid::new_v5(&NAMESPACE, key.as_bytes()).to_string()
}

pub fn body(b: &mut BodyBuilder<'_, '_>, resource: &Resource, ra: &RoleAssignment) -> Value {
    let (principal_id, principal_type) = match &ra.principal {
        Principal::Object { id, principal_type } => (Value::String(id.clone()), *principal_type),
        Principal::Identity(identity) => (
            b.late("properties.principalId", identity, "properties.principalId"),
            PrincipalType::ServicePrincipal,
        ),
        Principal::Cluster { cluster, identity } => {
            let (from, attribute) = cluster_principal(b.ctx, cluster, *identity);
            (
                b.late("properties.principalId", &from, &attribute),
                PrincipalType::ServicePrincipal,
            )
        }
    };
    let owner = format!("{OWNER_PREFIX}{} {}", b.ctx.stack.name, resource.address);
    let description = match &ra.description {
        Some(text) => format!("{owner}: {text}"),
        None => owner,
    };
    json!({
        "properties": {
            "roleDefinitionId": format!(
                "/subscriptions/{}/providers/Microsoft.Authorization/roleDefinitions/{}",
                b.ctx.stack.subscription, ra.role.guid
            ),
            "principalId": principal_id,
            "principalType": principal_type_name(principal_type),
            "description": description,
        }
    })
}

/// Where a cluster identity's object ID appears once the cluster exists.
fn cluster_principal(
    ctx: &Context<'_>,
    cluster: &Address,
    identity: ClusterIdentity,
) -> (Address, String) {
    let spec = match ctx.stack.resources.get(cluster).map(|r| &r.spec) {
        Some(Spec::Cluster(c)) => Some(c),
        _ => None,
    };
    let on_cluster = |path: &str| (cluster.clone(), path.to_string());
    match identity {
        ClusterIdentity::ControlPlane => match spec.map(|c| &c.identity) {
            Some(ControlPlaneIdentity::UserAssigned(id)) => {
                (id.clone(), "properties.principalId".into())
            }
            _ => on_cluster("identity.principalId"),
        },
        ClusterIdentity::Kubelet => match spec.and_then(|c| c.kubelet_identity.as_ref()) {
            Some(id) => (id.clone(), "properties.principalId".into()),
            None => on_cluster("properties.identityProfile.kubeletidentity.objectId"),
        },
        ClusterIdentity::AppRouting => {
            on_cluster("properties.ingressProfile.webAppRouting.identity.objectId")
        }
        ClusterIdentity::Monitoring => {
            on_cluster("properties.addonProfiles.omsagent.identity.objectId")
        }
        ClusterIdentity::VirtualNodes => {
            on_cluster("properties.addonProfiles.aciConnectorLinux.identity.objectId")
        }
        ClusterIdentity::AzurePolicy => {
            on_cluster("properties.addonProfiles.azurepolicy.identity.objectId")
        }
    }
}

fn principal_type_name(t: PrincipalType) -> &'static str {
    match t {
        PrincipalType::User => "User",
        PrincipalType::Group => "Group",
        PrincipalType::ServicePrincipal => "ServicePrincipal",
        PrincipalType::ForeignGroup => "ForeignGroup",
        PrincipalType::Device => "Device",
    }
}
