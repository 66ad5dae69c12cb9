//! The Activity Log over HTTPS (`GET /subscriptions/{sub}/providers/Microsoft.Insights/
//! eventtypes/management/values`, 2015-04-01): every served write, delete and action recorded in
//! the EventData shape of GetActivityLogsFiltered.json, the documented `$filter` patterns (a start
//! time required), `$select`, nextLink paging, and persistence with the state.

mod emulator_support;

use std::collections::BTreeSet;

use azplan::emulator::{Emulator, EmulatorConfig};
use emulator_support::{Client, Resp, SUB, fast_config, group, res, start, url};
use serde_json::{Value, json};

const MSI: &str = "2024-11-30";
const NET: &str = "2025-07-01";
const API: &str = "2015-04-01";

fn log_path(filter: &str) -> String {
    format!(
        "/subscriptions/{SUB}/providers/Microsoft.Insights/eventtypes/management/values?api-version={API}&$filter={}",
        encode(filter)
    )
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A filter for the last and next hour, plus `extra` clauses.
fn window(extra: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    let iso = |secs: u64| {
        // Days-to-civil for the test's own timestamps (UTC).
        let days = (secs / 86_400) as i64;
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        let rem = secs % 86_400;
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    };
    let mut f = format!(
        "eventTimestamp ge '{}' and eventTimestamp le '{}'",
        iso(now - 3600),
        iso(now + 3600)
    );
    if !extra.is_empty() {
        f.push_str(" and ");
        f.push_str(extra);
    }
    f
}

/// Every event of a listing, following nextLink.
async fn events(c: &Client, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(path.to_string());
    while let Some(link) = next {
        let r = c.get(&link).await;
        assert_eq!(r.status, 200, "{link}: {}", r.body);
        out.extend(r.body["value"].as_array().expect("value").iter().cloned());
        next = r.body["nextLink"].as_str().map(str::to_string);
    }
    out
}

fn text<'a>(e: &'a Value, path: &[&str]) -> &'a str {
    let mut cur = e;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or("")
}

/// A JWT with the given claims (unsigned: the emulator accepts any token unless --strict-auth).
fn token(claims: &Value) -> String {
    let b64 = |bytes: &[u8]| {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    };
    format!(
        "{}.{}.sig",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}

#[tokio::test]
async fn writes_are_recorded_in_the_examples_shape() {
    let (emu, c) = start(fast_config()).await;
    let g = group(&c, "Audited").await;
    let uai = res(
        &g,
        "Microsoft.ManagedIdentity/userAssignedIdentities/auditee",
    );
    let created = c
        .call_with(
            "PUT",
            &url(&uai, MSI),
            Some(&json!({"location": "westeurope"})),
            &[
                (
                    "x-ms-correlation-request-id",
                    "11111111-aaaa-4bbb-8ccc-000000000001",
                ),
                ("x-ms-client-request-id", "client-1"),
            ],
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(
        created.header("x-ms-correlation-request-id"),
        Some("11111111-aaaa-4bbb-8ccc-000000000001")
    );
    let reads_before = events(&c, &log_path(&window(""))).await.len();
    c.get(&url(&uai, MSI)).await;
    assert_eq!(
        events(&c, &log_path(&window(""))).await.len(),
        reads_before,
        "reads are not recorded"
    );

    let all = events(
        &c,
        &log_path(&window(
            "correlationId eq '11111111-aaaa-4bbb-8ccc-000000000001'",
        )),
    )
    .await;
    assert_eq!(all.len(), 2, "{all:#?}");
    // Newest first: the EndRequest, then the BeginRequest.
    let (end, begin) = (&all[0], &all[1]);
    assert_eq!(text(begin, &["eventName", "value"]), "BeginRequest");
    assert_eq!(text(begin, &["status", "value"]), "Started");
    assert_eq!(text(end, &["eventName", "value"]), "EndRequest");
    assert_eq!(text(end, &["status", "value"]), "Succeeded");
    assert_eq!(text(end, &["subStatus", "value"]), "Created");
    assert_eq!(
        text(end, &["subStatus", "localizedValue"]),
        "Created (HTTP Status Code: 201)"
    );
    assert_eq!(text(end, &["properties", "statusCode"]), "Created");
    let action = "Microsoft.ManagedIdentity/userAssignedIdentities/write";
    for e in [begin, end] {
        assert_eq!(text(e, &["authorization", "action"]), action);
        assert_eq!(text(e, &["authorization", "scope"]), uai);
        assert_eq!(text(e, &["operationName", "value"]), action);
        assert_eq!(
            text(e, &["resourceProviderName", "value"]),
            "Microsoft.ManagedIdentity"
        );
        assert_eq!(text(e, &["resourceGroupName"]), "Audited");
        assert_eq!(text(e, &["resourceId"]), uai);
        assert_eq!(text(e, &["category", "value"]), "Administrative");
        assert_eq!(text(e, &["level"]), "Informational");
        assert_eq!(text(e, &["caller"]), "azplan-emulator@example.com");
        assert_eq!(text(e, &["subscriptionId"]), SUB);
        assert_eq!(text(e, &["tenantId"]), emu.tenant_id());
        assert_eq!(text(e, &["httpRequest", "method"]), "PUT");
        assert_eq!(text(e, &["httpRequest", "clientRequestId"]), "client-1");
        let id = text(e, &["id"]);
        let event_id = text(e, &["eventDataId"]);
        assert!(
            id.starts_with(&format!("{uai}/events/{event_id}/ticks/")),
            "{id}"
        );
        assert!(text(e, &["eventTimestamp"]).ends_with('Z'));
        assert!(!text(e, &["submissionTimestamp"]).is_empty());
    }
    assert_ne!(text(begin, &["eventDataId"]), text(end, &["eventDataId"]));

    // A refused write is recorded as Failed, level Error.
    let missing = res(
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/nowhere",
        "Microsoft.ManagedIdentity/userAssignedIdentities/lost",
    );
    let r = c
        .call_with(
            "PUT",
            &url(&missing, MSI),
            Some(&json!({"location": "westeurope"})),
            &[(
                "x-ms-correlation-request-id",
                "11111111-aaaa-4bbb-8ccc-000000000002",
            )],
        )
        .await;
    assert_eq!(r.status, 404);
    let failed = events(
        &c,
        &log_path(&window(
            "correlationId eq '11111111-aaaa-4bbb-8ccc-000000000002'",
        )),
    )
    .await;
    assert_eq!(text(&failed[0], &["status", "value"]), "Failed");
    assert_eq!(text(&failed[0], &["level"]), "Error");
    assert_eq!(text(&failed[0], &["subStatus", "value"]), "Not Found");

    // A long-running write: Accepted/Succeeded at the request, then Succeeded when it ends.
    let vnet = res(&g, "Microsoft.Network/virtualNetworks/net");
    let put = c
        .call_with(
            "PUT",
            &url(&vnet, NET),
            Some(&json!({"location": "westeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.9.0.0/16"]}}})),
            &[("x-ms-correlation-request-id", "11111111-aaaa-4bbb-8ccc-000000000003")],
        )
        .await;
    assert_eq!(put.status, 201);
    c.wait(&put).await;
    let lro = events(
        &c,
        &log_path(&window(
            "correlationId eq '11111111-aaaa-4bbb-8ccc-000000000003'",
        )),
    )
    .await;
    let statuses: Vec<&str> = lro.iter().map(|e| text(e, &["status", "value"])).collect();
    assert_eq!(statuses, ["Succeeded", "Succeeded", "Started"], "{lro:#?}");
    assert_eq!(
        text(&lro[0], &["operationName", "value"]),
        "Microsoft.Network/virtualNetworks/write"
    );

    // Deletes and the caller of a user token.
    let ann = c.with_token(&token(
        &json!({"upn": "ann@contoso.com", "oid": "0b0e0000-0000-4000-8000-000000000001"}),
    ));
    let del = ann.delete(&url(&uai, MSI)).await;
    assert_eq!(del.status, 200);
    let deletes = events(&c, &log_path(&window(&format!("resourceUri eq '{uai}'")))).await;
    let delete_events: Vec<&Value> = deletes
        .iter()
        .filter(|e| text(e, &["operationName", "value"]).ends_with("/delete"))
        .collect();
    assert_eq!(delete_events.len(), 2);
    assert_eq!(text(delete_events[0], &["caller"]), "ann@contoso.com");
    assert_eq!(
        text(delete_events[0], &["claims", "oid"]),
        "0b0e0000-0000-4000-8000-000000000001"
    );
    // A service principal's token shows its object id.
    let sp = c.with_token(&token(&json!({"appid": "5a5a0000-0000-4000-8000-000000000001", "oid": "0b0e0000-0000-4000-8000-000000000002"})));
    sp.put(&url(&uai, MSI), &json!({"location": "westeurope"}))
        .await;
    let newest = events(&c, &log_path(&window(""))).await;
    assert_eq!(
        text(&newest[0], &["caller"]),
        "0b0e0000-0000-4000-8000-000000000002"
    );
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// An EndRequest event has every property of GetActivityLogsFiltered.json's event (but the
/// authorization `role`: the emulator knows no role definitions), and nothing the EventData
/// definition of activityLogs_API.json lacks.
#[tokio::test]
async fn events_have_the_examples_shape() {
    let (_emu, c) = start(fast_config()).await;
    group(&c, "MSSupportGroup").await;
    let path = format!(
        "{}/tests/emulator_support/examples/activitylog/monitor-2015-04-01-GetActivityLogsFiltered.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let example: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("JSON");
    let want = &example["responses"]["200"]["body"]["value"][0];
    let got = events(
        &c,
        &log_path(&window("resourceGroupName eq 'MSSupportGroup'")),
    )
    .await;
    let end = got
        .iter()
        .find(|e| text(e, &["eventName", "value"]) == "EndRequest")
        .expect("an EndRequest event");
    let missing: Vec<String> = keys(want).difference(&keys(end)).cloned().collect();
    assert!(missing.is_empty(), "missing {missing:?}");
    let definition: BTreeSet<String> = [
        "authorization",
        "claims",
        "caller",
        "description",
        "id",
        "eventDataId",
        "correlationId",
        "eventName",
        "category",
        "httpRequest",
        "level",
        "resourceGroupName",
        "resourceProviderName",
        "resourceId",
        "resourceType",
        "operationId",
        "operationName",
        "properties",
        "status",
        "subStatus",
        "eventTimestamp",
        "submissionTimestamp",
        "subscriptionId",
        "tenantId",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    let extra: Vec<String> = keys(end).difference(&definition).cloned().collect();
    assert!(extra.is_empty(), "not in EventData: {extra:?}");
    for nested in [
        "eventName",
        "httpRequest",
        "resourceProviderName",
        "operationName",
        "status",
        "subStatus",
        "properties",
    ] {
        assert_eq!(keys(&end[nested]), keys(&want[nested]), "{nested}");
    }
    let mut authorization = keys(&want["authorization"]);
    authorization.remove("role");
    assert_eq!(keys(&end["authorization"]), authorization);
    assert_eq!(
        end["subStatus"], want["subStatus"],
        "a 201 reads as in the example"
    );
    assert_eq!(end["properties"], want["properties"]);
    assert_eq!(end["level"], want["level"]);
}

#[tokio::test]
async fn filters_select_and_pages() {
    let config = EmulatorConfig {
        list_page_size: 3,
        ..fast_config()
    };
    let (_emu, c) = start(config).await;
    let a = group(&c, "alpha").await;
    let b = group(&c, "beta").await;
    for (g, name) in [(&a, "one"), (&a, "two"), (&b, "three")] {
        c.put(
            &url(
                &res(
                    g,
                    &format!("Microsoft.ManagedIdentity/userAssignedIdentities/{name}"),
                ),
                MSI,
            ),
            &json!({"location": "westeurope"}),
        )
        .await;
    }
    // Two groups and three identities, two events each.
    let all = events(&c, &log_path(&window(""))).await;
    assert_eq!(all.len(), 10, "followed nextLink across pages of three");
    let ids: BTreeSet<&str> = all.iter().map(|e| text(e, &["eventDataId"])).collect();
    assert_eq!(ids.len(), 10, "no event twice");
    let times: Vec<&str> = all.iter().map(|e| text(e, &["eventTimestamp"])).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|x, y| y.cmp(x));
    assert_eq!(times, sorted, "newest first");

    let in_alpha = events(&c, &log_path(&window("resourceGroupName eq 'ALPHA'"))).await;
    assert_eq!(in_alpha.len(), 6, "the group itself and its two identities");
    let groups_rp = events(
        &c,
        &log_path(&window("resourceProvider eq 'Microsoft.Resources'")),
    )
    .await;
    assert_eq!(groups_rp.len(), 4);
    let one = res(&a, "Microsoft.ManagedIdentity/userAssignedIdentities/one");
    let by_uri = events(
        &c,
        &log_path(&window(&format!("resourceUri eq '{}'", one.to_uppercase()))),
    )
    .await;
    assert_eq!(by_uri.len(), 2);
    let past = events(
        &c,
        &log_path(
            "eventTimestamp ge '2015-01-21T20:00:00Z' and eventTimestamp le '2015-01-23T20:00:00Z'",
        ),
    )
    .await;
    assert!(past.is_empty());
    let errors_only = events(&c, &log_path(&window("levels eq 'Critical,Error'"))).await;
    assert!(errors_only.is_empty());

    let selected = events(
        &c,
        &format!(
            "{}&$select={}",
            log_path(&window("")),
            encode("operationName,status")
        ),
    )
    .await;
    for e in &selected {
        let keys: Vec<&String> = e.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["operationName", "status"], "{e}");
    }
}

#[tokio::test]
async fn a_filter_must_give_a_start_time() {
    let (_emu, c) = start(fast_config()).await;
    let flat = |r: &Resp| r.body["code"].as_str().unwrap_or("").to_string();
    let bare = format!(
        "/subscriptions/{SUB}/providers/Microsoft.Insights/eventtypes/management/values?api-version={API}"
    );
    let r = c.get(&bare).await;
    assert_eq!(
        (r.status, flat(&r)),
        (400, "BadRequest".to_string()),
        "{}",
        r.body
    );
    for f in [
        "resourceGroupName eq 'x'",
        "eventTimestamp le '2015-01-23T20:00:00Z'",
        "eventTimestamp ge 'yesterday'",
        "eventTimestamp ge '2015-01-21T20:00:00Z' and name eq 'x'",
        "eventTimestamp ge '2015-01-21T20:00:00Z' or resourceGroupName eq 'x'",
    ] {
        let r = c.get(&log_path(f)).await;
        assert_eq!(r.status, 400, "{f}: {}", r.body);
        assert_eq!(flat(&r), "BadRequest", "{f}");
        assert!(
            r.body["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("$filter searching parameters invalid"),
            "{}",
            r.body
        );
    }
    let wrong = log_path(&window("")).replace(API, "2017-03-01-preview");
    assert_eq!(c.get(&wrong).await.status, 400);
    // The official example's filter parses (and finds nothing in 2015).
    let example = "eventTimestamp ge '2015-01-21T20:00:00Z' and eventTimestamp le '2015-01-23T20:00:00Z' and resourceGroupName eq 'MSSupportGroup'";
    let r = c.get(&log_path(example)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["value"], json!([]));
}

#[tokio::test]
async fn events_are_kept_with_the_state() {
    let dir = std::env::temp_dir().join(format!("azplan-activity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let state = dir.join("state.json");
    let _ = std::fs::remove_file(&state);
    let config = EmulatorConfig {
        state_file: Some(state.clone()),
        ..fast_config()
    };
    let emu = Emulator::start(config.clone()).await.expect("starts");
    let c = Client::new(&emu, Some("test-token"));
    group(&c, "kept").await;
    let before = events(&c, &log_path(&window(""))).await;
    assert_eq!(before.len(), 2);
    emu.shutdown().await.expect("shuts down");
    let emu = Emulator::start(config).await.expect("restarts");
    let c = Client::new(&emu, Some("test-token"));
    let after = events(&c, &log_path(&window(""))).await;
    assert_eq!(after, before);
    emu.shutdown().await.expect("shuts down");
    let _ = std::fs::remove_dir_all(&dir);
}
