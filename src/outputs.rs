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
            .and_then(|z| z.resource_group.as_ref().map(ResourceGroupRef::name))
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
