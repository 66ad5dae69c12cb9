//! The resource types the emulator serves, with the per-type facts from the API descriptions that
//! the generic handlers need: ARM type names, api-versions, parent type and LRO style.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum Kind {
    ResourceGroup,
    Registry,
    Workspace,
    VirtualNetwork,
    Subnet,
    /// `virtualNetworks/{vnet}/virtualNetworkPeerings/{name}`.
    VirtualNetworkPeering,
    PublicIpAddress,
    PublicIpPrefix,
    DnsZone,
    PrivateDnsZone,
    PrivateDnsZoneLink,
    /// `privateDnsZones/{zone}/{recordType}/{name}`: the type segment is the record type, so routing
    /// and the ARM type name are special-cased (see `route` and `records`).
    PrivateDnsRecordSet,
    Identity,
    FederatedCredential,
    RoleAssignment,
    Cluster,
    NodePool,
    /// `managedClusters/{c}/maintenanceConfigurations/{name}` (planned maintenance windows).
    MaintenanceConfiguration,
    /// `Microsoft.KeyVault/vaults`; its soft-deleted vaults are served by `key_vault`.
    KeyVault,
    /// `Microsoft.Network/routeTables`, routes inline (`network_security`).
    RouteTable,
    /// `Microsoft.Network/networkSecurityGroups`, rules inline (`network_security`).
    NetworkSecurityGroup,
    /// `Microsoft.Network/privateEndpoints` (`private_endpoint`).
    PrivateEndpoint,
    /// `privateEndpoints/{pe}/privateDnsZoneGroups/{name}`.
    PrivateDnsZoneGroup,
    /// `Microsoft.Authorization/policyAssignments` at any scope (`policy`).
    PolicyAssignment,
    /// `Microsoft.Monitor/accounts`, Azure Monitor workspaces (`monitor_workspace`).
    MonitorWorkspace,
    /// `Microsoft.OperationsManagement/solutions`, Log Analytics solutions (`solution`).
    Solution,
    /// `Microsoft.Insights/dataCollectionRules` (`data_collection_rule`).
    DataCollectionRule,
    /// `Microsoft.Network/natGateways` (`nat_gateway`).
    NatGateway,
    /// `{any resource}/providers/Microsoft.Insights/diagnosticSettings/{name}`: an extension
    /// resource, routed like role assignments (`route`, `diagnostic`).
    DiagnosticSetting,
    /// `Microsoft.Storage/storageAccounts` (`storage`).
    StorageAccount,
    /// `Microsoft.Insights/dataCollectionEndpoints` (`data_collection_endpoint`).
    DataCollectionEndpoint,
    /// `{managedCluster}/providers/Microsoft.KubernetesConfiguration/extensions/{name}`: an
    /// extension resource on an AKS cluster (`route`, `extension`).
    ClusterExtension,
    /// `{managedCluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}`
    /// (`route`, `flux_configuration`).
    FluxConfiguration,
    /// `{any resource}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{name}`: an
    /// extension resource, routed like diagnostic settings (`route`, `dcr_association`).
    DataCollectionRuleAssociation,
}

/// How a PUT answers while work is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PutStyle {
    /// 200/201 with the final body, no polling.
    Sync,
    /// 200/201 + Azure-AsyncOperation + Retry-After, body in a non-terminal provisioningState.
    AsyncOperation,
    /// 200/201 with a non-terminal provisioningState and no polling header (Log Analytics).
    BodyPolled,
    /// 201 + Location + Retry-After (private DNS zones).
    Location,
    /// A create answers 202 + Location + Retry-After with no body; an update 200 with the body
    /// (StorageAccounts_Create).
    Accepted,
}

/// How a DELETE answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteStyle {
    /// 200 (UAI, FIC; role assignments add the deleted body) or 204 when absent.
    Sync,
    /// 202 + Location (+ Retry-After) or 204 when absent.
    Location,
    /// 202 + Azure-AsyncOperation + Location + Retry-After (AKS, Log Analytics) or 204.
    Both,
}

/// How a PATCH answers; `None` means ARM has no PATCH for the type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PatchStyle {
    None,
    Sync,
    AsyncOperation,
    Accepted,
}

impl Kind {
    pub(crate) const ALL: [Kind; 34] = [
        Kind::ResourceGroup,
        Kind::Registry,
        Kind::Workspace,
        Kind::VirtualNetwork,
        Kind::Subnet,
        Kind::VirtualNetworkPeering,
        Kind::PublicIpAddress,
        Kind::PublicIpPrefix,
        Kind::DnsZone,
        Kind::PrivateDnsZone,
        Kind::PrivateDnsZoneLink,
        Kind::PrivateDnsRecordSet,
        Kind::Identity,
        Kind::FederatedCredential,
        Kind::RoleAssignment,
        Kind::Cluster,
        Kind::NodePool,
        Kind::MaintenanceConfiguration,
        Kind::KeyVault,
        Kind::RouteTable,
        Kind::NetworkSecurityGroup,
        Kind::PrivateEndpoint,
        Kind::PrivateDnsZoneGroup,
        Kind::PolicyAssignment,
        Kind::MonitorWorkspace,
        Kind::Solution,
        Kind::DataCollectionRule,
        Kind::NatGateway,
        Kind::DiagnosticSetting,
        Kind::StorageAccount,
        Kind::DataCollectionEndpoint,
        Kind::ClusterExtension,
        Kind::FluxConfiguration,
        Kind::DataCollectionRuleAssociation,
    ];

    pub(crate) fn namespace(self) -> &'static str {
        match self {
            Kind::ResourceGroup => "Microsoft.Resources",
            Kind::Registry => "Microsoft.ContainerRegistry",
            Kind::Workspace => "Microsoft.OperationalInsights",
            Kind::VirtualNetwork
            | Kind::Subnet
            | Kind::VirtualNetworkPeering
            | Kind::PublicIpAddress
            | Kind::PublicIpPrefix
            | Kind::DnsZone
            | Kind::PrivateDnsZone
            | Kind::PrivateDnsZoneLink
            | Kind::PrivateDnsRecordSet
            | Kind::RouteTable
            | Kind::NetworkSecurityGroup
            | Kind::PrivateEndpoint
            | Kind::PrivateDnsZoneGroup
            | Kind::NatGateway => "Microsoft.Network",
            Kind::Identity | Kind::FederatedCredential => "Microsoft.ManagedIdentity",
            Kind::RoleAssignment | Kind::PolicyAssignment => "Microsoft.Authorization",
            Kind::Cluster | Kind::NodePool | Kind::MaintenanceConfiguration => {
                "Microsoft.ContainerService"
            }
            Kind::KeyVault => "Microsoft.KeyVault",
            Kind::MonitorWorkspace => "Microsoft.Monitor",
            Kind::Solution => "Microsoft.OperationsManagement",
            Kind::DataCollectionRule | Kind::DataCollectionEndpoint => "Microsoft.Insights",
            Kind::DiagnosticSetting | Kind::DataCollectionRuleAssociation => "Microsoft.Insights",
            Kind::StorageAccount => "Microsoft.Storage",
            Kind::ClusterExtension | Kind::FluxConfiguration => "Microsoft.KubernetesConfiguration",
        }
    }

    /// The last type segment, e.g. `subnets` for `Microsoft.Network/virtualNetworks/subnets`.
    pub(crate) fn segment(self) -> &'static str {
        match self {
            Kind::ResourceGroup => "resourceGroups",
            Kind::Registry => "registries",
            Kind::Workspace => "workspaces",
            Kind::VirtualNetwork => "virtualNetworks",
            Kind::Subnet => "subnets",
            Kind::VirtualNetworkPeering => "virtualNetworkPeerings",
            Kind::PublicIpAddress => "publicIPAddresses",
            Kind::PublicIpPrefix => "publicIPPrefixes",
            Kind::DnsZone => "dnsZones",
            Kind::PrivateDnsZone => "privateDnsZones",
            Kind::PrivateDnsZoneLink => "virtualNetworkLinks",
            // Stands for every record type (A, TXT, …); the real segment is the record type.
            Kind::PrivateDnsRecordSet => "recordSets",
            Kind::Identity => "userAssignedIdentities",
            Kind::FederatedCredential => "federatedIdentityCredentials",
            Kind::RoleAssignment => "roleAssignments",
            Kind::PolicyAssignment => "policyAssignments",
            Kind::Cluster => "managedClusters",
            Kind::NodePool => "agentPools",
            Kind::MaintenanceConfiguration => "maintenanceConfigurations",
            Kind::KeyVault => "vaults",
            Kind::RouteTable => "routeTables",
            Kind::NetworkSecurityGroup => "networkSecurityGroups",
            Kind::PrivateEndpoint => "privateEndpoints",
            Kind::PrivateDnsZoneGroup => "privateDnsZoneGroups",
            Kind::MonitorWorkspace => "accounts",
            Kind::Solution => "solutions",
            Kind::DataCollectionRule => "dataCollectionRules",
            Kind::DataCollectionEndpoint => "dataCollectionEndpoints",
            Kind::NatGateway => "natGateways",
            Kind::DiagnosticSetting => "diagnosticSettings",
            Kind::StorageAccount => "storageAccounts",
            Kind::ClusterExtension => "extensions",
            Kind::FluxConfiguration => "fluxConfigurations",
            Kind::DataCollectionRuleAssociation => "dataCollectionRuleAssociations",
        }
    }

    pub(crate) fn parent(self) -> Option<Kind> {
        match self {
            Kind::Subnet | Kind::VirtualNetworkPeering => Some(Kind::VirtualNetwork),
            Kind::FederatedCredential => Some(Kind::Identity),
            Kind::NodePool | Kind::MaintenanceConfiguration => Some(Kind::Cluster),
            Kind::PrivateDnsZoneLink | Kind::PrivateDnsRecordSet => Some(Kind::PrivateDnsZone),
            Kind::PrivateDnsZoneGroup => Some(Kind::PrivateEndpoint),
            _ => None,
        }
    }

    pub(crate) fn arm_type(self) -> String {
        match self.parent() {
            Some(parent) => format!("{}/{}", parent.arm_type(), self.segment()),
            None => format!("{}/{}", self.namespace(), self.segment()),
        }
    }

    /// The api-versions served: the stable versions published in the type's spec folder over the
    /// last two years (checked against azure-rest-api-specs `…/stable/<version>/` folders), the
    /// first being the one the planner uses. Shapes are the newest version's except where
    /// `handlers::shape_for_version` says otherwise.
    pub(crate) fn api_versions(self) -> &'static [&'static str] {
        match self {
            Kind::ResourceGroup => &["2025-04-01", "2024-11-01", "2023-07-01"],
            Kind::Registry => &["2025-11-01", "2025-04-01"],
            Kind::Workspace => &["2025-07-01", "2026-03-01", "2025-02-01"],
            Kind::VirtualNetwork
            | Kind::Subnet
            | Kind::VirtualNetworkPeering
            | Kind::PublicIpAddress
            | Kind::PublicIpPrefix
            | Kind::RouteTable
            | Kind::NetworkSecurityGroup
            | Kind::PrivateEndpoint
            | Kind::PrivateDnsZoneGroup
            | Kind::NatGateway => &[
                "2026-03-01",
                "2026-01-01",
                "2025-09-01",
                "2025-07-01",
                "2025-05-01",
                "2025-03-01",
                "2025-01-01",
                "2024-10-01",
            ],
            Kind::DnsZone => &["2018-05-01"],
            // Every stable version in specification/privatedns/…/PrivateDns/stable.
            Kind::PrivateDnsZone | Kind::PrivateDnsZoneLink | Kind::PrivateDnsRecordSet => {
                &["2024-06-01", "2020-06-01", "2020-01-01", "2018-09-01"]
            }
            Kind::Identity | Kind::FederatedCredential => {
                &["2024-11-30", "2026-05-31", "2023-01-31"]
            }
            Kind::RoleAssignment => &["2022-04-01"],
            // The stable versions of specification/resources/resource-manager/
            // Microsoft.Authorization/policy/stable since 2025: 2026-06-01 is the one
            // azure-mgmt-resource-policy 1.0.0 sends.
            Kind::PolicyAssignment => &["2025-03-01", "2026-06-01"],
            Kind::Cluster | Kind::NodePool | Kind::MaintenanceConfiguration => &[
                "2026-08-01",
                "2026-07-01",
                "2026-10-01",
                // Sent by azure-cli 2.91's azure-mgmt-containerservice; no examples folder indexed.
                "2026-06-01",
                "2026-05-01",
                "2026-04-01",
                "2026-02-01",
                "2026-01-01",
                "2025-10-01",
                "2025-09-01",
                "2025-08-01",
                "2025-07-01",
                "2025-06-01",
                "2025-05-01",
                "2025-04-01",
                "2025-03-01",
                "2025-02-01",
                "2025-01-01",
                "2024-10-01",
            ],
            // Every stable version of the last two years in specification/keyvault/
            // resource-manager/Microsoft.KeyVault/KeyVault/stable.
            Kind::KeyVault => &[
                "2026-05-15",
                "2026-04-01",
                "2026-02-01",
                "2025-05-01",
                "2024-11-01",
            ],
            // The only stable version in specification/monitor/resource-manager/
            // Microsoft.Monitor (…/stable/2023-04-03/monitoringAccounts_API.json), the one
            // azure-mgmt-monitor 7.0 sends.
            Kind::MonitorWorkspace => &["2023-04-03"],
            // The only version of specification/operationsmanagement (a preview).
            Kind::Solution => &["2015-11-01-preview"],
            // The version azure-mgmt-monitor 7.0 sends (Microsoft.Insights/stable/2023-03-11).
            Kind::DataCollectionRule => &["2023-03-11"],
            // dataCollectionEndpoints_API.json (Microsoft.Insights/stable/2023-03-11), the version
            // azure-mgmt-monitor 7.0 sends.
            Kind::DataCollectionEndpoint => &["2023-03-11"],
            // The newest diagnostic settings version in specification/monitor/resource-manager/
            // Microsoft.Insights (preview/2021-05-01-preview/diagnosticsSettings_API.json), the
            // one azure-mgmt-monitor's MonitorManagementClient sends for `diagnostic_settings`.
            Kind::DiagnosticSetting => &["2021-05-01-preview"],
            // The stable versions of specification/storage/resource-manager/Microsoft.Storage
            // since 2025 (readme tags package-2026-09 … package-2025-01); 2026-09-01 is the
            // one azure-mgmt-storage 25.3 sends.
            Kind::StorageAccount => &[
                "2026-09-01",
                "2026-06-01",
                "2026-04-01",
                "2025-08-01",
                "2025-06-01",
                "2025-01-01",
            ],
            // The stable versions of specification/kubernetesconfiguration/resource-manager/
            // Microsoft.KubernetesConfiguration/extensions/stable of the last two years:
            // 2025-03-01 is the one azure-mgmt-kubernetesconfiguration-extensions 1.0.0 sends.
            Kind::ClusterExtension => &["2025-03-01", "2024-11-01"],
            // The stable versions of …/fluxConfigurations/stable of the last two years:
            // 2025-04-01 is the one azure-mgmt-kubernetesconfiguration-fluxconfigurations 1.0.0
            // sends.
            Kind::FluxConfiguration => &["2025-04-01", "2024-11-01"],
            // dataCollectionRuleAssociations_API.json of Microsoft.Insights/stable/2023-03-11,
            // the version azure-mgmt-monitor 7.0 sends, as for data collection rules.
            Kind::DataCollectionRuleAssociation => &["2023-03-11"],
        }
    }

    pub(crate) fn put_style(self) -> PutStyle {
        match self {
            Kind::ResourceGroup
            | Kind::DnsZone
            | Kind::Identity
            | Kind::FederatedCredential
            | Kind::PrivateDnsRecordSet
            | Kind::RoleAssignment
            // PolicyAssignments_Create: 201 with the body, no LRO.
            | Kind::PolicyAssignment
            // MaintenanceConfigurations_CreateOrUpdate: 200 with the body, no LRO.
            | Kind::MaintenanceConfiguration
            // AzureMonitorWorkspaces_Create: 200 or 201 with the body, not a long-running
            // operation (monitoringAccounts_API.json 2023-04-03).
            | Kind::MonitorWorkspace
            // Solutions_CreateOrUpdate: 201 with the final body, no polling header
            // (SolutionCreate.json).
            | Kind::Solution
            // DataCollectionRules_Create: 200 or 201 with the body, no LRO.
            | Kind::DataCollectionRule
            // DiagnosticSettings_CreateOrUpdate: 200 with the body, no LRO.
            | Kind::DiagnosticSetting
            // DataCollectionEndpoints_Create: 200 or 201 with the body, no LRO.
            | Kind::DataCollectionEndpoint
            // DataCollectionRuleAssociations_Create: 200 or 201 with the body, no LRO.
            | Kind::DataCollectionRuleAssociation => PutStyle::Sync,
            Kind::Registry
            | Kind::VirtualNetwork
            | Kind::Subnet
            | Kind::VirtualNetworkPeering
            | Kind::PublicIpAddress
            | Kind::PublicIpPrefix
            | Kind::RouteTable
            | Kind::NetworkSecurityGroup
            // PrivateEndpoints_CreateOrUpdate and PrivateDnsZoneGroups_CreateOrUpdate:
            // x-ms-long-running-operation, final-state-via azure-async-operation.
            | Kind::PrivateEndpoint
            | Kind::PrivateDnsZoneGroup
            | Kind::NatGateway
            | Kind::Cluster
            | Kind::NodePool
            // Extensions_Create: x-ms-long-running-operation, final-state-via
            // azure-async-operation (201 while Creating).
            | Kind::ClusterExtension
            // FluxConfigurations_CreateOrUpdate: x-ms-long-running-operation, final-state-via
            // azure-async-operation.
            | Kind::FluxConfiguration => PutStyle::AsyncOperation,
            Kind::Workspace => PutStyle::BodyPolled,
            // Vaults_CreateOrUpdate: 200 with the body, or 201 + Location + Retry-After.
            Kind::PrivateDnsZone | Kind::PrivateDnsZoneLink | Kind::KeyVault => PutStyle::Location,
            // StorageAccounts_Create: 200 with the account, or 202 + Location + Retry-After;
            // final-state-via location (stable/2026-09-01/openapi.json).
            Kind::StorageAccount => PutStyle::Accepted,
        }
    }

    pub(crate) fn delete_style(self) -> DeleteStyle {
        match self {
            // Vaults_Delete: 200 or 204, no LRO.
            Kind::Identity
            | Kind::FederatedCredential
            | Kind::RoleAssignment
            // PolicyAssignments_Delete: 200 with the deleted body, or 204.
            | Kind::PolicyAssignment
            | Kind::PrivateDnsRecordSet
            // MaintenanceConfigurations_Delete: 200 or 204, no LRO.
            | Kind::MaintenanceConfiguration
            | Kind::KeyVault
            // Solutions_Delete: 200, no polling header.
            | Kind::Solution
            // DataCollectionRules_Delete: 200 or 204, no LRO.
            | Kind::DataCollectionRule
            // DiagnosticSettings_Delete: 200 or 204, no LRO.
            | Kind::DiagnosticSetting
            // StorageAccounts_Delete: 200 or 204, no LRO.
            | Kind::StorageAccount
            // DataCollectionEndpoints_Delete: 200 or 204, no LRO.
            | Kind::DataCollectionEndpoint
            // DataCollectionRuleAssociations_Delete: 200, or 204 "Association did not exist".
            | Kind::DataCollectionRuleAssociation
            => DeleteStyle::Sync,
            Kind::ResourceGroup
            | Kind::Registry
            | Kind::VirtualNetwork
            | Kind::Subnet
            | Kind::VirtualNetworkPeering
            | Kind::PublicIpAddress
            | Kind::PublicIpPrefix
            | Kind::RouteTable
            | Kind::NetworkSecurityGroup
            | Kind::NatGateway
            | Kind::DnsZone
            | Kind::PrivateDnsZone
            | Kind::PrivateDnsZoneLink
            // PrivateEndpoints_Delete, PrivateDnsZoneGroups_Delete: final-state-via location.
            | Kind::PrivateEndpoint
            | Kind::PrivateDnsZoneGroup
            // AzureMonitorWorkspaces_Delete: 202 + Location + Retry-After, or 204;
            // final-state-via location.
            | Kind::MonitorWorkspace => DeleteStyle::Location,
            // Extensions_Delete: 200, 202 or 204; final-state-via azure-async-operation.
            // FluxConfigurations_Delete: 200, 202 (Azure-AsyncOperation, Retry-After) or 204.
            Kind::Workspace
            | Kind::Cluster
            | Kind::NodePool
            | Kind::ClusterExtension
            | Kind::FluxConfiguration => DeleteStyle::Both,
        }
    }

    pub(crate) fn patch_style(self) -> PatchStyle {
        match self {
            Kind::ResourceGroup
            | Kind::Workspace
            | Kind::VirtualNetwork
            | Kind::PublicIpAddress
            | Kind::PublicIpPrefix
            // RouteTables_UpdateTags and NetworkSecurityGroups_UpdateTags: 200 with the body.
            | Kind::RouteTable
            | Kind::NetworkSecurityGroup
            // NatGateways_UpdateTags: 200 with the body.
            | Kind::NatGateway
            | Kind::DnsZone
            | Kind::PrivateDnsRecordSet
            | Kind::Identity
            // Vaults_Update: 200 (or 201) with the body.
            | Kind::KeyVault
            // AzureMonitorWorkspaces_Update: 200 with the body; the payload has tags only.
            | Kind::MonitorWorkspace
            // Solutions_Update: 200 with the body; "Only updating tags supported".
            | Kind::Solution
            // DataCollectionRules_Update: 200 with the body (tags, identity).
            | Kind::DataCollectionRule
            // StorageAccounts_Update: 200 with the account.
            | Kind::StorageAccount
            // DataCollectionEndpoints_Update: 200 with the body (ResourceForUpdate: tags,
            // identity).
            | Kind::DataCollectionEndpoint => PatchStyle::Sync,
            Kind::Registry => PatchStyle::AsyncOperation,
            Kind::PrivateDnsZone | Kind::PrivateDnsZoneLink | Kind::Cluster => PatchStyle::Accepted,
            // Network virtualNetwork.json has no PATCH for peerings.
            Kind::Subnet
            | Kind::VirtualNetworkPeering
            | Kind::FederatedCredential
            | Kind::RoleAssignment
            | Kind::NodePool
            | Kind::MaintenanceConfiguration
            // privateEndpoint.json has no PATCH for either.
            | Kind::PrivateEndpoint
            | Kind::PrivateDnsZoneGroup
            // PolicyAssignments_Update exists but is not emulated (azplan PUTs).
            | Kind::PolicyAssignment
            // diagnosticsSettings_API.json and dataCollectionRuleAssociations_API.json have no
            // PATCH.
            | Kind::DiagnosticSetting
            | Kind::DataCollectionRuleAssociation
            // Extensions_Update (PATCH) exists but is not emulated yet (azplan PUTs).
            | Kind::ClusterExtension
            // FluxConfigurations_Update (PATCH) exists but is not emulated yet (azplan PUTs).
            | Kind::FluxConfiguration => PatchStyle::None,
        }
    }

    /// Which conditional headers a verb honours (`(If-Match, If-None-Match)`), as the type's spec
    /// declares them in every served api-version; the service ignores undeclared headers, and so
    /// does the emulator (a resource group, registry, workspace, network, identity or role
    /// assignment PUT with `If-None-Match: *` overwrites, as in Azure).
    pub(crate) fn conditions(self, method: &str) -> (bool, bool) {
        match (self, method) {
            // Private DNS zones (PrivateZone.tsp), virtual network links (VirtualNetworkLink.tsp),
            // record sets (RecordSet.tsp) and public DNS zones (dns.json 2018-05-01 Zones_*):
            // PUT takes both, PATCH and DELETE take If-Match.
            // AKS (azure-mgmt-containerservice 41.8 / api 2026-08-01 builders; Learn "Enhance
            // concurrency control with entity tags (eTags) in AKS"): managedClusters PUT takes
            // both, updateTags (PATCH) and DELETE take If-Match; agentPools PUT takes both and
            // DELETE takes If-Match.
            (
                Kind::PrivateDnsZone
                | Kind::PrivateDnsZoneLink
                | Kind::PrivateDnsRecordSet
                | Kind::DnsZone
                | Kind::Cluster
                | Kind::NodePool,
                "PUT",
            ) => (true, true),
            (
                Kind::PrivateDnsZone
                | Kind::PrivateDnsZoneLink
                | Kind::PrivateDnsRecordSet
                | Kind::DnsZone
                | Kind::Cluster,
                "PATCH",
            )
            | (
                Kind::PrivateDnsZone
                | Kind::PrivateDnsZoneLink
                | Kind::PrivateDnsRecordSet
                | Kind::DnsZone
                | Kind::Cluster
                | Kind::NodePool,
                "DELETE",
            ) => (true, false),
            _ => (false, false),
        }
    }

    /// Whether ARM offers `GET /subscriptions/{sub}/providers/{ns}/{type}`.
    pub(crate) fn lists_by_subscription(self) -> bool {
        matches!(
            self,
            Kind::Registry
                | Kind::Workspace
                | Kind::VirtualNetwork
                | Kind::PublicIpAddress
                | Kind::PublicIpPrefix
                | Kind::RouteTable
                | Kind::NetworkSecurityGroup
                | Kind::PrivateEndpoint
                | Kind::NatGateway
                | Kind::DnsZone
                | Kind::PrivateDnsZone
                | Kind::Identity
                | Kind::Cluster
                | Kind::KeyVault
                | Kind::MonitorWorkspace
                | Kind::Solution
                | Kind::DataCollectionRule
                | Kind::StorageAccount
                // DataCollectionEndpoints_ListBySubscription.
                | Kind::DataCollectionEndpoint
        )
    }

    /// Realistic durations (milliseconds at time-scale 1) for create, update and delete.
    pub(crate) fn durations_ms(self) -> (u64, u64, u64) {
        match self {
            Kind::ResourceGroup => (0, 0, 20_000),
            Kind::Registry => (30_000, 10_000, 20_000),
            Kind::Workspace => (10_000, 5_000, 5_000),
            Kind::VirtualNetwork => (8_000, 5_000, 10_000),
            Kind::Subnet => (5_000, 5_000, 5_000),
            Kind::VirtualNetworkPeering => (10_000, 5_000, 10_000),
            Kind::PublicIpAddress | Kind::PublicIpPrefix => (5_000, 5_000, 10_000),
            Kind::PrivateEndpoint => (20_000, 10_000, 15_000),
            Kind::PrivateDnsZoneGroup => (5_000, 5_000, 5_000),
            Kind::RouteTable | Kind::NetworkSecurityGroup | Kind::NatGateway => {
                (5_000, 5_000, 10_000)
            }
            Kind::DnsZone => (0, 0, 5_000),
            Kind::PrivateDnsZone => (15_000, 10_000, 15_000),
            Kind::PrivateDnsZoneLink => (20_000, 10_000, 15_000),
            Kind::Identity
            | Kind::FederatedCredential
            | Kind::RoleAssignment
            | Kind::PolicyAssignment
            | Kind::PrivateDnsRecordSet
            | Kind::MaintenanceConfiguration
            | Kind::DiagnosticSetting
            | Kind::DataCollectionRuleAssociation => (0, 0, 0),
            Kind::Cluster => (360_000, 180_000, 300_000),
            Kind::NodePool => (180_000, 120_000, 120_000),
            // A new vault's DNS name takes a few seconds; updates and deletes answer at once.
            Kind::KeyVault => (5_000, 0, 0),
            // The PUT answers at once; the delete's duration is not documented.
            Kind::MonitorWorkspace => (0, 0, 10_000),
            Kind::Solution | Kind::DataCollectionRule | Kind::DataCollectionEndpoint => (0, 0, 0),
            // Creation takes a few seconds (the account's DNS names); updates and deletes
            // answer at once.
            Kind::StorageAccount => (10_000, 0, 0),
            // Installing a Helm release on the cluster; the service's durations are not
            // documented (the examples allow `x-ms-async-operation-timeout: PT48H`).
            Kind::ClusterExtension => (60_000, 30_000, 30_000),
            // Undocumented too; a configuration is Flux custom resources on the cluster.
            Kind::FluxConfiguration => (30_000, 20_000, 20_000),
        }
    }

    /// Finds the kind for a provider namespace and type segments (case-insensitive).
    pub(crate) fn from_path(namespace: &str, types: &[&str]) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| {
            if !kind.namespace().eq_ignore_ascii_case(namespace)
                || matches!(
                    kind,
                    Kind::ResourceGroup
                        | Kind::PrivateDnsRecordSet
                        | Kind::DiagnosticSetting
                        | Kind::ClusterExtension
                        | Kind::FluxConfiguration
                        | Kind::DataCollectionRuleAssociation
                )
            {
                return false;
            }
            match (kind.parent(), types) {
                (None, [t]) => kind.segment().eq_ignore_ascii_case(t),
                (Some(parent), [p, t]) => {
                    parent.segment().eq_ignore_ascii_case(p)
                        && kind.segment().eq_ignore_ascii_case(t)
                }
                _ => false,
            }
        })
    }
}
