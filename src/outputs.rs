//! Values users need after an apply, read from live state: registry login servers, how to get
//! cluster credentials, OIDC issuers, identity client IDs, DNS name servers to set at the
//! registrar, and the `azure.json` external-dns needs.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::kinds::Context;
use crate::live::LiveState;
use crate::model::{Kind, Principal, ResourceGroupRef, Scope, Spec, Stack, Target};
use crate::plan::lookup;
use crate::roles;

/// Output name → value, for every resource that exists.
pub fn outputs(stack: &Stack, live: &LiveState) -> BTreeMap<String, Value> {
    let ctx = Context { stack, live };
    let mut out = BTreeMap::new();
    let get = |body: &Value, path: &str| lookup(body, path).filter(|v| !v.is_null()).cloned();
    for (address, resource) in &stack.resources {
        let Some(body) = live.get(&ctx.id(address)) else {
            continue;
        };
        let key = |name: &str| format!("{}.{name}", address);
        match &resource.spec {
            Spec::Registry(_) => {
                if let Some(v) = get(body, "properties.loginServer") {
                    out.insert(key("loginServer"), v);
                }
            }
            Spec::Identity => {
                for (name, path) in [
                    ("clientId", "properties.clientId"),
                    ("principalId", "properties.principalId"),
                ] {
                    if let Some(v) = get(body, path) {
                        out.insert(key(name), v);
                    }
                }
                out.insert(key("id"), json!(ctx.id(address)));
            }
            Spec::DnsZone(_) => {
                if let Some(v) = get(body, "properties.nameServers") {
                    out.insert(key("nameServers"), v);
                }
            }
            Spec::Cluster(_) => {
                for (name, path) in [
                    ("fqdn", "properties.fqdn"),
                    ("privateFqdn", "properties.privateFQDN"),
                    ("oidcIssuerUrl", "properties.oidcIssuerProfile.issuerURL"),
                    ("nodeResourceGroup", "properties.nodeResourceGroup"),
                    (
                        "kubeletIdentity.clientId",
                        "properties.identityProfile.kubeletidentity.clientId",
                    ),
                    (
                        "kubeletIdentity.objectId",
                        "properties.identityProfile.kubeletidentity.objectId",
                    ),
                ] {
                    if let Some(v) = get(body, path) {
                        out.insert(key(name), v);
                    }
                }
                let group = resource_group_name(resource.resource_group.as_ref());
                out.insert(
                    key("getCredentials"),
                    json!(format!(
                        "az aks get-credentials --subscription {} --resource-group {group} --name {}",
                        stack.subscription, resource.name
                    )),
                );
            }
            _ => {}
        }
    }
    external_dns(stack, &ctx, &mut out);
    out
}

fn resource_group_name(rg: Option<&ResourceGroupRef>) -> String {
    match rg {
        Some(ResourceGroupRef::Managed { name, .. }) => name.clone(),
        Some(ResourceGroupRef::Existing { id, .. }) => {
            id.rsplit('/').next().unwrap_or_default().to_string()
        }
        None => String::new(),
    }
}

/// `azure.json` for every identity that holds DNS Zone Contributor on a zone of the stack.
fn external_dns(stack: &Stack, ctx: &Context<'_>, out: &mut BTreeMap<String, Value>) {
    let dns_contributor = roles::resolve(roles::DNS_ZONE_CONTRIBUTOR).map(|r| r.guid);
    for resource in stack.resources.values() {
        let Spec::RoleAssignment(ra) = &resource.spec else {
            continue;
        };
        let (Principal::Identity(identity), Scope::Target(Target::Node(zone))) =
            (&ra.principal, &ra.scope)
        else {
            continue;
        };
        if Some(&ra.role.guid) != dns_contributor.as_ref() || zone.kind != Kind::DnsZone {
            continue;
        }
        let Some(body) = ctx.live.get(&ctx.id(identity)) else {
            continue;
        };
        let zone_group = stack
            .resources
            .get(zone)
            .map(|z| resource_group_name(z.resource_group.as_ref()))
            .unwrap_or_default();
        let config = json!({
            "tenantId": lookup(body, "properties.tenantId").cloned().unwrap_or(Value::Null),
            "subscriptionId": stack.subscription,
            "resourceGroup": zone_group,
            "useManagedIdentityExtension": true,
            "userAssignedIdentityID": lookup(body, "properties.clientId").cloned().unwrap_or(Value::Null),
        });
        out.insert(format!("{identity}.externalDns.azure.json"), config);
    }
}
