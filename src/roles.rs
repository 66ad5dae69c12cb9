//! Built-in Azure role definitions by name, so specs can say `AcrPull` instead of a GUID: every
//! role on Microsoft's published list, kept as data in `roles.csv`.

/// Every built-in role Microsoft publishes, one `name,GUID` a line, so the list can be refreshed
/// from Learn "Azure built-in roles" without touching code.
const TABLE: &str = include_str!("roles.csv");

/// (name, role definition GUID), read once from [`TABLE`]. GUIDs are the same in every tenant of
/// the public cloud. The file is part of the binary and checked by the tests below; a line that
/// is not `name,GUID` is skipped rather than trusted.
fn built_in() -> &'static [(&'static str, &'static str)] {
    static ROLES: std::sync::LazyLock<Vec<(&'static str, &'static str)>> =
        std::sync::LazyLock::new(|| {
            TABLE
                .lines()
                .map(str::trim)
                .filter(|line| !line.is_empty() && !line.starts_with('#'))
                .filter_map(|line| line.rsplit_once(','))
                .map(|(name, guid)| (name.trim(), guid.trim()))
                .filter(|(_, guid)| crate::names::is_guid(guid))
                .collect()
        });
    &ROLES
}

pub const ACR_PULL: &str = "AcrPull";
pub const DNS_ZONE_CONTRIBUTOR: &str = "DNS Zone Contributor";
pub const PRIVATE_DNS_ZONE_CONTRIBUTOR: &str = "Private DNS Zone Contributor";
pub const NETWORK_CONTRIBUTOR: &str = "Network Contributor";

/// A role as the spec named it, resolved to its definition GUID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Role {
    pub guid: String,
    /// The built-in name, when known.
    pub name: Option<&'static str>,
}

/// Resolves a built-in role name (case-insensitively) or a definition GUID.
pub fn resolve(text: &str) -> Option<Role> {
    let text = text.trim();
    if crate::names::is_guid(text) {
        let guid = text.to_ascii_lowercase();
        let name = built_in().iter().find(|(_, g)| *g == guid).map(|(n, _)| *n);
        return Some(Role { guid, name });
    }
    built_in()
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(name, guid)| Role {
            guid: guid.to_string(),
            name: Some(name),
        })
}

pub fn built_in_names() -> impl Iterator<Item = &'static str> + Clone {
    built_in().iter().map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// The roles azplan knew by name before it read Microsoft's whole list: specs written then
    /// must resolve to the same definitions.
    const BEFORE: &[(&str, &str)] = &[
        ("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d"),
        ("AcrPush", "8311e382-0749-4cb8-b61a-304f252e45ec"),
        ("AcrDelete", "c2f4ef07-c644-48eb-af81-4b1b4947fb11"),
        (
            "Azure Kubernetes Service Cluster Admin Role",
            "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8",
        ),
        (
            "Azure Kubernetes Service Cluster User Role",
            "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
        ),
        (
            "Azure Kubernetes Service Cluster Monitoring User",
            "1afdec4b-e479-420e-99e7-f82237c7c5e6",
        ),
        (
            "Azure Kubernetes Service Contributor Role",
            "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8",
        ),
        (
            "Azure Kubernetes Service RBAC Admin",
            "3498e952-d568-435e-9b2c-8d77e338d7f7",
        ),
        (
            "Azure Kubernetes Service RBAC Cluster Admin",
            "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
        ),
        (
            "Azure Kubernetes Service RBAC Reader",
            "7f6c6a51-bcf8-42ba-9220-52d62157d7db",
        ),
        (
            "Azure Kubernetes Service RBAC Writer",
            "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb",
        ),
        ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
        (
            "DNS Zone Contributor",
            "befefa01-2a29-4197-83a8-272ff33ce314",
        ),
        (
            "Key Vault Secrets User",
            "4633458b-17de-408a-b874-0445c86b69e6",
        ),
        (
            "Log Analytics Contributor",
            "92aaf0da-9dab-42b6-94a3-d43ce8d16293",
        ),
        (
            "Log Analytics Reader",
            "73c42c96-874c-492b-b04d-ab87d138a893",
        ),
        (
            "Managed Identity Operator",
            "f1a07417-d97a-45cb-824c-7a7467783830",
        ),
        (
            "Monitoring Metrics Publisher",
            "3913510d-42f4-4e42-8a64-420c390055eb",
        ),
        (
            "Network Contributor",
            "4d97b98b-1d4f-4787-a291-c67834d212e7",
        ),
        ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
        (
            "Private DNS Zone Contributor",
            "b12aa53e-6015-4669-85d0-8515ebb3ae7f",
        ),
        ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        (
            "User Access Administrator",
            "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        ),
        (
            "Role Based Access Control Administrator",
            "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        ),
        (
            "Virtual Machine Contributor",
            "9980e02c-c2be-4d73-94e8-173b1dc7cf3c",
        ),
        (
            "Storage Account Contributor",
            "17d1049b-9a84-46fb-8f53-869881c3d3ab",
        ),
        (
            "Storage Blob Data Contributor",
            "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        ),
        (
            "Storage Blob Data Reader",
            "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
        ),
        (
            "Storage Blob Data Owner",
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ),
        (
            "Key Vault Administrator",
            "00482a5a-887f-4fb3-b363-3b7fe8e74483",
        ),
        (
            "Key Vault Secrets Officer",
            "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
        ),
        (
            "Key Vault Crypto User",
            "12338af0-0e69-4776-bea7-57ae8d297424",
        ),
        (
            "Key Vault Certificate User",
            "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba",
        ),
        ("Monitoring Reader", "43d0d8ad-25c7-4714-9337-8ba259a9fe05"),
        (
            "Monitoring Contributor",
            "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
        ),
    ];

    #[test]
    fn names_and_guids_resolve_to_the_same_role() {
        let by_name = resolve("acrpull").unwrap();
        let by_guid = resolve("7F951DDA-4ED3-4680-A7CA-43FE172D538D").unwrap();
        assert_eq!(by_name, by_guid);
        assert_eq!(by_name.name, Some("AcrPull"));
        assert!(resolve("Cluster Superuser").is_none());
    }

    #[test]
    fn every_line_of_the_table_is_a_role() {
        let lines = TABLE
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .count();
        assert_eq!(
            lines,
            built_in().len(),
            "a line of roles.csv is not `name,GUID`"
        );
        assert!(
            built_in().len() > 400,
            "Microsoft publishes several hundred roles"
        );
    }

    #[test]
    fn names_and_guids_are_unique() {
        let mut names = BTreeMap::new();
        let mut guids = BTreeMap::new();
        for (name, guid) in built_in() {
            assert_eq!(
                *guid,
                guid.to_ascii_lowercase(),
                "{name}: GUIDs are lower-case"
            );
            assert!(
                names.insert(name.to_ascii_lowercase(), guid).is_none(),
                "{name} is listed twice (names are case-insensitive)"
            );
            assert!(
                guids.insert(*guid, name).is_none(),
                "{guid} is listed twice"
            );
        }
    }

    #[test]
    fn the_roles_azplan_used_before_keep_their_guids() {
        for (name, guid) in BEFORE {
            let role = resolve(name).unwrap_or_else(|| panic!("{name} is gone"));
            assert_eq!(role.guid, *guid, "{name}");
            assert_eq!(role.name, Some(*name));
        }
    }
}
