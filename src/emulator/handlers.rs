//! Generic ARM request handling: GET/PUT/PATCH/DELETE/LIST over any served type, the LRO
//! machinery (operations, polling URLs, status documents) and list shapes. Type-specific rules live
//! in one module per resource type; this file only decides status codes and headers.

use serde_json::{Value, json};

use crate::emulator::clock;
use crate::emulator::common::{self, Ctx};
use crate::emulator::error::ArmError;
use crate::emulator::filter;
use crate::emulator::kind::{DeleteStyle, Kind, PatchStyle, PutStyle};
use crate::emulator::route::{Route, Target};
use crate::emulator::state::{Action, Operation, Record, State};
use crate::emulator::{
    activity, aks_ops, cluster, data_collection_endpoint, data_collection_rule, dcr_association,
    diagnostic, dns_zone, extension, flux_configuration, identity, key_vault, maintenance,
    monitor_workspace, nat_gateway, network, network_security, node_pool, peering, policy,
    private_endpoint, publicip, records, refs, registry, resource_graph, resources, role, solution,
    storage, workspace,
};

/// Adjusts an answer to the api-version it was asked in, where published versions differ:
/// - private DNS virtual network links: `resolutionPolicy` exists from 2024-06-01 on (absent from
///   the VirtualNetworkLink definition of 2018-09-01 … 2020-06-01).
pub(crate) fn shape_for_version(kind: Option<Kind>, api_version: &str, reply: &mut Reply) {
    let Some(body) = reply.body.as_mut() else {
        return;
    };
    if kind == Some(Kind::PrivateDnsZoneLink) && api_version < "2024-06-01" {
        let strip = |item: &mut Value| {
            if let Some(props) = item.get_mut("properties").and_then(Value::as_object_mut) {
                props.remove("resolutionPolicy");
            }
        };
        match body.get_mut("value").and_then(Value::as_array_mut) {
            Some(items) => items.iter_mut().for_each(strip),
            None => strip(body),
        }
    }
}

/// A response before it is turned into HTTP.
#[derive(Debug, Default)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Option<Value>,
    /// Time the request keeps running after the state lock is released (federated credentials).
    pub(crate) hold_ms: u64,
}

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            ..Reply::default()
        }
    }

    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            ..Reply::default()
        }
    }

    pub(crate) fn with_header(self, name: &str, value: String) -> Reply {
        self.header(name, value)
    }

    fn header(mut self, name: &str, value: String) -> Reply {
        self.headers.push((name.to_string(), value));
        self
    }
}

/// What a type-specific PUT did, for the generic code to answer with.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Written {
    pub(crate) created: bool,
    /// Unscaled duration of the operation the write started (ignored for synchronous types).
    pub(crate) duration_ms: u64,
    pub(crate) hold_ms: u64,
}

impl Written {
    pub(crate) fn new(kind: Kind, created: bool) -> Written {
        let (create, update, _) = kind.durations_ms();
        Written {
            created,
            duration_ms: if created { create } else { update },
            hold_ms: 0,
        }
    }
}

pub(crate) fn dispatch(
    state: &mut State,
    ctx: &Ctx,
    method: &str,
    route: &Route,
    body: Option<&Value>,
) -> Result<Reply, ArmError> {
    let read_only = |r: Result<Reply, ArmError>| {
        if method == "GET" {
            r
        } else {
            Err(method_not_allowed(method))
        }
    };
    match route {
        Route::Operation { id, status } => read_only(operation(state, ctx, id, *status)),
        Route::Subscriptions { subscription } => {
            read_only(subscriptions(state, ctx, subscription.as_deref()))
        }
        Route::ListResourceGroups { subscription } => {
            let prefix =
                format!("/subscriptions/{subscription}/resourcegroups/").to_ascii_lowercase();
            // ResourceGroups_List documents only the tag forms of $filter ("You can filter by tag
            // names and values").
            let tags = match ctx.query.get("$filter") {
                None => None,
                Some(text) => match filter::parse(text)? {
                    f @ filter::Filter::Tag { .. } => Some(f),
                    filter::Filter::Resource(_) => {
                        return Err(ArmError::bad_request(
                            "InvalidFilterInQueryString",
                            format!("Invalid $filter '{text}' specified in the query string."),
                        ));
                    }
                },
            };
            read_only(Ok(list(state, ctx, |k, r| {
                r.kind == Kind::ResourceGroup
                    && k.starts_with(&prefix)
                    && tags.as_ref().is_none_or(|f| f.keeps(&r.body))
            })))
        }
        Route::ResourceGroupResources {
            subscription,
            resource_group,
        } => {
            let key = format!("/subscriptions/{subscription}/resourcegroups/{resource_group}")
                .to_ascii_lowercase();
            if state.get(&key).is_none() {
                return Err(ArmError::resource_group_not_found(resource_group));
            }
            read_only(generic_list(state, ctx, &format!("{key}/")))
        }
        Route::SubscriptionResources { subscription } => read_only(generic_list(
            state,
            ctx,
            &format!("/subscriptions/{subscription}/").to_ascii_lowercase(),
        )),
        Route::Collection {
            kind,
            subscription,
            resource_group,
            parent_id,
        } => {
            let prefix = match (resource_group, parent_id) {
                (_, Some(parent)) => {
                    if state.get(&parent.to_ascii_lowercase()).is_none() {
                        return Err(ArmError::new(
                            404,
                            "ParentResourceNotFound",
                            format!("Parent resource '{parent}' not found."),
                        ));
                    }
                    format!("{}/", parent.to_ascii_lowercase())
                }
                (Some(rg), None) => {
                    let key = format!("/subscriptions/{subscription}/resourcegroups/{rg}")
                        .to_ascii_lowercase();
                    if state.get(&key).is_none() {
                        return Err(ArmError::resource_group_not_found(rg));
                    }
                    format!("{key}/")
                }
                (None, None) => format!("/subscriptions/{subscription}/").to_ascii_lowercase(),
            };
            read_only(Ok(list(state, ctx, |k, r| {
                r.kind == *kind && k.starts_with(&prefix)
            })))
        }
        Route::RecordSets {
            zone_id,
            record_type,
            ..
        } => read_only(records::list(state, ctx, zone_id, *record_type)),
        Route::RoleAssignmentsAt { scope, .. } => read_only(Ok(role::list(state, ctx, scope))),
        Route::PolicyAssignmentsAt { scope, .. } => read_only(Ok(policy::list(state, ctx, scope))),
        Route::DiagnosticSettingsAt { scope } => read_only(diagnostic::list(state, scope)),
        Route::RuleAssociationsAt { scope } => {
            read_only(dcr_association::list_by_resource(state, scope))
        }
        Route::RuleAssociationsOfRule { rule } => {
            read_only(dcr_association::list_by_rule(state, rule))
        }
        Route::ResourceGraph => {
            let view =
                state.graph_view(ctx.settings.graph_lag_ms, crate::emulator::clock::now_ms());
            resource_graph::resources(view, ctx, method, body)
        }
        Route::ActivityLog { subscription } => read_only(activity::list(state, ctx, subscription)),
        Route::KeyVault { subscription, op } => {
            key_vault::dispatch(state, ctx, method, subscription, op, body)
        }
        Route::StorageNameCheck => storage::check_name_availability(state, method, body),
        Route::Action { target, action } => aks_ops::action(state, ctx, method, target, action),
        Route::UpgradeProfile(target) => aks_ops::upgrade_profile(state, method, target),
        Route::Instance(target) => match method {
            "GET" => get(state, target),
            "HEAD" if target.kind == Kind::ResourceGroup => {
                Ok(Reply::empty(if state.get(&target.key()).is_some() {
                    204
                } else {
                    404
                }))
            }
            "PUT" => put(state, ctx, target, body),
            "PATCH" => patch(state, ctx, target, body),
            "DELETE" => delete(state, ctx, target),
            _ => Err(method_not_allowed(method)),
        },
    }
}

fn method_not_allowed(method: &str) -> ArmError {
    ArmError::new(
        405,
        "MethodNotAllowed",
        format!("The HTTP method '{method}' is not supported here."),
    )
}

fn not_found(target: &Target) -> ArmError {
    match target.kind {
        Kind::ResourceGroup => ArmError::resource_group_not_found(&target.name),
        Kind::RoleAssignment => ArmError::new(
            404,
            "RoleAssignmentNotFound",
            format!("The role assignment '{}' is not found.", target.name),
        ),
        Kind::PrivateDnsRecordSet => records::not_found(target),
        Kind::PolicyAssignment => ArmError::new(
            404,
            "PolicyAssignmentNotFound",
            format!("The policy assignment '{}' is not found.", target.name),
        ),
        Kind::DiagnosticSetting => diagnostic::not_found(target),
        Kind::DataCollectionRuleAssociation => dcr_association::not_found(target),
        kind => ArmError::resource_not_found(
            &kind.arm_type(),
            &target.name,
            target.resource_group.as_deref().unwrap_or(""),
        ),
    }
}

/// The GET representation: stored body plus composed children.
pub(crate) fn render(state: &State, record: &Record) -> Value {
    let mut body = record.body.clone();
    let key = record.id.to_ascii_lowercase();
    match record.kind {
        Kind::VirtualNetwork => {
            let subnets: Vec<Value> = state
                .children(&key, Kind::Subnet)
                .iter()
                .map(|r| r.body.clone())
                .collect();
            if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
                props.insert("subnets".into(), Value::Array(subnets));
                props.insert(
                    "virtualNetworkPeerings".into(),
                    peering::listed(state, &key),
                );
            }
        }
        Kind::RouteTable | Kind::NetworkSecurityGroup => {
            network_security::render(state, record.kind, &record.id, &mut body);
        }
        Kind::NatGateway => nat_gateway::render(state, &record.id, &mut body),
        Kind::PrivateDnsZone => {
            let links = state.children(&key, Kind::PrivateDnsZoneLink);
            let registering = links
                .iter()
                .filter(|l| l.body["properties"]["registrationEnabled"] == json!(true))
                .count();
            let record_sets = records::count(state, &key);
            if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
                props.insert("numberOfRecordSets".into(), json!(record_sets));
                props.insert("numberOfVirtualNetworkLinks".into(), json!(links.len()));
                props.insert(
                    "numberOfVirtualNetworkLinksWithRegistration".into(),
                    json!(registering),
                );
            }
        }
        Kind::Cluster => {
            let pools: Vec<Value> = state
                .children(&key, Kind::NodePool)
                .iter()
                .map(|r| node_pool::profile_of(&r.body))
                .collect();
            if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
                props.insert("agentPoolProfiles".into(), Value::Array(pools));
            }
        }
        _ => {}
    }
    body
}

/// The subscription every emulator offers, also when it holds nothing yet.
pub(crate) const DEFAULT_SUBSCRIPTION: &str = "00000000-0000-0000-0000-000000000000";

/// `Subscriptions_List` / `Subscriptions_Get` (Microsoft.Resources subscriptions 2022-12-01): the
/// default subscription and every subscription the state holds resources in, all `Enabled` in the
/// emulator's tenant.
fn subscriptions(state: &State, ctx: &Ctx, one: Option<&str>) -> Result<Reply, ArmError> {
    let mut ids: Vec<String> = state
        .resources
        .values()
        .filter_map(|r| r.id.split('/').nth(2).map(str::to_string))
        .collect();
    ids.push(DEFAULT_SUBSCRIPTION.to_string());
    ids.sort_by_key(|s| s.to_ascii_lowercase());
    ids.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let doc = |id: &str| {
        json!({
            "id": format!("/subscriptions/{id}"),
            "authorizationSource": "RoleBased",
            "managedByTenants": [],
            "subscriptionId": id,
            "tenantId": ctx.settings.tenant_id,
            "displayName": "azplan emulator",
            "state": "Enabled",
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "PayAsYouGo_2014-09-01",
                "spendingLimit": "Off"
            }
        })
    };
    match one {
        None => Ok(paged(ctx, ids.iter().map(|id| doc(id)).collect())),
        Some(id) => {
            if ids.iter().any(|known| known.eq_ignore_ascii_case(id)) {
                Ok(Reply::json(200, doc(id)))
            } else {
                Err(ArmError::new(
                    404,
                    "SubscriptionNotFound",
                    format!("The subscription '{id}' could not be found."),
                ))
            }
        }
    }
}

/// ARM's list shape: `{"value": [...], "nextLink"?}`, pages of `page_size` items with a
/// `$skiptoken`, so clients must follow nextLink as they must with the real service.
pub(crate) fn paged(ctx: &Ctx, value: Vec<Value>) -> Reply {
    let size = ctx.settings.page_size.max(1);
    let skip: usize = ctx
        .query
        .get("$skiptoken")
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    let total = value.len();
    let page: Vec<Value> = value.into_iter().skip(skip).take(size).collect();
    let mut body = json!({ "value": page });
    if skip.saturating_add(size) < total {
        let query = ctx.query.encode_without("$skiptoken");
        let sep = if query.is_empty() { "" } else { "&" };
        body["nextLink"] = json!(format!(
            "{}{}?{query}{sep}%24skiptoken={}",
            ctx.settings.base_url,
            ctx.path,
            skip + size
        ));
    }
    Reply::json(200, body)
}

fn list(state: &State, ctx: &Ctx, keep: impl Fn(&str, &Record) -> bool) -> Reply {
    let value: Vec<Value> = state
        .resources
        .iter()
        .filter(|(k, r)| keep(k, r))
        .map(|(_, r)| render(state, r))
        .collect();
    paged(ctx, value)
}

/// `…/resources` (`Resources_List`, `Resources_ListByResourceGroup`): every tracked resource below
/// the prefix — the top-level types and the tracked children (private DNS virtual network links
/// carry a location and tags, so ARM lists them; subnets, pools, credentials and record sets are
/// proxy resources and are not listed) — in the GenericResource shape, filtered by `$filter`
/// (`filter`), cut at `$top` ("The number of results to return. If null is passed, returns all
/// resources.") and expanded by `$expand` (`createdTime`, `changedTime`, `provisioningState`).
fn generic_list(state: &State, ctx: &Ctx, prefix: &str) -> Result<Reply, ArmError> {
    let filter = ctx.query.get("$filter").map(filter::parse).transpose()?;
    let top = match ctx.query.get("$top") {
        None | Some("") => usize::MAX,
        Some(t) => t.parse::<usize>().map_err(|_| {
            ArmError::bad_request(
                "InvalidQueryParameterValue",
                format!("The value '{t}' of query parameter '$top' is not valid."),
            )
        })?,
    };
    let expand: Vec<String> = ctx
        .query
        .get("$expand")
        .unwrap_or("")
        .split(',')
        .map(|e| e.trim().to_ascii_lowercase())
        .filter(|e| !e.is_empty())
        .collect();
    let value: Vec<Value> = state
        .resources
        .range(prefix.to_string()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .filter(|(_, r)| {
            !matches!(
                r.kind,
                Kind::ResourceGroup | Kind::RoleAssignment | Kind::PolicyAssignment
            ) && r.body.get("location").is_some()
        })
        .filter(|(_, r)| filter.as_ref().is_none_or(|f| f.keeps(&r.body)))
        .take(top)
        .map(|(_, r)| {
            let mut m = serde_json::Map::new();
            for field in [
                "id",
                "name",
                "type",
                "sku",
                "kind",
                "location",
                "extendedLocation",
                "plan",
                "identity",
                "managedBy",
                "tags",
            ] {
                if let Some(v) = r.body.get(field) {
                    m.insert(field.into(), v.clone());
                }
            }
            if filter.as_ref().is_some_and(filter::Filter::hides_tags) {
                m.remove("tags");
            }
            if expand.iter().any(|e| e == "createdtime") {
                m.insert("createdTime".into(), json!(clock::rfc3339(r.created_ms)));
            }
            if expand.iter().any(|e| e == "changedtime") {
                let changed = common::str_at(&r.body, &["systemData", "lastModifiedAt"])
                    .map(str::to_string)
                    .unwrap_or_else(|| clock::rfc3339(r.created_ms));
                m.insert("changedTime".into(), json!(changed));
            }
            if expand.iter().any(|e| e == "provisioningstate")
                && let Some(ps) = common::str_at(&r.body, &["properties", "provisioningState"])
            {
                m.insert("provisioningState".into(), json!(ps));
            }
            Value::Object(m)
        })
        .collect();
    Ok(paged(ctx, value))
}

fn get(state: &State, target: &Target) -> Result<Reply, ArmError> {
    if target.kind != Kind::ResourceGroup {
        common::require_resource_group(state, target)?;
    }
    let record = state.get(&target.key()).ok_or_else(|| not_found(target))?;
    let mut reply = Reply::json(200, render(state, record));
    if let Some(etag) = record.body.get("etag").and_then(Value::as_str) {
        reply = reply.header("ETag", etag.to_string());
    }
    Ok(reply)
}

/// `If-Match` / `If-None-Match` for the verbs whose spec declares them (`Kind::conditions`),
/// checked after existence for PATCH (404 first) and DELETE (204 first) and before it for PUT, as
/// the AKS eTag table on Learn ("Configuration and expected behavior") lays out: PUT with
/// `If-Match` on nothing is 412, PATCH on nothing is 404, `If-None-Match: *` on something is 412.
/// Message and code as Azure DNS words them (azure-powershell Dns ScenarioTests, ZoneTests.ps1 and
/// RecordsTests.ps1: "The condition 'gibberish' in the If-Match header was not satisfied. The
/// current was '<etag>'." and "The condition '*' in the If-None-Match header was not satisfied.
/// The current was 'n/a'."). Runs under the state lock together with the write it guards.
fn check_preconditions(
    state: &State,
    ctx: &Ctx,
    method: &str,
    target: &Target,
) -> Result<(), ArmError> {
    let (if_match, if_none_match) = target.kind.conditions(method);
    let existing = state.get(&target.key());
    // Top-level `etag`/`eTag`, or `properties.eTag` on AKS agent pools.
    let etag = existing
        .and_then(|r| {
            r.body
                .get("etag")
                .or_else(|| r.body.get("eTag"))
                .or_else(|| r.body.get("properties")?.get("eTag"))
        })
        .and_then(Value::as_str);
    let failed = |header: &str, condition: &str, current: &str| {
        let err = ArmError::new(
            412,
            "PreconditionFailed",
            format!(
                "The condition '{condition}' in the {header} header was not satisfied. The current was '{current}'."
            ),
        );
        if target.kind.namespace() == "Microsoft.Network"
            && matches!(
                target.kind,
                Kind::PrivateDnsZone | Kind::PrivateDnsZoneLink | Kind::PrivateDnsRecordSet
            )
        {
            err.flat()
        } else {
            err
        }
    };
    if if_none_match
        && let Some(condition) = ctx.if_none_match.as_deref()
        && condition == "*"
        && existing.is_some()
    {
        return Err(failed("If-None-Match", condition, "n/a"));
    }
    if if_match && let Some(wanted) = ctx.if_match.as_deref() {
        let matches = match (existing, wanted) {
            (None, _) => false,
            (Some(_), "*") => true,
            (Some(_), w) => etag.is_some_and(|e| etag_eq(e, w)),
        };
        if !matches {
            return Err(failed("If-Match", wanted, etag.unwrap_or("n/a")));
        }
    }
    Ok(())
}

/// ETags compare as the opaque strings they are, tolerating the quotes HTTP clients add around
/// a bare value (`"abc"` matches `abc`).
fn etag_eq(current: &str, wanted: &str) -> bool {
    let strip = |s: &str| s.trim().trim_matches('"').to_string();
    current == wanted || strip(current) == strip(wanted)
}

fn put(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: Option<&Value>,
) -> Result<Reply, ArmError> {
    let body = body.ok_or_else(|| ArmError::invalid_body("the request body is missing"))?;
    common::object(body)?;
    if target.kind != Kind::ResourceGroup {
        common::require_resource_group(state, target)?;
        common::refuse_if_group_deleting(state, target)?;
    }
    check_preconditions(state, ctx, "PUT", target)?;
    refuse_while_deleting(state, target)?;
    refs::check(state, target, body)?;
    let written = match target.kind {
        Kind::ResourceGroup => resources::put(state, ctx, target, body)?,
        Kind::Registry => registry::put(state, ctx, target, body)?,
        Kind::Workspace => workspace::put(state, ctx, target, body)?,
        Kind::VirtualNetwork => network::put_vnet(state, ctx, target, body)?,
        Kind::Subnet => network::put_subnet(state, ctx, target, body)?,
        Kind::VirtualNetworkPeering => peering::put(state, ctx, target, body)?,
        Kind::PublicIpAddress | Kind::PublicIpPrefix => publicip::put(state, ctx, target, body)?,
        Kind::DnsZone | Kind::PrivateDnsZone => dns_zone::put(state, ctx, target, body)?,
        Kind::PrivateDnsZoneLink => dns_zone::put_link(state, ctx, target, body)?,
        Kind::PrivateDnsRecordSet => records::put(state, ctx, target, body)?,
        Kind::Identity => identity::put_identity(state, ctx, target, body)?,
        Kind::FederatedCredential => identity::put_credential(state, ctx, target, body)?,
        Kind::RoleAssignment => role::put(state, ctx, target, body)?,
        Kind::PolicyAssignment => policy::put(state, ctx, target, body)?,
        Kind::DiagnosticSetting => diagnostic::put(state, ctx, target, body)?,
        Kind::DataCollectionRuleAssociation => dcr_association::put(state, ctx, target, body)?,
        Kind::Cluster => cluster::put(state, ctx, target, body)?,
        Kind::NodePool => node_pool::put(state, ctx, target, body)?,
        Kind::MaintenanceConfiguration => maintenance::put(state, ctx, target, body)?,
        Kind::KeyVault => key_vault::put(state, ctx, target, body)?,
        Kind::PrivateEndpoint => private_endpoint::put(state, ctx, target, body)?,
        Kind::PrivateDnsZoneGroup => private_endpoint::put_zone_group(state, ctx, target, body)?,
        Kind::RouteTable | Kind::NetworkSecurityGroup => {
            network_security::put(state, ctx, target, body)?
        }
        Kind::MonitorWorkspace => monitor_workspace::put(state, ctx, target, body)?,
        Kind::Solution => solution::put(state, ctx, target, body)?,
        Kind::DataCollectionRule => data_collection_rule::put(state, ctx, target, body)?,
        Kind::NatGateway => nat_gateway::put(state, ctx, target, body)?,
        Kind::StorageAccount => storage::put(state, ctx, target, body)?,
        Kind::DataCollectionEndpoint => data_collection_endpoint::put(state, ctx, target, body)?,
        Kind::ClusterExtension => extension::put(state, ctx, target, body)?,
        Kind::FluxConfiguration => flux_configuration::put(state, ctx, target, body)?,
    };
    if target.kind == Kind::Cluster {
        node_pool::renew_etags(state, &target.key());
    }
    // PolicyAssignments_Create declares 201 only, for an update too (policyAssignments.json
    // 2025-03-01, 2026-06-01); azure-mgmt-resource-policy 1.0.0 refuses a 200.
    // Solutions_CreateOrUpdate declares 201 alone, for an update too (OperationsManagement.json).
    // DiagnosticSettings_CreateOrUpdate declares only 200, for a new setting too (and the
    // official createOrUpdateDiagnosticSetting example answers 200).
    let status = if target.kind == Kind::DiagnosticSetting {
        200
    } else if written.created || matches!(target.kind, Kind::PolicyAssignment | Kind::Solution) {
        201
    } else {
        200
    };
    let style = match target.kind.put_style() {
        // StorageAccounts_Create on an existing account updates it and answers 200 at once.
        PutStyle::Accepted if !written.created => PutStyle::Sync,
        style => style,
    };
    let op = (style != PutStyle::Sync).then(|| {
        let action = if written.created {
            Action::Create
        } else {
            Action::Update
        };
        start_operation(state, ctx, target, action, written.duration_ms)
    });
    let record = state.get(&target.key()).ok_or_else(|| not_found(target))?;
    let mut reply = records::with_etag(Reply::json(status, render(state, record)), &record.body);
    reply.hold_ms = written.hold_ms;
    if let Some(op) = op {
        reply = match style {
            PutStyle::AsyncOperation => reply
                .header("Azure-AsyncOperation", status_url(ctx, &op))
                .header("Retry-After", ctx.settings.retry_after().to_string()),
            PutStyle::Location => reply
                .header("Location", result_url(ctx, &op))
                .header("Retry-After", ctx.settings.retry_after().to_string()),
            // The official StorageAccountCreate example's 202 has no body.
            PutStyle::Accepted => {
                let mut accepted = Reply::empty(202)
                    .header("Location", result_url(ctx, &op))
                    .header("Retry-After", ctx.settings.retry_after().to_string());
                accepted.hold_ms = reply.hold_ms;
                accepted
            }
            PutStyle::BodyPolled | PutStyle::Sync => reply,
        };
        // Extensions_Create and FluxConfigurations_CreateOrUpdate answer with these too
        // (CreateExtension 2025-03-01 and CreateFluxConfiguration 2025-04-01 examples).
        if matches!(
            target.kind,
            Kind::ClusterExtension | Kind::FluxConfiguration
        ) {
            reply = reply
                .header("Operation-Location", status_url(ctx, &op))
                .header("x-ms-async-operation-timeout", "PT48H".to_string());
        }
    }
    Ok(reply)
}

/// A resource that is being deleted accepts no writes until the delete finishes. (Clusters and
/// virtual networks answer with their own codes before this is reached.)
fn refuse_while_deleting(state: &State, target: &Target) -> Result<(), ArmError> {
    match state.pending(&target.key()) {
        Some(op) if op.action == Action::Delete => Err(ArmError::conflict(
            "AnotherOperationInProgress",
            format!(
                "The resource '{}' is being deleted; retry after the delete operation {} has finished.",
                target.id, op.id
            ),
        )),
        _ => Ok(()),
    }
}

fn patch(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    body: Option<&Value>,
) -> Result<Reply, ArmError> {
    let style = target.kind.patch_style();
    if style == PatchStyle::None {
        return Err(method_not_allowed("PATCH"));
    }
    let body = body.ok_or_else(|| ArmError::invalid_body("the request body is missing"))?;
    common::object(body)?;
    if target.kind != Kind::ResourceGroup {
        common::require_resource_group(state, target)?;
        common::refuse_if_group_deleting(state, target)?;
    }
    let key = target.key();
    let record = state.get(&key).ok_or_else(|| not_found(target))?.clone();
    check_preconditions(state, ctx, "PATCH", target)?;
    refs::check(state, target, body)?;
    if target.kind == Kind::PrivateDnsRecordSet {
        return records::patch(state, ctx, target, body);
    }
    if target.kind == Kind::Cluster {
        cluster::check_idle(state, &key)?;
    }
    refuse_while_deleting(state, target)?;
    let mut updated = record.body.clone();
    if let Some(tags) = common::tags(body)? {
        updated["tags"] = tags;
    } else if body.get("tags").is_some_and(Value::is_null)
        && let Some(m) = updated.as_object_mut()
    {
        m.remove("tags");
    }
    match target.kind {
        Kind::ResourceGroup => {
            if let Some(managed_by) = body.get("managedBy") {
                updated["managedBy"] = managed_by.clone();
            }
        }
        Kind::Registry => registry::patch(&mut updated, body)?,
        Kind::Workspace => workspace::patch(&mut updated, body)?,
        Kind::PrivateDnsZoneLink => dns_zone::patch_link(&mut updated, body)?,
        Kind::KeyVault => key_vault::patch(&mut updated, body)?,
        Kind::StorageAccount => storage::patch(state, &mut updated, body)?,
        _ => {}
    }
    for etag_field in ["etag", "eTag"] {
        if let Some(m) = updated
            .as_object_mut()
            .filter(|m| m.contains_key(etag_field))
        {
            let fresh = common::new_guid();
            // Network resources use weak ETags (VirtualNetworkGet examples: `W/"…"`); the DNS
            // providers use bare GUIDs (PrivateZoneGet.json, dns.json examples).
            let value = if record.kind.namespace() == "Microsoft.Network"
                && !matches!(
                    record.kind,
                    Kind::DnsZone | Kind::PrivateDnsZone | Kind::PrivateDnsZoneLink
                ) {
                format!("W/\"{fresh}\"")
            } else {
                fresh
            };
            m.insert(etag_field.into(), json!(value));
        }
    }
    if style != PatchStyle::Sync
        && let Some(props) = updated.get_mut("properties").and_then(Value::as_object_mut)
    {
        props.insert("provisioningState".into(), json!("Updating"));
    }
    state.put(
        key.clone(),
        record.id.clone(),
        record.kind,
        updated,
        ctx.now,
    );
    if target.kind == Kind::Cluster {
        node_pool::renew_etags(state, &key);
    }
    let (_, update_ms, _) = target.kind.durations_ms();
    let reply = match style {
        PatchStyle::None | PatchStyle::Sync => {
            let record = state.get(&key).ok_or_else(|| not_found(target))?;
            Reply::json(200, render(state, record))
        }
        // Registries_Update answers 201 + Azure-AsyncOperation with the `Updating` body while the
        // update runs (RegistryUpdate.json, ACR stable/2025-11-01).
        PatchStyle::AsyncOperation => {
            let op = start_operation(state, ctx, target, Action::Update, update_ms);
            let record = state.get(&key).ok_or_else(|| not_found(target))?;
            Reply::json(201, render(state, record))
                .header("Azure-AsyncOperation", status_url(ctx, &op))
                .header("Retry-After", ctx.settings.retry_after().to_string())
        }
        PatchStyle::Accepted => {
            let op = start_operation(state, ctx, target, Action::Update, update_ms);
            Reply::empty(202)
                .header("Azure-AsyncOperation", status_url(ctx, &op))
                .header("Location", result_url(ctx, &op))
                .header("Retry-After", ctx.settings.retry_after().to_string())
        }
    };
    Ok(reply)
}

fn delete(state: &mut State, ctx: &Ctx, target: &Target) -> Result<Reply, ArmError> {
    let key = target.key();
    if target.kind != Kind::ResourceGroup {
        common::require_resource_group(state, target)?;
    }
    let Some(record) = state.get(&key).cloned() else {
        if target.kind == Kind::ResourceGroup {
            return Err(not_found(target));
        }
        // Solutions_Delete declares 200 alone, for a solution that is not there too.
        if target.kind == Kind::Solution {
            return Ok(Reply::empty(200));
        }
        return Ok(Reply::empty(204));
    };
    check_preconditions(state, ctx, "DELETE", target)?;
    if let Some(op) = state
        .pending(&key)
        .filter(|op| op.action == Action::Delete)
        .cloned()
    {
        return Ok(delete_accepted(ctx, target.kind, &op));
    }
    let mut hold_ms = 0;
    match target.kind {
        Kind::Subnet => network::before_delete_subnet(state, target)?,
        Kind::VirtualNetwork => {
            network::before_delete_vnet(state, target)?;
            peering::before_vnet_delete(state, &key);
        }
        Kind::VirtualNetworkPeering => peering::before_delete(state, target)?,
        Kind::Cluster => cluster::check_idle(state, &key)?,
        Kind::NodePool => node_pool::before_delete(state, target)?,
        Kind::FederatedCredential => {
            hold_ms = identity::before_delete_credential(state, ctx, target)?
        }
        Kind::PrivateDnsZone => dns_zone::before_delete_private(state, target)?,
        Kind::PrivateDnsRecordSet => records::before_delete(target)?,
        Kind::Workspace => workspace::soft_delete(state, ctx, target, &record)?,
        // Workspaces deleted with their group are soft-deleted like any other workspace delete.
        Kind::ResourceGroup => {
            workspace::soft_delete_in_group(state, ctx, &key);
            // Vaults too: their names stay taken (`key_vault`).
            key_vault::soft_delete_in_group(state, ctx, &key);
        }
        Kind::KeyVault => key_vault::soft_delete(state, ctx, &record),
        Kind::RouteTable | Kind::NetworkSecurityGroup => {
            network_security::before_delete(state, target)?
        }
        Kind::NatGateway => nat_gateway::before_delete(state, target)?,
        _ => {}
    }
    if target.kind.delete_style() == DeleteStyle::Sync {
        state.remove_tree(&key);
        let mut reply = if matches!(target.kind, Kind::RoleAssignment | Kind::PolicyAssignment) {
            Reply::json(200, render(state, &record))
        } else {
            Reply::empty(200)
        };
        reply.hold_ms = hold_ms;
        return Ok(reply);
    }
    if let Some(props) = state
        .body_mut(&key)
        .and_then(|b| b.get_mut("properties"))
        .and_then(Value::as_object_mut)
        && props.contains_key("provisioningState")
    {
        props.insert("provisioningState".into(), json!("Deleting"));
    }
    let (_, _, delete_ms) = target.kind.durations_ms();
    let op = start_operation(state, ctx, target, Action::Delete, delete_ms);
    Ok(delete_accepted(ctx, target.kind, &op))
}

fn delete_accepted(ctx: &Ctx, kind: Kind, op: &Operation) -> Reply {
    let mut reply = Reply::empty(202)
        .header("Location", result_url(ctx, op))
        .header("Retry-After", ctx.settings.retry_after().to_string());
    if kind.delete_style() == DeleteStyle::Both {
        reply = reply.header("Azure-AsyncOperation", status_url(ctx, op));
    }
    reply
}

fn location_of(state: &State, target: &Target) -> String {
    let own = state
        .get(&target.key())
        .and_then(|r| r.body.get("location"))
        .and_then(Value::as_str);
    let parent = target
        .parent_id
        .as_deref()
        .and_then(|p| state.get(&p.to_ascii_lowercase()))
        .and_then(|r| r.body.get("location"))
        .and_then(Value::as_str);
    common::normalize_location(own.or(parent).unwrap_or("global"))
}

pub(crate) fn start_operation(
    state: &mut State,
    ctx: &Ctx,
    target: &Target,
    action: Action,
    duration_ms: u64,
) -> Operation {
    let op = Operation {
        id: common::new_guid(),
        resource_key: target.key(),
        kind: target.kind,
        action,
        subscription: target.subscription.clone(),
        location: location_of(state, target),
        start_ms: ctx.now,
        end_ms: ctx.now.saturating_add(
            ctx.lro_duration_ms
                .unwrap_or_else(|| ctx.settings.scaled(duration_ms)),
        ),
        failure: ctx.lro_failure.clone(),
        done: false,
        canceled: false,
        activity: ctx.activity.clone(),
    };
    state.start_operation(op.clone());
    op
}

pub(crate) fn status_url(ctx: &Ctx, op: &Operation) -> String {
    format!(
        "{}{}?api-version={}",
        ctx.settings.base_url,
        op.status_path(),
        ctx.api_version
    )
}

pub(crate) fn result_url(ctx: &Ctx, op: &Operation) -> String {
    format!(
        "{}{}?api-version={}",
        ctx.settings.base_url,
        op.result_path(),
        ctx.api_version
    )
}

/// Why an aborted operation ended (the status document's `error`, required for `Canceled`).
fn canceled_error(op: &Operation) -> (String, String) {
    (
        "OperationCanceled".to_string(),
        format!(
            "The operation {} was canceled by a request to abort the latest operation.",
            op.id
        ),
    )
}

fn operation(state: &State, ctx: &Ctx, id: &str, status: bool) -> Result<Reply, ArmError> {
    let op = state.operations.get(id).ok_or_else(|| {
        ArmError::new(
            404,
            "OperationNotFound",
            format!("The operation '{id}' could not be found."),
        )
    })?;
    if status {
        let mut doc = json!({
            "id": op.status_path(),
            "name": op.id,
            "status": op.status(),
            "startTime": clock::rfc3339(op.start_ms),
        });
        if op.done {
            doc["endTime"] = json!(clock::rfc3339(op.end_ms));
            doc["percentComplete"] = json!(100.0);
        } else {
            let span = op.end_ms.saturating_sub(op.start_ms).max(1) as f64;
            let pct = (ctx.now.saturating_sub(op.start_ms) as f64 / span * 100.0).min(99.0);
            doc["percentComplete"] = json!((pct * 10.0).round() / 10.0);
        }
        if let (true, Some(f)) = (op.done, &op.failure) {
            doc["error"] = json!({"code": f.code, "message": f.message});
        }
        if op.canceled {
            let (code, message) = canceled_error(op);
            doc["error"] = json!({"code": code, "message": message});
        }
        let mut reply = Reply::json(200, doc);
        if !op.done {
            reply = reply.header("Retry-After", ctx.settings.retry_after().to_string());
        }
        return Ok(reply);
    }
    if !op.done {
        return Ok(Reply::empty(202)
            .header(
                "Location",
                format!(
                    "{}{}?api-version={}",
                    ctx.settings.base_url,
                    op.result_path(),
                    ctx.api_version
                ),
            )
            .header("Retry-After", ctx.settings.retry_after().to_string()));
    }
    if let Some(f) = &op.failure {
        return Err(ArmError::new(500, &f.code, f.message.clone()));
    }
    if op.canceled {
        let e = canceled_error(op);
        return Err(ArmError::new(409, &e.0, e.1));
    }
    match op.action {
        Action::Delete => Ok(Reply::empty(200)),
        Action::Start | Action::Stop => Ok(Reply::empty(204)),
        Action::Create | Action::Update => match state.get(&op.resource_key) {
            Some(record) => Ok(Reply::json(200, render(state, record))),
            None => Ok(Reply::empty(204)),
        },
    }
}
