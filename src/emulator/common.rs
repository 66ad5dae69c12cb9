//! Helpers every resource type shares: the request context, reading a PUT body the way ARM does,
//! the tracked-resource envelope, name rules, and server-default merging.

use serde_json::{Map, Value, json};

use crate::emulator::clock;
use crate::emulator::error::ArmError;
use crate::emulator::route::{Query, Target};
use crate::emulator::state::{Failure, Record, State};

/// Per-run settings the handlers need (derived from `EmulatorConfig`).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) base_url: String,
    pub(crate) time_scale: f64,
    pub(crate) tenant_id: String,
    /// Replication window for new principals, in unscaled milliseconds.
    pub(crate) principal_window_ms: u64,
    /// How long a federated-credential write keeps its identity busy, unscaled milliseconds.
    pub(crate) fic_write_ms: u64,
    pub(crate) retry_after_override: Option<u64>,
    /// Items per LIST page before a nextLink.
    pub(crate) page_size: usize,
    /// How far Resource Graph lags behind ARM, wall-clock milliseconds (0: not at all).
    pub(crate) graph_lag_ms: u64,
    /// ARM checks bearer tokens (signature, issuer, audience, expiry) instead of accepting any.
    pub(crate) strict_auth: bool,
    /// Signs and verifies the tokens the Entra endpoint issues.
    pub(crate) token_key: Vec<u8>,
    /// The `X-IDENTITY-HEADER` secret of the managed-identity endpoint.
    pub(crate) identity_header: String,
}

impl Settings {
    pub(crate) fn scaled(&self, ms: u64) -> u64 {
        (ms as f64 * self.time_scale).round().max(0.0) as u64
    }

    /// Retry-After in whole seconds: ARM's 10 s scaled like every other duration, but at least 1 s
    /// at human speeds (so SDK pollers do not spin) and 0 at test speeds (below 1/100), unless set.
    pub(crate) fn retry_after(&self) -> u64 {
        if let Some(fixed) = self.retry_after_override {
            return fixed;
        }
        if self.time_scale < 0.01 {
            return 0;
        }
        ((10.0 * self.time_scale).ceil() as u64).clamp(1, 10)
    }
}

/// What one request may use besides the state.
pub(crate) struct Ctx<'a> {
    pub(crate) now: u64,
    /// The request path (no query), for nextLink.
    pub(crate) path: &'a str,
    pub(crate) settings: &'a Settings,
    pub(crate) api_version: String,
    pub(crate) query: &'a Query,
    pub(crate) if_match: Option<String>,
    pub(crate) if_none_match: Option<String>,
    /// Set by a `lroFailed` fault: the operation this request starts ends Failed.
    pub(crate) lro_failure: Option<Failure>,
    /// Set by a `slowOperation` fault: the started operation lasts this long, unscaled.
    pub(crate) lro_duration_ms: Option<u64>,
    /// Set by a `principalNotFound` fault: window in unscaled milliseconds, principalType ignored.
    pub(crate) principal_window_override_ms: Option<u64>,
    /// The Activity Log's view of this request, when it is a write, delete or action.
    pub(crate) activity: Option<(
        crate::emulator::activity::Subject,
        crate::emulator::activity::RequestInfo,
    )>,
}

impl Ctx<'_> {
    pub(crate) fn timestamp(&self) -> String {
        clock::rfc3339(self.now)
    }
}

/// The body of a PUT/PATCH as a JSON object.
pub(crate) fn object(body: &Value) -> Result<&Map<String, Value>, ArmError> {
    body.as_object()
        .ok_or_else(|| ArmError::invalid_body("the request body must be a JSON object"))
}

/// `properties` as an owned object (absent → empty).
pub(crate) fn properties(body: &Value) -> Result<Map<String, Value>, ArmError> {
    match body.get("properties") {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(ArmError::invalid_body("'properties' must be an object")),
    }
}

/// Lower-cases and strips spaces, as ARM normalises `West Europe` to `westeurope`.
pub(crate) fn normalize_location(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
}

pub(crate) fn required_location(body: &Value) -> Result<String, ArmError> {
    match body.get("location") {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(normalize_location(s)),
        _ => Err(ArmError::bad_request(
            "LocationRequired",
            "The location property is required for this definition.",
        )),
    }
}

/// Tracked resources keep their location; ARM refuses to "move" one with a PUT.
pub(crate) fn check_location(
    existing: Option<&Record>,
    location: &str,
    target: &Target,
) -> Result<(), ArmError> {
    let Some(old) = existing
        .and_then(|r| r.body.get("location"))
        .and_then(Value::as_str)
    else {
        return Ok(());
    };
    if normalize_location(old) == location {
        return Ok(());
    }
    Err(ArmError::bad_request(
        "InvalidResourceLocation",
        format!(
            "The resource '{}' already exists in location '{old}' in resource group '{}'. A resource with the same name cannot be created in location '{location}'. Please select a new resource name.",
            target.name,
            target.resource_group.as_deref().unwrap_or("")
        ),
    ))
}

pub(crate) fn tags(body: &Value) -> Result<Option<Value>, ArmError> {
    match body.get("tags") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => {
            if m.values().all(Value::is_string) {
                Ok(Some(Value::Object(m.clone())))
            } else {
                Err(ArmError::bad_request(
                    "InvalidTagValue",
                    "Tag values must be strings.",
                ))
            }
        }
        Some(_) => Err(ArmError::invalid_body("'tags' must be an object")),
    }
}

/// `{id, name, type, location, tags}` in ARM's order.
pub(crate) fn envelope(
    target: &Target,
    location: Option<&str>,
    tags: Option<Value>,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(target.id));
    m.insert("name".into(), json!(target.name));
    m.insert("type".into(), json!(target.kind.arm_type()));
    if let Some(loc) = location {
        m.insert("location".into(), json!(loc));
    }
    if let Some(t) = tags {
        m.insert("tags".into(), t);
    }
    m
}

/// Stores a data collection rule or endpoint as Azure Monitor answers one: the envelope, `kind`
/// when the body sends one, the properties, systemData and a new ETag.
pub(crate) fn put_monitor_resource(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    location: &str,
    body: &Value,
    properties: Map<String, Value>,
    existing: Option<&Record>,
) -> Result<(), ArmError> {
    let mut m = envelope(target, Some(location), tags(body)?);
    if let Some(kind) = body.get("kind").filter(|k| k.is_string()) {
        m.insert("kind".into(), kind.clone());
    }
    m.insert("properties".into(), Value::Object(properties));
    m.insert("systemData".into(), system_data(existing, ctx));
    m.insert("etag".into(), json!(new_guid()));
    state.put(
        target.key(),
        target.id.clone(),
        target.kind,
        Value::Object(m),
        ctx.now,
    );
    Ok(())
}

/// Adds every key of `defaults` that `into` lacks, recursing into objects present on both sides.
pub(crate) fn merge_defaults(into: &mut Map<String, Value>, defaults: Value) {
    let Value::Object(defaults) = defaults else {
        return;
    };
    for (k, v) in defaults {
        match (into.get_mut(&k), v) {
            (None, v) | (Some(Value::Null), v) => {
                into.insert(k, v);
            }
            (Some(Value::Object(existing)), Value::Object(sub)) => {
                merge_defaults(existing, Value::Object(sub))
            }
            _ => {}
        }
    }
}

/// RFC 7386 JSON merge patch, used for PATCH bodies.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in patch {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

pub(crate) fn system_data(existing: Option<&Record>, ctx: &Ctx) -> Value {
    let created = existing
        .and_then(|r| r.body.get("systemData"))
        .and_then(|s| s.get("createdAt"))
        .cloned()
        .unwrap_or_else(|| json!(ctx.timestamp()));
    json!({
        "createdBy": "azplan-emulator",
        "createdByType": "Application",
        "createdAt": created,
        "lastModifiedBy": "azplan-emulator",
        "lastModifiedByType": "Application",
        "lastModifiedAt": ctx.timestamp(),
    })
}

/// A stable GUID derived from a seed: generated ids (principalId, customerId, …) must not change
/// between GETs, and deriving them avoids storing extra state.
pub(crate) fn derived_guid(seed: &str) -> String {
    uuid::Uuid::new_v5(
        &uuid::Uuid::NAMESPACE_URL,
        seed.to_ascii_lowercase().as_bytes(),
    )
    .to_string()
}

pub(crate) fn new_guid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A network resource's `resourceGuid`: kept across updates, new on create.
pub(crate) fn resource_guid(existing: Option<&Record>) -> Value {
    existing
        .and_then(|r| r.body.pointer("/properties/resourceGuid").cloned())
        .unwrap_or_else(|| json!(new_guid()))
}

/// Checks a name against a length range and a per-character rule, with first/last rules.
pub(crate) fn check_name(
    name: &str,
    what: &str,
    len: (usize, usize),
    allowed: impl Fn(char) -> bool,
    edges: impl Fn(char, char) -> bool,
    rule: &str,
) -> Result<(), ArmError> {
    let n = name.chars().count();
    let first = name.chars().next().unwrap_or(' ');
    let last = name.chars().last().unwrap_or(' ');
    if n < len.0 || n > len.1 || !name.chars().all(allowed) || !edges(first, last) {
        return Err(ArmError::bad_request(
            "InvalidResourceName",
            format!("Resource name '{name}' for {what} is invalid. {rule}"),
        ));
    }
    Ok(())
}

/// The naming rule Microsoft.Network shares across its types (VNets, subnets, peerings, route
/// tables, NSGs, public IPs and prefixes, NAT gateways, private endpoints): letters, digits,
/// `_`, `.` and `-`, starting with a letter or digit and ending with one or `_` (Learn "Naming
/// rules and restrictions for Azure resources", Microsoft.Network).
pub(crate) fn check_network_name(
    name: &str,
    what: &str,
    len: (usize, usize),
) -> Result<(), ArmError> {
    check_name(
        name,
        what,
        len,
        |c| c.is_ascii_alphanumeric() || "._-".contains(c),
        |first, last| {
            first.is_ascii_alphanumeric() && (last.is_ascii_alphanumeric() || last == '_')
        },
        "The name must begin with a letter or number, end with a letter, number or underscore, and may contain only letters, numbers, underscores, periods, or hyphens.",
    )
}

pub(crate) fn require_resource_group(state: &State, target: &Target) -> Result<(), ArmError> {
    let Some(rg) = &target.resource_group else {
        return Ok(());
    };
    let key = format!(
        "/subscriptions/{}/resourcegroups/{}",
        target.subscription, rg
    )
    .to_ascii_lowercase();
    match state.get(&key) {
        Some(_) => Ok(()),
        None => Err(ArmError::resource_group_not_found(rg)),
    }
}

pub(crate) fn resource_group_key(target: &Target) -> Option<String> {
    target.resource_group.as_ref().map(|rg| {
        format!(
            "/subscriptions/{}/resourcegroups/{}",
            target.subscription, rg
        )
        .to_ascii_lowercase()
    })
}

/// Writes into a resource group that is being deleted are refused (ARM's ResourceGroupBeingDeleted).
pub(crate) fn refuse_if_group_deleting(state: &State, target: &Target) -> Result<(), ArmError> {
    let Some(key) = resource_group_key(target) else {
        return Ok(());
    };
    if state.pending(&key).is_some() {
        let rg = target.resource_group.as_deref().unwrap_or("");
        return Err(ArmError::conflict(
            "ResourceGroupBeingDeleted",
            format!(
                "The resource group '{rg}' is in deprovisioning state and cannot perform this operation."
            ),
        ));
    }
    Ok(())
}

pub(crate) fn parent_record<'s>(state: &'s State, target: &Target) -> Result<&'s Record, ArmError> {
    let parent = target.parent_id.as_deref().unwrap_or("");
    state.get(&parent.to_ascii_lowercase()).ok_or_else(|| {
        ArmError::new(
            404,
            "ParentResourceNotFound",
            format!("Can not perform requested operation on nested resource. Parent resource '{parent}' not found."),
        )
    })
}

/// True when `id` points into a resource group this emulator holds but names nothing there.
/// References into groups the emulator has never seen are accepted: they may live in another
/// subscription or be placeholders in the official examples, which the fidelity tests replay.
pub(crate) fn dangling_reference(state: &State, id: &str) -> bool {
    let key = id.to_ascii_lowercase();
    let segs: Vec<&str> = key.split('/').collect();
    let group_known = segs.len() > 4
        && segs[1] == "subscriptions"
        && segs[3] == "resourcegroups"
        && state.get(&segs[..5].join("/")).is_some();
    group_known && state.get(&key).is_none()
}

pub(crate) fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_str()
}

#[cfg(test)]
mod tests {
    use super::{Settings, merge_defaults, merge_patch, normalize_location};

    #[test]
    fn retry_after_scales_with_time() {
        let at = |time_scale: f64, retry_after_override: Option<u64>| {
            Settings {
                base_url: String::new(),
                time_scale,
                tenant_id: String::new(),
                principal_window_ms: 0,
                fic_write_ms: 0,
                retry_after_override,
                page_size: 1,
                graph_lag_ms: 0,
                strict_auth: false,
                token_key: Vec::new(),
                identity_header: String::new(),
            }
            .retry_after()
        };
        assert_eq!(at(1.0, None), 10, "ARM's realistic floor");
        assert_eq!(
            at(0.02, None),
            1,
            "--local: slow enough that pollers do not spin"
        );
        assert_eq!(at(0.001, None), 0, "tests poll immediately");
        assert_eq!(at(1.0, Some(2)), 2);
        assert_eq!(at(5.0, None), 10);
    }
    use serde_json::json;

    #[test]
    fn defaults_fill_only_missing_keys() {
        let mut m = json!({"a": 1, "b": {"x": 1}})
            .as_object()
            .cloned()
            .expect("object");
        merge_defaults(&mut m, json!({"a": 2, "b": {"x": 2, "y": 3}, "c": 4}));
        assert_eq!(
            serde_json::Value::Object(m),
            json!({"a": 1, "b": {"x": 1, "y": 3}, "c": 4})
        );
    }

    #[test]
    fn merge_patch_follows_rfc7386() {
        let mut v = json!({"tags": {"a": "1", "b": "2"}, "x": 1});
        merge_patch(&mut v, &json!({"tags": {"a": null, "c": "3"}}));
        assert_eq!(v, json!({"tags": {"b": "2", "c": "3"}, "x": 1}));
        assert_eq!(normalize_location("West Europe"), "westeurope");
    }
}
