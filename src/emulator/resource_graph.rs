//! Azure Resource Graph (`POST /providers/Microsoft.ResourceGraph/resources`, operation
//! `Resources` of resourcegraph.json, stable 2024-04-01): the `Resources` table (and
//! `ResourceContainers` for resource groups) over the emulator's current state, so a planner can
//! read an estate in a few queries instead of one GET per resource. Resource Graph itself is
//! eventually consistent; the emulator answers with the current state.
//!
//! The KQL subset served (anything else is Resource Graph's invalid-query answer, below):
//!
//! ```text
//! query     := [table] { "|" operator }        table: Resources | ResourceContainers (any case;
//!                                              without one, Resources, as the service assumes)
//! operator  := where cond
//!            | project column { "," column }
//!            | (order | sort) by column [asc | desc] { "," column [asc | desc] }   (default desc, as KQL)
//!            | (limit | take) N
//! cond      := cond "or" cond | cond "and" cond | "(" cond ")" | compare
//! compare   := value ("=~" | "!~" | "==" | "!=" | "contains" | "!contains") 'text'
//!            | value ("in~" | "!in~" | "in" | "!in") "(" 'text' { "," 'text' } ")"
//! value     := column | tags['key'] | tags["key"] | tags.key
//! column    := id | name | type | tenantId | kind | location | resourceGroup | subscriptionId
//!            | managedBy | sku | plan | properties | tags | identity | zones | extendedLocation
//! ```
//!
//! Rows carry the columns Resource Graph returns for `Resources`; `type`, `location` and
//! `resourceGroup` are lower-cased as the service answers (every 2024-04-01 example shows
//! `"type": "microsoft.network/virtualnetworks"` for `Microsoft.Network/virtualNetworks`), `id`
//! and `name` keep the casing of the last PUT. Missing tags are `{}` (ResourcesBasicQuery's
//! untagged `myVnet`), other missing strings `""` and missing objects `null`.
//!
//! Request (QueryRequest): `subscriptions` (none: every subscription, the tenant scope of the
//! ResourcesTenantBasicQuery example), `managementGroups` (refused: the emulator has none),
//! `query`, `options` (`$top` 1–1000, `$skip`, `$skipToken`, `resultFormat` `objectArray` (default)
//! or `table`), `facets` (answered as `FacetError`, not computed). Answer (QueryResponse):
//! `totalRecords`, `count`, `resultTruncated` ("true"/"false" strings), `$skipToken` when more rows
//! follow, `data`, `facets`, exactly as ResourcesBasicQuery / ResourcesFirstPageQuery /
//! ResourcesNextPageQuery show.
//!
//! Paging (Learn "Working with large Azure resource data sets"): at most 1,000 rows per answer by
//! default and at most 1,000 with `$top`; `limit`/`take` in the query win when smaller, and `$skip`
//! is ignored when the query uses them. A `$skipToken` is handed out only when the rows carry `id`
//! (FirstPage/NextPage examples: "id field is required in the response to return the pages in
//! stable sorted fashion"); without `id` the answer is cut with `resultTruncated: "true"`. The token
//! is opaque base64 of the next offset, page size and a hash of query and scopes; rows without an
//! `order by` come in id order, so pages are stable.
//!
//! Errors: an invalid or unsupported query is 400 `BadRequest` with `details` `InvalidQuery`
//! ("Query is invalid. Please refer to the documentation for the Azure Resource Graph service and
//! fix the error before retrying.") and a `ParserFailure` (syntax) or `InvalidQueryLanguage`
//! (operators outside the subset) detail with `line`, `characterPositionInLine` and `token` — the
//! shape quoted from the service in Azure/aztfexport#485 and Azure/azure-powershell#13762.
//! Throttling (`throttle::UserQuota`, 429 `RateLimiting`) is applied by `server`.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};

use crate::emulator::common::Ctx;
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{self, Reply};
use crate::emulator::jwt;
use crate::emulator::kind::Kind;
use crate::emulator::kql::{self, COLUMNS, Op, Query, Table, support_message};
use crate::emulator::state::{Record, State};

/// Stable api-versions of `Resources` in specification/resourcegraph/…/stable (2019-04-01 left out:
/// its answers predate the objectArray default this module serves).
pub(crate) const API_VERSIONS: [&str; 3] = ["2024-04-01", "2022-10-01", "2021-03-01"];

/// Rows per answer without `$top`, and the largest `$top` (QueryRequestOptions `maximum: 1000`).
const PAGE: usize = 1000;

/// The 429 of an exhausted user quota (Azure/azure-cli-extensions#3325 quotes the service).
pub(crate) fn throttled(retry_after_secs: u64) -> ArmError {
    let mut err = ArmError::new(
        429,
        "RateLimiting",
        support_message(),
    )
    .with_details(vec![json!({
        "code": "RateLimiting",
        "message": "Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help."
    })]);
    err.retry_after = Some(retry_after_secs.max(1));
    err
}

fn bad_option(message: String) -> ArmError {
    ArmError::bad_request("BadRequest", support_message()).with_details(vec![json!({
        "code": "InvalidRequestContent",
        "message": message
    })])
}

/// The `Resources` row of a record (or the `ResourceContainers` row of a resource group), without
/// `properties`: composing those (a VNet's subnets, a cluster's pools) is the costly part, so it
/// is done by `properties_of` only for rows a query keeps, or filters or sorts on.
fn row(ctx: &Ctx, record: &Record) -> Map<String, Value> {
    let body = &record.body;
    let segments: Vec<&str> = record.id.split('/').collect();
    let subscription = segments.get(2).copied().unwrap_or("");
    let group = segments.get(4).copied().unwrap_or("");
    let arm_type = if record.kind == Kind::ResourceGroup {
        "Microsoft.Resources/subscriptions/resourceGroups".to_string()
    } else {
        record.kind.arm_type()
    };
    let text = |field: &str| json!(body.get(field).and_then(Value::as_str).unwrap_or(""));
    let object = |field: &str| body.get(field).cloned().unwrap_or(Value::Null);
    let mut m = Map::new();
    m.insert("id".into(), json!(record.id));
    m.insert("name".into(), text("name"));
    m.insert("type".into(), json!(arm_type.to_lowercase()));
    m.insert("tenantId".into(), json!(ctx.settings.tenant_id));
    m.insert("kind".into(), text("kind"));
    m.insert(
        "location".into(),
        json!(
            body.get("location")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_lowercase()
        ),
    );
    m.insert("resourceGroup".into(), json!(group.to_lowercase()));
    m.insert("subscriptionId".into(), json!(subscription));
    m.insert("managedBy".into(), text("managedBy"));
    for field in ["sku", "plan", "identity", "zones", "extendedLocation"] {
        m.insert(field.into(), object(field));
    }
    // An untagged resource shows `"tags": {}` (myVnet in ResourcesBasicQuery.json).
    m.insert(
        "tags".into(),
        body.get("tags")
            .filter(|t| t.is_object())
            .cloned()
            .unwrap_or_else(|| json!({})),
    );
    m
}

/// The `properties` column: the resource's GET representation's properties.
fn properties_of(state: &State, record: &Record) -> Value {
    handlers::render(state, record)
        .get("properties")
        .cloned()
        .unwrap_or(Value::Null)
}

/// Whether a `where` or `order by` looks at `properties` (then every row needs it up front).
fn filters_on_properties(query: &Query) -> bool {
    query.ops.iter().any(|op| match op {
        Op::Where(cond) => kql::columns_of(cond).contains(&"properties"),
        Op::Order(keys) => keys.iter().any(|(c, _)| c == "properties"),
        Op::Project(_) | Op::Limit(_) => false,
    })
}

/// Which records a table holds: `Resources` the tracked resources (those with a location, as the
/// generic LIST), `ResourceContainers` the resource groups.
fn in_table(table: Table, record: &Record) -> bool {
    match table {
        Table::Resources => {
            !matches!(
                record.kind,
                Kind::ResourceGroup | Kind::RoleAssignment | Kind::PolicyAssignment
            ) && record.body.get("location").is_some()
        }
        Table::ResourceContainers => record.kind == Kind::ResourceGroup,
    }
}

fn compare_cells(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        _ => kql::cell_text(a).cmp(&kql::cell_text(b)),
    }
}

/// What a query produced: its rows (with the record each came from, `properties` still to fill
/// in unless `filled`), the columns they carry, and whether `limit`/`take` cut them.
struct Output<'s> {
    rows: Vec<(&'s Record, Map<String, Value>)>,
    columns: Vec<String>,
    limited: bool,
    filled: bool,
}

/// Runs the pipeline: every row of the table in scope, through the operators in order.
fn run<'s>(state: &'s State, ctx: &Ctx, query: &Query, subscriptions: &[String]) -> Output<'s> {
    let filled = filters_on_properties(query);
    let mut rows: Vec<(&Record, Map<String, Value>)> = state
        .resources
        .values()
        .filter(|r| in_table(query.table, r))
        .filter(|r| {
            let sub = r.id.split('/').nth(2).unwrap_or("");
            subscriptions.is_empty() || subscriptions.iter().any(|s| s.eq_ignore_ascii_case(sub))
        })
        .map(|r| {
            let mut m = row(ctx, r);
            if filled {
                m.insert("properties".into(), properties_of(state, r));
            }
            (r, m)
        })
        .collect();
    let mut columns: Vec<String> = COLUMNS.iter().map(|(c, _)| (*c).to_string()).collect();
    let mut limited = false;
    for op in &query.ops {
        match op {
            Op::Where(cond) => rows.retain(|(_, r)| kql::keeps(cond, r)),
            Op::Project(keep) => {
                columns = keep.clone();
                for (_, r) in &mut rows {
                    r.retain(|k, _| keep.iter().any(|c| c == k));
                }
            }
            Op::Order(keys) => rows.sort_by(|(_, a), (_, b)| {
                for (column, descending) in keys {
                    let o = compare_cells(a.get(column), b.get(column));
                    let o = if *descending { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                Ordering::Equal
            }),
            Op::Limit(n) => {
                rows.truncate(*n);
                limited = true;
            }
        }
    }
    Output {
        rows,
        columns,
        limited,
        filled,
    }
}

/// What a `$skipToken` carries.
struct Token {
    offset: usize,
    size: usize,
    hash: String,
}

fn query_hash(query: &str, subscriptions: &[String]) -> String {
    let mut subs: Vec<String> = subscriptions.iter().map(|s| s.to_lowercase()).collect();
    subs.sort();
    let digest = jwt::sha256(format!("{query}\n{}", subs.join(",")).as_bytes());
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

fn encode_token(t: &Token) -> String {
    jwt::b64url(
        json!({"o": t.offset, "s": t.size, "h": t.hash})
            .to_string()
            .as_bytes(),
    )
}

fn decode_token(text: &str) -> Option<Token> {
    let v: Value = serde_json::from_slice(&jwt::b64url_decode(text)?).ok()?;
    Some(Token {
        offset: usize::try_from(v.get("o")?.as_u64()?).ok()?,
        size: usize::try_from(v.get("s")?.as_u64()?).ok()?,
        hash: v.get("h")?.as_str()?.to_string(),
    })
}

fn int_option(options: &Value, name: &str, min: i64, max: i64) -> Result<Option<usize>, ArmError> {
    match options.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64().filter(|n| (min..=max).contains(n)) {
            Some(n) => Ok(usize::try_from(n).ok()),
            None => Err(bad_option(format!(
                "The option '{name}' must be an integer from {min} to {max}; got {v}."
            ))),
        },
    }
}

/// `Resources` (POST): runs the request's query and answers one page.
pub(crate) fn resources(
    state: &State,
    ctx: &Ctx,
    method: &str,
    body: Option<&Value>,
) -> Result<Reply, ArmError> {
    if method != "POST" {
        return Err(ArmError::new(
            405,
            "MethodNotAllowed",
            format!("The HTTP method '{method}' is not supported here."),
        ));
    }
    if ctx.api_version.is_empty() {
        return Err(ArmError::bad_request(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    }
    if !API_VERSIONS.contains(&ctx.api_version.as_str()) {
        return Err(ArmError::bad_request(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for location 'global' and API version '{}' for type 'resources'. The supported api-versions are '{}'.",
                ctx.api_version,
                API_VERSIONS.join(", ")
            ),
        ));
    }
    let empty = json!({});
    let body = body.unwrap_or(&empty);
    if !body.is_object() {
        return Err(ArmError::invalid_body(
            "the request body must be a JSON object",
        ));
    }
    let Some(text) = body.get("query").and_then(Value::as_str) else {
        return Err(ArmError::missing_property("query"));
    };
    let strings = |field: &str| -> Result<Vec<String>, ArmError> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str().map(str::to_string).ok_or_else(|| {
                        ArmError::invalid_body(&format!("'{field}' must be an array of strings"))
                    })
                })
                .collect(),
            Some(_) => Err(ArmError::invalid_body(&format!(
                "'{field}' must be an array of strings"
            ))),
        }
    };
    let subscriptions = strings("subscriptions")?;
    if !strings("managementGroups")?.is_empty() {
        return Err(ArmError::new(
            501,
            "ManagementGroupsNotEmulated",
            "The azplan emulator has no management groups; scope the query with 'subscriptions' (or neither, for every subscription).",
        ));
    }
    let query = kql::parse(text)?;
    let options = body.get("options").cloned().unwrap_or(Value::Null);
    let top = int_option(&options, "$top", 1, PAGE as i64)?;
    let skip = int_option(&options, "$skip", 0, i64::MAX)?;
    let format = options
        .get("resultFormat")
        .and_then(Value::as_str)
        .unwrap_or("objectArray");
    if !matches!(format, "objectArray" | "table") {
        return Err(bad_option(format!(
            "The option 'resultFormat' must be 'objectArray' or 'table'; got '{format}'."
        )));
    }
    let hash = query_hash(text, &subscriptions);
    let token = match options.get("$skipToken").and_then(Value::as_str) {
        None | Some("") => None,
        Some(t) => match decode_token(t).filter(|t| t.hash == hash) {
            Some(token) => Some(token),
            None => {
                return Err(bad_option(
                    "The '$skipToken' is not valid for this query and these scopes.".to_string(),
                ));
            }
        },
    };
    let Output {
        rows,
        columns,
        limited,
        filled,
    } = run(state, ctx, &query, &subscriptions);
    let total = rows.len();
    let size = top.or(token.as_ref().map(|t| t.size)).unwrap_or(PAGE);
    // "If the query uses limit or take, skip is ignored" (Learn, "Skipping records").
    let offset = if limited {
        token.as_ref().map(|t| t.offset).unwrap_or(0)
    } else {
        skip.or(token.as_ref().map(|t| t.offset)).unwrap_or(0)
    };
    let wants_properties = !filled && columns.iter().any(|c| c == "properties");
    let page: Vec<Map<String, Value>> = rows
        .into_iter()
        .skip(offset)
        .take(size)
        .map(|(record, mut r)| {
            if wants_properties {
                r.insert("properties".into(), properties_of(state, record));
            }
            r
        })
        .collect();
    let more = offset.saturating_add(size) < total;
    let pageable = columns.iter().any(|c| c == "id");
    let data = if format == "table" {
        let types: Vec<Value> = columns
            .iter()
            .map(|c| {
                let ty = COLUMNS
                    .iter()
                    .find(|(name, _)| name == c)
                    .map(|(_, t)| *t)
                    .unwrap_or("object");
                json!({"name": c, "type": ty})
            })
            .collect();
        let cells: Vec<Value> = page
            .iter()
            .map(|r| {
                Value::Array(
                    columns
                        .iter()
                        .map(|c| r.get(c).cloned().unwrap_or(Value::Null))
                        .collect(),
                )
            })
            .collect();
        json!({"columns": types, "rows": cells})
    } else {
        Value::Array(page.iter().cloned().map(Value::Object).collect())
    };
    let facets: Vec<Value> = match body.get("facets").and_then(Value::as_array) {
        None => Vec::new(),
        Some(requests) => requests
            .iter()
            .map(|f| {
                json!({
                    "expression": f.get("expression").cloned().unwrap_or(Value::Null),
                    "resultType": "FacetError",
                    "errors": [{
                        "code": "NotEmulated",
                        "message": "Facets are not computed by the azplan emulator."
                    }]
                })
            })
            .collect(),
    };
    let mut answer = json!({
        "totalRecords": total,
        "count": page.len(),
        "resultTruncated": if more && !pageable { "true" } else { "false" },
        "facets": facets,
        "data": data,
    });
    if more && pageable {
        answer["$skipToken"] = json!(encode_token(&Token {
            offset: offset + size,
            size,
            hash,
        }));
    }
    Ok(Reply::json(200, answer))
}
