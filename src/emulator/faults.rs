//! Fault injection for tests and benchmarks: a JSON or YAML file of rules, each matching requests by
//! resource type, operation and path, and firing for a count or with a probability.
//!
//! ```yaml
//! seed: 7
//! faults:
//!   - fault: throttle          # 429 storm
//!     operation: read
//!     count: 20
//!   - fault: error             # 500/503 with an ARM error body
//!     status: 503
//!     resourceType: Microsoft.ContainerService/managedClusters
//!     probability: 0.2
//!   - fault: drop              # close the connection without answering
//!     count: 1
//!   - fault: delay             # slow response
//!     ms: 1500
//!   - fault: lroFailed         # the operation started by this request ends Failed
//!     resourceType: Microsoft.ContainerService/managedClusters/agentPools
//!     code: VMExtensionProvisioningError
//!   - fault: principalNotFound # role assignments to principals younger than the window fail
//!     windowSeconds: 60
//!   - fault: slowOperation     # the operation started by this request runs this long (wall
//!     ms: 30000                # clock, not time-scaled), e.g. to keep a cluster `Creating`
//! ```
//!
//! Provisioning states a test can arrange (what GET then shows):
//! - **Failed**: an `lroFailed` rule on the type and verb, e.g. `{fault: lroFailed, resourceType:
//!   Microsoft.ContainerService/managedClusters, operation: PUT, count: 1}`. The operation ends
//!   `Failed` (status document `error`, Location 500 with the code), the resource is left with
//!   `properties.provisioningState: Failed`, and for a cluster create its inline pools too. A later
//!   PUT of the same body without the fault reconciles it to `Succeeded`, as AKS recovers a failed
//!   cluster with an update that changes nothing.
//! - **Busy** (`Creating`, `Updating`, `Deleting`): a `slowOperation` rule keeps exactly the matching
//!   operation running for `ms` milliseconds whatever the time scale; or a large `time_scale` keeps
//!   every operation running for its realistic duration (AKS create ≈ 6 min at 1.0). Meanwhile AKS
//!   answers other writes to the cluster or its pools with 409 `OperationNotAllowed`, other types
//!   with 409 `AnotherOperationInProgress` while they are being deleted.

use std::path::Path;

use serde::Deserialize;

use crate::emulator::error::EmulatorError;
use crate::emulator::kind::Kind;
use crate::emulator::records;

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FaultPlan {
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub faults: Vec<FaultRule>,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FaultRule {
    /// ARM type such as `Microsoft.Network/virtualNetworks/subnets`, matched case-insensitively.
    #[serde(default)]
    pub resource_type: Option<String>,
    /// `read`, `write`, `delete`, or an HTTP method.
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub path_contains: Option<String>,
    /// Fire for the first `count` matching requests only.
    #[serde(default)]
    pub count: Option<u64>,
    /// Fire with this probability (0..=1) on each matching request.
    #[serde(default)]
    pub probability: Option<f64>,
    #[serde(flatten)]
    pub effect: Effect,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(
    tag = "fault",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Effect {
    Throttle {
        #[serde(default = "default_retry_after")]
        retry_after: u64,
    },
    Error {
        status: u16,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
    Drop,
    Delay {
        ms: u64,
    },
    LroFailed {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
    PrincipalNotFound {
        window_seconds: f64,
    },
    /// The operation this request starts takes `ms` milliseconds of wall-clock time.
    SlowOperation {
        ms: u64,
    },
}

fn default_retry_after() -> u64 {
    1
}

impl FaultPlan {
    pub fn from_file(path: &Path) -> Result<FaultPlan, EmulatorError> {
        let text = std::fs::read_to_string(path).map_err(|source| EmulatorError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        FaultPlan::parse(&text).map_err(|message| EmulatorError::FaultsFormat {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses JSON or YAML (YAML is a superset, but JSON first gives JSON users JSON's messages).
    pub fn parse(text: &str) -> Result<FaultPlan, String> {
        let plan: FaultPlan = match serde_json::from_str(text) {
            Ok(plan) => plan,
            Err(json_err) => serde_yaml::from_str(text)
                .map_err(|yaml_err| format!("not JSON ({json_err}) nor YAML ({yaml_err})"))?,
        };
        for (i, rule) in plan.faults.iter().enumerate() {
            if let Some(p) = rule.probability
                && !(0.0..=1.0).contains(&p)
            {
                return Err(format!(
                    "faults[{i}].probability must be between 0 and 1, got {p}"
                ));
            }
        }
        Ok(plan)
    }
}

/// The live rule set: remaining counts and a seeded generator for probabilities.
#[derive(Debug)]
pub(crate) struct Faults {
    rules: Vec<(FaultRule, Option<u64>)>,
    rng: u64,
}

impl Faults {
    pub(crate) fn new(plan: &FaultPlan) -> Faults {
        Faults {
            rules: plan.faults.iter().map(|r| (r.clone(), r.count)).collect(),
            rng: plan.seed.unwrap_or(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    fn next_unit(&mut self) -> f64 {
        // xorshift64*: deterministic for a given seed, good enough for fault dice.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let x = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The effects that fire for this request.
    pub(crate) fn decide(&mut self, method: &str, kind: Option<Kind>, path: &str) -> Vec<Effect> {
        let mut fired = Vec::new();
        for i in 0..self.rules.len() {
            let (rule, remaining) = &self.rules[i];
            if !matches(rule, method, kind, path) || *remaining == Some(0) {
                continue;
            }
            if let Some(p) = rule.probability
                && self.next_unit() >= p
            {
                continue;
            }
            let (rule, remaining) = &mut self.rules[i];
            if let Some(n) = remaining.as_mut() {
                *n -= 1;
            }
            fired.push(rule.effect.clone());
        }
        fired
    }
}

fn matches(rule: &FaultRule, method: &str, kind: Option<Kind>, path: &str) -> bool {
    if let Some(t) = &rule.resource_type
        && !kind.is_some_and(|k| {
            k.arm_type().eq_ignore_ascii_case(t)
                || k == Kind::PrivateDnsRecordSet
                    && record_set_type(path).is_some_and(|r| r.eq_ignore_ascii_case(t))
        })
    {
        return false;
    }
    if let Some(op) = &rule.operation {
        let class = match method {
            "GET" | "HEAD" => "read",
            "DELETE" => "delete",
            _ => "write",
        };
        if !op.eq_ignore_ascii_case(class) && !op.eq_ignore_ascii_case(method) {
            return false;
        }
    }
    if let Some(fragment) = &rule.path_contains
        && !path
            .to_ascii_lowercase()
            .contains(&fragment.to_ascii_lowercase())
    {
        return false;
    }
    true
}

/// `Microsoft.Network/privateDnsZones/TXT` for a record-set path: rules name the record type, as
/// the service's `type` does (`…/privateDnsZones/recordSets` matches every record type).
fn record_set_type(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('/').collect();
    let at = segs
        .iter()
        .position(|s| s.eq_ignore_ascii_case("privateDnsZones"))?;
    let record_type = records::record_type(segs.get(at + 2)?)?;
    Some(records::arm_type(record_type))
}

#[cfg(test)]
mod tests {
    use super::{Effect, FaultPlan, Faults};
    use crate::emulator::kind::Kind;

    #[test]
    fn parses_yaml_and_fires_by_count() {
        let plan = FaultPlan::parse(
            "faults:\n  - fault: throttle\n    operation: read\n    count: 2\n  - fault: error\n    status: 503\n    resourceType: microsoft.network/virtualnetworks\n",
        )
        .expect("valid plan");
        let mut f = Faults::new(&plan);
        assert_eq!(
            f.decide("GET", None, "/x"),
            vec![Effect::Throttle { retry_after: 1 }]
        );
        assert_eq!(f.decide("GET", None, "/x").len(), 1);
        assert!(f.decide("GET", None, "/x").is_empty(), "count exhausted");
        assert_eq!(f.decide("PUT", Some(Kind::VirtualNetwork), "/x").len(), 1);
        assert!(f.decide("PUT", Some(Kind::Subnet), "/x").is_empty());
    }

    #[test]
    fn probability_is_seeded_and_bounded() {
        let plan =
            FaultPlan::parse(r#"{"seed": 3, "faults": [{"fault": "drop", "probability": 0.5}]}"#)
                .expect("valid");
        let mut f = Faults::new(&plan);
        let fired = (0..1000)
            .filter(|_| !f.decide("GET", None, "/").is_empty())
            .count();
        assert!((400..600).contains(&fired), "fired {fired} of 1000");
        assert!(FaultPlan::parse(r#"{"faults": [{"fault": "drop", "probability": 2}]}"#).is_err());
        assert!(FaultPlan::parse(r#"{"faults": [{"fault": "nonsense"}]}"#).is_err());
    }
}
