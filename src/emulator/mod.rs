//! The local ARM emulator (`azplan emulator`, and in-process behind `--local`): a stand-in for Azure
//! Resource Manager whose behaviour comes from the official API descriptions, never from azplan's
//! planner — this module imports nothing else from the crate, so tests against it prove more than
//! self-consistency.
//!
//! Code map: `server` (HTTPS, request pipeline) → `route` (what a path addresses) → `handlers`
//! (status codes, LRO headers, lists) → one module per resource type (`resources`, `registry`,
//! `workspace`, `network`, `dns_zone`, `records` (private DNS record sets), `identity`, `role`, `cluster`,
//! `node_pool`) over `state` (the
//! emulated cloud, persisted atomically). `cluster_defaults` holds what AKS fills in by itself;
//! `filter` parses the generic LIST's `$filter`; `lockfile`
//! keeps one emulator per state file; `throttle`, `faults` and `reqlog` are test controls.
//! Next to the resource types: `resource_graph` (Azure Resource Graph's `Resources` query over the
//! state, in the KQL subset `kql` parses) and `activity` (the Activity Log every served write,
//! delete and action is recorded in).
//!
//! Served (types, api-versions in `kind::Kind::api_versions`, the stable ones of the last two
//! years): resource groups and the generic resource LISTs; Microsoft.ContainerRegistry/registries;
//! Microsoft.OperationalInsights/workspaces; Microsoft.Network virtualNetworks (+ subnets),
//! publicIPAddresses, publicIPPrefixes, routeTables and networkSecurityGroups (routes and rules
//! inline, `network_security`), privateEndpoints (+ privateDnsZoneGroups: `private_endpoint`),
//! natGateways (`nat_gateway`), dnsZones, privateDnsZones (+ virtualNetworkLinks and record
//! sets of every type); Microsoft.ManagedIdentity userAssignedIdentities (+
//! federatedIdentityCredentials); Microsoft.Authorization roleAssignments and policyAssignments
//! (`policy`) at any scope;
//! Microsoft.KeyVault vaults (+ deletedVaults, purge, checkNameAvailability: `key_vault`);
//! Microsoft.Monitor accounts (Azure Monitor workspaces, `monitor_workspace`);
//! Microsoft.OperationsManagement solutions (Log Analytics solutions, `solution`);
//! Microsoft.Insights dataCollectionRules (`data_collection_rule`);
//! Microsoft.Insights dataCollectionEndpoints (`data_collection_endpoint`);
//! Microsoft.Insights diagnosticSettings under any resource (`diagnostic`);
//! Microsoft.Storage storageAccounts (+ checkNameAvailability: `storage`);
//! Microsoft.KubernetesConfiguration extensions and fluxConfigurations on managed clusters
//! (`extension`, `flux_configuration`);
//! Microsoft.Insights dataCollectionRuleAssociations under any resource, listed per resource and
//! per rule (`dcr_association`);
//! Microsoft.ContainerService managedClusters (+ agentPools, credentials, upgrade profiles, start,
//! stop, abort); Azure Resource Graph `POST /providers/Microsoft.ResourceGraph/resources`
//! (2024-04-01, 2022-10-01, 2021-03-01) and the Activity Log
//! `GET /subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values`
//! (2015-04-01). Next to ARM: a Microsoft Entra token endpoint, OpenID discovery and a
//! managed-identity endpoint (`entra`). Anything else: 501 `ResourceTypeNotEmulated`.
//!
//! Known not to match Azure yet:
//! - ARM's own errors are wrapped in `{"error": …}`; Private DNS answers unwrapped, as the service
//!   does. The 412 message is Azure DNS's wording (no Private DNS wire capture was found).
//! - References to types the emulator does not serve (disk encryption sets, NAT gateways, …)
//!   cannot be checked and are accepted.
//! - Only one shape difference between api-versions is modelled (private DNS links'
//!   `resolutionPolicy`); older versions otherwise answer in the newest shape.
//! - Access tokens are HS256 JWTs signed by the emulator (Entra signs RS256 with published keys);
//!   no app registrations exist, so any client secret is accepted; client assertions are not
//!   signature-checked, only matched against federated credentials.
//! - Conditional headers are honoured for the same verbs in every served api-version of a type;
//!   that AKS declared them as early as 2024-10-01 was not checked against that version's spec.
//! - Log Analytics date formats follow the examples' style; they were not compared with a live
//!   workspace.
//! - Resource Graph answers from the current state at once (the service is eventually
//!   consistent), computes no facets, knows no management groups, and serves a KQL subset
//!   (`resource_graph`); which of its missing object columns are `null` rather than absent was
//!   not checked against a live answer.
//! - The Activity Log writes no RP-side events (the resource provider's own `Microsoft.*`
//!   operations, health or policy events), and `caller` for service principals (object id) was
//!   not compared with a live log.
//! - Policy assignments are stored and listed, never evaluated: no definition exists (any
//!   well-formed definition ID is accepted), nothing is denied, audited or remediated, and their
//!   PATCH (PolicyAssignments_Update) is not served.
//! - An Azure Monitor workspace names its managed group and default data collection rule and
//!   endpoint (`defaultIngestionSettings`) but they are not created; the error codes for a
//!   misnamed Log Analytics solution and for a data collection rule flow to an undeclared
//!   destination follow the specs' rules, not captures of the services.
//! - Storage accounts: no blob, file, queue or table data, keys, SAS, containers, soft-deleted
//!   accounts, geo-replication stats (`$expand`) or migrations; a secondary region is named
//!   `<location>-paired`, not the real pair; the refusals of a SKU-family, kind or
//!   hierarchical-namespace change, of an IP rule and of TLS 1.3 are worded by the emulator (the
//!   service's wording was not found); a name is taken across every subscription the emulator
//!   holds.
//! - Data collection endpoints' URLs follow the spec's examples (the metrics URL too, which
//!   the examples do not show), their failover and private link scope settings are not served,
//!   and a rule may name an endpoint that does not exist; an unknown `publicNetworkAccess` and a
//!   cluster's `azureMonitorProfile.metrics` without `enabled` are refused with codes that are
//!   not captures of the services.
//! - Cluster extensions: no catalog of extension types or versions (any type is accepted; an
//!   unpinned extension answers version 1.0.0), no `aksAssignedIdentity`, no PATCH
//!   (Extensions_Update), no `operations/{id}` status path of their own (the generic one), and
//!   only managed clusters as parents (not connectedClusters, provisionedClusters). Flux
//!   configurations run no Flux: no statuses, compliance stays `Unknown`, no source commit; their
//!   PATCH is not served either.
//! - Data collection rule associations accept any target type the emulator cannot see and any
//!   association name (Azure Monitor restricts the types an association may sit on: "Association
//!   cannot be created for resource of type …", Azure/azure-rest-api-specs#25261); the wording of
//!   their refusals for a missing rule or resource is ARM's generic `ResourceNotFound`, not a
//!   capture of the service.
//! - AKS node images, add-on identities' role assignments, maintenance configurations and
//!   `upgradeNodeImageVersion` are not modelled; a cluster PUT that changes the control-plane
//!   version leaves pools that carry an `orchestratorVersion` at theirs.
//!
//! Architecture invariants:
//! - No file here uses another azplan module (a unit test below enforces it).
//! - Operations complete lazily: `State::settle` runs at the start of every request and finishes
//!   every operation whose absolute deadline has passed. Nothing runs in the background, so a
//!   restarted emulator continues exactly where it stopped.
//! - The state lock is a plain mutex, never held across an await; snapshots are written after it
//!   is released by one writer task (`server::spawn_writer`), atomically and never older over
//!   newer, and a request is answered only once a snapshot including its change is on disk.
//! - One emulator per state file (`lockfile`): an OS advisory lock on `<state>.lock`, taken before
//!   anything next to the state is touched and released by the OS when the holder exits.
//! - Handlers never panic on input: every refusal is an `ArmError` rendered as ARM's error body.

mod activity;
mod aks_ops;
mod cidr;
mod clock;
mod cluster;
mod cluster_defaults;
mod common;
mod data_collection_endpoint;
mod data_collection_rule;
mod dcr_association;
mod diagnostic;
mod dns_zone;
mod entra;
mod error;
mod extension;
mod faults;
mod filter;
mod flux_configuration;
mod handlers;
mod identity;
mod jwt;
mod key_vault;
mod kind;
mod kql;
mod lockfile;
mod maintenance;
mod monitor_workspace;
mod nat_gateway;
mod network;
mod network_security;
mod node_pool;
mod peering;
mod policy;
mod private_endpoint;
mod publicip;
mod records;
mod refs;
mod registry;
mod reqlog;
mod resource_graph;
mod resources;
mod role;
mod route;
mod server;
mod solution;
mod state;
mod storage;
mod throttle;
mod tls;
mod workspace;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use error::EmulatorError;
pub use faults::{Effect, FaultPlan, FaultRule};
pub use throttle::{Bucket, ThrottleConfig, UserQuota};

use crate::emulator::common::Settings;
use crate::emulator::server::Shared;
use crate::emulator::state::{Persister, State};

/// Everything that shapes one emulator run.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Loopback by default; port 0 picks a free port.
    pub listen: SocketAddr,
    /// State file (written atomically after every change, reloaded at start); `None` keeps state in memory.
    pub state_file: Option<PathBuf>,
    /// JSON-lines request log.
    pub request_log: Option<PathBuf>,
    /// Where the CA certificate PEM is written; defaults next to the state file, else the temp dir.
    pub ca_cert_file: Option<PathBuf>,
    /// Added before every request is handled.
    pub latency: Duration,
    /// Multiplies every realistic duration (AKS create ≈ 6 min at 1.0); 0.001 makes LROs take milliseconds.
    pub time_scale: f64,
    pub faults: FaultPlan,
    pub throttle: ThrottleConfig,
    /// How long (before time scaling) a new principal is unknown to role assignments without principalType ServicePrincipal.
    pub principal_window: Duration,
    /// How long (before time scaling) one federated-credential write keeps its identity busy.
    pub credential_write_window: Duration,
    /// Fixed Retry-After (seconds) on LRO answers; `None` derives it from `time_scale`.
    pub retry_after: Option<u64>,
    /// Items per LIST page; longer lists answer with a nextLink.
    pub list_page_size: usize,
    /// How far Resource Graph lags behind ARM (wall clock, not time-scaled): queries answer from
    /// a copy of the state taken at most this long ago. Learn, "Azure Resource Graph overview":
    /// changes reach it through notifications, usually within seconds; zero answers current state.
    pub graph_lag: Duration,
    /// Write the state file after every change (the default: an answer never promises state a
    /// crash could lose). Off, the state is written only when the emulator stops, so seeding
    /// thousands of resources does not rewrite the whole file per write (quadratic).
    pub persist_each_write: bool,
    pub tenant_id: String,
    /// ARM checks bearer tokens (issued by the emulator's Entra endpoint, for ARM, unexpired)
    /// instead of accepting any non-empty one.
    pub strict_auth: bool,
    /// The secret the managed-identity endpoint expects in `X-IDENTITY-HEADER`.
    pub identity_header: String,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            state_file: None,
            request_log: None,
            ca_cert_file: None,
            latency: Duration::ZERO,
            time_scale: 1.0,
            faults: FaultPlan::default(),
            throttle: ThrottleConfig::default(),
            principal_window: Duration::from_secs(30),
            credential_write_window: Duration::from_secs(2),
            retry_after: None,
            list_page_size: 1000,
            graph_lag: Duration::ZERO,
            persist_each_write: true,
            // Obviously fake: nothing the emulator returns may pass for a real tenant.
            tenant_id: "00000000-0000-4000-8000-0000000e0ad0".to_string(),
            strict_auth: false,
            identity_header: "azplan-emulator-identity-header".to_string(),
        }
    }
}

impl EmulatorConfig {
    /// The configuration behind `--local`: state, request log and CA under `<working_dir>/.azplan/local/`,
    /// an ephemeral loopback port, and durations scaled to 2% (an AKS create takes about 7 s), fast
    /// enough for a whole example to apply in well under a minute while progress stays visible.
    pub fn local(working_dir: &Path) -> Result<EmulatorConfig, EmulatorError> {
        let dir = working_dir.join(".azplan").join("local");
        std::fs::create_dir_all(&dir).map_err(|source| EmulatorError::Write {
            path: dir.clone(),
            source,
        })?;
        Ok(EmulatorConfig {
            state_file: Some(dir.join("state.json")),
            request_log: Some(dir.join("requests.jsonl")),
            ca_cert_file: Some(dir.join("ca.pem")),
            time_scale: LOCAL_TIME_SCALE,
            ..EmulatorConfig::default()
        })
    }
}

/// Time scale used by `--local`.
pub const LOCAL_TIME_SCALE: f64 = 0.02;

/// Entry point for starting an emulator in-process.
pub struct Emulator;

/// A started emulator; dropping it without `shutdown` leaves the server task running until the runtime stops.
pub struct RunningEmulator {
    endpoint: String,
    ca_cert_pem: String,
    ca_cert_path: PathBuf,
    /// The CA file went to the temp dir by default and is removed when the emulator stops.
    owns_ca_file: bool,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    shared: Arc<Shared>,
    /// Released when the emulator is dropped or shut down.
    _state_lock: Option<lockfile::StateLock>,
}

impl Emulator {
    /// Binds, generates the certificate, loads state and starts serving. Needs a Tokio runtime.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, EmulatorError> {
        // One emulator per state file, decided before anything next to it (CA, state) is touched.
        let state_lock = config
            .state_file
            .as_deref()
            .map(lockfile::acquire)
            .transpose()?;
        // With a state file the CA is kept with it, so a restart presents the same CA.
        let certs = match &config.state_file {
            Some(state) => tls::load_or_generate(&tls::tls_path(state))?,
            None => tls::generate()?,
        };
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| EmulatorError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
        let host = if addr.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            addr.ip().to_string()
        };
        let endpoint = format!("https://{host}:{}", addr.port());
        let owns_ca_file = config.ca_cert_file.is_none() && config.state_file.is_none();
        let ca_cert_path = config
            .ca_cert_file
            .clone()
            .unwrap_or_else(|| default_ca_path(config.state_file.as_deref(), addr.port()));
        // Clients run from other directories: the ready line names the file absolutely.
        let ca_cert_path = std::path::absolute(&ca_cert_path).unwrap_or(ca_cert_path);
        std::fs::write(&ca_cert_path, &certs.ca_pem).map_err(|source| EmulatorError::Write {
            path: ca_cert_path.clone(),
            source,
        })?;
        let persister = config.state_file.clone().map(Persister::new).map(Arc::new);
        let state = match &persister {
            Some(p) => p.load()?,
            None => State::default(),
        };
        let writer = persister
            .clone()
            .filter(|_| config.persist_each_write)
            .map(server::spawn_writer);
        let request_log = config
            .request_log
            .as_deref()
            .map(reqlog::RequestLog::open)
            .transpose()?;
        let shared = Arc::new(Shared {
            settings: Settings {
                base_url: endpoint.clone(),
                time_scale: config.time_scale.max(0.0),
                tenant_id: config.tenant_id.clone(),
                principal_window_ms: duration_ms(config.principal_window),
                fic_write_ms: duration_ms(config.credential_write_window),
                retry_after_override: config.retry_after,
                page_size: config.list_page_size,
                graph_lag_ms: duration_ms(config.graph_lag),
                strict_auth: config.strict_auth,
                token_key: certs.token_key.clone(),
                identity_header: config.identity_header.clone(),
            },
            latency: config.latency,
            state: Mutex::new(state),
            persister,
            writer,
            throttle: Mutex::new(throttle::Throttle::new(config.throttle.clone())),
            faults: Mutex::new(faults::Faults::new(&config.faults)),
            log: request_log,
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(server::serve(
            listener,
            certs.server,
            shared.clone(),
            stopped,
        ));
        Ok(RunningEmulator {
            owns_ca_file,
            endpoint,
            ca_cert_pem: certs.ca_pem,
            ca_cert_path,
            stop,
            task,
            shared,
            _state_lock: state_lock,
        })
    }
}

fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn default_ca_path(state_file: Option<&Path>, port: u16) -> PathBuf {
    match state_file {
        Some(state) => {
            let name = state
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "state".into());
            state.with_file_name(format!("{name}.ca.pem"))
        }
        None => std::env::temp_dir().join(format!(
            "azplan-emulator-{}-{port}-ca.pem",
            std::process::id()
        )),
    }
}

impl Drop for RunningEmulator {
    /// Stops accepting connections when the handle goes away without `shutdown` (state changes
    /// are already on disk: every request writes its snapshot before answering).
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        if self.owns_ca_file {
            let _ = std::fs::remove_file(&self.ca_cert_path);
        }
    }
}

impl RunningEmulator {
    /// `https://127.0.0.1:PORT`, the base URL for ARM requests.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The Microsoft Entra authority host to give credentials (`ClientOptions::cloud`,
    /// `AZURE_AUTHORITY_HOST`): tokens come from `{authority_host}/{tenant}/oauth2/v2.0/token`.
    pub fn authority_host(&self) -> &str {
        &self.endpoint
    }

    /// The managed-identity endpoint (`IDENTITY_ENDPOINT` of the App Service protocol).
    pub fn identity_endpoint(&self) -> String {
        format!("{}/msi/token", self.endpoint)
    }

    /// The secret for `IDENTITY_HEADER`.
    pub fn identity_header(&self) -> &str {
        &self.shared.settings.identity_header
    }

    /// The emulated tenant.
    pub fn tenant_id(&self) -> &str {
        &self.shared.settings.tenant_id
    }

    /// The CA certificate clients must trust.
    pub fn ca_cert_pem(&self) -> &str {
        &self.ca_cert_pem
    }

    pub fn ca_cert_path(&self) -> &Path {
        &self.ca_cert_path
    }

    /// The one JSON line `azplan emulator` prints when ready.
    pub fn ready_line(&self) -> String {
        let quote = |s: &str| serde_json::Value::String(s.to_string()).to_string();
        format!(
            "{{\"endpoint\":{},\"caCert\":{}}}",
            quote(&self.endpoint),
            quote(&self.ca_cert_path.to_string_lossy())
        )
    }

    /// Stops accepting, lets open connections finish their current request, and writes the state.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        let _ = self.stop.send(true);
        let task = std::mem::replace(&mut self.task, tokio::spawn(async {}));
        let _ = task.await;
        self.shared.flush().await
    }
}

/// `azplan emulator`: serve a local ARM over HTTPS until interrupted.
#[derive(Debug, Clone, clap::Args)]
#[command(
    after_help = "Examples:\n  azplan emulator --time-scale 0.01 --state .azplan/local/state.json\n  azplan emulator --faults faults.yaml --request-log requests.jsonl --no-throttle\n\nWhen ready it prints one JSON line:\n  {\"endpoint\":\"https://127.0.0.1:40123\",\"caCert\":\"/tmp/azplan-emulator-ca.pem\"}\nRequests need 'Authorization: Bearer <any non-empty token>'."
)]
pub struct EmulatorArgs {
    /// Address to listen on (loopback by default; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// State file, reloaded at start and rewritten atomically after every change.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Extra latency added to every request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Multiplier for operation durations (1 = realistic: AKS minutes, ACR tens of seconds).
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub time_scale: f64,
    /// JSON or YAML fault-injection rules.
    #[arg(long, value_name = "FILE")]
    pub faults: Option<PathBuf>,
    /// Append every request and answer to this JSON-lines file.
    #[arg(long, value_name = "FILE")]
    pub request_log: Option<PathBuf>,
    /// Where to write the CA certificate (PEM); default: next to the state file or in the temp dir.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,
    /// Disable ARM's per-subscription throttling and Resource Graph's per-user quota.
    #[arg(long)]
    pub no_throttle: bool,
    /// Fixed Retry-After seconds on LRO answers (default: 10 s scaled by --time-scale, at least 1 s
    /// unless the scale is below 0.01).
    #[arg(long, value_name = "SECONDS")]
    pub retry_after: Option<u64>,
    /// Seconds (before time scaling) a new principal stays unknown to role assignments.
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub principal_window: f64,
    /// Check bearer tokens as ARM does (issued by this emulator's Entra endpoint at
    /// <endpoint>/<tenant>/oauth2/v2.0/token, for ARM, unexpired); by default any token is accepted.
    #[arg(long)]
    pub strict_auth: bool,
    /// The X-IDENTITY-HEADER secret of the managed-identity endpoint <endpoint>/msi/token.
    #[arg(long, value_name = "SECRET")]
    pub identity_header: Option<String>,
    /// Milliseconds Resource Graph lags behind ARM (its answers come from a copy of the state
    /// at most this old), to try what a plan read from it does with stale rows.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub graph_lag: u64,
}

impl EmulatorArgs {
    pub fn to_config(&self) -> Result<EmulatorConfig, EmulatorError> {
        let faults = match &self.faults {
            Some(path) => FaultPlan::from_file(path)?,
            None => FaultPlan::default(),
        };
        let throttle = ThrottleConfig {
            enabled: !self.no_throttle,
            ..ThrottleConfig::default()
        };
        Ok(EmulatorConfig {
            listen: self.listen,
            state_file: self.state.clone(),
            request_log: self.request_log.clone(),
            ca_cert_file: self.ca_cert.clone(),
            latency: Duration::from_millis(self.latency),
            time_scale: self.time_scale,
            faults,
            throttle,
            principal_window: Duration::from_secs_f64(self.principal_window.max(0.0)),
            retry_after: self.retry_after,
            strict_auth: self.strict_auth,
            graph_lag: Duration::from_millis(self.graph_lag),
            identity_header: self
                .identity_header
                .clone()
                .unwrap_or_else(|| EmulatorConfig::default().identity_header),
            ..EmulatorConfig::default()
        })
    }
}

/// Runs `azplan emulator` to completion (Ctrl-C or SIGTERM stops it).
pub fn main(args: EmulatorArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(source) => {
            eprintln!("error: {}", EmulatorError::Runtime { source });
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let running = match args.to_config() {
            Ok(config) => Emulator::start(config).await,
            Err(e) => Err(e),
        };
        let running = match running {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        if !args.listen.ip().is_loopback() {
            eprintln!(
                "warning: listening on {} (not loopback): anyone who can reach it can change the emulated cloud",
                args.listen
            );
        }
        // Handlers go in before the ready line: whoever reads that line may
        // stop us at once, and a signal with no handler would kill the
        // process without the orderly shutdown (state flush, lock release).
        let stop = StopSignals::install();
        println!("{}", running.ready_line());
        stop.wait().await;
        match running.shutdown().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// SIGINT and SIGTERM handlers, registered when built (not on first poll,
/// as `tokio::signal::ctrl_c()` would be).
struct StopSignals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let streams = match (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) {
                (Ok(int), Ok(term)) => Some((int, term)),
                _ => None,
            };
            StopSignals { streams }
        }
        #[cfg(not(unix))]
        {
            StopSignals {}
        }
    }

    async fn wait(self) {
        #[cfg(unix)]
        {
            match self.streams {
                Some((mut int, mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                None => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EmulatorArgs;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: EmulatorArgs,
    }

    #[test]
    fn flags_become_the_configuration() {
        let cli = Cli::try_parse_from([
            "azplan",
            "--no-throttle",
            "--time-scale",
            "0.5",
            "--latency",
            "7",
            "--retry-after",
            "2",
            "--principal-window",
            "4",
            "--state",
            "s.json",
            "--strict-auth",
            "--identity-header",
            "h1",
        ])
        .expect("valid flags");
        let config = cli.args.to_config().expect("config");
        assert!(config.strict_auth);
        assert_eq!(config.identity_header, "h1");
        assert!(!config.throttle.enabled);
        assert_eq!(config.time_scale, 0.5);
        assert_eq!(config.latency, std::time::Duration::from_millis(7));
        assert_eq!(config.retry_after, Some(2));
        assert_eq!(config.principal_window, std::time::Duration::from_secs(4));
        assert_eq!(
            config.state_file.as_deref(),
            Some(std::path::Path::new("s.json"))
        );
        assert!(config.listen.ip().is_loopback(), "loopback by default");
        let missing = Cli::try_parse_from(["azplan", "--faults", "/nonexistent/faults.yaml"])
            .expect("flags parse");
        assert!(
            missing.args.to_config().is_err(),
            "an unreadable faults file is an error"
        );
    }

    /// Architecture invariant: the emulator's behaviour comes from the API descriptions, so no file
    /// under src/emulator/ may use another azplan module.
    #[test]
    fn emulator_imports_nothing_else_from_the_crate() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emulator");
        // Built at run time so this test's own source does not match itself.
        let needle = ["crate", "::"].concat();
        let by_name = ["azplan", "::"].concat();
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).expect("src/emulator exists") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            for (i, line) in text.lines().enumerate() {
                for (pos, _) in line.match_indices(needle.as_str()) {
                    let rest = &line[pos + needle.len()..];
                    assert!(
                        rest.starts_with("emulator")
                            || rest.starts_with('{')
                                && rest.trim_start_matches('{').starts_with("emulator"),
                        "{}:{}: imports outside the emulator: {line}",
                        path.display(),
                        i + 1
                    );
                }
                assert!(
                    !line.contains(by_name.as_str()),
                    "{}:{}: uses the azplan crate by name",
                    path.display(),
                    i + 1
                );
            }
            assert!(
                text.starts_with("//!"),
                "{} must open with a //! line saying why it exists",
                path.display()
            );
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} files found");
    }
}
