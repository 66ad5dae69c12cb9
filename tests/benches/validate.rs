//! Benchmark: load, validate and build the graph of a generated 10,000-resource stack.
//! `cargo bench --bench validate` prints the figures; under `cargo test` it runs once on a
//! small stack so the generator stays valid.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use azplan::check::check_str;
use azplan::load::LoadOptions;

/// One unit is 17 resources: a VNet with 4 subnets, a registry, a workspace, a DNS zone, an
/// identity with 2 federated credentials, a cluster with 3 pools and an attached registry (a
/// derived AcrPull assignment), and a declared role assignment.
const RESOURCES_PER_UNIT: usize = 17;

fn generate(units: usize) -> String {
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

fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let units = if benchmarking {
        10_000usize.div_ceil(RESOURCES_PER_UNIT)
    } else {
        50
    };
    let text = generate(units);
    let runs = if benchmarking { 7 } else { 1 };
    let mut times: Vec<Duration> = Vec::new();
    let mut resources = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let checked = check_str("bench.yaml", &text, &LoadOptions::default());
        times.push(start.elapsed());
        assert!(
            !checked.diagnostics.has_errors(),
            "generated stack is invalid:\n{}",
            azplan::render::human(&checked.diagnostics, false, 100)
        );
        let graph = checked.graph.expect("valid stacks have a graph");
        resources = graph.order.len();
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "validate+graph: {resources} resources, {} KiB of YAML: median {:.1} ms, best {:.1} ms over {runs} runs; peak RSS {:.0} MB",
        text.len() / 1024,
        median.as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        peak_rss_mb().unwrap_or(f64::NAN),
    );
    if !benchmarking {
        println!("1 passed, 0 failed");
    }
}
