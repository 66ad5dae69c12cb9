//! What azplan knows about each kind of resource, one row per kind: the address prefix and noun
//! users see, the spec section, the ARM types and api-versions, the parent, tags, what ARM lets
//! run at once, and the delete order. Everything the planner re-listed per kind derives from
//! this table. It sits below the model (an address prints its kind's prefix), so it holds
//! facts only; each kind's behaviour (spec types, build, ARM body, diff rules, outputs) lives in
//! its module under `kinds/`.

/// The kinds of node in a stack, in `TABLE` order. Children (subnets, credentials, pools) are
/// addressed under their parent's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    ResourceGroup,
    Existing,
    Workspace,
    Registry,
    VirtualNetwork,
    Subnet,
    DnsZone,
    Identity,
    Cluster,
    NodePool,
    FederatedCredential,
    RoleAssignment,
    DnsZoneLink,
    VnetPeering,
    KeyVault,
    RouteTable,
    NetworkSecurityGroup,
    MaintenanceConfiguration,
    PrivateEndpoint,
    PrivateDnsZoneGroup,
    PolicyAssignment,
    MonitorWorkspace,
    Solution,
    DataCollectionRule,
    PublicIp,
    PublicIpPrefix,
    NatGateway,
    StorageAccount,
    DataCollectionEndpoint,
    ClusterExtension,
    FluxConfiguration,
    DiagnosticSetting,
    DataCollectionRuleAssociation,
}

/// Facts about a kind.
#[derive(Debug)]
pub struct KindDef {
    pub kind: Kind,
    /// The spec section that declares it (`registries:`); `None` for children.
    pub section: Option<&'static str>,
    /// The address prefix users write, e.g. `vnet` in `vnet/aks-vnet/default`.
    pub prefix: &'static str,
    /// A human name for messages.
    pub noun: &'static str,
    /// How a reference to it is written, for help texts.
    pub example: &'static str,
    /// The ARM types it can be, with the api-version azplan uses for each (DNS zones are
    /// public or private); empty for `existing`, which can be anything.
    pub arm: &'static [ArmType],
    /// The kind it is a child of (its ARM path continues the parent's).
    pub parent: Option<Kind>,
    /// Carries tags, and so the ownership tag.
    pub taggable: bool,
    pub serial: Serial,
    /// Deletes run dependents first: kinds created later are deleted earlier.
    pub delete_rank: u8,
    /// Where the parent's GET lists this child inline (`properties.subnets` of a VNet), so a
    /// body exported with `az ... show` carries its children too.
    pub listed_in_parent_at: Option<&'static str>,
    /// Azure Resource Graph's `Resources` table returns this kind's resources with the
    /// `properties` of their GET (Learn, "Azure Resource Graph table and resource type
    /// reference": the `resources` table lists these types; role assignments are in
    /// `authorizationresources`, and children such as federated credentials are not listed),
    /// so a plan may read them from a query instead of LISTs. Kinds without it are LISTed.
    pub in_resource_graph: bool,
}

/// An ARM resource type and the api-version azplan speaks for it.
#[derive(Debug)]
pub struct ArmType {
    pub path: &'static str,
    pub api_version: &'static str,
}

impl ArmType {
    /// The last type segment: `subnets` for `Microsoft.Network/virtualNetworks/subnets`.
    pub fn segment(&self) -> &'static str {
        self.path.rsplit('/').next().unwrap_or(self.path)
    }
}

/// What ARM allows to run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serial {
    Free,
    /// One operation at a time on the resource (AKS: on the cluster and its pools).
    Itself,
    /// One write at a time among the children of one parent.
    UnderParent,
}

/// The ARM type of a subscription (an ID with no group and no provider).
pub const SUBSCRIPTION_TYPE: &str = "Microsoft.Resources/subscriptions";

/// Network resources share one api-version.
const NETWORK_API_VERSION: &str = "2026-03-01";
/// Managed identities and their credentials share one api-version.
const IDENTITY_API_VERSION: &str = "2024-11-30";
/// AKS clusters and their agent pools share one api-version.
const AKS_API_VERSION: &str = "2026-08-01";
/// Cluster extensions (Flux): the newest stable version of specification/kubernetesconfiguration/
/// resource-manager/Microsoft.KubernetesConfiguration/extensions/stable (2025-03-01/
/// extensions.json), the one azure-mgmt-kubernetesconfiguration-extensions 1.0.0 sends.
const KUBERNETES_CONFIGURATION_API_VERSION: &str = "2025-03-01";
/// Flux configurations: the newest stable version of specification/kubernetesconfiguration/
/// resource-manager/Microsoft.KubernetesConfiguration/fluxConfigurations/stable (2025-04-01/
/// fluxconfiguration.json), the one azure-mgmt-kubernetesconfiguration-fluxconfigurations 1.0.0
/// sends.
const FLUX_CONFIGURATION_API_VERSION: &str = "2025-04-01";
/// Key vaults, their deleted vaults and name checks share one api-version.
pub(crate) const KEY_VAULT_API_VERSION: &str = "2026-05-15";
/// Storage accounts (Microsoft.Storage, stable/2026-09-01/openapi.json).
const STORAGE_API_VERSION: &str = "2026-09-01";

/// Every kind's facts, in `Kind` order: adding a kind adds a variant and a row.
pub static TABLE: [KindDef; 33] = [
    // ResourceGroup
    KindDef {
        kind: Kind::ResourceGroup,
        section: Some("resourceGroups"),
        prefix: "rg",
        noun: "resource group",
        example: "`rg/NAME`",
        arm: &[ArmType {
            path: "Microsoft.Resources/resourceGroups",
            api_version: "2025-04-01",
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        delete_rank: 0,
        listed_in_parent_at: None,
        in_resource_graph: false,
    },
    // Existing
    KindDef {
        kind: Kind::Existing,
        section: Some("existing"),
        prefix: "existing",
        noun: "existing resource",
        example: "`existing/NAME`",
        // Any type: the ID says which.
        arm: &[],
        parent: None,
        taggable: false,
        serial: Serial::Free,
        delete_rank: u8::MAX,
        listed_in_parent_at: None,
        in_resource_graph: false,
    },
    // Workspace
    KindDef {
        kind: Kind::Workspace,
        section: Some("workspaces"),
        prefix: "workspace",
        noun: "Log Analytics workspace",
        example: "`workspace/NAME`",
        arm: &[ArmType {
            path: "Microsoft.OperationalInsights/workspaces",
            api_version: "2025-07-01",
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        delete_rank: 1,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds it with its GET `properties`.
        in_resource_graph: true,
    },
    // Registry
    KindDef {
        kind: Kind::Registry,
        section: Some("registries"),
        prefix: "registry",
        noun: "container registry",
        example: "`registry/NAME`",
        arm: &[ArmType {
            path: "Microsoft.ContainerRegistry/registries",
            api_version: "2025-11-01",
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        delete_rank: 2,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds it with its GET `properties`.
        in_resource_graph: true,
    },
    // VirtualNetwork
    KindDef {
        kind: Kind::VirtualNetwork,
        section: Some("vnets"),
        prefix: "vnet",
        noun: "virtual network",
        example: "`vnet/NAME`",
        arm: &[ArmType {
            path: "Microsoft.Network/virtualNetworks",
            api_version: NETWORK_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        delete_rank: 3,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds it with its GET `properties`.
        in_resource_graph: true,
    },
    // Subnet
    KindDef {
        kind: Kind::Subnet,
        section: None,
        prefix: "vnet",
        noun: "subnet",
        example: "`vnet/NAME/SUBNET`",
        arm: &[ArmType {
            path: "Microsoft.Network/virtualNetworks/subnets",
            api_version: NETWORK_API_VERSION,
        }],
        parent: Some(Kind::VirtualNetwork),
        taggable: false,
        // ARM writes one subnet of a VNet at a time (AnotherOperationInProgress otherwise).
        serial: Serial::UnderParent,
        delete_rank: 4,
        // VirtualNetworks_Get lists `properties.subnets` with full bodies (official example
        // VirtualNetworkGet, network 2026-03-01).
        listed_in_parent_at: Some("properties.subnets"),
        in_resource_graph: false,
    },
    // DnsZone
    KindDef {
        kind: Kind::DnsZone,
        section: Some("dnsZones"),
        prefix: "dnsZone",
        noun: "DNS zone",
        example: "`dnsZone/NAME`",
        // Public first: a zone without `private: true` is public.
        arm: &[
            ArmType {
                path: "Microsoft.Network/dnsZones",
                api_version: "2018-05-01",
            },
            ArmType {
                path: "Microsoft.Network/privateDnsZones",
                api_version: "2024-06-01",
            },
        ],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        delete_rank: 5,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds it with its GET `properties`.
        in_resource_graph: true,
    },
    // Identity
    KindDef {
        kind: Kind::Identity,
        section: Some("identities"),
        prefix: "identity",
        noun: "managed identity",
        example: "`identity/NAME`",
        arm: &[ArmType {
            path: "Microsoft.ManagedIdentity/userAssignedIdentities",
            api_version: IDENTITY_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        delete_rank: 6,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds it with its GET `properties`.
        in_resource_graph: true,
    },
    // Cluster
    KindDef {
        kind: Kind::Cluster,
        section: Some("clusters"),
        prefix: "cluster",
        noun: "AKS cluster",
        example: "`cluster/NAME`",
        arm: &[ArmType {
            path: "Microsoft.ContainerService/managedClusters",
            api_version: AKS_API_VERSION,
        }],
        parent: None,
        taggable: true,
        // AKS runs one operation at a time per cluster, its pools' included.
        serial: Serial::Itself,
        delete_rank: 7,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds it with its GET `properties`.
        in_resource_graph: true,
    },
    // NodePool
    KindDef {
        kind: Kind::NodePool,
        section: None,
        prefix: "cluster",
        noun: "node pool",
        example: "`cluster/NAME/POOL`",
        arm: &[ArmType {
            path: "Microsoft.ContainerService/managedClusters/agentPools",
            api_version: AKS_API_VERSION,
        }],
        parent: Some(Kind::Cluster),
        taggable: false,
        serial: Serial::UnderParent,
        delete_rank: 8,
        // ManagedClusters_Get lists `properties.agentPoolProfiles`, each the pool's properties
        // plus its `name` (official example ManagedClustersGet, AKS 2026-08-01).
        listed_in_parent_at: Some("properties.agentPoolProfiles"),
        in_resource_graph: false,
    },
    // FederatedCredential
    KindDef {
        kind: Kind::FederatedCredential,
        section: None,
        prefix: "identity",
        noun: "federated credential",
        example: "`identity/NAME/CREDENTIAL`",
        arm: &[ArmType {
            path: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
            api_version: IDENTITY_API_VERSION,
        }],
        parent: Some(Kind::Identity),
        taggable: false,
        // One credential write per identity at a time
        // (ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity).
        serial: Serial::UnderParent,
        delete_rank: 9,
        listed_in_parent_at: None,
        in_resource_graph: false,
    },
    // RoleAssignment
    KindDef {
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
        listed_in_parent_at: None,
        in_resource_graph: false,
    },
    // DnsZoneLink
    KindDef {
        kind: Kind::DnsZoneLink,
        section: None,
        prefix: "dnsZone",
        noun: "private DNS zone virtual network link",
        example: "`dnsZone/ZONE/LINK`",
        // VirtualNetworkLinks (privatedns VirtualNetworkLink.tsp; stable 2024-06-01, the private
        // zones' version).
        arm: &[ArmType {
            path: "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
            api_version: "2024-06-01",
        }],
        parent: Some(Kind::DnsZone),
        // A tracked resource with `tags` and `location` (VirtualNetworkLink.tsp): it carries the
        // ownership tag itself, so a link someone else made (AKS links a private cluster's VNet
        // to a zone it is given) is never taken for the stack's.
        taggable: true,
        serial: Serial::Free,
        // After its zone and its VNet: deleted before either ("Private DNS zone cannot be
        // deleted unless all virtual network links to it are removed", privatedns spec).
        delete_rank: 11,
        // PrivateZones_Get does not list links; VirtualNetworkLinks_List per zone does.
        listed_in_parent_at: None,
        in_resource_graph: false,
    },
    // VnetPeering
    KindDef {
        kind: Kind::VnetPeering,
        section: None,
        prefix: "vnet",
        noun: "virtual network peering",
        example: "`vnet/NAME/PEERING`",
        arm: &[ArmType {
            path: "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
            api_version: NETWORK_API_VERSION,
        }],
        parent: Some(Kind::VirtualNetwork),
        // VirtualNetworkPeering has no `tags` (virtualNetwork.json): whose it is follows from its
        // VNet's spec (see `kinds::peering`).
        taggable: false,
        // The Network RP writes one child of a VNet at a time, peerings and subnets alike
        // (AnotherOperationInProgress otherwise).
        serial: Serial::UnderParent,
        delete_rank: 12,
        // VirtualNetworks_Get lists `properties.virtualNetworkPeerings` with full bodies: "virtual
        // network child resources are also modelled as properties on the parent, so
        // `properties.virtualNetworkPeerings` comes back on the vnet GET" (ARM Deployments team,
        // Azure/arm-template-whatif#281, 2026-08-19; official example VirtualNetworkGet shows the
        // array).
        listed_in_parent_at: Some("properties.virtualNetworkPeerings"),
        in_resource_graph: false,
    },
    // KeyVault
    KindDef {
        kind: Kind::KeyVault,
        section: Some("keyVaults"),
        prefix: "keyVault",
        noun: "key vault",
        example: "`keyVault/NAME`",
        // The newest stable version (specification/keyvault/resource-manager/Microsoft.KeyVault/
        // KeyVault/stable/2026-05-15/openapi.json), the one azure-mgmt-keyvault 14.1 sends; its
        // vault examples have the 2026-04-01 shape the emulator was built from.
        arm: &[ArmType {
            path: "Microsoft.KeyVault/vaults",
            api_version: KEY_VAULT_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted after the role assignments scoped to it (rank 10), before its group; it
        // depends on nothing deleted later.
        delete_rank: 5,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds `microsoft.keyvault/vaults` with its GET
        // `properties` (Learn, "Azure Resource Graph table and resource type reference").
        in_resource_graph: true,
    },
    // RouteTable
    KindDef {
        kind: Kind::RouteTable,
        section: Some("routeTables"),
        prefix: "routeTable",
        noun: "route table",
        example: "`routeTable/NAME`",
        // routeTable.json of the network spec; routes are inline (`properties.routes`), not a
        // kind of their own (`kinds::route_table`).
        arm: &[ArmType {
            path: "Microsoft.Network/routeTables",
            api_version: NETWORK_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted after the subnets associated with it (rank 4): Azure refuses to delete a route
        // table a subnet still uses (InUseRouteTableCannotBeDeleted).
        delete_rank: 3,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds `microsoft.network/routetables` with its GET
        // `properties` (Learn, "Azure Resource Graph table and resource type reference").
        in_resource_graph: true,
    },
    // NetworkSecurityGroup
    KindDef {
        kind: Kind::NetworkSecurityGroup,
        section: Some("networkSecurityGroups"),
        prefix: "networkSecurityGroup",
        noun: "network security group",
        example: "`networkSecurityGroup/NAME`",
        // networkSecurityGroup.json of the network spec; rules are inline
        // (`properties.securityRules`, `kinds::security_group`).
        arm: &[ArmType {
            path: "Microsoft.Network/networkSecurityGroups",
            api_version: NETWORK_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted after the subnets associated with it (rank 4): Azure refuses to delete an NSG
        // a subnet still uses (InUseNetworkSecurityGroupCannotBeDeleted).
        delete_rank: 3,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds `microsoft.network/networksecuritygroups`.
        in_resource_graph: true,
    },
    // MaintenanceConfiguration
    KindDef {
        kind: Kind::MaintenanceConfiguration,
        section: None,
        prefix: "cluster",
        noun: "maintenance configuration",
        example: "`cluster/NAME/aksManagedAutoUpgradeSchedule`",
        arm: &[ArmType {
            path: "Microsoft.ContainerService/managedClusters/maintenanceConfigurations",
            api_version: AKS_API_VERSION,
        }],
        parent: Some(Kind::Cluster),
        // A ProxyResource (MaintenanceConfiguration, AKS 2026-08-01): no tags.
        taggable: false,
        // One write at a time per cluster, as for pools: whether AKS takes a maintenance
        // configuration write during a cluster operation is not documented, so azplan does
        // not try.
        serial: Serial::UnderParent,
        delete_rank: 8,
        // ManagedClusters_Get does not list them; MaintenanceConfigurations_ListByManagedCluster
        // does.
        listed_in_parent_at: None,
        in_resource_graph: false,
    },
    // PrivateEndpoint
    KindDef {
        kind: Kind::PrivateEndpoint,
        section: Some("privateEndpoints"),
        prefix: "privateEndpoint",
        noun: "private endpoint",
        example: "`privateEndpoint/NAME`",
        // privateEndpoint.json of the network spec (`kinds::private_endpoint`).
        arm: &[ArmType {
            path: "Microsoft.Network/privateEndpoints",
            api_version: NETWORK_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted before the subnet it sits in (rank 4: a subnet with a private endpoint's NIC
        // is in use, InUseSubnetCannotBeDeleted) and before the resource it connects to.
        delete_rank: 13,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds `microsoft.network/privateendpoints` with its
        // GET `properties` (Learn, "Azure Resource Graph table and resource type reference").
        in_resource_graph: true,
    },
    // PrivateDnsZoneGroup
    KindDef {
        kind: Kind::PrivateDnsZoneGroup,
        section: None,
        prefix: "privateEndpoint",
        noun: "private DNS zone group",
        example: "`privateEndpoint/NAME/default`",
        // PrivateDnsZoneGroups_CreateOrUpdate (privateEndpoint.json): a child of the endpoint.
        arm: &[ArmType {
            path: "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
            api_version: NETWORK_API_VERSION,
        }],
        parent: Some(Kind::PrivateEndpoint),
        // PrivateDnsZoneGroup is a SubResource (name, etag, id, properties): no tags, so whose it
        // is follows from its endpoint's spec (`kinds::undeclared_child_is_ours`).
        taggable: false,
        serial: Serial::UnderParent,
        // Before its endpoint (13) and the zones it points at (5).
        delete_rank: 14,
        // PrivateEndpoints_Get does not embed zone groups; PrivateDnsZoneGroups_List does.
        listed_in_parent_at: None,
        in_resource_graph: false,
    },
    // PolicyAssignment
    KindDef {
        kind: Kind::PolicyAssignment,
        section: Some("policyAssignments"),
        prefix: "policyAssignment",
        noun: "policy assignment",
        example: "`policyAssignment/NAME`",
        // An extension resource at any scope (`{scope}/providers/Microsoft.Authorization/
        // policyAssignments/{name}`), PolicyAssignments_Create/Get/Delete of
        // specification/resources/resource-manager/Microsoft.Authorization/policy/stable/
        // 2025-03-01/policyAssignments.json: PUT answers 201 with the body, DELETE 200 with the
        // deleted body or 204, no LRO.
        arm: &[ArmType {
            path: "Microsoft.Authorization/policyAssignments",
            api_version: "2025-03-01",
        }],
        parent: None,
        // PolicyAssignment has no `tags` (policyAssignments.json): the owner is written in its
        // `properties.metadata` ("an open ended object", kept as sent), see
        // `kinds::policy_assignment`.
        taggable: false,
        serial: Serial::Free,
        // Like role assignments: deleted before the cluster or group they are scoped to.
        delete_rank: 10,
        listed_in_parent_at: None,
        // Resource Graph holds them in `policyresources`, not in `Resources`: LISTed.
        in_resource_graph: false,
    },
    // MonitorWorkspace
    KindDef {
        kind: Kind::MonitorWorkspace,
        section: Some("monitorWorkspaces"),
        prefix: "monitorWorkspace",
        noun: "Azure Monitor workspace",
        example: "`monitorWorkspace/NAME`",
        // The stable version of specification/monitor/resource-manager/Microsoft.Monitor/stable/
        // 2023-04-03/monitoringAccounts_API.json, the one azure-mgmt-monitor 7.0 sends.
        arm: &[ArmType {
            path: "Microsoft.Monitor/accounts",
            api_version: "2023-04-03",
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Like a Log Analytics workspace: what sends data to it goes first.
        delete_rank: 1,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds `microsoft.monitor/accounts` (Learn, "Azure
        // Resource Graph table and resource type reference", the `resources` section).
        in_resource_graph: true,
    },
    // Solution
    KindDef {
        kind: Kind::Solution,
        section: Some("solutions"),
        prefix: "solution",
        noun: "Log Analytics solution",
        example: "`solution/NAME`",
        // specification/operationsmanagement/resource-manager/Microsoft.OperationsManagement/
        // OperationsManagement/preview/2015-11-01-preview/OperationsManagement.json: the only
        // version, the one azure-mgmt-operationsmanagement 1.0 sends.
        arm: &[ArmType {
            path: "Microsoft.OperationsManagement/solutions",
            api_version: "2015-11-01-preview",
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted before the workspace it is enabled on (rank 1).
        delete_rank: 2,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds `Microsoft.OperationsManagement/solutions`
        // (Learn, "Azure Resource Graph table and resource type reference", `resources`).
        in_resource_graph: true,
    },
    // DataCollectionRule
    KindDef {
        kind: Kind::DataCollectionRule,
        section: Some("dataCollectionRules"),
        prefix: "dataCollectionRule",
        noun: "data collection rule",
        example: "`dataCollectionRule/NAME`",
        // specification/monitor/resource-manager/Microsoft.Insights/stable/2023-03-11/
        // dataCollectionRules_API.json, the version azure-mgmt-monitor 7.0 sends.
        arm: &[ArmType {
            path: "Microsoft.Insights/dataCollectionRules",
            api_version: "2023-03-11",
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted before the workspaces it sends to (rank 1).
        delete_rank: 2,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds `microsoft.insights/datacollectionrules`
        // (Learn, "Azure Resource Graph table and resource type reference", `resources`).
        in_resource_graph: true,
    },
    // PublicIp
    KindDef {
        kind: Kind::PublicIp,
        section: Some("publicIps"),
        prefix: "publicIp",
        noun: "public IP address",
        example: "`publicIp/NAME`",
        // publicIpAddress.json of the network spec (`kinds::public_ip`).
        arm: &[ArmType {
            path: "Microsoft.Network/publicIPAddresses",
            api_version: NETWORK_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted after the clusters whose load balancer uses it (rank 7) and the NAT gateways
        // that use it (rank 3), and before the prefix it is drawn from (rank 1): Azure refuses
        // to delete an address a load balancer still uses (`PublicIPAddressInUse`, "Public IP
        // address is in use.", as recorded by the Azure SDK for Node's network test fixtures),
        // and "You can't delete a prefix if any addresses within it are assigned to public IP
        // address resources associated to a resource" (Learn "Public IP address prefix").
        delete_rank: 2,
        listed_in_parent_at: None,
        // Resource Graph's `Resources` table holds `microsoft.network/publicipaddresses` with its
        // GET `properties` (Learn, "Azure Resource Graph table and resource type reference").
        in_resource_graph: true,
    },
    // PublicIpPrefix
    KindDef {
        kind: Kind::PublicIpPrefix,
        section: Some("publicIpPrefixes"),
        prefix: "publicIpPrefix",
        noun: "public IP prefix",
        example: "`publicIpPrefix/NAME`",
        // publicIpPrefix.json of the network spec (`kinds::public_ip`).
        arm: &[ArmType {
            path: "Microsoft.Network/publicIPPrefixes",
            api_version: NETWORK_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        delete_rank: 1,
        listed_in_parent_at: None,
        // `microsoft.network/publicipprefixes` is in Resource Graph's `Resources` table.
        in_resource_graph: true,
    },
    // NatGateway
    KindDef {
        kind: Kind::NatGateway,
        section: Some("natGateways"),
        prefix: "natGateway",
        noun: "NAT gateway",
        example: "`natGateway/NAME`",
        // natGateway.json of the network spec (`kinds::nat_gateway`).
        arm: &[ArmType {
            path: "Microsoft.Network/natGateways",
            api_version: NETWORK_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted after the subnets associated with it (rank 4): Azure refuses to delete a NAT
        // gateway a subnet still uses (InUseNatGatewayCannotBeDeleted); before the public IPs
        // and prefixes it uses (ranks 2 and 1).
        delete_rank: 3,
        listed_in_parent_at: None,
        // `microsoft.network/natgateways` is in Resource Graph's `Resources` table.
        in_resource_graph: true,
    },
    // StorageAccount
    KindDef {
        kind: Kind::StorageAccount,
        section: Some("storageAccounts"),
        prefix: "storageAccount",
        noun: "storage account",
        example: "`storageAccount/NAME`",
        // The newest stable version: specification/storage/resource-manager/Microsoft.Storage/
        // stable/2026-09-01/openapi.json (the readme's default tag `package-2026-09`).
        arm: &[ArmType {
            path: "Microsoft.Storage/storageAccounts",
            api_version: STORAGE_API_VERSION,
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Like a key vault: after the role assignments scoped to it (rank 10), before the
        // subnets its network rules name and its group.
        delete_rank: 5,
        listed_in_parent_at: None,
        // `microsoft.storage/storageaccounts` is in Resource Graph's `Resources` table (Learn,
        // "Azure Resource Graph table and resource type reference").
        in_resource_graph: true,
    },
    // DataCollectionEndpoint
    KindDef {
        kind: Kind::DataCollectionEndpoint,
        section: Some("dataCollectionEndpoints"),
        prefix: "dataCollectionEndpoint",
        noun: "data collection endpoint",
        example: "`dataCollectionEndpoint/NAME`",
        // specification/monitor/resource-manager/Microsoft.Insights/stable/2023-03-11/
        // dataCollectionEndpoints_API.json, the version azure-mgmt-monitor 7.0 sends (the same
        // as data collection rules').
        arm: &[ArmType {
            path: "Microsoft.Insights/dataCollectionEndpoints",
            api_version: "2023-03-11",
        }],
        parent: None,
        taggable: true,
        serial: Serial::Free,
        // Deleted after the data collection rules that name it (rank 2).
        delete_rank: 1,
        listed_in_parent_at: None,
        // A tracked resource ("Definition of ARM tracked top level resource",
        // DataCollectionEndpointResource), read from Resource Graph's `Resources` table like
        // data collection rules; the type was not found by name in Learn's table reference.
        in_resource_graph: true,
    },
    // ClusterExtension
    KindDef {
        kind: Kind::ClusterExtension,
        section: None,
        prefix: "cluster",
        noun: "cluster extension",
        example: "`cluster/NAME/flux`",
        // An extension resource on the cluster (`{cluster}/providers/Microsoft.KubernetesConfiguration/
        // extensions/{name}`, extensions.json 2025-03-01): its ID continues the cluster's through
        // a second `providers` section (`kinds::extension`).
        arm: &[ArmType {
            path: "Microsoft.KubernetesConfiguration/extensions",
            api_version: KUBERNETES_CONFIGURATION_API_VERSION,
        }],
        parent: Some(Kind::Cluster),
        // A ProxyResource (Extension, extensions.json 2025-03-01): no tags, no location.
        taggable: false,
        // One write at a time per cluster, as for pools and maintenance configurations: whether
        // the extension manager takes two installs at once on one cluster is not documented.
        serial: Serial::UnderParent,
        // Deleted before the cluster it is installed in (rank 7).
        delete_rank: 8,
        // ManagedClusters_Get does not list them; Extensions_List does (one LIST per cluster).
        listed_in_parent_at: None,
        // Resource Graph holds extensions in `kubernetesconfigurationresources`, not `Resources`
        // (Learn, "Azure Resource Graph table and resource type reference"); azplan does not
        // query that table and LISTs them per cluster with `--read graph` too.
        in_resource_graph: false,
    },
    // FluxConfiguration
    KindDef {
        kind: Kind::FluxConfiguration,
        section: None,
        prefix: "cluster",
        noun: "Flux configuration",
        example: "`cluster/NAME/apps`",
        // An extension resource on the cluster like its extensions
        // (`{cluster}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{name}`,
        // fluxconfiguration.json 2025-04-01; `kinds::flux_configuration`).
        arm: &[ArmType {
            path: "Microsoft.KubernetesConfiguration/fluxConfigurations",
            api_version: FLUX_CONFIGURATION_API_VERSION,
        }],
        parent: Some(Kind::Cluster),
        // A ProxyResource (FluxConfiguration, fluxconfiguration.json 2025-04-01): no tags.
        taggable: false,
        serial: Serial::UnderParent,
        // Deleted before the Flux extension that runs it (rank 8) and the cluster (rank 7).
        delete_rank: 9,
        listed_in_parent_at: None,
        // In Resource Graph's `kubernetesconfigurationresources`, not `Resources`, like extensions.
        in_resource_graph: false,
    },
    // DiagnosticSetting
    KindDef {
        kind: Kind::DiagnosticSetting,
        section: Some("diagnosticSettings"),
        prefix: "diagnosticSetting",
        noun: "diagnostic setting",
        example: "`diagnosticSetting/NAME`",
        // An extension resource under any resource (`{resourceUri}/providers/Microsoft.Insights/
        // diagnosticSettings/{name}`): DiagnosticSettings_CreateOrUpdate/Get/Delete/List of
        // specification/monitor/resource-manager/Microsoft.Insights/preview/2021-05-01-preview/
        // diagnosticsSettings_API.json, the newest version, the one azure-mgmt-monitor 6.0.2
        // sends. PUT answers 200 with the body, DELETE 200 or 204, no LRO.
        arm: &[ArmType {
            path: "Microsoft.Insights/diagnosticSettings",
            api_version: "2021-05-01-preview",
        }],
        parent: None,
        // DiagnosticSettingsResource is a plain `Resource` plus `properties` (no `tags`), and no
        // property is free-form: ownership follows its target (`kinds::diagnostic_setting::ours`).
        taggable: false,
        serial: Serial::Free,
        // Deleted before the resource it sits on (which takes it anyway) and the workspace it
        // sends to (rank 1).
        delete_rank: 10,
        listed_in_parent_at: None,
        // Not in Resource Graph's `Resources` table and not in a group's resource LIST (no
        // location): each declared target's DiagnosticSettings_List is read.
        in_resource_graph: false,
    },
    // DataCollectionRuleAssociation
    KindDef {
        kind: Kind::DataCollectionRuleAssociation,
        section: Some("dataCollectionRuleAssociations"),
        prefix: "dataCollectionRuleAssociation",
        noun: "data collection rule association",
        example: "`dataCollectionRuleAssociation/NAME`",
        // An extension resource under any resource (`{resourceUri}/providers/Microsoft.Insights/
        // dataCollectionRuleAssociations/{associationName}`): DataCollectionRuleAssociations_
        // Create/Get/Delete/ListByResource of specification/monitor/resource-manager/
        // Microsoft.Insights/stable/2023-03-11/dataCollectionRuleAssociations_API.json, the
        // version azure-mgmt-monitor 7.0 sends (as for data collection rules). PUT answers 201
        // or 200 with the body, DELETE 200 or 204, no LRO.
        arm: &[ArmType {
            path: "Microsoft.Insights/dataCollectionRuleAssociations",
            api_version: "2023-03-11",
        }],
        parent: None,
        // DataCollectionRuleAssociationProxyOnlyResource has no `tags` and no free-form field:
        // ownership follows its target or rule (`kinds::rule_association::ours`).
        taggable: false,
        serial: Serial::Free,
        // Deleted before the rule it attaches (rank 2) and the resource it sits on.
        delete_rank: 10,
        listed_in_parent_at: None,
        // Not in Resource Graph's `Resources` table nor a group's resource LIST (no location):
        // each declared target's DataCollectionRuleAssociations_ListByResource is read.
        in_resource_graph: false,
    },
];

impl Kind {
    pub fn def(self) -> &'static KindDef {
        &TABLE[self as usize]
    }

    pub fn all() -> impl Iterator<Item = Kind> {
        TABLE.iter().map(|d| d.kind)
    }

    pub fn prefix(self) -> &'static str {
        self.def().prefix
    }

    pub fn noun(self) -> &'static str {
        self.def().noun
    }

    /// The kind a prefix names at the top level (`vnet` is a VNet, not a subnet).
    pub fn from_prefix(prefix: &str) -> Option<Kind> {
        TABLE
            .iter()
            .find(|d| d.prefix == prefix && d.parent.is_none())
            .map(|d| d.kind)
    }

    /// The prefixes users can write.
    pub fn prefixes() -> impl Iterator<Item = &'static str> + Clone {
        TABLE
            .iter()
            .filter(|d| d.parent.is_none())
            .map(|d| d.prefix)
    }

    /// Every child kind of this kind, in `TABLE` order (a VNet has subnets and peerings).
    pub fn children(self) -> impl Iterator<Item = Kind> {
        TABLE
            .iter()
            .filter(move |d| d.parent == Some(self))
            .map(|d| d.kind)
    }

    /// The child kind a reference `prefix/parent/child` names: the first in `TABLE` order
    /// (`vnet/v/s` is a subnet; peerings are not referenced, `dependsOn` finds them by name).
    pub fn child(self) -> Option<Kind> {
        TABLE
            .iter()
            .find(|d| d.parent == Some(self))
            .map(|d| d.kind)
    }

    pub fn parent(self) -> Option<Kind> {
        self.def().parent
    }

    /// Children that are extension resources on their parent (`{parent}/providers/{type}/{name}`):
    /// a cluster's extensions and Flux configurations.
    pub fn is_extension_resource(self) -> bool {
        matches!(self, Kind::ClusterExtension | Kind::FluxConfiguration)
    }
}

/// The definition and ARM type for an ARM type name (any casing), if azplan manages the type.
pub fn by_arm_type(arm_type: &str) -> Option<(&'static KindDef, &'static ArmType)> {
    TABLE.iter().find_map(|d| {
        d.arm
            .iter()
            .find(|t| t.path.eq_ignore_ascii_case(arm_type))
            .map(|t| (d, t))
    })
}

/// The path from a parent's ID to its children of type `child` (any casing), if `child` hangs
/// under `parent`: the last type segment (`subnets`), or `providers/{type}` for an extension
/// resource the parent carries (a cluster's extensions, extensions.json 2025-03-01:
/// `{cluster}/providers/Microsoft.KubernetesConfiguration/extensions/{name}`).
pub fn child_path(parent: &str, child: &ArmType) -> Option<String> {
    if child_type_of(parent, child) {
        return Some(child.segment().to_string());
    }
    let (def, _) = by_arm_type(child.path)?;
    let on_parent = def
        .parent?
        .def()
        .arm
        .iter()
        .any(|a| a.path.eq_ignore_ascii_case(parent));
    (def.kind.is_extension_resource() && on_parent).then(|| format!("providers/{}", child.path))
}

/// Whether the ARM type `child` is a child of the ARM type `parent` (any casing): its path
/// continues the parent's. A private zone's links are under `privateDnsZones`, not under the
/// public `dnsZones` type the DNS zone kind lists first.
pub fn child_type_of(parent: &str, child: &ArmType) -> bool {
    child
        .path
        .rsplit_once('/')
        .is_some_and(|(prefix, _)| prefix.eq_ignore_ascii_case(parent))
}

/// The api-version for resources known only by ID whose type azplan does not manage: the
/// oldest version every Resource Manager type still answers is not knowable, so this is the
/// generic `Microsoft.Resources` one; types azplan manages use their own.
const FALLBACK_API_VERSION: &str = "2021-04-01";

/// The api-version azplan uses for an ARM type (any casing), for resources known only by ID.
pub fn api_version_of_type(arm_type: &str) -> &'static str {
    if arm_type.eq_ignore_ascii_case(SUBSCRIPTION_TYPE) {
        return subscription_type().api_version;
    }
    by_arm_type(arm_type).map_or(FALLBACK_API_VERSION, |(_, t)| t.api_version)
}

/// A subscription's GET (`Subscriptions_Get`, specification/resources/resource-manager/
/// Microsoft.Resources/subscriptions/stable/2022-12-01/subscriptions.json): its `tenantId` is the
/// default tenant of a key vault.
pub fn subscription_type() -> &'static ArmType {
    static SUBSCRIPTION: ArmType = ArmType {
        path: SUBSCRIPTION_TYPE,
        api_version: "2022-12-01",
    };
    &SUBSCRIPTION
}

/// Whether azplan manages resources of this ARM type (any casing) and so knows how to delete
/// one.
pub fn manages_type(arm_type: &str) -> bool {
    by_arm_type(arm_type).is_some()
}

/// Whether resources of this ARM type carry tags (and so the ownership tag).
pub fn taggable_type(arm_type: &str) -> bool {
    by_arm_type(arm_type).is_some_and(|(d, _)| d.taggable)
}

/// Deletes run dependents first; this ranks ARM types by how late their kind is created
/// (types azplan does not manage go first).
pub fn delete_rank(arm_type: &str) -> u8 {
    by_arm_type(arm_type).map_or(u8::MAX, |(d, _)| d.delete_rank)
}

/// The ARM type of the stack's resource groups, whose deletes take everything inside.
pub fn resource_group_type() -> &'static ArmType {
    &TABLE[Kind::ResourceGroup as usize].arm[0]
}

/// The ARM type of role assignments (found per scope, described by their owner).
pub fn role_assignment_type() -> &'static ArmType {
    &TABLE[Kind::RoleAssignment as usize].arm[0]
}

/// The ARM type of policy assignments (found by one subscription LIST, owned by their metadata).
pub fn policy_assignment_type() -> &'static ArmType {
    &TABLE[Kind::PolicyAssignment as usize].arm[0]
}

/// Whether an ARM type (any casing) is a role or policy assignment: extension resources on a
/// scope, without tags, whose ownership mark is in their body (a description, metadata).
pub fn is_assignment_type(arm_type: &str) -> bool {
    [role_assignment_type(), policy_assignment_type()]
        .iter()
        .any(|t| t.path.eq_ignore_ascii_case(arm_type))
}

/// The Activity Log's management events of a subscription (`azplan drift` asks it who changed
/// a resource): `GET /subscriptions/{sub}/providers/{path}`, Monitor `ActivityLogs_List`
/// (specification/monitor/.../activityLogs_API.json, 2015-04-01).
pub fn activity_log_type() -> &'static ArmType {
    static ACTIVITY_LOG: ArmType = ArmType {
        path: "Microsoft.Insights/eventtypes/management/values",
        api_version: "2015-04-01",
    };
    &ACTIVITY_LOG
}

/// Azure Resource Graph's query endpoint (`POST /providers/{path}`), operation `Resources` of
/// specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2024-04-01/
/// resourcegraph.json: a plan reads many groups and types in one query.
pub fn resource_graph_type() -> &'static ArmType {
    static RESOURCE_GRAPH: ArmType = ArmType {
        path: "Microsoft.ResourceGraph/resources",
        api_version: "2024-04-01",
    };
    &RESOURCE_GRAPH
}

/// The ARM type of private DNS zones (the run lock lives in one).
pub fn private_dns_zone_type() -> &'static ArmType {
    TABLE[Kind::DnsZone as usize]
        .arm
        .iter()
        .find(|t| {
            t.path
                .eq_ignore_ascii_case("Microsoft.Network/privateDnsZones")
        })
        .expect("the DNS zone kind lists the private zone type")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_kind_order_and_names_are_unique() {
        for (i, def) in TABLE.iter().enumerate() {
            assert_eq!(def.kind as usize, i, "{:?} is out of place", def.kind);
        }
        let mut prefixes: Vec<&str> = Kind::prefixes().collect();
        prefixes.sort();
        let before = prefixes.len();
        prefixes.dedup();
        assert_eq!(before, prefixes.len(), "top-level prefixes are unique");
        for def in &TABLE {
            if let Some(parent) = def.parent {
                assert!(parent.children().any(|k| k == def.kind));
                assert!(parent.child().is_some());
                assert_eq!(
                    parent.prefix(),
                    def.prefix,
                    "children use their parent's prefix"
                );
            }
            for arm in def.arm {
                assert_eq!(
                    by_arm_type(&arm.path.to_ascii_uppercase()).map(|(d, _)| d.kind),
                    Some(def.kind)
                );
            }
        }
    }
}
