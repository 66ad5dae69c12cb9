//! Private DNS record sets over HTTPS: CRUD in the official examples' shapes, the concurrency
//! headers a run lock is built on (If-None-Match: * create-only, If-Match compare-and-swap on PUT,
//! PATCH and DELETE, a fresh etag on every write), races between clients, persistence, and the
//! zone's own conditional writes.

mod emulator_support;

use std::path::PathBuf;

use azplan::emulator::{Emulator, EmulatorConfig};
use emulator_support::{Client, Resp, fast_config, group, res, start, url};
use serde_json::{Value, json};

const API: &str = "2024-06-01";

async fn zone(c: &Client, g: &str, name: &str) -> String {
    let id = res(g, &format!("Microsoft.Network/privateDnsZones/{name}"));
    c.create(&url(&id, API), &json!({"location": "global"}))
        .await;
    id
}

fn flat_code(r: &Resp) -> &str {
    r.body["code"].as_str().unwrap_or("")
}

fn etag_of(r: &Resp) -> String {
    r.body["etag"].as_str().expect("etag").to_string()
}

/// The request body of RecordSetTXTPut.json (privatedns stable/2024-06-01).
fn txt_example() -> Value {
    json!({"properties": {"metadata": {"key1": "value1"}, "ttl": 3600,
        "txtRecords": [{"value": ["string1", "string2"]}]}})
}

#[tokio::test]
async fn record_sets_answer_in_the_examples_shapes() {
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "records").await;
    let z = zone(&c, &g, "privatezone1.com").await;
    let rs = url(&format!("{z}/TXT/recordTXT"), API);

    // RecordSetTXTPut.json: 201 on create, the name lower-cased, fqdn and isAutoRegistered filled.
    let r = c.put(&rs, &txt_example()).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(r.header("location").is_none() && r.header("azure-asyncoperation").is_none());
    assert_eq!(r.body["name"], "recordtxt");
    assert_eq!(r.body["type"], "Microsoft.Network/privateDnsZones/TXT");
    assert_eq!(r.body["id"], format!("{z}/TXT/recordtxt"));
    assert_eq!(
        r.body["properties"],
        json!({"fqdn": "recordtxt.privatezone1.com.", "isAutoRegistered": false,
            "metadata": {"key1": "value1"}, "ttl": 3600,
            "txtRecords": [{"value": ["string1", "string2"]}]})
    );
    let first = etag_of(&r);
    assert_eq!(r.header("etag"), Some(first.as_str()));
    let got = c.get(&rs).await;
    assert_eq!((got.status, etag_of(&got)), (200, first.clone()));
    assert_eq!(got.header("etag"), Some(first.as_str()));

    // A second PUT answers 200 and renews the etag.
    let r = c.put(&rs, &txt_example()).await;
    assert_eq!(r.status, 200);
    let second = etag_of(&r);
    assert_ne!(second, first, "every write renews the etag");

    // RecordSetTXTPatch.json: metadata replaced, ttl and records kept, etag renewed.
    let r = c
        .patch(
            &rs,
            &json!({"properties": {"metadata": {"key2": "value2"}}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["properties"]["metadata"], json!({"key2": "value2"}));
    assert_eq!(r.body["properties"]["ttl"], 3600);
    assert_eq!(
        r.body["properties"]["txtRecords"],
        json!([{"value": ["string1", "string2"]}])
    );
    assert_ne!(etag_of(&r), second);

    // RecordSetAPut.json and RecordSetCNAMEPut.json request bodies.
    let a = url(&format!("{z}/A/recordA"), API);
    let r = c
        .put(
            &a,
            &json!({"properties": {"metadata": {"key1": "value1"}, "ttl": 3600,
                "aRecords": [{"ipv4Address": "1.2.3.4"}]}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["properties"]["aRecords"][0]["ipv4Address"],
        "1.2.3.4"
    );
    let cname = url(&format!("{z}/CNAME/recordCNAME"), API);
    let r = c
        .put(
            &cname,
            &json!({"properties": {"cnameRecord": {"cname": "contoso.com"}, "metadata": {"key1": "value1"}, "ttl": 3600}}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        r.body["properties"]["cnameRecord"],
        json!({"cname": "contoso.com"})
    );

    // Listing: by type, and ALL (the SOA record set every zone starts with included).
    let listed = c.get(&url(&format!("{z}/TXT"), API)).await;
    assert_eq!(listed.status, 200);
    let names = |r: &Resp| -> Vec<String> {
        r.body["value"]
            .as_array()
            .expect("value")
            .iter()
            .map(|v| {
                format!(
                    "{}/{}",
                    v["type"].as_str().unwrap_or(""),
                    v["name"].as_str().unwrap_or("")
                )
            })
            .collect()
    };
    assert_eq!(
        names(&listed),
        ["Microsoft.Network/privateDnsZones/TXT/recordtxt"]
    );
    let all = c.get(&url(&format!("{z}/ALL"), API)).await;
    let mut all_names = names(&all);
    all_names.sort();
    assert_eq!(
        all_names,
        [
            "Microsoft.Network/privateDnsZones/A/recorda",
            "Microsoft.Network/privateDnsZones/CNAME/recordcname",
            "Microsoft.Network/privateDnsZones/SOA/@",
            "Microsoft.Network/privateDnsZones/TXT/recordtxt",
        ]
    );
    let top = c.get(&url(&format!("{z}/ALL?$top=2"), API)).await;
    assert_eq!(top.body["value"].as_array().map(Vec::len), Some(2));
    let zone_now = c.get(&url(&z, API)).await;
    assert_eq!(zone_now.body["properties"]["numberOfRecordSets"], 4);

    // SOA: the zone's own record set, updatable, never created or deleted.
    let soa = c.get(&url(&format!("{z}/SOA/@"), API)).await;
    assert_eq!(soa.status, 200);
    assert_eq!(soa.body["properties"]["fqdn"], "privatezone1.com.");
    assert_eq!(
        soa.body["properties"]["soaRecord"]["host"],
        "azureprivatedns.net"
    );
    let r = c.delete(&url(&format!("{z}/SOA/@"), API)).await;
    assert_eq!((r.status, flat_code(&r)), (400, "BadRequest"));
    let r = c
        .put(
            &url(&format!("{z}/SOA/other"), API),
            &json!({"properties": {"ttl": 5}}),
        )
        .await;
    assert_eq!(r.status, 400);

    // DELETE: 200, then the documented 404 and an idempotent 204.
    assert_eq!(c.delete(&rs).await.status, 200);
    let gone = c.get(&rs).await;
    assert_eq!(gone.status, 404);
    assert_eq!(
        gone.body,
        json!({"code": "NotFound", "message": format!(
            "The resource record 'recordtxt.privatezone1.com' does not exist in resource group 'records' of subscription '{}'.",
            emulator_support::SUB
        )})
    );
    assert_eq!(c.delete(&rs).await.status, 204);

    // Record sets are children of the zone: a zone delete takes them along.
    let r = c.delete(&url(&z, API)).await;
    assert_eq!(r.status, 202);
    c.wait(&r).await;
    assert_eq!(c.get(&a).await.status, 404);
    let relisted = c.get(&url(&format!("{z}/ALL"), API)).await;
    assert_eq!(relisted.status, 404, "{}", relisted.body);
}

#[tokio::test]
async fn conditional_headers_are_a_compare_and_swap() {
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "lock").await;
    let z = zone(&c, &g, "locks.internal").await;
    let rs = url(&format!("{z}/TXT/stack-a"), API);
    let holder = |who: &str| {
        json!({"properties": {"ttl": 60, "metadata": {"holder": who},
        "txtRecords": [{"value": [who]}]}})
    };

    // Create-only.
    let r = c
        .call_with("PUT", &rs, Some(&holder("one")), &[("If-None-Match", "*")])
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let etag = etag_of(&r);
    let r = c
        .call_with("PUT", &rs, Some(&holder("two")), &[("If-None-Match", "*")])
        .await;
    assert_eq!(r.status, 412);
    assert_eq!(
        r.body,
        json!({"code": "PreconditionFailed",
            "message": "The condition '*' in the If-None-Match header was not satisfied. The current was 'n/a'."})
    );
    assert_eq!(
        c.get(&rs).await.body["properties"]["metadata"]["holder"],
        "one",
        "a refused write changes nothing"
    );

    // Stale If-Match refused on PUT, PATCH and DELETE; the record set is untouched.
    let stale = "00000000-0000-0000-0000-000000000000";
    let expected = json!({"code": "PreconditionFailed", "message": format!(
        "The condition '{stale}' in the If-Match header was not satisfied. The current was '{etag}'."
    )});
    for (method, body) in [
        ("PUT", Some(holder("two"))),
        ("PATCH", Some(json!({"properties": {"ttl": 1}}))),
        ("DELETE", None),
    ] {
        let r = c
            .call_with(method, &rs, body.as_ref(), &[("If-Match", stale)])
            .await;
        assert_eq!((r.status, &r.body), (412, &expected), "{method}");
    }
    let still = c.get(&rs).await;
    assert_eq!(
        (etag_of(&still), still.body["properties"]["ttl"].clone()),
        (etag.clone(), json!(60))
    );

    // The current etag wins, and every success hands out a new one.
    let r = c
        .call_with(
            "PATCH",
            &rs,
            Some(&json!({"properties": {"ttl": 61}})),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let beat = etag_of(&r);
    assert_ne!(beat, etag);
    let r = c
        .call_with(
            "PUT",
            &rs,
            Some(&holder("one")),
            &[("If-Match", &format!("\"{beat}\""))],
        )
        .await;
    assert_eq!(r.status, 200, "a quoted etag is the same etag: {}", r.body);
    let renewed = etag_of(&r);
    let r = c
        .call_with("DELETE", &rs, None, &[("If-Match", &beat)])
        .await;
    assert_eq!(r.status, 412, "the etag before the last write is stale");
    let r = c
        .call_with("DELETE", &rs, None, &[("If-Match", &renewed)])
        .await;
    assert_eq!(r.status, 200);

    // If-Match on a record set that is not there never creates it.
    let r = c
        .call_with("PUT", &rs, Some(&holder("three")), &[("If-Match", "*")])
        .await;
    assert_eq!(
        (r.status, &r.body),
        (
            412,
            &json!({"code": "PreconditionFailed",
            "message": "The condition '*' in the If-Match header was not satisfied. The current was 'n/a'."})
        )
    );
    let r = c
        .call_with("DELETE", &rs, None, &[("If-Match", &renewed)])
        .await;
    assert_eq!(
        r.status, 204,
        "DELETE answers for nothing before it looks at conditions"
    );
    let r = c
        .call_with(
            "PATCH",
            &rs,
            Some(&json!({"properties": {"ttl": 1}})),
            &[("If-Match", &renewed)],
        )
        .await;
    assert_eq!(
        (r.status, flat_code(&r)),
        (404, "NotFound"),
        "PATCH of nothing is 404 first"
    );
    assert_eq!(c.get(&rs).await.status, 404);
}

#[tokio::test]
async fn racing_clients_get_exactly_one_winner() {
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "race").await;
    let z = zone(&c, &g, "race.internal").await;
    let rs = url(&format!("{z}/TXT/stack"), API);
    for round in 0..5 {
        let attempts: Vec<_> = (0..8)
            .map(|i| {
                let c = c.clone();
                let rs = rs.clone();
                tokio::spawn(async move {
                    let body = json!({"properties": {"ttl": 60, "txtRecords": [{"value": [format!("client-{i}")]}]}});
                    c.call_with("PUT", &rs, Some(&body), &[("If-None-Match", "*")])
                        .await
                        .status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for a in attempts {
            statuses.push(a.await.expect("task"));
        }
        statuses.sort();
        assert_eq!(
            statuses,
            [201, 412, 412, 412, 412, 412, 412, 412],
            "round {round}"
        );

        // Heartbeats racing on one etag: exactly one succeeds.
        let etag = etag_of(&c.get(&rs).await);
        let beats: Vec<_> = (0..6)
            .map(|_| {
                let (c, rs, etag) = (c.clone(), rs.clone(), etag.clone());
                tokio::spawn(async move {
                    c.call_with(
                        "PATCH",
                        &rs,
                        Some(&json!({"properties": {"ttl": 30}})),
                        &[("If-Match", &etag)],
                    )
                    .await
                    .status
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for b in beats {
            statuses.push(b.await.expect("task"));
        }
        statuses.sort();
        assert_eq!(statuses, [200, 412, 412, 412, 412, 412]);
        let etag = etag_of(&c.get(&rs).await);
        assert_eq!(
            c.call_with("DELETE", &rs, None, &[("If-Match", &etag)])
                .await
                .status,
            200
        );
    }
}

fn temp_state(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("azplan-records-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join("state.json")
}

#[tokio::test]
async fn record_sets_and_their_etags_survive_a_restart() {
    let state = temp_state("persist");
    let config = || EmulatorConfig {
        state_file: Some(state.clone()),
        ..fast_config()
    };
    let emu = Emulator::start(config()).await.expect("starts");
    let c = Client::new(&emu, Some("t"));
    let g = group(&c, "persist").await;
    let z = zone(&c, &g, "persist.internal").await;
    let rs = url(&format!("{z}/TXT/stack"), API);
    let r = c
        .call_with("PUT", &rs, Some(&txt_example()), &[("If-None-Match", "*")])
        .await;
    let etag = etag_of(&r);
    let on_disk = std::fs::read_to_string(&state).expect("state written before the answer");
    assert!(
        on_disk.contains(&etag),
        "the 201 is only sent once the lock is durable"
    );
    emu.shutdown().await.expect("shutdown");

    let emu = Emulator::start(config()).await.expect("restarts");
    let c = Client::new(&emu, Some("t"));
    let got = c.get(&rs).await;
    assert_eq!((got.status, etag_of(&got)), (200, etag.clone()));
    let r = c
        .call_with("PUT", &rs, Some(&txt_example()), &[("If-None-Match", "*")])
        .await;
    assert_eq!(r.status, 412, "the lock is still held after a restart");
    assert_eq!(
        c.call_with("DELETE", &rs, None, &[("If-Match", &etag)])
            .await
            .status,
        200
    );
    emu.shutdown().await.expect("shutdown");
    let _ = std::fs::remove_dir_all(state.parent().expect("dir"));
}

#[tokio::test]
async fn private_zones_honour_the_conditional_headers() {
    let (_emu, c) = start(fast_config()).await;
    let g = group(&c, "zones").await;
    let z = zone(&c, &g, "cond.internal").await;
    let zu = url(&z, API);
    let etag = etag_of(&c.get(&zu).await);
    let r = c
        .call_with(
            "PUT",
            &zu,
            Some(&json!({"location": "global"})),
            &[("If-None-Match", "*")],
        )
        .await;
    assert_eq!((r.status, flat_code(&r)), (412, "PreconditionFailed"));
    let r = c
        .call_with(
            "PATCH",
            &zu,
            Some(&json!({"tags": {"a": "b"}})),
            &[("If-Match", "stale")],
        )
        .await;
    assert_eq!((r.status, flat_code(&r)), (412, "PreconditionFailed"));
    let r = c
        .call_with("DELETE", &zu, None, &[("If-Match", "stale")])
        .await;
    assert_eq!((r.status, flat_code(&r)), (412, "PreconditionFailed"));
    assert_eq!(
        c.get(&zu).await.status,
        200,
        "a refused delete leaves the zone"
    );

    let r = c
        .call_with(
            "PATCH",
            &zu,
            Some(&json!({"tags": {"a": "b"}})),
            &[("If-Match", &etag)],
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    c.wait(&r).await;
    let after = c.get(&zu).await;
    let fresh = etag_of(&after);
    assert_ne!(fresh, etag, "PATCH renews the zone etag");
    assert!(
        !fresh.starts_with("W/"),
        "DNS etags are bare GUIDs: {fresh}"
    );
    let r = c
        .call_with("DELETE", &zu, None, &[("If-Match", &fresh)])
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
}
