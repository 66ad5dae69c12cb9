//! Fidelity against the official x-ms-examples vendored in tests/fixtures/arm-examples: each
//! example's request is replayed against the emulator, and the answer must have the example's
//! status code, its polling headers, and every property path of the official response (values may
//! differ where the service generates them). Every vendored example must have a replay here.

#[path = "emulator_support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Value, json};
use support::{Client, Resp, fast_config, start, url};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/arm-examples")
}

fn load(name: &str) -> Value {
    let text =
        std::fs::read_to_string(fixtures().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Property paths with array elements collapsed to `[]`: `properties.subnets[].name`.
fn paths(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                out.insert(p.clone());
                paths(child, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// Paths of official responses the emulator leaves out: (example file prefix, path, why).
const NOT_EMULATED: &[(&str, &str, &str)] = &[
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].name",
        "the emulator runs no Flux on the cluster: a configuration has no status of Flux \
         objects (statuses, read-only) to report",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].kind",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].complianceState",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].appliedBy",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].appliedBy.name",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].appliedBy.namespace",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].helmReleaseProperties",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].helmReleaseProperties.lastRevisionApplied",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].helmReleaseProperties.helmChartRef",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].helmReleaseProperties.helmChartRef.name",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].helmReleaseProperties.helmChartRef.namespace",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].helmReleaseProperties.failureCount",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].helmReleaseProperties.upgradeFailureCount",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].helmReleaseProperties.installFailureCount",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].statusConditions",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].statusConditions[].lastTransitionTime",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].statusConditions[].message",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].statusConditions[].reason",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].statusConditions[].status",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statuses[].statusConditions[].type",
        "as properties.statuses[].name",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.repositoryPublicKey",
        "generated within the cluster for SSH sources (read-only); the emulator runs no \
         Flux and answers null",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.sourceSyncedCommitId",
        "the commit Flux synced (read-only): the emulator pulls nothing and answers null",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.sourceUpdatedAt",
        "as properties.sourceSyncedCommitId",
    ),
    (
        "kubernetesconfiguration-2025-04-01-GetFluxConfiguration",
        "properties.statusUpdatedAt",
        "as properties.sourceSyncedCommitId",
    ),
    (
        "kubernetesconfiguration-2025-03-01-ListExtensions",
        "nextLink",
        "the example's last page writes `nextLink: null`; the emulator's last page leaves it out, \
         as ExtensionsList allows (nextLink is optional)",
    ),
    (
        "storage-2026-09-01-StorageAccountGetProperties",
        "properties.geoReplicationStats",
        "StorageAccounts_GetProperties returns it only when asked (`$expand=geoReplicationStats`); \
         the example's request does not ask, and the emulator does not expand",
    ),
    (
        "storage-2026-09-01-StorageAccountGetProperties",
        "properties.geoReplicationStats.canFailover",
        "as properties.geoReplicationStats",
    ),
    (
        "storage-2026-09-01-StorageAccountGetProperties",
        "properties.geoReplicationStats.lastSyncTime",
        "as properties.geoReplicationStats",
    ),
    (
        "storage-2026-09-01-StorageAccountGetProperties",
        "properties.geoReplicationStats.status",
        "as properties.geoReplicationStats",
    ),
    (
        "storage-2026-09-01-StorageAccountGetProperties",
        "properties.accountMigrationInProgress",
        "read-only: \"If customer initiated account migration is in progress, the value will be \
         true else it will be null\"; the emulator runs no migrations",
    ),
    (
        "storage-2026-09-01-StorageAccountGetProperties",
        "properties.isSkuConversionBlocked",
        "read-only: \"set to true or false on an event of ongoing migration. Default value is \
         null\"; the emulator runs no migrations",
    ),
    (
        "storage-2025-08-01-StorageAccountCreatePremiumBlockBlobStorage",
        "properties.statusOfSecondary",
        "the example answers a secondary status for a Premium_LRS account, which has no \
         secondary (\"Only available if the SKU name is Standard_GRS or Standard_RAGRS\")",
    ),
    (
        "network-2025-07-01-PrivateEndpointCreate",
        "properties.customDnsConfigs[].fqdn",
        "the example's target is a private link service, whose FQDNs are its own; the emulator \
         derives them only for key vaults and registries",
    ),
    (
        "network-2025-07-01-PrivateEndpointCreate",
        "properties.customDnsConfigs[].ipAddresses",
        "as above: no FQDN, no address listed for it",
    ),
    (
        "network-2025-07-01-PrivateEndpointCreate",
        "properties.customDnsConfigs[].ipAddresses[]",
        "as above",
    ),
    (
        "network-2025-07-01-PrivateEndpointDnsZoneGroupCreate",
        "properties.privateDnsZoneConfigs[].properties.recordSets[].ipAddresses[]",
        "as above",
    ),
    (
        "network-2025-07-01-PrivateEndpointDnsZoneGroupCreate",
        "properties.privateDnsZoneConfigs[].properties.recordSets[].fqdn",
        "records are listed for the zones Learn names for vault and registry endpoints; the \
         example's zone1.com is neither",
    ),
    (
        "network-2025-07-01-PrivateEndpointDnsZoneGroupCreate",
        "properties.privateDnsZoneConfigs[].properties.recordSets[].ipAddresses",
        "as above",
    ),
    (
        "network-2025-07-01-PrivateEndpointDnsZoneGroupCreate",
        "properties.privateDnsZoneConfigs[].properties.recordSets[].recordSetName",
        "as above",
    ),
    (
        "network-2025-07-01-PrivateEndpointDnsZoneGroupCreate",
        "properties.privateDnsZoneConfigs[].properties.recordSets[].recordType",
        "as above",
    ),
    (
        "keyvault-",
        "properties.hsmPoolResourceId",
        "read-only \"resource id of HSM Pool\"; the examples show a GUID for a plain vault, and \
         what a vault outside a managed HSM pool answers was not found",
    ),
    (
        "network-2025-05-01-PublicIpAddressCreate",
        "properties.ipConfiguration",
        "the example's new address answers with a NIC's IP configuration it was never given; \
         an address nothing uses has none (PublicIPAddressPropertiesFormat.ipConfiguration is \
         read-only: \"The IP configuration associated with the public IP address\")",
    ),
    (
        "network-2025-05-01-PublicIpAddressCreate",
        "properties.ipConfiguration.id",
        "as properties.ipConfiguration",
    ),
    (
        "network-2025-05-01-PublicIpAddressCreate",
        "zones",
        "the example writes `zones` beside the request body (parameters.zones), not in it, so \
         the replayed request asks for none",
    ),
    (
        "network-2025-05-01-PublicIpAddressCreate",
        "zones[]",
        "as zones",
    ),
    (
        "network-2025-07-01-NatGatewayCreateOrUpdate",
        "properties.subnets",
        "the example's new gateway lists a subnet the request never associated (subnets are \
         read-only: a subnet's PUT associates it); a gateway no subnet uses lists none",
    ),
    (
        "network-2025-07-01-NatGatewayCreateOrUpdate",
        "properties.subnets[].id",
        "as properties.subnets",
    ),
    (
        "monitor-2023-03-11-DataCollectionEndpointsCreate",
        "tags",
        "the example's request sends no tags but its response shows two; an endpoint created \
         without tags has none (the Get and Update examples, replayed, show tags once set)",
    ),
    (
        "monitor-2023-03-11-DataCollectionEndpointsCreate",
        "tags.tag1",
        "as tags",
    ),
    (
        "monitor-2023-03-11-DataCollectionEndpointsCreate",
        "tags.tag2",
        "as tags",
    ),
];

/// The answer must carry the official status, polling headers and property paths.
fn check(example: &Value, name: &str, status: u16, got: &Resp) {
    let official = &example["responses"][status.to_string()];
    assert!(
        official.is_object(),
        "{name}: the example has no {status} response"
    );
    assert_eq!(got.status, status, "{name}: status; body {}", got.body);
    if let Some(headers) = official["headers"].as_object() {
        for header in headers.keys() {
            assert!(
                got.header(header).is_some(),
                "{name} {status}: header {header} missing"
            );
        }
    }
    let mut want = BTreeSet::new();
    paths(&official["body"], "", &mut want);
    for (prefix, path, _why) in NOT_EMULATED {
        if name.starts_with(prefix) {
            want.remove(*path);
        }
    }
    let mut have = BTreeSet::new();
    paths(&got.body, "", &mut have);
    let missing: Vec<&String> = want.difference(&have).collect();
    assert!(
        missing.is_empty(),
        "{name} {status}: missing property paths {missing:?}\nours: {}",
        got.body
    );
    let mut official_types = BTreeMap::new();
    leaf_types(&official["body"], "", &mut official_types);
    let mut our_types = BTreeMap::new();
    leaf_types(&got.body, "", &mut our_types);
    for (path, kind) in official_types {
        if NOT_EMULATED
            .iter()
            .any(|(prefix, p, _)| name.starts_with(prefix) && *p == path)
        {
            continue;
        }
        assert_eq!(
            our_types.get(&path),
            Some(&kind),
            "{name} {status}: {path} has another JSON type than the official response"
        );
    }
}

/// JSON type of every non-null scalar leaf, by collapsed path.
fn leaf_types(v: &Value, prefix: &str, out: &mut BTreeMap<String, &'static str>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaf_types(child, &p, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                leaf_types(item, &format!("{prefix}[]"), out);
            }
        }
        Value::Null => {}
        Value::Bool(_) => {
            out.insert(prefix.to_string(), "bool");
        }
        Value::Number(_) => {
            out.insert(prefix.to_string(), "number");
        }
        Value::String(_) => {
            out.insert(prefix.to_string(), "string");
        }
    }
}

/// Writable values the client sent come back unchanged (ARM may normalise a few, listed here).
fn check_echo(name: &str, request: &Value, response: &Value, at: &str) {
    const SERVER_OWNED: [&str; 8] = [
        "location",
        // Extension.configurationProtectedSettings is x-ms-secret: never returned.
        "configurationProtectedSettings",
        "kubernetesVersion",
        "orchestratorVersion",
        "secret",
        "adminPassword",
        // Key Vault stores an address as a /32 and subnet IDs lower-cased
        // (createVaultWithNetworkAcls.json answers `124.56.78.91/32` for `124.56.78.91`).
        "ipRules",
        "virtualNetworkRules",
    ];
    match request {
        Value::Object(m) => {
            for (k, v) in m {
                if SERVER_OWNED.contains(&k.as_str()) {
                    continue;
                }
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                check_echo(name, v, &response[k.as_str()], &p);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_echo(name, item, &response[i], &format!("{at}[{i}]"));
            }
        }
        // AKS answers the old SKU name "Basic" with today's "Base".
        Value::String(sku) if at == "sku.name" && sku == "Basic" => {
            assert_eq!(response, "Base", "{name}: {at}");
        }
        scalar => assert_eq!(response, scalar, "{name}: the request's {at} is not echoed"),
    }
}

fn p<'v>(example: &'v Value, key: &str) -> &'v str {
    example["parameters"][key]
        .as_str()
        .unwrap_or_else(|| panic!("parameter {key}"))
}

fn group_path(example: &Value) -> String {
    format!(
        "/subscriptions/{}/resourceGroups/{}",
        p(example, "subscriptionId"),
        p(example, "resourceGroupName")
    )
}

async fn make_group(c: &Client, path: &str) {
    let r = c
        .put(&url(path, "2025-04-01"), &json!({"location": "westeurope"}))
        .await;
    assert!(matches!(r.status, 200 | 201), "{}", r.body);
}

/// PUT → 201 (checked), wait for the operation, PUT again → 200 (checked).
async fn replay_put(c: &Client, example: &Value, name: &str, path: &str, body: &Value) {
    let api = p(example, "api-version");
    let first = c.put(&url(path, api), body).await;
    check(example, name, 201, &first);
    check_echo(name, body, &first.body, "");
    settle(c, &first, &url(path, api)).await;
    let second = c.put(&url(path, api), body).await;
    check(example, name, 200, &second);
}

/// Waits until the operation a write started is over and the resource is in a terminal state.
async fn settle(c: &Client, started: &Resp, path: &str) {
    if started.header("azure-asyncoperation").is_some() || started.header("location").is_some() {
        c.wait(started).await;
    }
    for _ in 0..2000 {
        if !matches!(c.get(path).await.state(), "Creating" | "Updating") {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!("{path} never settled");
}

fn minimal_cluster() -> Value {
    json!({"location": "eastus", "properties": {"dnsPrefix": "dnsprefix1",
        "agentPoolProfiles": [{"name": "nodepool1", "mode": "System", "count": 1, "vmSize": "Standard_DS2_v2"}]}})
}

/// A PUT body rebuilt from a GET example: read-only values removed, versions left to the service.
fn writable_cluster(response: &Value) -> Value {
    let mut body = response.clone();
    let m = body.as_object_mut().expect("object");
    for field in ["id", "name", "type", "eTag", "systemData"] {
        m.remove(field);
    }
    let props = m
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .expect("properties");
    for field in [
        "provisioningState",
        "currentKubernetesVersion",
        "fqdn",
        "azurePortalFQDN",
        "maxAgentPools",
        "powerState",
    ] {
        props.remove(field);
    }
    props.insert("kubernetesVersion".into(), json!(""));
    // A GET never returns the write-only secret, and AKS refuses a service principal without one.
    if let Some(sp) = props
        .get_mut("servicePrincipalProfile")
        .and_then(Value::as_object_mut)
    {
        sp.insert("secret".into(), json!("replaceSecret1234$"));
    }
    if let Some(pools) = props
        .get_mut("agentPoolProfiles")
        .and_then(Value::as_array_mut)
    {
        for pool in pools.iter_mut().filter_map(Value::as_object_mut) {
            for field in ["currentOrchestratorVersion", "eTag", "provisioningState"] {
                pool.remove(field);
            }
            pool.insert("orchestratorVersion".into(), json!(""));
            // The GET example predates mandatory pool modes; a create needs one System pool.
            pool.entry("mode").or_insert(json!("System"));
        }
    }
    body
}

/// Where an example's file lives.
#[derive(Clone, Copy)]
enum Dir {
    /// tests/fixtures/arm-examples (byte-for-byte copies).
    Fixtures,
    /// tests/emulator_support/examples (added with the emulator's newer types and operations).
    Support,
}

/// What exists before the replayed request. Paths are templates: `{group}` is the example's
/// resource group, `{scope}` its role-assignment scope, `{name}` any example parameter.
#[derive(Clone, Copy)]
enum Prep {
    Group,
    Scope,
    /// PUT (and wait for) a resource built from the example.
    Create {
        path: &'static str,
        api: &'static str,
        body: fn(&Value) -> Value,
    },
    /// DELETE a resource made before (a key vault, which leaves a soft-deleted vault).
    Delete {
        path: &'static str,
        api: &'static str,
    },
}

/// The replayed request and what must come back.
#[derive(Clone, Copy)]
enum Step {
    /// PUT `parameters.<body>` twice: the example's 201 then its 200; writable values echoed.
    PutTwice { body: &'static str },
    /// GET: the example's 200.
    Get,
    /// DELETE: the example's 202; then the operation's final 200 (`poll`) or a second DELETE's 204.
    Delete { poll: bool },
    /// PATCH `parameters.<body>`: the example's `status`.
    Patch { body: &'static str, status: u16 },
    /// POST: the example's `status`.
    Post { status: u16 },
    /// POST `parameters.<body>`: the example's `status`.
    PostWith { body: &'static str, status: u16 },
    /// A synchronous DELETE: the example's 200, then a second DELETE's 204.
    DeleteSync,
    /// PUT `parameters.<body>`: the example's 201 (its only response), writable values echoed,
    /// the same paths from a GET, and 201 again for the same PUT (an update).
    PutCreated { body: &'static str },
    /// PUT `parameters.<body>` twice where the spec declares 201 alone (Solutions_CreateOrUpdate):
    /// the example's 201 both times; writable values echoed.
    PutCreatedTwice { body: &'static str },
    /// A DELETE whose example shows only the 202: that, with the Location header the spec
    /// declares for it; once the operation is over the resource is gone.
    DeleteAccepted,
    /// PUT `parameters.<body>` twice, both the example's 200 (a create answers 200 too, as for
    /// diagnostic settings); writable values echoed.
    PutSync { body: &'static str },
    /// PUT `parameters.<body>` where the create is accepted (StorageAccounts_Create): the
    /// example's 202 with a Location header; the Location's final answer is the example's 200
    /// with the writable values echoed; the same PUT again (an update) answers 200 at once.
    PutAccepted { body: &'static str },
}

struct Case {
    file: &'static str,
    dir: Dir,
    path: &'static str,
    prep: &'static [Prep],
    step: Step,
}

/// The diagnostic settings examples set one on a Logic Apps workflow (`resourceUri`).
const DIAGNOSTIC_SETTING: &str =
    "/{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/{name}";
/// The workflow's group (`resourceUri` names it): the emulator serves no workflows, but a write
/// into a group that does not exist is refused.
const DIAGNOSTIC_GROUP: Prep = Prep::Create {
    path: "/subscriptions/1a66ce04-b633-4a0b-b2bc-a912ec8986a6/resourcegroups/viruela1",
    api: "2025-04-01",
    body: |_| json!({"location": "westeurope"}),
};

/// The data collection rule association examples attach `myCollectionRule` to a VM (`resourceUri`),
/// a type the emulator does not serve; the rule and the group must exist.
const RULE_ASSOCIATION: &str =
    "/{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/{associationName}";
const ASSOCIATION_GROUP: Prep = Prep::Create {
    path: "/subscriptions/703362b3-f278-4e4b-9179-c76eaf41ffc2/resourceGroups/myResourceGroup",
    api: "2025-04-01",
    body: |_| json!({"location": "westeurope"}),
};
const ASSOCIATED_RULE: Prep = Prep::Create {
    path: "/subscriptions/703362b3-f278-4e4b-9179-c76eaf41ffc2/resourceGroups/myResourceGroup/providers/Microsoft.Insights/dataCollectionRules/myCollectionRule",
    api: "2023-03-11",
    body: |_| json!({"location": "westeurope", "properties": {}}),
};
const MY_ASSOCIATION: Prep = Prep::Create {
    path: "/subscriptions/703362b3-f278-4e4b-9179-c76eaf41ffc2/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVm/providers/Microsoft.Insights/dataCollectionRuleAssociations/myAssociation",
    api: "2023-03-11",
    body: |_| json!({"properties": {"dataCollectionRuleId": "/subscriptions/703362b3-f278-4e4b-9179-c76eaf41ffc2/resourceGroups/myResourceGroup/providers/Microsoft.Insights/dataCollectionRules/myCollectionRule"}}),
};

const CLUSTER: &str = "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}";
const AKS_API: &str = "2026-08-01";

const MONITOR_WORKSPACE: &str =
    "{group}/providers/Microsoft.Monitor/accounts/{azureMonitorWorkspaceName}";

const DCR: &str =
    "{group}/providers/Microsoft.Insights/dataCollectionRules/{dataCollectionRuleName}";

/// The writable part of the DataCollectionRulesGet body: what its creator sent.
fn dcr_request(example: &Value) -> Value {
    let got = &example["responses"]["200"]["body"];
    let mut properties = got["properties"].clone();
    properties.as_object_mut().map(|p| p.remove("immutableId"));
    properties["destinations"]["logAnalytics"][0]
        .as_object_mut()
        .map(|d| d.remove("workspaceId"));
    json!({"location": got["location"], "tags": got["tags"], "properties": properties})
}

const SOLUTION: &str = "{group}/providers/Microsoft.OperationsManagement/solutions/{solutionName}";

const STORAGE: &str = "{group}/providers/Microsoft.Storage/storageAccounts/{accountName}";

/// The writable part of a storage account body the official examples answer: what its creator
/// sent (`sku.name`, `kind`, `location`, `tags`, the non-read-only properties).
fn storage_request(example: &Value) -> Value {
    let got = &example["responses"]["200"]["body"];
    let mut properties = got["properties"].clone();
    if let Some(p) = properties.as_object_mut() {
        for read_only in [
            "accountMigrationInProgress",
            "creationTime",
            "geoReplicationStats",
            "isSkuConversionBlocked",
            "keyCreationTime",
            "primaryEndpoints",
            "primaryLocation",
            "provisioningState",
            "secondaryLocation",
            "statusOfPrimary",
            "statusOfSecondary",
        ] {
            p.remove(read_only);
        }
    }
    json!({"location": got["location"], "tags": got["tags"], "kind": got["kind"],
        "sku": {"name": got["sku"]["name"]}, "properties": properties})
}

const DCE: &str =
    "{group}/providers/Microsoft.Insights/dataCollectionEndpoints/{dataCollectionEndpointName}";

const VAULT: &str = "{group}/providers/Microsoft.KeyVault/vaults/{vaultName}";
const KEY_VAULT_API: &str = "2026-04-01";
/// The deleted-vault examples name no group; their `vaultId` says `sample-group`.
const DELETED_VAULTS_GROUP: &str = "/subscriptions/{subscriptionId}/resourceGroups/sample-group";
const DELETED_VAULT: &str = "/subscriptions/{subscriptionId}/resourceGroups/sample-group/providers/Microsoft.KeyVault/vaults/{vaultName}";

fn minimal_vault() -> Value {
    json!({"location": "westus", "properties": {
        "tenantId": "00000000-0000-0000-0000-000000000000",
        "sku": {"family": "A", "name": "standard"}
    }})
}

fn cluster_at(version: &'static str) -> Value {
    let mut body = minimal_cluster();
    body["properties"]["kubernetesVersion"] = json!(version);
    body
}

/// Every vendored example and how it replays.
/// A managed cluster with a managed identity (cluster extensions "won't work with service
/// principal-based clusters", Learn "Deploy and manage cluster extensions by using Azure CLI").
const EXTENSION_CLUSTER: Prep = Prep::Create {
    path: "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}",
    api: AKS_API,
    body: |_| {
        let mut c = minimal_cluster();
        c["identity"] = json!({"type": "SystemAssigned"});
        c
    },
};

const EXTENSION: &str = "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration/extensions/{extensionName}";

/// The official Extension examples are for an Arc cluster (`connectedClusters`); the emulator
/// serves extensions on managed clusters, so they replay on one of that name.
const EXTENSIONS: &str = "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration/extensions";

fn listed_extension(example: &Value, i: usize) -> Value {
    let item = &example["responses"]["200"]["body"]["value"][i];
    let mut body = json!({"properties": item["properties"].clone()});
    if item.get("plan").is_some() {
        body["plan"] = item["plan"].clone();
    }
    body
}

/// A managed cluster with the Flux extension a Flux configuration needs.
const FLUX_EXTENSION: Prep = Prep::Create {
    path: "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration/extensions/flux",
    api: "2025-03-01",
    body: |_| json!({"properties": {"extensionType": "microsoft.flux"}}),
};

const CASES: &[Case] = &[
    Case {
        file: "kubernetesconfiguration-2025-04-01-GetFluxConfiguration.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{fluxConfigurationName}",
        prep: &[
            Prep::Group,
            EXTENSION_CLUSTER,
            FLUX_EXTENSION,
            Prep::Create {
                path: "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/{fluxConfigurationName}",
                api: "2025-04-01",
                body: |example| {
                    let mut props = example["responses"]["200"]["body"]["properties"].clone();
                    for read_only in [
                        "statuses",
                        "repositoryPublicKey",
                        "sourceSyncedCommitId",
                        "sourceUpdatedAt",
                        "statusUpdatedAt",
                        "complianceState",
                        "provisioningState",
                        "errorMessage",
                    ] {
                        props.as_object_mut().expect("properties").remove(read_only);
                    }
                    json!({"properties": props})
                },
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "kubernetesconfiguration-2025-03-01-CreateExtension.json",
        dir: Dir::Support,
        path: EXTENSION,
        prep: &[Prep::Group, EXTENSION_CLUSTER],
        step: Step::PutTwice { body: "extension" },
    },
    Case {
        file: "kubernetesconfiguration-2025-03-01-GetExtension.json",
        dir: Dir::Support,
        path: EXTENSION,
        prep: &[
            Prep::Group,
            EXTENSION_CLUSTER,
            Prep::Create {
                path: EXTENSION,
                api: "2025-03-01",
                body: |example| json!({"properties": example["responses"]["200"]["body"]["properties"].clone()}),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "kubernetesconfiguration-2025-03-01-ListExtensions.json",
        dir: Dir::Support,
        path: EXTENSIONS,
        prep: &[
            Prep::Group,
            EXTENSION_CLUSTER,
            Prep::Create {
                path: "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration/extensions/ClusterMonitor",
                api: "2025-03-01",
                body: |example| listed_extension(example, 0),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration/extensions/BackupVault01",
                api: "2025-03-01",
                body: |example| listed_extension(example, 1),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.ContainerService/managedClusters/{clusterName}/providers/Microsoft.KubernetesConfiguration/extensions/azureVote",
                api: "2025-03-01",
                body: |example| listed_extension(example, 2),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "resources-2024-11-01-CreateResourceGroup.json",
        dir: Dir::Fixtures,
        path: "{group}",
        prep: &[],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "resources-2025-04-01-ForceDeleteVMsInResourceGroup.json",
        dir: Dir::Fixtures,
        path: "{group}?forceDeletionTypes={forceDeletionTypes}",
        prep: &[Prep::Group],
        step: Step::Delete { poll: true },
    },
    Case {
        file: "acr-2025-11-01-RegistryCreate.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.ContainerRegistry/registries/{registryName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "registry" },
    },
    Case {
        file: "acr-2025-11-01-RegistryDelete.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.ContainerRegistry/registries/{registryName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: "{group}/providers/Microsoft.ContainerRegistry/registries/{registryName}",
                api: "2025-11-01",
                body: |_| json!({"location": "westus", "sku": {"name": "Basic"}}),
            },
        ],
        step: Step::Delete { poll: false },
    },
    Case {
        file: "aks-2026-07-01-ManagedClustersCreate_Update.json",
        dir: Dir::Fixtures,
        path: CLUSTER,
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    // The Key Vault secrets provider add-on with rotation: its config comes back as sent.
    Case {
        file: "aks-2026-08-01-ManagedClustersCreate_AzureKeyvaultSecretsProvider.json",
        dir: Dir::Support,
        path: CLUSTER,
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "aks-2026-08-01-ManagedClustersCreate_ManagedNATGateway.json",
        dir: Dir::Support,
        path: CLUSTER,
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "aks-2026-08-01-ManagedClustersGet.json",
        dir: Dir::Fixtures,
        path: CLUSTER,
        prep: &[
            Prep::Group,
            // The example's customer outbound IPs exist before the cluster refers to them.
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/publicIPAddresses/customeroutboundip1",
                api: "2025-07-01",
                body: |_| json!({"location": "eastus", "sku": {"name": "Standard"}}),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/publicIPAddresses/customeroutboundip2",
                api: "2025-07-01",
                body: |_| json!({"location": "eastus", "sku": {"name": "Standard"}}),
            },
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |example| writable_cluster(&example["responses"]["200"]["body"]),
            },
        ],
        step: Step::Get,
    },
    // The only maintenance configuration example of 2026-08-01: its window is PUT (the GET body
    // less its read-only `id` and `name`), then read back.
    Case {
        file: "aks-2026-08-01-MaintenanceConfigurationsGet_MaintenanceWindow.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/maintenanceConfigurations/{configName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |_| minimal_cluster(),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/maintenanceConfigurations/{configName}",
                api: AKS_API,
                body: |example| json!({"properties": example["responses"]["200"]["body"]["properties"]}),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "aks-2026-08-01-ManagedClustersDelete.json",
        dir: Dir::Fixtures,
        path: CLUSTER,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |_| minimal_cluster(),
            },
        ],
        step: Step::Delete { poll: false },
    },
    Case {
        file: "aks-2026-08-01-AgentPoolsCreate_Update.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |_| minimal_cluster(),
            },
        ],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "aks-2026-08-01-AgentPoolsGetUpgradeProfile.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}/upgradeProfiles/default",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |_| cluster_at("1.32"),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/agentPools/{agentPoolName}",
                api: AKS_API,
                body: |_| json!({"properties": {"mode": "User", "count": 1, "vmSize": "Standard_DS2_v2"}}),
            },
            // The control plane moves on, so the pool has an upgrade to offer.
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |_| cluster_at("1.33"),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "aks-2026-08-01-ManagedClustersListClusterAdminCredentials.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/listClusterAdminCredential",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |_| minimal_cluster(),
            },
        ],
        step: Step::Post { status: 200 },
    },
    Case {
        file: "aks-2026-08-01-ManagedClustersStop.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/stop",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |_| minimal_cluster(),
            },
        ],
        step: Step::Post { status: 202 },
    },
    Case {
        file: "aks-2026-08-01-ManagedClustersAbortOperation.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/abort",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: CLUSTER,
                api: AKS_API,
                body: |_| minimal_cluster(),
            },
        ],
        // Nothing is running on a settled cluster.
        step: Step::Post { status: 204 },
    },
    Case {
        file: "authorization-2022-04-01-RoleAssignments_CreateForResourceGroup.json",
        dir: Dir::Fixtures,
        path: "{scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}",
        prep: &[Prep::Scope],
        step: Step::PutTwice { body: "parameters" },
    },
    // Policy assignments at a subscription (PolicyAssignments_Create answers 201 only); the
    // definition is a custom one the emulator cannot hold, accepted by its ID's shape.
    Case {
        file: "authorization-2026-06-01-createPolicyAssignment.json",
        dir: Dir::Support,
        path: "/{scope}/providers/Microsoft.Authorization/policyAssignments/{policyAssignmentName}",
        prep: &[],
        step: Step::PutCreated { body: "parameters" },
    },
    Case {
        file: "authorization-2026-06-01-createPolicyAssignmentWithIdentity.json",
        dir: Dir::Support,
        path: "/{scope}/providers/Microsoft.Authorization/policyAssignments/{policyAssignmentName}",
        prep: &[],
        step: Step::PutCreated { body: "parameters" },
    },
    Case {
        file: "dns-2018-05-01-CreateOrUpdateZone.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.Network/dnsZones/{zoneName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "privatedns-2024-06-01-RecordSetTXTPut.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/{recordType}/{relativeRecordSetName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}",
                api: "2024-06-01",
                body: |_| json!({"location": "global"}),
            },
        ],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "privatedns-2024-06-01-RecordSetTXTPatch.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/{recordType}/{relativeRecordSetName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}",
                api: "2024-06-01",
                body: |_| json!({"location": "global"}),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/{recordType}/{relativeRecordSetName}",
                api: "2024-06-01",
                body: |_| {
                    json!({"properties": {"metadata": {"key1": "value1"}, "ttl": 3600,
                    "txtRecords": [{"value": ["string1", "string2"]}]}})
                },
            },
        ],
        step: Step::Patch {
            body: "parameters",
            status: 200,
        },
    },
    Case {
        file: "loganalytics-2026-03-01-WorkspacesCreate.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.OperationalInsights/workspaces/{workspaceName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "msi-2026-05-31-FederatedIdentityCredentialGet.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{federatedIdentityCredentialResourceName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
                api: "2026-05-31",
                body: |_| json!({"location": "eastus"}),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{federatedIdentityCredentialResourceName}",
                api: "2026-05-31",
                body: |example| json!({"properties": example["responses"]["200"]["body"]["properties"].clone()}),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "msi-2026-05-31-IdentityCreate.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "network-2025-07-01-VirtualNetworkCreateSubnet.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "privatedns-2024-06-01-VirtualNetworkLinkPut.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}",
                api: "2024-06-01",
                body: |_| json!({"location": "global"}),
            },
        ],
        // The linked VNet lives in a subscription the emulator has not seen: accepted, as the
        // service accepts VNets of other subscriptions.
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "privatedns-2024-06-01-VirtualNetworkLinkPatch.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}",
                api: "2024-06-01",
                body: |_| json!({"location": "global"}),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks/{virtualNetworkLinkName}",
                api: "2024-06-01",
                body: |example| {
                    json!({"location": "global", "properties": {
                    "virtualNetwork": example["responses"]["200"]["body"]["properties"]["virtualNetwork"].clone(),
                    "registrationEnabled": false}})
                },
            },
        ],
        step: Step::Patch {
            body: "parameters",
            status: 202,
        },
    },
    Case {
        file: "network-2025-07-01-PrivateEndpointCreate.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}",
        prep: &[
            Prep::Group,
            // The example's subnet; its static IP 192.168.0.6 lies in it.
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/virtualNetworks/myVnet",
                api: "2025-07-01",
                body: |_| {
                    json!({"location": "eastus2euap", "properties": {
                    "addressSpace": {"addressPrefixes": ["192.168.0.0/16"]},
                    "subnets": [{"name": "mySubnet", "properties": {"addressPrefix": "192.168.0.0/24"}}]}})
                },
            },
        ],
        // The private link service of the example is a type the emulator does not serve:
        // accepted, as a target the emulator cannot see.
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "network-2025-07-01-PrivateEndpointDnsZoneGroupCreate.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups/{privateDnsZoneGroupName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/virtualNetworks/vnet1",
                api: "2025-07-01",
                body: |_| {
                    json!({"location": "eastus", "properties": {
                    "addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                    "subnets": [{"name": "subnet1", "properties": {"addressPrefix": "10.0.0.0/24"}}]}})
                },
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/privateEndpoints/{privateEndpointName}",
                api: "2025-07-01",
                body: |example| {
                    let group = format!(
                        "/subscriptions/{}/resourceGroups/{}",
                        example["parameters"]["subscriptionId"].as_str().unwrap(),
                        example["parameters"]["resourceGroupName"].as_str().unwrap()
                    );
                    json!({"location": "eastus", "properties": {
                    "subnet": {"id": format!("{group}/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/subnet1")},
                    "privateLinkServiceConnections": [{"name": "c", "properties": {
                        "privateLinkServiceId": format!("{group}/providers/Microsoft.Network/privateLinkServices/pls1"),
                        "groupIds": ["pls"]}}]}})
                },
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/privateDnsZones/zone1.com",
                api: "2024-06-01",
                body: |_| json!({"location": "global"}),
            },
        ],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "network-2025-07-01-VirtualNetworkPeeringCreate.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings/{virtualNetworkPeeringName}",
        prep: &[
            Prep::Group,
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}",
                api: "2025-07-01",
                body: |_| json!({"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}),
            },
            // The remote VNet of the example (12.0.0.0/8, BGP community 12076:20002). Its
            // `regionalCommunity` is the service's (read-only, by region); the emulator computes
            // none, so the remote is written with the value the example shows.
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/virtualNetworks/vnet2",
                api: "2025-07-01",
                body: |_| {
                    json!({"location": "westus", "properties": {
                    "addressSpace": {"addressPrefixes": ["12.0.0.0/8"]},
                    "bgpCommunities": {"virtualNetworkCommunity": "12076:20002", "regionalCommunity": "12076:50004"}}})
                },
            },
        ],
        step: Step::PutTwice {
            body: "VirtualNetworkPeeringParameters",
        },
    },
    Case {
        file: "keyvault-2026-04-01-createVaultWithNetworkAcls.json",
        dir: Dir::Fixtures,
        path: VAULT,
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "keyvault-2026-04-01-deleteVault.json",
        dir: Dir::Fixtures,
        path: VAULT,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: VAULT,
                api: KEY_VAULT_API,
                body: |_| minimal_vault(),
            },
        ],
        step: Step::DeleteSync,
    },
    Case {
        file: "keyvault-2026-04-01-getDeletedVault.json",
        dir: Dir::Fixtures,
        path: "/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{vaultName}",
        prep: &[
            Prep::Create {
                path: DELETED_VAULTS_GROUP,
                api: "2025-04-01",
                body: |_| json!({"location": "westus"}),
            },
            Prep::Create {
                path: DELETED_VAULT,
                api: KEY_VAULT_API,
                body: |_| {
                    let mut v = minimal_vault();
                    v["properties"]["enablePurgeProtection"] = json!(true);
                    v
                },
            },
            Prep::Delete {
                path: DELETED_VAULT,
                api: KEY_VAULT_API,
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "keyvault-2026-04-01-purgeDeletedVault.json",
        dir: Dir::Fixtures,
        path: "/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/locations/{location}/deletedVaults/{vaultName}/purge",
        prep: &[
            Prep::Create {
                path: DELETED_VAULTS_GROUP,
                api: "2025-04-01",
                body: |_| json!({"location": "westus"}),
            },
            Prep::Create {
                path: DELETED_VAULT,
                api: KEY_VAULT_API,
                body: |_| minimal_vault(),
            },
            Prep::Delete {
                path: DELETED_VAULT,
                api: KEY_VAULT_API,
            },
        ],
        step: Step::Post { status: 202 },
    },
    Case {
        file: "keyvault-2026-04-01-checkVaultNameAvailability.json",
        dir: Dir::Fixtures,
        path: "/subscriptions/{subscriptionId}/providers/Microsoft.KeyVault/checkNameAvailability",
        prep: &[],
        step: Step::PostWith {
            body: "vaultName",
            status: 200,
        },
    },
    Case {
        file: "network-2026-03-01-RouteTableCreateWithRoute.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.Network/routeTables/{routeTableName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "network-2025-03-01-NetworkSecurityGroupCreateWithRule.json",
        dir: Dir::Fixtures,
        path: "{group}/providers/Microsoft.Network/networkSecurityGroups/{networkSecurityGroupName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "network-2025-05-01-PublicIpAddressCreateCustomizedValues.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/publicIPAddresses/{publicIpAddressName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "network-2025-07-01-NatGatewayCreateOrUpdate.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/natGateways/{natGatewayName}",
        prep: &[
            Prep::Group,
            // The addresses the example's gateway uses must exist (a reference to nothing is
            // InvalidResourceReference).
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/publicIPAddresses/PublicIpAddress1",
                api: "2025-07-01",
                body: |_| json!({"location": "westus", "sku": {"name": "Standard"}}),
            },
            Prep::Create {
                path: "{group}/providers/Microsoft.Network/publicIPPrefixes/PublicIpPrefix1",
                api: "2025-07-01",
                body: |_| {
                    json!({"location": "westus", "sku": {"name": "Standard"},
                        "properties": {"prefixLength": 31}})
                },
            },
        ],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "network-2025-07-01-PublicIpPrefixCreateDefaults.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Network/publicIPPrefixes/{publicIpPrefixName}",
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "parameters" },
    },
    Case {
        file: "monitor-2023-04-03-AzureMonitorWorkspacesGet.json",
        dir: Dir::Support,
        path: MONITOR_WORKSPACE,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: MONITOR_WORKSPACE,
                api: "2023-04-03",
                body: |_| json!({"location": "eastus", "tags": {"tag1": "A", "tag2": "B"}}),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "monitor-2023-04-03-AzureMonitorWorkspacesDelete.json",
        dir: Dir::Support,
        path: MONITOR_WORKSPACE,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: MONITOR_WORKSPACE,
                api: "2023-04-03",
                body: |_| json!({"location": "eastus"}),
            },
        ],
        step: Step::DeleteAccepted,
    },
    Case {
        file: "monitor-2023-04-03-AzureMonitorWorkspacesUpdate.json",
        dir: Dir::Support,
        path: MONITOR_WORKSPACE,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: MONITOR_WORKSPACE,
                api: "2023-04-03",
                body: |_| json!({"location": "eastus", "tags": {"tag1": "A"}}),
            },
        ],
        step: Step::Patch {
            body: "azureMonitorWorkspaceProperties",
            status: 200,
        },
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionRulesGet.json",
        dir: Dir::Support,
        path: DCR,
        prep: &[
            Prep::Group,
            // The workspace its destination names exists (the emulator refuses a rule that
            // points at nothing in a group it holds).
            Prep::Create {
                path: "{group}/providers/Microsoft.OperationalInsights/workspaces/centralTeamWorkspace",
                api: "2025-07-01",
                body: |_| json!({"location": "eastus", "properties": {"sku": {"name": "PerGB2018"}}}),
            },
            Prep::Create {
                path: DCR,
                api: "2023-03-11",
                body: dcr_request,
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "operationsmanagement-2015-11-01-preview-SolutionCreate.json",
        dir: Dir::Support,
        path: SOLUTION,
        prep: &[Prep::Group],
        step: Step::PutCreatedTwice { body: "parameters" },
    },
    Case {
        file: "operationsmanagement-2015-11-01-preview-SolutionUpdate.json",
        dir: Dir::Support,
        path: SOLUTION,
        prep: &[
            Prep::Group,
            // The solution of the SolutionCreate example.
            Prep::Create {
                path: SOLUTION,
                api: "2015-11-01-preview",
                body: |_| {
                    json!({"location": "East US",
                        "properties": {
                            "workspaceResourceId": "/subscriptions/sub2/resourceGroups/rg2/providers/Microsoft.OperationalInsights/workspaces/ws1",
                            "containedResources": [
                                "/subscriptions/sub2/resourceGroups/rg2/providers/provider1/resources/resource1",
                                "/subscriptions/sub2/resourceGroups/rg2/providers/provider2/resources/resource2"
                            ],
                            "referencedResources": [
                                "/subscriptions/sub2/resourceGroups/rg2/providers/provider1/resources/resource2",
                                "/subscriptions/sub2/resourceGroups/rg2/providers/provider2/resources/resource3"
                            ]
                        },
                        "plan": {"name": "name1", "product": "product1", "publisher": "publisher1", "promotionCode": "promocode1"}})
                },
            },
        ],
        step: Step::Patch {
            body: "parameters",
            status: 200,
        },
    },
    Case {
        file: "monitor-2021-05-01-preview-createOrUpdateDiagnosticSetting.json",
        dir: Dir::Support,
        path: DIAGNOSTIC_SETTING,
        // The example's workflow is a type the emulator does not serve: accepted, as a resource
        // the emulator cannot see; its group must exist.
        prep: &[DIAGNOSTIC_GROUP],
        step: Step::PutSync { body: "parameters" },
    },
    Case {
        file: "monitor-2021-05-01-preview-getDiagnosticSetting.json",
        dir: Dir::Support,
        path: DIAGNOSTIC_SETTING,
        prep: &[
            DIAGNOSTIC_GROUP,
            Prep::Create {
                path: DIAGNOSTIC_SETTING,
                api: "2021-05-01-preview",
                body: |example| json!({"properties": example["responses"]["200"]["body"]["properties"].clone()}),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "monitor-2021-05-01-preview-listDiagnosticSettings.json",
        dir: Dir::Support,
        path: "/{resourceUri}/providers/Microsoft.Insights/diagnosticSettings",
        prep: &[
            DIAGNOSTIC_GROUP,
            Prep::Create {
                path: "/{resourceUri}/providers/Microsoft.Insights/diagnosticSettings/mysetting",
                api: "2021-05-01-preview",
                body: |example| json!({"properties": example["responses"]["200"]["body"]["value"][0]["properties"].clone()}),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "storage-2026-09-01-StorageAccountCreate.json",
        dir: Dir::Support,
        path: STORAGE,
        prep: &[Prep::Group],
        step: Step::PutAccepted { body: "parameters" },
    },
    // Another api-version than the one the emulator was built from, and another kind.
    Case {
        file: "storage-2025-08-01-StorageAccountCreatePremiumBlockBlobStorage.json",
        dir: Dir::Support,
        path: STORAGE,
        prep: &[Prep::Group],
        step: Step::PutAccepted { body: "parameters" },
    },
    Case {
        file: "storage-2026-09-01-StorageAccountGetProperties.json",
        dir: Dir::Support,
        path: STORAGE,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: STORAGE,
                api: "2026-09-01",
                body: storage_request,
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "storage-2026-09-01-StorageAccountUpdateDisablePublicNetworkAccess.json",
        dir: Dir::Support,
        path: STORAGE,
        prep: &[
            Prep::Group,
            // The account its answer shows before the update: a GRS general-purpose v1 account
            // with a hierarchical namespace, over HTTP too.
            Prep::Create {
                path: STORAGE,
                api: "2026-09-01",
                body: |example| {
                    let mut body = storage_request(example);
                    body["properties"]
                        .as_object_mut()
                        .map(|p| p.remove("publicNetworkAccess"));
                    body
                },
            },
        ],
        step: Step::Patch {
            body: "parameters",
            status: 200,
        },
    },
    Case {
        file: "storage-2026-09-01-StorageAccountDelete.json",
        dir: Dir::Support,
        path: STORAGE,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: STORAGE,
                api: "2026-09-01",
                body: |_| {
                    json!({"location": "eastus", "kind": "StorageV2",
                        "sku": {"name": "Standard_LRS"}})
                },
            },
        ],
        step: Step::DeleteSync,
    },
    Case {
        file: "storage-2025-08-01-StorageAccountCheckNameAvailability.json",
        dir: Dir::Support,
        path: "/subscriptions/{subscriptionId}/providers/Microsoft.Storage/checkNameAvailability",
        prep: &[],
        step: Step::PostWith {
            body: "accountName",
            status: 200,
        },
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionEndpointsCreate.json",
        dir: Dir::Support,
        path: DCE,
        prep: &[Prep::Group],
        step: Step::PutTwice { body: "body" },
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionEndpointsGet.json",
        dir: Dir::Support,
        path: DCE,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: DCE,
                api: "2023-03-11",
                body: |_| {
                    json!({"location": "eastus", "tags": {"tag1": "A", "tag2": "B"},
                        "properties": {"networkAcls": {"publicNetworkAccess": "Enabled"}}})
                },
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionEndpointsUpdate.json",
        dir: Dir::Support,
        path: DCE,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: DCE,
                api: "2023-03-11",
                body: |_| {
                    json!({"location": "eastus", "tags": {"tag1": "A"},
                        "properties": {"networkAcls": {"publicNetworkAccess": "Enabled"}}})
                },
            },
        ],
        step: Step::Patch {
            body: "body",
            status: 200,
        },
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionEndpointsDelete.json",
        dir: Dir::Support,
        path: DCE,
        prep: &[
            Prep::Group,
            Prep::Create {
                path: DCE,
                api: "2023-03-11",
                body: |_| json!({"location": "eastus"}),
            },
        ],
        step: Step::DeleteSync,
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionRuleAssociationsCreate.json",
        dir: Dir::Support,
        path: RULE_ASSOCIATION,
        prep: &[ASSOCIATION_GROUP, ASSOCIATED_RULE],
        step: Step::PutTwice { body: "body" },
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionRuleAssociationsGet.json",
        dir: Dir::Support,
        path: RULE_ASSOCIATION,
        prep: &[ASSOCIATION_GROUP, ASSOCIATED_RULE, MY_ASSOCIATION],
        step: Step::Get,
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionRuleAssociationsListByResource.json",
        dir: Dir::Support,
        path: "/{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations",
        prep: &[
            ASSOCIATION_GROUP,
            ASSOCIATED_RULE,
            MY_ASSOCIATION,
            // The endpoint the VM's endpoint association names (the emulator refuses an
            // association to a missing endpoint, as to a missing rule).
            Prep::Create {
                path: "/subscriptions/703362b3-f278-4e4b-9179-c76eaf41ffc2/resourceGroups/myResourceGroup/providers/Microsoft.Insights/dataCollectionEndpoints/myCollectionEndpoint",
                api: "2023-03-11",
                body: |_| json!({"location": "westeurope", "properties": {}}),
            },
            // The VM's endpoint association, under the name Azure Monitor gives it.
            Prep::Create {
                path: "/{resourceUri}/providers/Microsoft.Insights/dataCollectionRuleAssociations/configurationAccessEndpoint",
                api: "2023-03-11",
                body: |example| json!({"properties": example["responses"]["200"]["body"]["value"][1]["properties"].clone()}),
            },
        ],
        step: Step::Get,
    },
    Case {
        file: "monitor-2023-03-11-DataCollectionRuleAssociationsListByRule.json",
        dir: Dir::Support,
        path: "{group}/providers/Microsoft.Insights/dataCollectionRules/{dataCollectionRuleName}/associations",
        prep: &[Prep::Group, ASSOCIATED_RULE, MY_ASSOCIATION],
        step: Step::Get,
    },
];

/// Fills a path template from the example's parameters.
fn render(template: &str, example: &Value) -> String {
    let mut out = template.to_string();
    if out.contains("{group}") {
        out = out.replace("{group}", &group_path(example));
    }
    if out.contains("{scope}") {
        out = out.replace("{scope}", &format!("/{}", p(example, "scope")));
    }
    if let Some(params) = example["parameters"].as_object() {
        for (k, v) in params {
            if let Some(text) = v.as_str() {
                out = out.replace(&format!("{{{k}}}"), text);
            }
        }
    }
    out
}

fn load_case(case: &Case) -> Value {
    match case.dir {
        Dir::Fixtures => load(case.file),
        Dir::Support => {
            let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/emulator_support/examples")
                .join(case.file);
            let text =
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", case.file));
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", case.file))
        }
    }
}

async fn replay(case: &Case) {
    let name = case.file;
    let example = load_case(case);
    let (emu, c) = start(fast_config()).await;
    let api = p(&example, "api-version").to_string();
    for prep in case.prep {
        match prep {
            Prep::Group => make_group(&c, &group_path(&example)).await,
            Prep::Scope => make_group(&c, &format!("/{}", p(&example, "scope"))).await,
            Prep::Create { path, api, body } => {
                c.create(&url(&render(path, &example), api), &body(&example))
                    .await;
            }
            Prep::Delete { path, api } => {
                let r = c.delete(&url(&render(path, &example), api)).await;
                assert_eq!(r.status, 200, "{name}: prep delete: {}", r.body);
            }
        }
    }
    let path = render(case.path, &example);
    match case.step {
        Step::PutTwice { body } => {
            replay_put(&c, &example, name, &path, &example["parameters"][body]).await;
        }
        Step::Get => check(&example, name, 200, &c.get(&url(&path, &api)).await),
        Step::Delete { poll } => {
            let del = c.delete(&url(&path, &api)).await;
            check(&example, name, 202, &del);
            let done = c.wait(&del).await;
            if poll {
                check(&example, name, 200, &done);
            } else {
                check(&example, name, 204, &c.delete(&url(&path, &api)).await);
            }
        }
        Step::Patch { body, status } => {
            let r = c
                .call(
                    "PATCH",
                    &url(&path, &api),
                    Some(&example["parameters"][body]),
                )
                .await;
            check(&example, name, status, &r);
        }
        Step::Post { status } => {
            let r = c.call("POST", &url(&path, &api), None).await;
            check(&example, name, status, &r);
        }
        Step::PostWith { body, status } => {
            let r = c
                .call(
                    "POST",
                    &url(&path, &api),
                    Some(&example["parameters"][body]),
                )
                .await;
            check(&example, name, status, &r);
        }
        Step::PutCreatedTwice { body } => {
            let request = &example["parameters"][body];
            for _ in 0..2 {
                let r = c.put(&url(&path, &api), request).await;
                check(&example, name, 201, &r);
                check_echo(name, request, &r.body, "");
            }
        }
        Step::DeleteAccepted => {
            let del = c.delete(&url(&path, &api)).await;
            check(&example, name, 202, &del);
            assert!(
                del.header("location").is_some(),
                "{name}: 202 without Location"
            );
            c.wait(&del).await;
            assert_eq!(
                c.get(&url(&path, &api)).await.status,
                404,
                "{name}: still there"
            );
        }
        Step::PutSync { body } => {
            let body = &example["parameters"][body];
            let first = c.put(&url(&path, &api), body).await;
            check(&example, name, 200, &first);
            check_echo(name, body, &first.body, "");
            check(&example, name, 200, &c.put(&url(&path, &api), body).await);
        }
        Step::PutAccepted { body } => {
            let sent = &example["parameters"][body];
            let accepted = c.put(&url(&path, &api), sent).await;
            check(&example, name, 202, &accepted);
            assert!(
                accepted.header("location").is_some() && accepted.header("retry-after").is_some(),
                "{name}: 202 without Location and Retry-After"
            );
            assert!(accepted.body.is_null(), "{name}: the 202 has no body");
            let done = c.wait(&accepted).await;
            check(&example, name, 200, &done);
            check_echo(name, sent, &done.body, "");
            assert_eq!(done.body["properties"]["provisioningState"], "Succeeded");
            let updated = c.put(&url(&path, &api), sent).await;
            check(&example, name, 200, &updated);
            check_echo(name, sent, &updated.body, "");
        }
        Step::DeleteSync => {
            check(&example, name, 200, &c.delete(&url(&path, &api)).await);
            check(&example, name, 204, &c.delete(&url(&path, &api)).await);
        }
        Step::PutCreated { body } => {
            let sent = &example["parameters"][body];
            let created = c.put(&url(&path, &api), sent).await;
            check(&example, name, 201, &created);
            check_echo(name, sent, &created.body, "");
            let mut read = c.get(&url(&path, &api)).await;
            assert_eq!(read.status, 200, "{name}: GET {}", read.body);
            // The GET answers the created body's paths (PolicyAssignments_Get: the same
            // PolicyAssignment), checked against the 201's.
            read.status = 201;
            check(&example, name, 201, &read);
            // An update answers 201 too: the operation declares no other success.
            let updated = c.put(&url(&path, &api), sent).await;
            check(&example, name, 201, &updated);
        }
    }
    emu.shutdown().await.expect("shutdown");
}

#[tokio::test]
async fn every_official_example_replays_faithfully() {
    // Every vendored example has a case, and every case a vendored example.
    for (dir, folder) in [
        (Dir::Fixtures, fixtures()),
        (
            Dir::Support,
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/emulator_support/examples"),
        ),
    ] {
        let mut names: Vec<String> = std::fs::read_dir(&folder)
            .expect("example folder")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".json"))
            .collect();
        names.sort();
        let mut cased: Vec<String> = CASES
            .iter()
            .filter(|c| std::mem::discriminant(&c.dir) == std::mem::discriminant(&dir))
            .map(|c| c.file.to_string())
            .collect();
        cased.sort();
        assert_eq!(names, cased, "{}: one replay per example", folder.display());
    }
    for case in CASES {
        replay(case).await;
    }
}

#[test]
fn path_extraction_sees_nested_and_array_paths() {
    let mut out = BTreeSet::new();
    paths(&json!({"a": {"b": [{"c": 1}]}, "d": null}), "", &mut out);
    let want: BTreeSet<String> = ["a", "a.b", "a.b[].c", "d"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(out, want);
}
