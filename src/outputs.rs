//! Values users need after an apply, read from live state: registry login servers, how to get
//! cluster credentials, OIDC issuers, identity client IDs, DNS name servers to set at the
//! registrar, and the `azure.json` external-dns needs.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::kinds::{self, Context};
use crate::live::LiveState;
use crate::model::{Kind, Principal, ResourceGroupRef, Scope, Spec, Stack, Target};
use crate::plan::lookup;
use crate::roles;

/// Output name → value, for every resource that exists.
pub fn outputs(stack: &Stack, live: &LiveState) -> BTreeMap<String, Value> {
    let ctx = Context { stack, live };
    let mut out = BTreeMap::new();
    for (address, resource) in &stack.resources {
        let Some(body) = live.get(&ctx.id(address)) else {
            continue;
        };
        for (name, value) in kinds::outputs(&ctx, resource, body) {
            out.insert(format!("{address}.{name}"), value);
        }
    }
    external_dns(stack, &ctx, &mut out);
    out
}

/// `azure.json` for every identity that may write records in a zone of the stack: DNS Zone
/// Contributor on a public zone (external-dns's `azure` provider) or Private DNS Zone
/// Contributor on a private one (its `azure-private-dns` provider; the same file). An identity
/// with a federated credential signs in through workload identity, so its file says
/// `useWorkloadIdentityExtension` and the client ID goes on the service account instead
/// (external-dns docs, "Azure DNS" and "Azure Private DNS" tutorials).
fn external_dns(stack: &Stack, ctx: &Context<'_>, out: &mut BTreeMap<String, Value>) {
    let public = roles::resolve(roles::DNS_ZONE_CONTRIBUTOR).map(|r| r.guid);
    let private = roles::resolve(roles::PRIVATE_DNS_ZONE_CONTRIBUTOR).map(|r| r.guid);
    for resource in stack.resources.values() {
        let Spec::RoleAssignment(ra) = &resource.spec else {
            continue;
        };
        let (Principal::Identity(identity), Scope::Target(Target::Node(zone))) =
            (&ra.principal, &ra.scope)
        else {
            continue;
        };
        if zone.kind != Kind::DnsZone {
            continue;
        }
        let name = if Some(&ra.role.guid) == public.as_ref() {
            "externalDns.azure.json"
        } else if Some(&ra.role.guid) == private.as_ref() {
            "externalDnsPrivate.azure.json"
        } else {
            continue;
        };
        let Some(body) = ctx.live.get(&ctx.id(identity)) else {
            continue;
        };
        let zone_group = stack
            .resources
            .get(zone)
            .and_then(|z| z.resource_group.as_ref().map(ResourceGroupRef::name))
            .unwrap_or_default();
        let federated = stack
            .resources
            .keys()
            .any(|a| a.kind == Kind::FederatedCredential && a.parent().as_ref() == Some(identity));
        let mut config = json!({
            "tenantId": lookup(body, "properties.tenantId").cloned().unwrap_or(Value::Null),
            "subscriptionId": stack.subscription,
            "resourceGroup": zone_group,
        });
        if federated {
            config["useWorkloadIdentityExtension"] = json!(true);
        } else {
            config["useManagedIdentityExtension"] = json!(true);
            config["userAssignedIdentityID"] = lookup(body, "properties.clientId")
                .cloned()
                .unwrap_or(Value::Null);
        }
        out.insert(format!("{identity}.{name}"), config);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::check_str;
    use crate::load::LoadOptions;

    const SPEC: &str = "stack: s\nsubscription: 00000000-0000-0000-0000-000000000001\nlocation: westeurope\nresourceGroup: rg\nresourceGroups:\n  rg: {name: rg-dns}\ndnsZones:\n  pub: {name: apps.example.com}\n  priv: {name: apps.internal, private: true}\nidentities:\n  dns:\n    federatedCredentials:\n      external-dns:\n        issuer: https://oidc.example.com/\n        subject: system:serviceaccount:external-dns:external-dns\n  legacy: {}\nroleAssignments:\n  a: {role: DNS Zone Contributor, scope: dnsZone/pub, principal: identity/dns}\n  b: {role: Private DNS Zone Contributor, scope: dnsZone/priv, principal: identity/dns}\n  c: {role: DNS Zone Contributor, scope: dnsZone/pub, principal: identity/legacy}\n";

    #[test]
    fn external_dns_gets_a_file_per_zone_kind_in_the_form_its_sign_in_needs() {
        let checked = check_str("s.yaml", SPEC, &LoadOptions::default());
        let stack = checked.stack.expect("valid");
        let mut live = LiveState::default();
        for name in ["dns", "legacy"] {
            live.insert(json!({
                "id": format!("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-dns/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"),
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                "properties": {"tenantId": "t", "clientId": format!("client-{name}")}
            }));
        }
        let out = outputs(&stack, &live);
        let workload = json!({"tenantId": "t", "subscriptionId": "00000000-0000-0000-0000-000000000001",
            "resourceGroup": "rg-dns", "useWorkloadIdentityExtension": true});
        assert_eq!(out["identity/dns.externalDns.azure.json"], workload);
        assert_eq!(out["identity/dns.externalDnsPrivate.azure.json"], workload);
        assert_eq!(
            out["identity/legacy.externalDns.azure.json"]["userAssignedIdentityID"],
            json!("client-legacy")
        );
        assert!(!out.contains_key("identity/legacy.externalDnsPrivate.azure.json"));
    }
}
