//! Kubernetes version changes as AKS allows them: the control plane goes up one minor version
//! at a time and never down, to a version the region offers (the cluster's upgrade profile);
//! pools never run newer than their control plane nor more than three minor versions behind.
//! A version change that passes is planned as an upgrade, control plane before pools (a pool
//! depends on its cluster).

use serde_json::Value;

use crate::kinds::{Context, lookup};
use crate::model::{Resource, Spec};

/// What a version change means for one resource.
#[derive(Debug, Default, PartialEq)]
pub struct Upgrade {
    /// "Kubernetes upgrade 1.32.9 → 1.33", when the version goes up as allowed.
    pub reason: Option<String>,
    /// (path, why) for each change AKS refuses.
    pub refusals: Vec<(String, String)>,
}

/// (major, minor, patch) of `1.33` or `1.33.5`; the patch is `None` when not given.
fn parse(version: &str) -> Option<(u32, u32, Option<u32>)> {
    let mut parts = version.trim().trim_start_matches('v').split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    let patch = match parts.next() {
        Some(p) => Some(p.parse().ok()?),
        None => None,
    };
    Some((major, minor, patch))
}

/// Whether `desired` (maybe without a patch) names the version `live` runs.
fn same(desired: (u32, u32, Option<u32>), live: (u32, u32, Option<u32>)) -> bool {
    desired.0 == live.0 && desired.1 == live.1 && desired.2.is_none_or(|p| Some(p) == live.2)
}

/// Whether `a` is older than `b`, comparing patches only when both are given.
fn older(a: (u32, u32, Option<u32>), b: (u32, u32, Option<u32>)) -> bool {
    match (a.0, a.1).cmp(&(b.0, b.1)) {
        std::cmp::Ordering::Less => true,
        std::cmp::Ordering::Greater => false,
        std::cmp::Ordering::Equal => matches!((a.2, b.2), (Some(x), Some(y)) if x < y),
    }
}

fn text(body: Option<&Value>, paths: &[&str]) -> Option<String> {
    let body = body?;
    paths
        .iter()
        .find_map(|p| lookup(body, p).and_then(Value::as_str))
        .map(str::to_string)
}

/// Checks the version change of a cluster or pool against what its live body runs.
pub fn check(ctx: &Context<'_>, resource: &Resource, live: Option<&Value>) -> Upgrade {
    match &resource.spec {
        Spec::Cluster(c) => control_plane(ctx, resource, c.kubernetes_version.as_deref(), live),
        Spec::NodePool(p) => pool(ctx, resource, p.kubernetes_version.as_deref(), live),
        _ => Upgrade::default(),
    }
}

fn control_plane(
    ctx: &Context<'_>,
    resource: &Resource,
    desired: Option<&str>,
    live: Option<&Value>,
) -> Upgrade {
    let mut out = Upgrade::default();
    let Some(desired_text) = desired else {
        return out;
    };
    let Some(running_text) = text(
        live,
        &[
            "properties.currentKubernetesVersion",
            "properties.kubernetesVersion",
        ],
    ) else {
        return out;
    };
    let (Some(want), Some(runs)) = (parse(desired_text), parse(&running_text)) else {
        return out;
    };
    if same(want, runs) {
        return out;
    }
    let path = "properties.kubernetesVersion".to_string();
    if older(want, runs) {
        // AKS answers NotAllowedK8sVersionDowngrading (Learn "Upgrade an AKS cluster": "you
        // can't downgrade").
        out.refusals.push((
            path,
            format!(
                "AKS never downgrades Kubernetes ({running_text} runs; {desired_text} is older)"
            ),
        ));
        return out;
    }
    if want.0 == runs.0 && want.1 > runs.1 + 1 {
        // Learn "Upgrade an AKS cluster": "you can't skip Kubernetes minor versions".
        out.refusals.push((
            path,
            format!(
                "AKS upgrades the control plane one minor version at a time: {running_text} goes to {}.{} first, then {desired_text}",
                runs.0,
                runs.1 + 1
            ),
        ));
        return out;
    }
    // The region's offer, when it was read (a plan against a `--live` file may not have it).
    if let Some(profile) = ctx.live.upgrade_offer(&ctx.id(&resource.address)) {
        let offered: Vec<String> = lookup(profile, "properties.controlPlaneProfile.upgrades")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|u| u.get("kubernetesVersion").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        let offered_here = offered
            .iter()
            .filter_map(|v| parse(v))
            .any(|v| same(want, v));
        if !offered_here {
            out.refusals.push((
                path,
                format!(
                    "{desired_text} is not an upgrade AKS offers this cluster in its region (from {running_text}: {})",
                    if offered.is_empty() {
                        "none".to_string()
                    } else {
                        offered.join(", ")
                    }
                ),
            ));
            return out;
        }
    }
    // The pools that stay where they are must stay within the skew of the new control plane.
    for pool in ctx
        .stack
        .resources
        .values()
        .filter(|r| r.address.parent().as_ref() == Some(&resource.address))
    {
        let Spec::NodePool(p) = &pool.spec else {
            continue;
        };
        let pool_version = p.kubernetes_version.clone().or_else(|| {
            text(
                ctx.live.get(&ctx.id(&pool.address)),
                &[
                    "properties.currentOrchestratorVersion",
                    "properties.orchestratorVersion",
                ],
            )
        });
        if let Some(pv) = pool_version.as_deref().and_then(parse)
            && pv.0 == want.0
            && want.1 > pv.1 + 3
        {
            out.refusals.push((
                path.clone(),
                format!(
                    "{} would run {} — more than three minor versions behind {desired_text}; upgrade the pool first",
                    pool.address,
                    pool_version.unwrap_or_default()
                ),
            ));
        }
    }
    if !out.refusals.is_empty() {
        return out;
    }
    out.reason = Some(format!(
        "Kubernetes upgrade {running_text} → {desired_text}: the control plane first, then its pools"
    ));
    out
}

/// The control plane's version once the plan is applied: the spec's, made exact by what runs
/// when the spec names only the minor version that runs (`1.33` while 1.33.2 runs is 1.33.2);
/// what runs when the spec names none.
fn control_plane_after(ctx: &Context<'_>, cluster: &crate::model::Address) -> Option<String> {
    let runs = text(
        ctx.live.get(&ctx.id(cluster)),
        &[
            "properties.currentKubernetesVersion",
            "properties.kubernetesVersion",
        ],
    );
    let spec = match ctx.stack.resources.get(cluster).map(|r| &r.spec) {
        Some(Spec::Cluster(c)) => c.kubernetes_version.clone(),
        _ => None,
    };
    match (spec, runs) {
        (Some(spec), Some(runs)) => match (parse(&spec), parse(&runs)) {
            (Some(want), Some(now)) if want.2.is_none() && same(want, now) => Some(runs),
            _ => Some(spec),
        },
        (Some(spec), None) => Some(spec),
        (None, runs) => runs,
    }
}

fn pool(
    ctx: &Context<'_>,
    resource: &Resource,
    desired: Option<&str>,
    live: Option<&Value>,
) -> Upgrade {
    let mut out = Upgrade::default();
    let Some(desired_text) = desired else {
        return out;
    };
    let Some(want) = parse(desired_text) else {
        return out;
    };
    let path = "properties.orchestratorVersion".to_string();
    let running_text = text(
        live,
        &[
            "properties.currentOrchestratorVersion",
            "properties.orchestratorVersion",
        ],
    );
    let runs = running_text.as_deref().and_then(parse);
    if runs.is_some_and(|runs| same(want, runs)) {
        // What already runs is no change, whatever its skew (official examples show pools
        // newer than their cluster's body says).
        return out;
    }
    // The control plane's version once this plan is applied: the spec's, else what runs.
    let cluster = resource.address.parent();
    let control_plane = cluster.as_ref().and_then(|c| control_plane_after(ctx, c));
    if let Some(cp_text) = &control_plane
        && let Some(cp) = parse(cp_text)
    {
        // Learn "Supported Kubernetes versions in AKS": a node pool is never newer than its
        // control plane, and at most three minor versions older.
        if older(cp, want) {
            out.refusals.push((
                path.clone(),
                format!("a pool cannot run a newer Kubernetes ({desired_text}) than its control plane ({cp_text})"),
            ));
        } else if want.0 == cp.0 && cp.1 > want.1 + 3 {
            out.refusals.push((
                path.clone(),
                format!(
                    "a pool may be at most three minor versions behind its control plane ({cp_text}); {desired_text} is further"
                ),
            ));
        }
    }
    let (Some(running_text), Some(runs)) = (running_text, runs) else {
        return out;
    };
    if older(want, runs) {
        out.refusals.push((
            path,
            format!("AKS never downgrades a pool ({running_text} runs; {desired_text} is older)"),
        ));
    } else if out.refusals.is_empty() {
        out.reason = Some(format!(
            "Kubernetes upgrade of the pool {running_text} → {desired_text}, after its control plane"
        ));
    }
    out
}

impl crate::build::Builder<'_> {
    /// The Kubernetes version a cluster or pool asks for, written as `kubernetesVersion:` or
    /// under `raw:` at `path` (`properties.kubernetesVersion`, `properties.orchestratorVersion`).
    /// One written under `raw:` moves out of the raw block into the model, so it is normalised
    /// and checked as the typed one is (`1.33` is the 1.33 patch that runs; upgrades one minor
    /// at a time, never down) and sent as text: ARM types both properties as strings
    /// (ManagedClusterProperties.kubernetesVersion, ManagedClusterAgentPoolProfileProperties.
    /// orchestratorVersion, `"type": "string"`, AKS 2026-08-01). YAML (and a `--var`) reads a
    /// plain `1.34` as a number: taken as "1.34", but a number with one minor digit is refused,
    /// since `1.30` reads as 1.3 and which was meant cannot be known.
    pub(crate) fn requested_version(
        &mut self,
        typed: Option<&crate::de::Spanned<String>>,
        (raw, raw_span): (Option<&mut Value>, Option<crate::source::Span>),
        path: &str,
    ) -> Option<String> {
        use crate::diag::{Code, SpecDiagnostic};
        let typed_value = typed.map(|t| t.value.clone());
        let (Some(raw), Some(span)) = (raw, raw_span) else {
            return typed_value;
        };
        let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
        let holder = if parent.is_empty() {
            Some(&mut *raw)
        } else {
            parent.split('.').try_fold(&mut *raw, |v, k| v.get_mut(k))
        };
        let Some(value) = holder
            .and_then(Value::as_object_mut)
            .and_then(|m| m.remove(key))
        else {
            return typed_value;
        };
        let text = match &value {
            Value::String(text) => text.clone(),
            Value::Number(n)
                if n.to_string()
                    .split_once('.')
                    .is_some_and(|(_, minor)| minor.len() >= 2) =>
            {
                n.to_string()
            }
            other => {
                self.error(SpecDiagnostic::error_at(
                    Code::RawOverride,
                    format!("`{path}` under `raw` is not text: {other}"),
                    span,
                    "in this raw block",
                    "ARM takes the version as text and YAML reads a plain `1.30` as the number 1.3: quote the version, or write `kubernetesVersion:` (which keeps the text as written) instead of the `raw` entry",
                ));
                return typed_value;
            }
        };
        if parse(&text).is_none() {
            self.error(SpecDiagnostic::error_at(
                Code::InvalidValue,
                format!("`{text}` under `raw` is not a Kubernetes version"),
                span,
                "in this raw block",
                "write `1.33` (the latest patch) or `1.33.2`",
            ));
        }
        match typed {
            Some(t) if t.value != text => {
                self.error(
                    SpecDiagnostic::new(
                        Code::ConflictingSettings,
                        format!(
                            "the Kubernetes version is written twice: `{}` and `{text}` under `raw`",
                            t.value
                        ),
                    )
                    .at(t.span, "kubernetesVersion")
                    .also(span, "raw")
                    .help("keep `kubernetesVersion:` and remove the `raw` entry"),
                );
                typed_value
            }
            _ => Some(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_as_aks_reads_them() {
        assert!(same(parse("1.33").unwrap(), parse("1.33.5").unwrap()));
        assert!(!same(parse("1.33.4").unwrap(), parse("1.33.5").unwrap()));
        assert!(older(parse("1.32").unwrap(), parse("1.33.5").unwrap()));
        assert!(older(parse("1.33.4").unwrap(), parse("1.33.5").unwrap()));
        assert!(!older(parse("1.33").unwrap(), parse("1.33.5").unwrap()));
        assert_eq!(parse("1.x"), None);
    }
}
