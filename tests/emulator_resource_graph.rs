//! Azure Resource Graph over HTTPS (`POST /providers/Microsoft.ResourceGraph/resources`): the
//! official 2024-04-01 examples replayed against resources the emulator serves, the KQL subset,
//! paging with `$skipToken`, the per-user quota headers and 429, and the invalid-query answer.

mod emulator_support;

use std::collections::BTreeSet;

use azplan::emulator::{ThrottleConfig, UserQuota};
use emulator_support::{Client, Resp, fast_config, res, start, url};
use serde_json::{Value, json};

const ARG: &str = "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01";
/// The subscription of the official examples.
const EXAMPLE_SUB: &str = "cfbbd179-59d2-4052-aa06-9270a38aa9d6";
const NET: &str = "2025-07-01";
const MSI: &str = "2024-11-30";

fn example(name: &str) -> Value {
    let path = format!(
        "{}/tests/emulator_support/examples/resourcegraph/resourcegraph-2024-04-01-{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("example readable"))
        .expect("example is JSON")
}

async fn query(c: &Client, body: &Value) -> Resp {
    c.call("POST", ARG, Some(body)).await
}

async fn group_in(c: &Client, sub: &str, name: &str, location: &str) -> String {
    let id = format!("/subscriptions/{sub}/resourceGroups/{name}");
    let r = c
        .put(&url(&id, "2025-04-01"), &json!({"location": location}))
        .await;
    assert!(matches!(r.status, 200 | 201), "{}", r.body);
    id
}

async fn identity(c: &Client, group: &str, name: &str, tags: Value) -> String {
    let id = res(
        group,
        &format!("Microsoft.ManagedIdentity/userAssignedIdentities/{name}"),
    );
    let r = c
        .put(
            &url(&id, MSI),
            &json!({"location": "westeurope", "tags": tags}),
        )
        .await;
    assert!(matches!(r.status, 200 | 201), "{}", r.body);
    id
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn ids(r: &Resp) -> Vec<String> {
    r.body["data"]
        .as_array()
        .expect("data is an array")
        .iter()
        .map(|row| row["id"].as_str().expect("id").to_string())
        .collect()
}

/// The answer has exactly the example's top-level keys and every row the example's columns.
fn assert_shape(answer: &Value, expected: &Value) {
    let mut want = keys(expected);
    let mut got = keys(answer);
    // `$skipToken` is there exactly when more rows follow, in the example and here alike.
    want.remove("$skipToken");
    got.remove("$skipToken");
    assert_eq!(got, want, "top-level keys of {answer}");
    let columns = keys(&expected["data"][0]);
    for row in answer["data"].as_array().expect("rows") {
        assert_eq!(keys(row), columns, "columns of {row}");
    }
    assert!(
        answer["resultTruncated"].is_string(),
        "a string, as in the examples"
    );
}

#[tokio::test]
async fn official_examples_replay_over_served_types() {
    let (_emu, c) = start(fast_config()).await;
    group_in(&c, EXAMPLE_SUB, "RG1", "centralus").await;
    let rg2 = group_in(&c, EXAMPLE_SUB, "RG2", "westus").await;
    c.create(
        &url(
            &res(&rg2, "Microsoft.Network/virtualNetworks/myVnet"),
            NET,
        ),
        &json!({"location": "westus", "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}}}),
    )
    .await;
    c.create(
        &url(
            &res(&rg2, "Microsoft.Network/publicIPAddresses/myPublicIp"),
            NET,
        ),
        &json!({"location": "westus", "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}),
    )
    .await;

    // ResourcesBasicQuery: the two rows of served types come back exactly as the example shows
    // them (the network interface is a type the emulator does not serve).
    let basic = example("ResourcesBasicQuery");
    let r = query(&c, &basic["parameters"]["query"]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let expected = &basic["responses"]["200"]["body"];
    assert_shape(&r.body, expected);
    assert_eq!(r.body["totalRecords"], 2);
    assert_eq!(r.body["count"], 2);
    assert_eq!(r.body["facets"], json!([]));
    for row in r.body["data"].as_array().expect("rows") {
        let want = expected["data"]
            .as_array()
            .expect("example rows")
            .iter()
            .find(|e| e["id"] == row["id"])
            .unwrap_or_else(|| panic!("{row} is not in the example"));
        assert_eq!(row, want);
    }

    // ResourcesFilterQuery (project before where): no virtual machines here.
    let filter = example("ResourcesFilterQuery");
    let r = query(&c, &filter["parameters"]["query"]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_shape(&r.body, &filter["responses"]["200"]["body"]);
    assert_eq!(
        (r.body["totalRecords"].clone(), r.body["count"].clone()),
        (json!(0), json!(0))
    );

    // ResourcesMgBasicQuery: management groups are refused plainly.
    let mg = example("ResourcesMgBasicQuery");
    let r = query(&c, &mg["parameters"]["query"]).await;
    assert_eq!(r.status, 501, "{}", r.body);
    assert_eq!(r.code(), "ManagementGroupsNotEmulated");

    // First / next / random page: thirteen resources whose names contain "test", one that does not.
    let rg1 = format!("/subscriptions/{EXAMPLE_SUB}/resourceGroups/RG1");
    for i in 0..13 {
        identity(&c, &rg1, &format!("id-{i:02}-Test"), json!({})).await;
    }
    identity(&c, &rg1, "unrelated", json!({})).await;
    let first = example("ResourcesFirstPageQuery");
    let r = query(&c, &first["parameters"]["query"]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_shape(&r.body, &first["responses"]["200"]["body"]);
    assert_eq!(r.body["totalRecords"], 13);
    assert_eq!(r.body["count"], 3);
    assert_eq!(r.body["resultTruncated"], "false");
    let token = r.body["$skipToken"]
        .as_str()
        .expect("a skip token")
        .to_string();
    let page1 = ids(&r);

    // ResourcesNextPageQuery: the example's own token belongs to another service's query.
    let next = example("ResourcesNextPageQuery");
    let foreign = query(&c, &next["parameters"]["query"]).await;
    assert_eq!(foreign.status, 400, "{}", foreign.body);
    let mut request = next["parameters"]["query"].clone();
    request["options"]["$skipToken"] = json!(token);
    let r = query(&c, &request).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_shape(&r.body, &next["responses"]["200"]["body"]);
    assert_eq!(r.body["count"], 3, "the page size travels in the token");
    assert!(r.body["$skipToken"].is_string());
    let page2 = ids(&r);
    assert!(
        page1.iter().all(|id| !page2.contains(id)),
        "pages do not overlap"
    );
    assert!(page1.last() < page2.first(), "rows come in id order");
    let again = query(&c, &request).await;
    assert_eq!(ids(&again), page2, "a token is stable");
    assert_eq!(again.body["$skipToken"], r.body["$skipToken"]);

    let random = example("ResourcesRandomPageQuery");
    let r = query(&c, &random["parameters"]["query"]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_shape(&r.body, &random["responses"]["200"]["body"]);
    assert_eq!(r.body["count"], 2);
    assert!(r.body["$skipToken"].is_string(), "row 13 remains");
}

#[tokio::test]
async fn paging_walks_every_row_once() {
    let (_emu, c) = start(fast_config()).await;
    let g = group_in(&c, emulator_support::SUB, "Paged", "westeurope").await;
    let mut all = BTreeSet::new();
    for i in 0..23 {
        all.insert(identity(&c, &g, &format!("uai{i:02}"), json!({})).await);
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut options = json!({"$top": 5});
        if let Some(t) = &token {
            options = json!({"$skipToken": t});
        }
        let r = query(
            &c,
            &json!({"query": "Resources | where type =~ 'microsoft.managedidentity/userassignedidentities' | project id, name", "options": options}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["totalRecords"], 23);
        seen.extend(ids(&r));
        match r.body["$skipToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(seen.len(), 23, "no row twice");
    assert_eq!(
        unique
            .iter()
            .map(|s| s.to_lowercase())
            .collect::<BTreeSet<_>>(),
        all.iter()
            .map(|s| s.to_lowercase())
            .collect::<BTreeSet<_>>()
    );

    // Without `id` the rows cannot be paged: the answer is cut and says so.
    let r = query(
        &c,
        &json!({"query": "Resources | project name", "options": {"$top": 5}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["resultTruncated"], "true");
    assert!(r.body.get("$skipToken").is_none());
    assert_eq!(r.body["count"], 5);

    // `$skip` without a token, and `limit` in the query winning over `$top`.
    let r = query(
        &c,
        &json!({"query": "Resources | project id | limit 4", "options": {"$top": 10}}),
    )
    .await;
    assert_eq!(
        (r.body["totalRecords"].clone(), r.body["count"].clone()),
        (json!(4), json!(4))
    );
    let r = query(
        &c,
        &json!({"query": "Resources | project id | order by id asc", "options": {"$skip": 20}}),
    )
    .await;
    assert_eq!(r.body["count"], 3);
}

#[tokio::test]
async fn the_subset_filters_projects_and_orders() {
    let (emu, c) = start(fast_config()).await;
    let sub = emulator_support::SUB;
    let a = group_in(&c, sub, "Team-A", "westeurope").await;
    let b = group_in(&c, sub, "team-b", "northeurope").await;
    let other_sub = "11111111-2222-3333-4444-555555555555";
    let c_group = group_in(&c, other_sub, "elsewhere", "westeurope").await;
    identity(&c, &a, "alpha", json!({"env": "Prod", "team": "a"})).await;
    identity(&c, &a, "beta", json!({"env": "dev"})).await;
    identity(&c, &b, "gamma", json!({"env": "prod"})).await;
    identity(&c, &c_group, "delta", json!({})).await;
    c.create(
        &url(&res(&b, "Microsoft.Network/virtualNetworks/net"), NET),
        &json!({"location": "northeurope", "properties": {"addressSpace": {"addressPrefixes": ["10.1.0.0/16"]}}}),
    )
    .await;

    let names = |r: &Resp| -> Vec<String> {
        r.body["data"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| row["name"].as_str().unwrap_or("").to_string())
            .collect()
    };
    let ask = |q: &str| json!({"subscriptions": [sub], "query": q});

    // The full row: every documented column, lower-cased where Resource Graph lower-cases.
    let r = query(&c, &ask("Resources | where name =~ 'ALPHA'")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let row = &r.body["data"][0];
    let columns: BTreeSet<String> = [
        "id",
        "name",
        "type",
        "tenantId",
        "kind",
        "location",
        "resourceGroup",
        "subscriptionId",
        "managedBy",
        "sku",
        "plan",
        "properties",
        "tags",
        "identity",
        "zones",
        "extendedLocation",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(keys(row), columns);
    assert_eq!(
        row["type"],
        "microsoft.managedidentity/userassignedidentities"
    );
    assert_eq!(row["resourceGroup"], "team-a");
    assert_eq!(row["subscriptionId"], sub);
    assert_eq!(row["tenantId"], emu.tenant_id());
    assert_eq!(row["kind"], "");
    assert!(row["properties"]["principalId"].is_string(), "{row}");
    assert!(
        row["id"]
            .as_str()
            .expect("id")
            .contains("/resourceGroups/Team-A/"),
        "id keeps its casing"
    );

    for (q, want) in [
        (
            "Resources | where type =~ 'Microsoft.ManagedIdentity/userAssignedIdentities' | order by name asc",
            vec!["alpha", "beta", "gamma"],
        ),
        (
            "Resources | where type in~ ('microsoft.network/virtualnetworks', 'x') | project name",
            vec!["net"],
        ),
        (
            "Resources | where resourceGroup =~ 'TEAM-A' | order by name desc | project name",
            vec!["beta", "alpha"],
        ),
        (
            "Resources | where resourceGroup in~ ('team-a', 'Team-B') and type !~ 'microsoft.network/virtualnetworks' | order by name",
            vec!["gamma", "beta", "alpha"],
        ),
        (
            "Resources | where tags['env'] =~ 'prod' | order by name asc | project name",
            vec!["alpha", "gamma"],
        ),
        (
            "Resources | where tags.env == 'prod' | project name",
            vec!["gamma"],
        ),
        (
            "Resources | where tags[\"team\"] =~ 'a' or (name =~ 'net' and location =~ 'northeurope') | order by name asc",
            vec!["alpha", "net"],
        ),
        (
            &format!(
                "Resources | where subscriptionId =~ '{sub}' and name contains 'ET' | order by name asc"
            ) as &str,
            vec!["beta", "net"],
        ),
        ("where name == 'Alpha'", vec![]),
        (
            "Resources | where properties contains 'principalId' and tags.team =~ 'A' | project name",
            vec!["alpha"],
        ),
        (
            "ResourceContainers | where type =~ 'microsoft.resources/subscriptions/resourcegroups' | order by name asc | project name",
            vec!["Team-A", "team-b"],
        ),
    ] {
        let r = query(&c, &ask(q)).await;
        assert_eq!(r.status, 200, "{q}: {}", r.body);
        assert_eq!(names(&r), want, "{q}");
    }

    // No scope: every subscription (tenant scope, as ResourcesTenantBasicQuery).
    let r = query(
        &c,
        &json!({"query": "Resources | where name =~ 'delta' | project id"}),
    )
    .await;
    assert_eq!(r.body["count"], 1, "{}", r.body);

    // The table format: columns in projection order with their types, rows as arrays.
    let r = query(
        &c,
        &json!({"subscriptions": [sub], "query": "Resources | where name =~ 'alpha' | project name, tags", "options": {"resultFormat": "table"}}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["data"]["columns"],
        json!([{"name": "name", "type": "string"}, {"name": "tags", "type": "object"}])
    );
    assert_eq!(
        r.body["data"]["rows"],
        json!([["alpha", {"env": "Prod", "team": "a"}]])
    );
}

#[tokio::test]
async fn invalid_queries_answer_as_resource_graph_does() {
    let (_emu, c) = start(fast_config()).await;
    for (q, detail) in [
        (
            "Resources | summarize count() by location",
            "InvalidQueryLanguage",
        ),
        (
            "Resources | where name startswith 'a'",
            "InvalidQueryLanguage",
        ),
        ("Resources | where type =~ 'x", "ParserFailure"),
        ("Resources | where", "ParserFailure"),
        (
            "Resources | project name | where type =~ 'x'",
            "ParserFailure",
        ),
    ] {
        let r = query(&c, &json!({"query": q})).await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        assert_eq!(r.code(), "BadRequest", "{q}");
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("Please provide below info when asking for support"),
            "{}",
            r.body
        );
        let details = &r.body["error"]["details"];
        assert_eq!(details[0]["code"], "InvalidQuery", "{q}");
        assert_eq!(details[1]["code"], detail, "{q}: {details}");
        assert!(
            details[1]["characterPositionInLine"].is_number(),
            "{details}"
        );
        assert!(details[1]["token"].is_string(), "{details}");
    }
    for options in [
        json!({"$top": 0}),
        json!({"$top": 1001}),
        json!({"$skip": -1}),
        json!({"resultFormat": "csv"}),
    ] {
        let r = query(&c, &json!({"query": "Resources", "options": options})).await;
        assert_eq!(r.status, 400, "{options}: {}", r.body);
    }
    let r = query(&c, &json!({"subscriptions": []})).await;
    assert_eq!(r.status, 400, "the query is required: {}", r.body);
    let r = c
        .call(
            "POST",
            "/providers/Microsoft.ResourceGraph/resources?api-version=2099-01-01",
            Some(&json!({"query": "Resources"})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let r = c.get(ARG).await;
    assert_eq!(r.status, 405, "{}", r.body);
    let r = c
        .without_token()
        .call("POST", ARG, Some(&json!({"query": "Resources"})))
        .await;
    assert_eq!(
        r.status, 401,
        "Resource Graph sits behind ARM's authentication"
    );
}

#[tokio::test]
async fn the_user_quota_is_counted_reported_and_enforced() {
    // The default quota: 15 queries per 5-second window, on every answer.
    let (_emu, c) = start(fast_config()).await;
    let r = query(&c, &json!({"query": "Resources"})).await;
    assert_eq!(r.header("x-ms-user-quota-remaining"), Some("14"));
    assert_eq!(r.header("x-ms-user-quota-resets-after"), Some("00:00:05"));
    assert!(
        r.header("x-ms-ratelimit-remaining-subscription-reads")
            .is_none(),
        "not an ARM subscription read"
    );
    let bad = query(&c, &json!({"query": "Resources | nope"})).await;
    assert_eq!(
        bad.header("x-ms-user-quota-remaining"),
        Some("13"),
        "errors count too"
    );

    // A small window to exhaust: 3 queries per minute.
    let config = azplan::emulator::EmulatorConfig {
        throttle: ThrottleConfig {
            resource_graph: UserQuota {
                queries: 3,
                window_ms: 60_000,
            },
            ..ThrottleConfig::default()
        },
        ..fast_config()
    };
    let (_emu, c) = start(config).await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let r = query(&c, &json!({"query": "Resources"})).await;
        assert_eq!(r.status, 200);
        remaining.push(
            r.header("x-ms-user-quota-remaining")
                .unwrap_or("")
                .to_string(),
        );
        let resets = r.header("x-ms-user-quota-resets-after").expect("header");
        assert!(
            resets.starts_with("00:0") || resets == "00:01:00",
            "hh:mm:ss: {resets}"
        );
    }
    assert_eq!(remaining, ["2", "1", "0"]);
    let r = query(&c, &json!({"query": "Resources"})).await;
    assert_eq!(r.status, 429, "{}", r.body);
    assert_eq!(r.code(), "RateLimiting");
    assert_eq!(r.body["error"]["details"][0]["code"], "RateLimiting");
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(r.header("x-ms-user-quota-remaining"), Some("0"));
    // The quota is per user: another principal's token has its own.
    let other = c.with_token("another-principal-token");
    let r = query(&other, &json!({"query": "Resources"})).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-ms-user-quota-remaining"), Some("2"));
    // ARM's own requests are not Resource Graph queries.
    let r = c
        .get(&url(&emulator_support::rg("none"), "2025-04-01"))
        .await;
    assert_eq!(r.status, 404);

    // `--no-throttle` switches the quota off with ARM's buckets.
    let off = azplan::emulator::EmulatorConfig {
        throttle: ThrottleConfig {
            enabled: false,
            ..ThrottleConfig::default()
        },
        ..fast_config()
    };
    let (_emu, c) = start(off).await;
    let r = query(&c, &json!({"query": "Resources"})).await;
    assert_eq!(r.status, 200);
    assert!(r.header("x-ms-user-quota-remaining").is_none());
}
