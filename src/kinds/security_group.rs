//! Network security groups (`Microsoft.Network/networkSecurityGroups`) with their rules inline
//! (`properties.securityRules`, as NetworkSecurityGroups_Get lists them). Like a route table's
//! routes (`kinds::route_table`), the rules are the stack's only with a `rules:` key; without it
//! the PUT sends the live rules back, so rules made elsewhere survive an update of the tags.
//! Validation follows Learn "Network security groups" (Security rules: priority 100-4096,
//! unique per direction; protocol, access, direction) and SecurityRulePropertiesFormat of the
//! network spec (networkSecurityGroup.json).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::habits::{Habit, habit};
use super::{BodyBuilder, EMPTY, Kind, Rules, tracked};
use crate::de::Spanned;
use crate::model::{NetworkSecurityGroup, Resource, SecurityRule, Spec};
use crate::spec::RawJson;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawNetworkSecurityGroup {
    /// Azure name (1-80 letters, digits, `-`, `_` or `.`); defaults to the key.
    pub name: Option<Spanned<String>>,
    pub resource_group: Option<Spanned<String>>,
    pub location: Option<Spanned<String>>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default)]
    pub depends_on: Vec<Spanned<String>>,
    #[serde(default)]
    pub protect: bool,
    pub raw: Option<Spanned<RawJson>>,
    /// Security rules by name. With this key the group's rules are the stack's: one left out
    /// is deleted. Without it, azplan keeps the rules the group has.
    pub rules: Option<BTreeMap<String, Spanned<RawSecurityRule>>>,
    /// Warnings of this resource accepted on purpose, each with its reason: not printed, but
    /// counted (and listed in JSON). An acknowledgement without a reason, or of a warning that
    /// does not occur, is reported.
    #[serde(default)]
    pub acknowledge: Vec<Spanned<crate::acknowledge::RawAcknowledgement>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawSecurityRule {
    /// 100-4096, unique among the group's rules of the same direction; lower runs first.
    pub priority: Spanned<u32>,
    /// `Inbound` or `Outbound`.
    pub direction: Spanned<String>,
    /// `Allow` or `Deny`.
    pub access: Spanned<String>,
    /// `Tcp`, `Udp`, `Icmp`, `Esp`, `Ah` or `*` (any).
    pub protocol: Spanned<String>,
    /// Source CIDRs, IPs or service tags (`VirtualNetwork`, `Internet`). Default `[*]`.
    #[serde(default)]
    pub sources: Vec<Spanned<String>>,
    /// Source ports or ranges (`80`, `1024-65535`). Default `[*]`.
    #[serde(default)]
    pub source_ports: Vec<Spanned<String>>,
    /// Destination CIDRs, IPs or service tags. Default `[*]`.
    #[serde(default)]
    pub destinations: Vec<Spanned<String>>,
    /// Destination ports or ranges. Default `[*]`.
    #[serde(default)]
    pub destination_ports: Vec<Spanned<String>>,
    /// Up to 140 characters.
    pub description: Option<Spanned<String>>,
}

/// ARM and azurerm names of an NSG's settings (`crate::kinds::habits`). ARM:
/// Microsoft.Network networkSecurityGroups properties; azurerm: `azurerm_network_security_group`.
#[rustfmt::skip]
pub(crate) const HABITS: &[Habit] = &[
    habit("", "securityRules", "security_rule", "`rules: {NAME: {priority, direction, access, protocol, …}}` (a map by rule name)"),
    habit("rules.*", "sourceAddressPrefix", "source_address_prefix", "`sources: [PREFIX, …]`"),
    habit("rules.*", "sourceAddressPrefixes", "source_address_prefixes", "`sources: [PREFIX, …]`"),
    habit("rules.*", "destinationAddressPrefix", "destination_address_prefix", "`destinations: [PREFIX, …]`"),
    habit("rules.*", "destinationAddressPrefixes", "destination_address_prefixes", "`destinations: [PREFIX, …]`"),
    habit("rules.*", "sourcePortRange", "source_port_range", "`sourcePorts: [PORT, …]`"),
    habit("rules.*", "sourcePortRanges", "source_port_ranges", "`sourcePorts: [PORT, …]`"),
    habit("rules.*", "destinationPortRange", "destination_port_range", "`destinationPorts: [PORT, …]`"),
    habit("rules.*", "destinationPortRanges", "destination_port_ranges", "`destinationPorts: [PORT, …]`"),
];

pub static RULES: Rules = Rules {
    immutable: &[(
        "location",
        "a network security group cannot move to another region",
    )],
    exact_maps: &["tags"],
    case_insensitive: &[
        "location",
        "properties.securityRules[].properties.protocol",
        "properties.securityRules[].properties.access",
        "properties.securityRules[].properties.direction",
    ],
    sets: &[
        "properties.securityRules[].properties.sourceAddressPrefixes",
        "properties.securityRules[].properties.destinationAddressPrefixes",
        "properties.securityRules[].properties.sourcePortRanges",
        "properties.securityRules[].properties.destinationPortRanges",
    ],
    ..EMPTY
};

pub fn body(b: &BodyBuilder<'_, '_>, resource: &Resource, nsg: &NetworkSecurityGroup) -> Value {
    let mut body = tracked(b, resource);
    let rules = match &nsg.rules {
        Some(rules) => super::in_live_order(
            b,
            resource,
            "securityRules",
            rules.iter().map(rule_body).collect(),
        ),
        None => super::live_children(b, resource, "securityRules"),
    };
    body["properties"] = json!({ "securityRules": rules });
    body
}

/// One value goes in the singular property, several in the plural one: SecurityRule accepts
/// either, and the service answers the singular as sent (NetworkSecurityGroupCreateWithRule).
fn rule_body(r: &SecurityRule) -> Value {
    let mut props = json!({
        "priority": r.priority,
        "direction": r.direction,
        "access": r.access,
        "protocol": r.protocol,
    });
    for (single, plural, values) in [
        ("sourceAddressPrefix", "sourceAddressPrefixes", &r.sources),
        (
            "destinationAddressPrefix",
            "destinationAddressPrefixes",
            &r.destinations,
        ),
        ("sourcePortRange", "sourcePortRanges", &r.source_ports),
        (
            "destinationPortRange",
            "destinationPortRanges",
            &r.destination_ports,
        ),
    ] {
        if let [one] = values.as_slice() {
            props[single] = json!(one);
        } else {
            props[plural] = json!(values);
        }
    }
    if let Some(d) = &r.description {
        props["description"] = json!(d);
    }
    json!({ "name": r.name, "properties": props })
}

crate::spec::common!(RawNetworkSecurityGroup);

// Building the model from the spec.

use crate::build::Builder;
use crate::diag::SpecDiagnostic;
use crate::names;
use crate::spec::Entry;

/// SecurityRuleProtocol, SecurityRuleAccess and SecurityRuleDirection of networkSecurityGroup.json.
const PROTOCOLS: [&str; 6] = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"];
const ACCESS: [&str; 2] = ["Allow", "Deny"];
const DIRECTIONS: [&str; 2] = ["Inbound", "Outbound"];

impl Builder<'_> {
    pub(crate) fn security_groups(&mut self, entries: &[Entry<RawNetworkSecurityGroup>]) {
        for entry in entries {
            let s = &entry.spec;
            let mut resource = self.common(
                Kind::NetworkSecurityGroup,
                entry,
                s.resource_group.as_ref(),
                s.location.as_ref(),
                &s.tags,
                |n| names::generic(n, 80, "a network security group name is 1-80 letters, digits, `-`, `_` or `.`, starting with a letter or digit"),
            );
            let rules = s.rules.as_ref().map(|rules| {
                let built: Vec<SecurityRule> = rules
                    .iter()
                    .filter_map(|(name, r)| self.security_rule(name, &r.value))
                    .collect();
                self.check_unique_priorities(rules, &built);
                built
            });
            resource.spec = Spec::NetworkSecurityGroup(NetworkSecurityGroup { rules });
            self.insert(resource);
        }
    }

    /// Learn "Network security groups", Security rules: "Rules with the same priority and
    /// direction can't be created."
    fn check_unique_priorities(
        &mut self,
        raw: &BTreeMap<String, Spanned<RawSecurityRule>>,
        built: &[SecurityRule],
    ) {
        for (i, rule) in built.iter().enumerate() {
            if let Some(first) = built[..i]
                .iter()
                .find(|o| o.priority == rule.priority && o.direction == rule.direction)
            {
                let span = raw[&rule.name].value.priority.span;
                self.error(SpecDiagnostic::invalid(
                    format!(
                        "rules `{}` and `{}` both have priority {} for {} traffic",
                        first.name,
                        rule.name,
                        rule.priority,
                        rule.direction.to_ascii_lowercase()
                    ),
                    span,
                    "priority taken",
                    "give each rule of one direction its own priority (Azure refuses two)",
                ));
            }
        }
    }

    fn security_rule(&mut self, name: &str, r: &RawSecurityRule) -> Option<SecurityRule> {
        let mut ok = true;
        if !(100..=4096).contains(&r.priority.value) {
            self.error(SpecDiagnostic::invalid(
                format!("priority {} is out of range", r.priority.value),
                r.priority.span,
                "not 100-4096",
                "a security rule's priority is 100 to 4096 (Learn \"Network security groups\")",
            ));
            ok = false;
        }
        let mut pick = |value: &Spanned<String>, allowed: &[&'static str], what: &str| {
            let found = allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(&value.value))
                .map(|a| (*a).to_string());
            if found.is_none() {
                self.error(SpecDiagnostic::invalid(
                    format!("`{}` is not a rule {what}", value.value),
                    value.span,
                    format!("unknown {what}"),
                    format!("use one of {}", allowed.join(", ")),
                ));
            }
            found
        };
        let direction = pick(&r.direction, &DIRECTIONS, "direction");
        let access = pick(&r.access, &ACCESS, "access");
        let protocol = pick(&r.protocol, &PROTOCOLS, "protocol");
        let mut ports = |list: &[Spanned<String>]| -> Vec<String> {
            for p in list {
                if !valid_port_range(&p.value) {
                    self.error(SpecDiagnostic::invalid(
                        format!("`{}` is not a port or port range", p.value),
                        p.span,
                        "not a port",
                        "write a port (`443`), a range (`1024-65535`) or `*`, each 0-65535",
                    ));
                    ok = false;
                }
            }
            or_any(list)
        };
        let source_ports = ports(&r.source_ports);
        let destination_ports = ports(&r.destination_ports);
        if let Some(d) = r
            .description
            .as_ref()
            .filter(|d| d.value.chars().count() > 140)
        {
            // SecurityRulePropertiesFormat.description: "Restricted to 140 chars."
            self.error(SpecDiagnostic::invalid(
                "a rule's description is at most 140 characters",
                d.span,
                "too long",
                "shorten the description",
            ));
            ok = false;
        }
        Some(SecurityRule {
            name: name.to_string(),
            description: r.description.as_ref().map(|d| d.value.clone()),
            priority: r.priority.value,
            direction: direction?,
            access: access?,
            protocol: protocol?,
            sources: or_any(&r.sources),
            source_ports,
            destinations: or_any(&r.destinations),
            destination_ports,
        })
        .filter(|_| ok)
    }
}

/// The values written, or `*` (any) when none are.
fn or_any(list: &[Spanned<String>]) -> Vec<String> {
    if list.is_empty() {
        vec!["*".to_string()]
    } else {
        list.iter().map(|p| p.value.clone()).collect()
    }
}

/// `*`, a port or a range `low-high`, each 0-65535 (SecurityRulePropertiesFormat: "Integer or
/// range between 0 and 65535. Asterisk '*' can also be used to match all ports").
pub(crate) fn valid_port_range(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    let port = |s: &str| s.parse::<u16>().ok();
    match text.split_once('-') {
        Some((low, high)) => matches!((port(low), port(high)), (Some(l), Some(h)) if l <= h),
        None => port(text).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::valid_port_range;

    #[test]
    fn port_ranges() {
        for ok in ["*", "0", "443", "65535", "1024-65535", "80-80"] {
            assert!(valid_port_range(ok), "{ok}");
        }
        for bad in ["", "65536", "-1", "90-80", "a", "1-2-3", "**"] {
            assert!(!valid_port_range(bad), "{bad}");
        }
    }
}
