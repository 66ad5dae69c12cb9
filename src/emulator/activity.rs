//! The Activity Log of the emulated subscriptions (`ActivityLogs_List`,
//! `GET /subscriptions/{sub}/providers/Microsoft.Insights/eventtypes/management/values`,
//! activityLogs_API.json stable 2015-04-01): every write, delete and action the emulator serves is
//! recorded as the `Administrative` events ARM writes — a `BeginRequest` event with status
//! `Started`, an `EndRequest` event with `Succeeded` (200/201/204), `Accepted` (202) or `Failed`
//! (4xx/5xx) and the HTTP status as `subStatus`, and, for a long-running operation, a final event
//! with its outcome when it ends — in the EventData shape of GetActivityLogsFiltered.json
//! (`authorization.action` such as `Microsoft.ContainerService/managedClusters/write`, `caller`,
//! `claims`, `correlationId`, `eventDataId`, `id` = `{resourceId}/events/{eventDataId}/ticks/{ticks}`,
//! `level`, `operationName`, `resourceProviderName`, `status`/`subStatus` as LocalizableStrings, …).
//!
//! `caller` is, per the EventData description, "the email address of the user who has performed
//! the operation, the UPN claim or SPN claim based on availability": the token's `upn`,
//! `unique_name` or `email`, else its `oid` (a service principal's object id), else its `appid`;
//! tokens that are not JWTs (the emulator accepts any by default) are the fixed `TEST_CALLER`.
//!
//! `$filter` takes exactly the documented patterns: `eventTimestamp ge '…'` is required ("$filter
//! is not optional and it requires at least a start time", Azure/azure-rest-api-specs#2467), with
//! optional `eventTimestamp le '…'` and any of `resourceGroupName eq`, `resourceUri eq`,
//! `resourceProvider eq`, `correlationId eq`; the portal's `eventChannels eq` (ignored) and
//! `levels eq` are accepted too. Anything else is the service's flat 400 `BadRequest` ("$filter
//! searching parameters invalid", MicrosoftDocs/feedback#319). `$select` keeps the named
//! properties. Newest events come first, in pages with a `nextLink`.
//!
//! Events are kept with the state, at most `MAX_EVENTS` and at most 90 days (the Activity Log's
//! retention, Learn "Azure Monitor activity log": "Activity log events are retained in Azure for
//! 90 days").

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::emulator::clock;
use crate::emulator::common::Ctx;
use crate::emulator::error::ArmError;
use crate::emulator::handlers::{self, Reply};
use crate::emulator::jwt;
use crate::emulator::kind::Kind;
use crate::emulator::route::Route;
use crate::emulator::state::State;

/// The only published api-version of ActivityLogs_List.
pub(crate) const API_VERSION: &str = "2015-04-01";

/// The principal named when a bearer token carries no claims.
pub(crate) const TEST_CALLER: &str = "azplan-emulator@example.com";

/// Events kept per emulator (oldest dropped first): about a thousand writes. The whole state is
/// rewritten after every change, so the log is kept to a couple of megabytes (an event is about a
/// kilobyte) rather than the service's 90 days of everything.
pub(crate) const MAX_EVENTS: usize = 2_000;

const RETENTION_MS: u64 = 90 * 24 * 3600 * 1000;

/// One recorded event, kept in these few fields and rendered as EventData when listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Event {
    pub(crate) at_ms: u64,
    /// `eventDataId`.
    pub(crate) id: String,
    /// `BeginRequest` (else `EndRequest`).
    pub(crate) begin: bool,
    /// `Started`, `Accepted`, `Succeeded` or `Failed`.
    pub(crate) status: String,
    /// The HTTP answer (`subStatus`), for EndRequest events of a request.
    pub(crate) http_status: Option<u16>,
    pub(crate) subject: Subject,
    pub(crate) request: RequestInfo,
}

impl Event {
    fn new(
        at_ms: u64,
        subject: &Subject,
        request: &RequestInfo,
        begin: bool,
        status: &str,
        http_status: Option<u16>,
    ) -> Event {
        Event {
            at_ms,
            id: uuid::Uuid::new_v4().to_string(),
            begin,
            status: status.to_string(),
            http_status,
            subject: subject.clone(),
            request: request.clone(),
        }
    }

    fn level(&self) -> &'static str {
        if self.status == "Failed" {
            "Error"
        } else {
            "Informational"
        }
    }
}

/// Who sent a request, as far as the Activity Log and Resource Graph's per-user quota care.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Caller {
    /// What `caller` shows.
    pub(crate) shown: String,
    /// Per-user quota key: the principal, or a digest of an opaque token.
    pub(crate) key: String,
    /// The token's claims as strings (EventData `claims`).
    pub(crate) claims: Map<String, Value>,
}

impl Caller {
    /// Reads the caller from an `Authorization` header value (`Bearer <token>`).
    pub(crate) fn from_authorization(value: &str) -> Caller {
        let token = value
            .split_once(' ')
            .map(|(_, t)| t.trim())
            .unwrap_or(value.trim());
        let claims = jwt::claims(token).and_then(|c| match c {
            Value::Object(m) => Some(m),
            _ => None,
        });
        let Some(claims) = claims else {
            let digest = jwt::sha256(token.as_bytes());
            return Caller {
                shown: TEST_CALLER.to_string(),
                key: format!(
                    "token:{}",
                    digest[..8]
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>()
                ),
                claims: Map::new(),
            };
        };
        let claim = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        let shown = ["upn", "unique_name", "email", "oid", "appid"]
            .into_iter()
            .find_map(claim)
            .unwrap_or(TEST_CALLER)
            .to_string();
        let strings = claims
            .iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), Value::String(text))
            })
            .collect();
        Caller {
            key: ["oid", "appid", "upn", "unique_name", "sub"]
                .into_iter()
                .find_map(claim)
                .unwrap_or(&shown)
                .to_string(),
            shown,
            claims: strings,
        }
    }
}

/// The request facts every event of one request shares.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct RequestInfo {
    pub(crate) caller: Caller,
    pub(crate) correlation_id: String,
    pub(crate) client_request_id: String,
    pub(crate) method: String,
}

/// What was acted on, and as which RBAC action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Subject {
    pub(crate) resource_id: String,
    pub(crate) subscription: String,
    pub(crate) resource_group: Option<String>,
    pub(crate) provider: String,
    pub(crate) resource_type: String,
    pub(crate) action: String,
}

/// The subject of a write, delete or action on `route`; `None` for anything that is not one.
pub(crate) fn subject(method: &str, route: &Route) -> Option<Subject> {
    let (target, verb) = match (route, method) {
        (Route::Instance(target), "PUT" | "PATCH") => (target, "write".to_string()),
        (Route::Instance(target), "DELETE") => (target, "delete".to_string()),
        (Route::Action { target, action }, "POST") => (target, format!("{action}/action")),
        _ => return None,
    };
    let resource_type = if target.kind == Kind::PrivateDnsRecordSet {
        // The type segment is the record type (`…/privateDnsZones/TXT/name`).
        let record_type = target.id.rsplit('/').nth(1).unwrap_or("recordSets");
        format!("{}/{record_type}", Kind::PrivateDnsZone.arm_type())
    } else if target.kind == Kind::ResourceGroup {
        "Microsoft.Resources/subscriptions/resourceGroups".to_string()
    } else {
        target.kind.arm_type()
    };
    Some(Subject {
        resource_id: target.id.clone(),
        subscription: target.subscription.clone(),
        resource_group: target.resource_group.clone(),
        provider: target.kind.namespace().to_string(),
        action: format!("{resource_type}/{verb}"),
        resource_type,
    })
}

fn localizable(value: &str, localized: &str) -> Value {
    json!({"value": value, "localizedValue": localized})
}

fn status_word(status: u16) -> &'static str {
    match status {
        202 => "Accepted",
        200..=299 => "Succeeded",
        _ => "Failed",
    }
}

/// The subStatus words the EventData description lists ("OK (HTTP Status Code: 200)", …).
fn sub_status(status: u16) -> Value {
    let word = match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        412 => "Precondition Failed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    };
    localizable(word, &format!("{word} (HTTP Status Code: {status})"))
}

/// .NET ticks (100 ns since 0001-01-01), the last segment of an event's `id`.
fn ticks(ms: u64) -> u64 {
    ms.saturating_mul(10_000)
        .saturating_add(621_355_968_000_000_000)
}

/// The EventData document of an event (GetActivityLogsFiltered.json's shape).
fn render(e: &Event, tenant_id: &str) -> Value {
    let (subject, request) = (&e.subject, &e.request);
    let timestamp = clock::rfc3339(e.at_ms);
    let mut data = json!({
        "authorization": {
            "action": subject.action,
            "scope": subject.resource_id,
        },
        "caller": request.caller.shown,
        "claims": request.caller.claims,
        "correlationId": request.correlation_id,
        "description": "",
        "eventDataId": e.id,
        "eventName": if e.begin {
            localizable("BeginRequest", "Begin request")
        } else {
            localizable("EndRequest", "End request")
        },
        "category": localizable("Administrative", "Administrative"),
        "httpRequest": {
            "clientRequestId": request.client_request_id,
            "clientIpAddress": "127.0.0.1",
            "method": request.method,
        },
        "id": format!("{}/events/{}/ticks/{}", subject.resource_id, e.id, ticks(e.at_ms)),
        "level": e.level(),
        "resourceGroupName": subject.resource_group.clone().unwrap_or_default(),
        "resourceProviderName": localizable(&subject.provider, &subject.provider),
        "resourceId": subject.resource_id,
        "resourceType": localizable(&subject.resource_type, &subject.resource_type),
        "operationId": request.correlation_id,
        "operationName": localizable(&subject.action, &subject.action),
        "properties": {},
        "status": localizable(&e.status, &e.status),
        "subStatus": localizable("", ""),
        "eventTimestamp": timestamp,
        "submissionTimestamp": timestamp,
        "subscriptionId": subject.subscription,
        "tenantId": tenant_id,
    });
    if let Some(code) = e.http_status {
        let sub = sub_status(code);
        data["properties"] = json!({"statusCode": sub["value"]});
        data["subStatus"] = sub;
    }
    data
}

/// Keeps the log in time order (an operation's end is recorded when a later request settles it,
/// possibly after newer events), drops what is past retention, and keeps at most `MAX_EVENTS`.
fn push(state: &mut State, event: Event) {
    let at_ms = event.at_ms;
    let at = state.activity.partition_point(|e| e.at_ms <= at_ms);
    state.activity.insert(at, event);
    let cutoff = at_ms.saturating_sub(RETENTION_MS);
    state.activity.retain(|e| e.at_ms >= cutoff);
    if state.activity.len() > MAX_EVENTS {
        let excess = state.activity.len() - MAX_EVENTS;
        state.activity.drain(..excess);
    }
    state.dirty = true;
}

/// Records the Begin/End pair of one served write, delete or action.
pub(crate) fn record(
    state: &mut State,
    ctx: &Ctx,
    subject: &Subject,
    request: &RequestInfo,
    http_status: u16,
) {
    let begin = Event::new(ctx.now, subject, request, true, "Started", None);
    push(state, begin);
    let status = status_word(http_status);
    let end = Event::new(ctx.now, subject, request, false, status, Some(http_status));
    push(state, end);
}

/// Records the end of a long-running operation that `record` saw accepted.
pub(crate) fn record_completion(
    state: &mut State,
    now: u64,
    subject: &Subject,
    request: &RequestInfo,
    failed: bool,
) {
    let status = if failed { "Failed" } else { "Succeeded" };
    push(
        state,
        Event::new(now, subject, request, false, status, None),
    );
}

fn invalid_filter(why: &str) -> ArmError {
    ArmError::bad_request(
        "BadRequest",
        format!("$filter searching parameters invalid. {why}"),
    )
    .flat()
}

/// Milliseconds of an ISO 8601 time (`2015-01-21T20:00:00Z`, fractions and offsets allowed, or a
/// bare date).
pub(crate) fn parse_time(text: &str) -> Option<u64> {
    let text = text.trim();
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, t),
        None => (text, "00:00:00Z"),
    };
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let (clock_part, offset_secs) = if let Some(t) = time.strip_suffix('Z') {
        (t, 0i64)
    } else if let Some(pos) = time.rfind(['+', '-']) {
        let (t, off) = time.split_at(pos);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (hh, mm) = off[1..].split_once(':').unwrap_or((&off[1..], "0"));
        (
            t,
            sign * (hh.parse::<i64>().ok()? * 3600 + mm.parse::<i64>().ok()? * 60),
        )
    } else {
        (time, 0)
    };
    let (hms, frac) = clock_part.split_once('.').unwrap_or((clock_part, ""));
    let mut parts = hms.split(':');
    let hh: i64 = parts.next()?.parse().ok()?;
    let mi: i64 = parts.next().unwrap_or("0").parse().ok()?;
    let ss: i64 = parts.next().unwrap_or("0").parse().ok()?;
    let millis: i64 = if frac.is_empty() {
        0
    } else {
        format!("{:0<3}", &frac[..frac.len().min(3)]).parse().ok()?
    };
    let days = days_from_civil(y, m, day);
    let secs = days * 86_400 + hh * 3600 + mi * 60 + ss - offset_secs;
    u64::try_from(secs * 1000 + millis).ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A parsed `$filter`.
#[derive(Debug, Default, PartialEq)]
struct Filter {
    from_ms: u64,
    to_ms: Option<u64>,
    resource_group: Option<String>,
    resource_uri: Option<String>,
    provider: Option<String>,
    correlation_id: Option<String>,
    levels: Option<Vec<String>>,
}

fn parse_filter(text: &str) -> Result<Filter, ArmError> {
    let mut filter = Filter::default();
    let mut from = None;
    let lower = text.to_ascii_lowercase();
    // Split on ` and ` outside quotes.
    let mut clauses = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\'' {
            quoted = !quoted;
        } else if !quoted && lower[i..].starts_with(" and ") {
            clauses.push(&text[start..i]);
            i += 5;
            start = i;
            continue;
        }
        i += 1;
    }
    clauses.push(&text[start..]);
    for clause in clauses {
        let clause = clause.trim();
        let mut parts = clause.splitn(3, ' ');
        let (Some(field), Some(op), Some(value)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid_filter(&format!("Cannot read '{clause}'.")));
        };
        let value = value.trim();
        let Some(value) = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .or_else(|| (field == "eventTimestamp").then_some(value))
        else {
            return Err(invalid_filter(&format!(
                "The value in '{clause}' must be quoted."
            )));
        };
        let time = || {
            parse_time(value)
                .ok_or_else(|| invalid_filter(&format!("'{value}' is not an ISO 8601 time.")))
        };
        let op = op.to_ascii_lowercase();
        match (field.to_ascii_lowercase().as_str(), op.as_str()) {
            ("eventtimestamp", "ge") => from = Some(time()?),
            ("eventtimestamp", "le") => filter.to_ms = Some(time()?),
            ("resourcegroupname", "eq") => filter.resource_group = Some(value.to_string()),
            ("resourceuri", "eq") => filter.resource_uri = Some(value.to_string()),
            ("resourceprovider", "eq") => filter.provider = Some(value.to_string()),
            ("correlationid", "eq") => filter.correlation_id = Some(value.to_string()),
            ("eventchannels", "eq") => {}
            ("levels", "eq") => {
                filter.levels = Some(
                    value
                        .split(',')
                        .map(|l| l.trim().to_ascii_lowercase())
                        .collect(),
                )
            }
            _ => {
                return Err(invalid_filter(&format!(
                    "'{clause}' is not one of the documented patterns."
                )));
            }
        }
    }
    filter.from_ms = from.ok_or_else(|| {
        invalid_filter("The filter must contain a start time: eventTimestamp ge '<time>'.")
    })?;
    Ok(filter)
}

/// `ActivityLogs_List`.
pub(crate) fn list(state: &State, ctx: &Ctx, subscription: &str) -> Result<Reply, ArmError> {
    if ctx.api_version != API_VERSION {
        return Err(ArmError::bad_request(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{}' is invalid. The supported versions are '{API_VERSION}'.",
                ctx.api_version
            ),
        ));
    }
    let Some(text) = ctx.query.get("$filter") else {
        return Err(invalid_filter(
            "The filter must contain a start time: eventTimestamp ge '<time>'.",
        ));
    };
    let filter = parse_filter(text)?;
    let to = filter.to_ms.unwrap_or(u64::MAX);
    let same = |a: &str, b: &Option<String>| b.as_ref().is_none_or(|b| a.eq_ignore_ascii_case(b));
    let select: Vec<String> = ctx
        .query
        .get("$select")
        .map(|s| {
            s.split(',')
                .map(|f| f.trim().to_string())
                .filter(|f| !f.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let value: Vec<Value> = state
        .activity
        .iter()
        .rev()
        .filter(|e| e.at_ms >= filter.from_ms && e.at_ms <= to)
        .filter(|e| e.subject.subscription.eq_ignore_ascii_case(subscription))
        .filter(|e| {
            same(
                e.subject.resource_group.as_deref().unwrap_or(""),
                &filter.resource_group,
            )
        })
        .filter(|e| same(&e.subject.resource_id, &filter.resource_uri))
        .filter(|e| same(&e.subject.provider, &filter.provider))
        .filter(|e| same(&e.request.correlation_id, &filter.correlation_id))
        .filter(|e| {
            filter
                .levels
                .as_ref()
                .is_none_or(|levels| levels.contains(&e.level().to_ascii_lowercase()))
        })
        .map(|e| {
            let data = render(e, &ctx.settings.tenant_id);
            if select.is_empty() {
                return data;
            }
            let mut m = Map::new();
            for field in &select {
                if let Some(v) = data.get(field) {
                    m.insert(field.clone(), v.clone());
                }
            }
            Value::Object(m)
        })
        .collect();
    Ok(handlers::paged(ctx, value))
}

#[cfg(test)]
mod tests {
    use super::{
        Caller, Event, MAX_EVENTS, RETENTION_MS, RequestInfo, Subject, TEST_CALLER, parse_filter,
        parse_time, push,
    };
    use crate::emulator::jwt;
    use crate::emulator::state::State;
    use serde_json::json;

    fn at(ms: u64, n: &str) -> Event {
        let subject = Subject {
            resource_id: format!("/subscriptions/s/resourceGroups/{n}"),
            subscription: "s".into(),
            resource_group: Some(n.into()),
            provider: "Microsoft.Resources".into(),
            resource_type: "Microsoft.Resources/subscriptions/resourceGroups".into(),
            action: "Microsoft.Resources/subscriptions/resourceGroups/write".into(),
        };
        Event::new(ms, &subject, &RequestInfo::default(), true, "Started", None)
    }

    #[test]
    fn the_log_stays_ordered_and_bounded() {
        let mut state = State::default();
        for i in 0..(MAX_EVENTS as u64 + 5) {
            push(&mut state, at(RETENTION_MS + 1_000 + i, &i.to_string()));
        }
        assert_eq!(state.activity.len(), MAX_EVENTS);
        assert_eq!(
            state.activity[0].subject.resource_group.as_deref(),
            Some("5"),
            "the oldest go first"
        );
        push(&mut state, at(RETENTION_MS + 1_500, "late"));
        assert!(
            state.activity.windows(2).all(|w| w[0].at_ms <= w[1].at_ms),
            "time order"
        );
        push(&mut state, at(3 * RETENTION_MS, "much later"));
        assert_eq!(state.activity.len(), 1, "older than 90 days is dropped");
    }

    #[test]
    fn times_parse() {
        assert_eq!(parse_time("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(parse_time("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_time("1970-01-01T01:00:00.5+01:00"), Some(500));
        assert_eq!(
            parse_time("2015-01-21T22:14:26.9792776Z"),
            Some(1_421_878_466_979)
        );
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn filters_follow_the_documented_patterns() {
        let f = parse_filter("eventTimestamp ge '2015-01-21T20:00:00Z' and eventTimestamp le '2015-01-23T20:00:00Z' and resourceGroupName eq 'MSSupportGroup'").expect("valid");
        assert_eq!(f.resource_group.as_deref(), Some("MSSupportGroup"));
        assert!(f.to_ms.is_some());
        assert!(
            parse_filter("resourceGroupName eq 'x'").is_err(),
            "no start time"
        );
        assert!(parse_filter("eventTimestamp ge '2015-01-21' and name eq 'x'").is_err());
    }

    #[test]
    fn callers_come_from_claims() {
        let token = jwt::sign(b"k", &json!({"oid": "o-1", "appid": "a-1"}));
        let c = Caller::from_authorization(&format!("Bearer {token}"));
        assert_eq!((c.shown.as_str(), c.key.as_str()), ("o-1", "o-1"));
        let user = jwt::sign(b"k", &json!({"upn": "ann@contoso.com", "oid": "o-2"}));
        assert_eq!(
            Caller::from_authorization(&format!("Bearer {user}")).shown,
            "ann@contoso.com"
        );
        let opaque = Caller::from_authorization("Bearer test-token");
        assert_eq!(opaque.shown, TEST_CALLER);
        assert!(opaque.key.starts_with("token:"));
    }
}
