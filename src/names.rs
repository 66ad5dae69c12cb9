//! Azure naming rules, checked before anything reaches ARM (which rejects them much later).

/// A broken naming rule, phrased for a diagnostic.
pub type Rule = &'static str;

/// Learn "Naming rules and restrictions for Azure resources", Microsoft.ContainerRegistry
/// (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules): 5-50 alphanumerics, globally unique.
pub fn registry(name: &str) -> Result<(), Rule> {
    let ok = (5..=50).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric());
    ok.then_some(())
        .ok_or("a registry name is 5-50 letters and digits, globally unique")
}

/// Learn "Naming rules and restrictions for Azure resources", Microsoft.KeyVault/vaults
/// (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules):
/// 3-24 alphanumerics and hyphens, starting with a letter, ending with a letter or digit, no
/// consecutive hyphens; globally unique. The service's VaultNameNotValid message says the same.
pub fn key_vault(name: &str) -> Result<(), Rule> {
    let ok = (3..=24).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && !name.contains("--");
    ok.then_some(()).ok_or(
        "a key vault name is 3-24 letters, digits and hyphens, starting with a letter, ending with a letter or digit, without consecutive hyphens; globally unique",
    )
}

/// Learn "Create node pools" (https://learn.microsoft.com/azure/aks/create-node-pools): a Linux
/// pool name is 1-12 lowercase letters and digits and starts with a letter.
pub fn node_pool(name: &str) -> Result<(), Rule> {
    let mut bytes = name.bytes();
    let ok = (1..=12).contains(&name.len())
        && bytes.next().is_some_and(|b| b.is_ascii_lowercase())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    ok.then_some(())
        .ok_or("a node pool name is 1-12 lowercase letters and digits, starting with a letter")
}

/// Learn "Naming rules", Microsoft.Resources (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules): 1-90
/// characters of letters (Unicode), digits, `-_.()`, not ending in a period.
pub fn resource_group(name: &str) -> Result<(), Rule> {
    let ok = (1..=90).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '(' | ')'))
        && !name.ends_with('.');
    ok.then_some(()).ok_or(
        "a resource group name is 1-90 letters, digits, `-`, `_`, `.`, `(` or `)`, not ending in `.`",
    )
}

/// Microsoft.Network/dnsZones template reference
/// (https://learn.microsoft.com/azure/templates/microsoft.network/dnszones): 2 to 34 labels of
/// alphanumerics, underscores and hyphens.
pub fn dns_zone(name: &str) -> Result<(), Rule> {
    const RULE: Rule = "a DNS zone name is 2-34 dot-separated labels of 1-63 letters, digits and \
                        hyphens (not starting or ending with a hyphen), at most 253 characters";
    let labels: Vec<&str> = name.trim_end_matches('.').split('.').collect();
    let ok = name.len() <= 253
        && (2..=34).contains(&labels.len())
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    ok.then_some(()).ok_or(RULE)
}

/// VNets, subnets, identities, workspaces and clusters share a common shape of rule.
pub fn generic(name: &str, max: usize, rule: Rule) -> Result<(), Rule> {
    let ok = (1..=max).contains(&name.len())
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !name.ends_with(['.', '-']);
    ok.then_some(()).ok_or(rule)
}

/// Learn "Naming rules", Microsoft.OperationalInsights (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules): 4-63
/// alphanumerics and hyphens, starting and ending with an alphanumeric.
pub fn workspace(name: &str) -> Result<(), Rule> {
    let ok = (4..=63).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    ok.then_some(())
        .ok_or("a workspace name is 4-63 letters, digits and hyphens, not starting or ending with a hyphen")
}

/// The `azureMonitorWorkspaceName` path parameter of Microsoft.Monitor accounts
/// (monitoringAccounts_API.json, stable/2023-04-03): pattern `^(?!-)[a-zA-Z0-9-]+[^-]$`, so
/// letters, digits and hyphens, no hyphen first, at least two characters; the last character
/// is any but a hyphen (so `ws_` passes, as it does in Azure), except the few that would break
/// the resource's URL (`/ ? # % \ &`, spaces and control characters).
pub fn monitor_workspace(name: &str) -> Result<(), Rule> {
    let bytes = name.as_bytes();
    let ok = bytes.len() >= 2
        && bytes[0] != b'-'
        && bytes[..bytes.len() - 1]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        && bytes
            .last()
            .is_some_and(|b| b.is_ascii_graphic() && !b"-/?#%\\&".contains(b));
    ok.then_some(()).ok_or(
        "an Azure Monitor workspace name is at least 2 letters, digits and hyphens, not starting or ending with a hyphen",
    )
}

/// Learn "Naming rules and restrictions for Azure resources", Microsoft.Storage/storageAccounts
/// (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules):
/// 3-24 lowercase letters and digits, globally unique (one DNS name under
/// `core.windows.net`). The `accountName` path parameter says the same (Microsoft.Storage
/// stable/2026-09-01/openapi.json: minLength 3, maxLength 24, pattern `^[a-z0-9]+$`).
pub fn storage_account(name: &str) -> Result<(), Rule> {
    let ok = (3..=24).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    ok.then_some(()).ok_or(
        "a storage account name is 3-24 lowercase letters and digits (no hyphens), globally unique",
    )
}

/// Learn "Naming rules", Microsoft.ContainerService (https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules): managed
/// cluster names.
pub fn cluster(name: &str) -> Result<(), Rule> {
    generic(
        name,
        63,
        "a cluster name is 1-63 letters, digits, `-`, `_` or `.`, starting with a letter or digit",
    )
}

/// ManagedClusterProperties `dnsPrefix` (AKS API spec) and Learn "Create an AKS cluster"
/// (https://learn.microsoft.com/azure/aks/learn/quick-kubernetes-deploy-cli): the DNS name prefix
/// of the API server's FQDN.
pub fn dns_prefix(name: &str) -> Result<(), Rule> {
    let ok = (1..=54).contains(&name.len())
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !name.ends_with('-');
    ok.then_some(())
        .ok_or("a DNS prefix is 1-54 letters, digits and hyphens, starting and ending with a letter or digit")
}

/// Learn "Workload identity federation considerations"
/// (https://learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations):
/// federated credential names are 3-120 characters of alphanumerics, dashes and underscores,
/// starting with an alphanumeric.
pub fn federated_credential(name: &str) -> Result<(), Rule> {
    let mut bytes = name.bytes();
    let ok = (3..=120).contains(&name.len())
        && bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    ok.then_some(())
        .ok_or("a federated credential name is 3-120 letters, digits, `-` and `_`, starting with a letter or digit")
}

pub fn is_guid(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 5
        && [8, 4, 4, 4, 12]
            .iter()
            .zip(&parts)
            .all(|(len, part)| part.len() == *len && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monitor_workspace_names_follow_the_spec_pattern() {
        // `^(?!-)[a-zA-Z0-9-]+[^-]$` (Microsoft.Monitor 2023-04-03).
        for ok in ["myAzureMonitorWorkspace", "amw-prod-01", "ab", "ws_"] {
            assert!(monitor_workspace(ok).is_ok(), "{ok}");
        }
        for bad in ["a", "-amw", "amw-", "amw_prod-1", "amw.prod", "amw/x"] {
            assert!(monitor_workspace(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn storage_account_names_are_lowercase_letters_and_digits() {
        for ok in ["sto4445", "tfstate01", "abc", "a23456789012345678901234"] {
            assert!(storage_account(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "Sto4445",
            "tf-state",
            "tf_state",
            "a234567890123456789012345",
        ] {
            assert!(storage_account(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn rules_accept_typical_names_and_reject_broken_ones() {
        assert!(registry("acrplatform01").is_ok());
        assert!(registry("acr-platform").is_err());
        assert!(registry("acr").is_err());
        assert!(node_pool("system").is_ok());
        assert!(node_pool("System").is_err());
        assert!(node_pool("userpoolnumber1").is_err());
        assert!(node_pool("1pool").is_err());
        assert!(resource_group("rg-platform(prod)").is_ok());
        assert!(resource_group("rg.").is_err());
        assert!(dns_zone("apps.example.com").is_ok());
        assert!(dns_zone("localhost").is_err());
        assert!(dns_zone("-bad.example.com").is_err());
        assert!(is_guid("7f951dda-4ed3-4680-a7ca-43fe172d538d"));
        assert!(!is_guid("AcrPull"));
    }
}
