//! The Key Vault secrets provider and Application Gateway ingress add-ons: their spec, checks
//! and `addonProfiles` entries, kept apart from the cluster's build so each add-on is one place.
//!
//! Config keys are the Azure CLI's (azure-cli `command_modules/acs/_consts.py`:
//! `CONST_AZURE_KEYVAULT_SECRETS_PROVIDER_ADDON_NAME = "azureKeyvaultSecretsProvider"`,
//! `CONST_SECRET_ROTATION_ENABLED = "enableSecretRotation"`, `CONST_ROTATION_POLL_INTERVAL =
//! "rotationPollInterval"`; `CONST_INGRESS_APPGW_ADDON_NAME = "ingressApplicationGateway"`,
//! `applicationGatewayId`, `applicationGatewayName`, `subnetId`, `subnetCIDR`), as the official
//! example ManagedClustersCreate_AzureKeyvaultSecretsProvider (AKS 2026-08-01) sends them:
//! `"config": {"enableSecretRotation": "true", "rotationPollInterval": "2m"}`, values as text
//! (ManagedClusterAddonProfile.config is a map of strings).

use serde_json::{Value, json};

use crate::build::{Builder, arm_type_of};
use crate::diag::{Code, SpecDiagnostic};
use crate::kinds::BodyBuilder;
use crate::kinds::cluster::{RawAppGatewayIngress, RawCluster, RawSecretsProvider};
use crate::model::{
    AppGatewayIngress, AppGatewaySubnet, Cluster, Dependency, Kind, SecretsProvider, Target,
};

/// "The default rotation poll interval is two minutes" (Learn "Azure Key Vault provider for
/// Secrets Store CSI Driver configuration options",
/// https://learn.microsoft.com/azure/aks/csi-secrets-store-configuration-options); the Azure CLI
/// sends `"2m"` when it enables the add-on without `--rotation-poll-interval`.
const DEFAULT_POLL_INTERVAL: &str = "2m";

/// The ARM type of an application gateway, lower-case as `arm_type_of` gives it.
const APPLICATION_GATEWAY: &str = "microsoft.network/applicationgateways";

impl Builder<'_> {
    pub(super) fn secrets_provider(&mut self, s: &RawCluster) -> Option<SecretsProvider> {
        let raw: &RawSecretsProvider = &s.key_vault_secrets_provider.as_ref()?.value;
        let interval = match &raw.rotation_poll_interval {
            Some(i) => {
                // The driver reads `--rotation-poll-interval` as a Go `time.Duration`
                // (secrets-store-csi-driver); Learn's examples write `5m`, `2m`.
                if !is_go_duration(&i.value) {
                    self.error(SpecDiagnostic::invalid(
                        format!("`{}` is not a duration", i.value),
                        i.span,
                        "rotation poll interval",
                        "write a duration such as `2m`, `30s` or `1h30m`",
                    ));
                }
                i.value.clone()
            }
            None => DEFAULT_POLL_INTERVAL.to_string(),
        };
        Some(SecretsProvider {
            secret_rotation: raw.secret_rotation.unwrap_or(false),
            rotation_poll_interval: interval,
        })
    }

    /// The gateway the ingress controller drives: an existing one (`applicationGatewayId`), or
    /// one AKS creates in the node resource group from a subnet or a CIDR (Learn "Enable the
    /// ingress controller add-on for a new AKS cluster with a new application gateway instance",
    /// https://learn.microsoft.com/azure/application-gateway/tutorial-ingress-controller-add-on-new:
    /// `--appgw-name ... --appgw-subnet-cidr`; `--appgw-id` for an existing one in
    /// .../tutorial-ingress-controller-add-on-existing). One of the three, never two.
    pub(super) fn app_gateway_ingress(
        &mut self,
        s: &RawCluster,
        deps: &mut Vec<Dependency>,
    ) -> Option<AppGatewayIngress> {
        let spanned = s.ingress_application_gateway.as_ref()?;
        let raw: &RawAppGatewayIngress = &spanned.value;
        let given: Vec<_> = [
            raw.gateway.as_ref().map(|g| (g.span, "gateway")),
            raw.subnet.as_ref().map(|g| (g.span, "subnet")),
            raw.subnet_cidr.as_ref().map(|g| (g.span, "subnetCidr")),
        ]
        .into_iter()
        .flatten()
        .collect();
        match given.as_slice() {
            [] => {
                self.error(SpecDiagnostic::error_at(
                    Code::MissingField,
                    "the ingress application gateway add-on needs a gateway",
                    spanned.span,
                    "no gateway",
                    "add `gateway: existing/NAME` (an existing gateway), or `subnet:` / `subnetCidr:` for one AKS creates",
                ));
                return None;
            }
            [_] => {}
            [(first, a), (second, b), ..] => {
                self.error(
                    SpecDiagnostic::new(
                        Code::ConflictingSettings,
                        format!("set one of `gateway`, `subnet` and `subnetCidr`, not `{a}` and `{b}`"),
                    )
                    .at(*second, *b)
                    .also(*first, *a)
                    .help("`gateway` uses an existing gateway; `subnet` or `subnetCidr` has AKS create one"),
                );
                return None;
            }
        }
        if let (Some(name), Some(gateway)) = (&raw.name, &raw.gateway) {
            self.error(
                SpecDiagnostic::conflict(
                    "`name` names a gateway AKS creates; an existing `gateway` has its own",
                    name.span,
                    "name",
                    "remove `name`",
                )
                .also(gateway.span, "existing gateway"),
            );
        }
        if let Some(g) = &raw.gateway {
            return self.app_gateway(g, deps).map(AppGatewayIngress::Existing);
        }
        let subnet = if let Some(cidr) = &raw.subnet_cidr {
            match cidr.value.parse::<crate::net::Cidr>() {
                Ok(c) => AppGatewaySubnet::Cidr(c),
                Err(e) => {
                    self.error(SpecDiagnostic::error_at(
                        Code::InvalidCidr,
                        format!("`{}` is not a CIDR: {e}", cidr.value),
                        cidr.span,
                        "subnet CIDR",
                        "e.g. `10.225.0.0/16`, inside the cluster's VNet address space",
                    ));
                    return None;
                }
            }
        } else {
            let subnet = raw.subnet.as_ref()?;
            AppGatewaySubnet::Subnet(self.resolve_or_id(subnet, &[Kind::Subnet], deps)?)
        };
        Some(AppGatewayIngress::New {
            name: raw.name.as_ref().map(|n| n.value.clone()),
            subnet,
        })
    }

    /// An application gateway azplan does not manage: an `existing:` entry of that type or an
    /// ARM ID of one.
    fn app_gateway(
        &mut self,
        text: &crate::de::Spanned<String>,
        deps: &mut Vec<Dependency>,
    ) -> Option<Target> {
        let wrong = |b: &mut Self, what: &str| {
            b.error(SpecDiagnostic::error_at(
                Code::WrongReferenceKind,
                format!("`{}` is {what}, not an application gateway", text.value),
                text.span,
                "expected an application gateway",
                "declare it under `existing:` with its ID (…/providers/Microsoft.Network/applicationGateways/NAME) and write `existing/NAME`",
            ));
        };
        if text.value.starts_with('/') {
            let arm_type = arm_type_of(&text.value);
            if arm_type.as_deref() != Some(APPLICATION_GATEWAY) {
                wrong(self, "not the ARM ID of an application gateway");
                return None;
            }
            self.wait_for_group_of(&text.value, text.span, deps);
            return Some(Target::ArmId(text.value.clone()));
        }
        let target = self.resolve(text, &[Kind::Existing], deps)?;
        if let Target::Node(address) = &target {
            let symbol = self.symbols.get(address);
            let fits = symbol.is_some_and(|s| {
                s.unreadable || s.arm_type.as_deref() == Some(APPLICATION_GATEWAY)
            });
            if !fits || address.child.is_some() {
                wrong(self, "another kind of resource");
                return None;
            }
        }
        Some(target)
    }
}

/// Whether `text` is a Go duration (`300ms`, `2m`, `1h30m`): numbers, each with a unit.
fn is_go_duration(text: &str) -> bool {
    // `ms` before `m`, so the longer unit is tried first.
    const UNITS: &[&str] = &["ns", "us", "µs", "ms", "s", "m", "h"];
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 || rest[..digits].parse::<f64>().is_err() {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = UNITS.iter().find(|u| rest.starts_with(**u)) else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

/// The `addonProfiles` entries of the two add-ons; off ones are sent as off, as the others are.
pub(super) fn profiles(b: &BodyBuilder<'_, '_>, c: &Cluster) -> [(&'static str, Value); 2] {
    let secrets = match &c.secrets_provider {
        Some(p) => json!({
            "enabled": true,
            "config": {
                "enableSecretRotation": p.secret_rotation.to_string(),
                "rotationPollInterval": p.rotation_poll_interval,
            },
        }),
        None => json!({ "enabled": false }),
    };
    let gateway = match &c.app_gateway_ingress {
        Some(AppGatewayIngress::Existing(target)) => json!({
            "enabled": true,
            "config": { "applicationGatewayId": b.ctx.target_id(target) },
        }),
        Some(AppGatewayIngress::New { name, subnet }) => {
            let mut config = serde_json::Map::new();
            if let Some(name) = name {
                config.insert("applicationGatewayName".into(), json!(name));
            }
            match subnet {
                AppGatewaySubnet::Subnet(target) => {
                    config.insert("subnetId".into(), json!(b.ctx.target_id(target)));
                }
                AppGatewaySubnet::Cidr(cidr) => {
                    config.insert("subnetCIDR".into(), json!(cidr.to_string()));
                }
            }
            json!({ "enabled": true, "config": config })
        }
        None => json!({ "enabled": false }),
    };
    [
        ("azureKeyvaultSecretsProvider", secrets),
        ("ingressApplicationGateway", gateway),
    ]
}

#[cfg(test)]
mod tests {
    use super::is_go_duration;

    #[test]
    fn durations_read_as_go_reads_them() {
        for ok in ["2m", "30s", "1h30m", "300ms", "1.5h", "10µs"] {
            assert!(is_go_duration(ok), "{ok}");
        }
        for bad in ["", "2", "m", "2 m", "2min", "-2m", "2d"] {
            assert!(!is_go_duration(bad), "{bad}");
        }
    }
}
