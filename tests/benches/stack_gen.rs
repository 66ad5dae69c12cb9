//! A generated stack of any size, shared by the benchmarks: realistic resources in realistic
//! proportions, valid by construction.

use std::fmt::Write as _;

/// One unit is 17 resources: a VNet with 4 subnets, a registry, a workspace, a DNS zone, an
/// identity with 2 federated credentials, a cluster with 3 pools and an attached registry (a
/// derived AcrPull assignment), and a declared role assignment.
#[allow(dead_code)] // not every benchmark generates units
pub const RESOURCES_PER_UNIT: usize = 17;

#[allow(dead_code)]
pub fn generate(units: usize) -> String {
    let mut s = String::from(
        "stack: bench\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\nresourceGroup: rg\nresourceGroups:\n  rg: {}\n",
    );
    let mut sections: [String; 7] = Default::default();
    for i in 0..units {
        let (a, b) = (i / 256, i % 256);
        let _ = write!(
            sections[0],
            "  vnet{i}:\n    addressSpace: [10.{a}.{b}.0/24]\n    subnets:\n      nodes: {{prefix: 10.{a}.{b}.0/26}}\n      pods: {{prefix: 10.{a}.{b}.64/26}}\n      aci: {{prefix: 10.{a}.{b}.128/26, delegation: Microsoft.ContainerInstance/containerGroups}}\n      spare: {{prefix: 10.{a}.{b}.192/26}}\n"
        );
        let _ = write!(sections[1], "  acr{i:05}:\n    sku: Premium\n");
        let _ = write!(sections[2], "  logs{i:05}:\n    retentionDays: 30\n");
        let _ = write!(sections[3], "  zone{i}:\n    name: z{i}.example.com\n");
        let _ = write!(
            sections[4],
            "  id{i}:\n    federatedCredentials:\n      app:\n        cluster: cluster/aks{i}\n        namespace: app\n        serviceAccount: app\n      jobs:\n        cluster: cluster/aks{i}\n        namespace: jobs\n        serviceAccount: jobs\n"
        );
        let _ = write!(
            sections[5],
            "  aks{i}:\n    oidcIssuer: true\n    workloadIdentity: true\n    apiServer: {{authorizedIpRanges: [203.0.113.0/24]}}\n    network: {{plugin: azure, subnet: vnet/vnet{i}/nodes, serviceCidr: 172.16.0.0/16, dnsServiceIp: 172.16.0.10}}\n    virtualNodes: {{subnet: vnet/vnet{i}/aci}}\n    containerInsights: {{workspace: workspace/logs{i:05}}}\n    attachedRegistries: [registry/acr{i:05}]\n    nodePools:\n      system: {{mode: System, vmSize: Standard_D4ds_v5, count: 3}}\n      apps: {{vmSize: Standard_D8ds_v5, autoscale: {{min: 1, max: 10}}}}\n      batch: {{vmSize: Standard_D8ds_v5, count: 0, taints: ['batch=true:NoSchedule']}}\n"
        );
        let _ = write!(
            sections[6],
            "  dns{i}:\n    role: DNS Zone Contributor\n    scope: dnsZone/zone{i}\n    principal: identity/id{i}\n"
        );
    }
    let names = [
        "vnets",
        "registries",
        "workspaces",
        "dnsZones",
        "identities",
        "clusters",
        "roleAssignments",
    ];
    for (name, body) in names.iter().zip(&sections) {
        let _ = write!(s, "{name}:\n{body}");
    }
    s
}

/// Resources per group of `generate_estate`.
#[allow(dead_code)] // not every benchmark generates an estate
pub const RESOURCES_PER_GROUP: usize = 50;

/// An estate of `groups` resource groups of 50 resources each, as a platform team runs it: per
/// group a VNet with 15 subnets, a cluster with 6 pools and an attached registry, a workload
/// identity with 16 federated credentials, a workspace, a DNS zone, and 5 role assignments
/// besides the derived AcrPull.
#[allow(dead_code)]
pub fn generate_estate(groups: usize) -> String {
    let mut s = String::from(
        "stack: estate\nsubscription: 00000000-0000-0000-0000-000000000000\nlocation: westeurope\nresourceGroup: g0\nresourceGroups:\n",
    );
    let mut sections: [String; 7] = Default::default();
    for g in 0..groups {
        let _ = writeln!(s, "  g{g}: {{name: rg-estate-{g:03}}}");
        let _ = write!(
            sections[0],
            "  vnet{g}:\n    resourceGroup: g{g}\n    addressSpace: [10.{g}.0.0/16]\n    subnets:\n"
        );
        for n in 0..15 {
            let _ = writeln!(
                sections[0],
                "      s{n}: {{prefix: 10.{g}.{}.0/20}}",
                n * 16
            );
        }
        let _ = write!(
            sections[1],
            "  acr{g:05}:\n    resourceGroup: g{g}\n    sku: Premium\n"
        );
        let _ = write!(
            sections[2],
            "  logs{g:05}:\n    resourceGroup: g{g}\n    retentionDays: 30\n"
        );
        let _ = write!(
            sections[3],
            "  zone{g}:\n    resourceGroup: g{g}\n    name: z{g}.example.com\n"
        );
        let _ = write!(
            sections[4],
            "  wl{g}:\n    resourceGroup: g{g}\n    federatedCredentials:\n"
        );
        for n in 0..16 {
            let _ = writeln!(
                sections[4],
                "      ns{n}: {{cluster: cluster/aks{g}, namespace: ns{n}, serviceAccount: app}}"
            );
        }
        let _ = write!(
            sections[5],
            "  aks{g}:\n    resourceGroup: g{g}\n    oidcIssuer: true\n    workloadIdentity: true\n    network: {{plugin: azure, subnet: vnet/vnet{g}/s0, serviceCidr: 172.16.0.0/16, dnsServiceIp: 172.16.0.10}}\n    containerInsights: {{workspace: workspace/logs{g:05}}}\n    attachedRegistries: [registry/acr{g:05}]\n    nodePools:\n      system: {{mode: System, vmSize: Standard_D4ds_v5, count: 3}}\n"
        );
        for n in 1..6 {
            let _ = writeln!(
                sections[5],
                "      apps{n}: {{vmSize: Standard_D8ds_v5, autoscale: {{min: 1, max: 10}}}}"
            );
        }
        for (n, (role, scope)) in [
            ("DNS Zone Contributor", format!("dnsZone/zone{g}")),
            ("Reader", format!("rg/g{g}")),
            ("Monitoring Reader", format!("workspace/logs{g:05}")),
            ("Network Contributor", format!("vnet/vnet{g}")),
            ("AcrPush", format!("registry/acr{g:05}")),
        ]
        .iter()
        .enumerate()
        {
            let _ = write!(
                sections[6],
                "  ra{g}x{n}:\n    role: {role}\n    scope: {scope}\n    principal: identity/wl{g}\n"
            );
        }
    }
    let names = [
        "vnets",
        "registries",
        "workspaces",
        "dnsZones",
        "identities",
        "clusters",
        "roleAssignments",
    ];
    for (name, body) in names.iter().zip(&sections) {
        let _ = write!(s, "{name}:\n{body}");
    }
    s
}
