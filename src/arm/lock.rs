//! One run at a time per stack, with a lock held in Azure itself (CI runners share nothing
//! else). The lock is a TXT record set named after the stack in a private DNS zone
//! (`azplan-locks.internal` in the resource group `azplan-locks`), because Private DNS record
//! sets are the ARM resource with documented compare-and-swap on every write
//! (`RecordSets_CreateOrUpdate`, `specification/privatedns/.../RecordSet.tsp`, Private DNS
//! 2024-06-01):
//! - `If-None-Match: *` — "Set to '*' to allow a new record set to be created, but to prevent
//!   updating an existing record set": taking a free lock; exactly one of two racers wins.
//! - `If-Match: <etag>` — "Specify the last-seen ETag value to prevent accidentally overwriting
//!   any concurrent changes": heartbeats, and taking over an expired lock (one winner again).
//! - `RecordSets_Delete` with `If-Match` — releasing only the lock this run still holds.
//! - A failed condition answers 412 (PreconditionFailed); every write renews the etag (Learn,
//!   "Azure DNS zones and records", Etags).
//!
//! Time is ARM's: the holder writes the `Date` header of its last response as its heartbeat, and
//! a contender compares it with the `Date` of its own read, so clocks of CI runners never matter.
//! A holder promises a heartbeat within `expiresAfterSeconds`; a lock whose heartbeat is older is
//! expired and may be taken over. A private zone with one record set costs cents a month.

use std::sync::Arc;
use std::time::Duration;

use azure_core::http::Method;
use serde_json::{Value, json};
use tokio::sync::{Mutex, watch};
use tokio::task::JoinHandle;

use super::client::{ArmClient, ArmResponse};
use super::error::ArmError;

/// The resource group and private DNS zone that hold every stack's lock in a subscription.
pub const LOCK_GROUP: &str = "azplan-locks";
pub const LOCK_ZONE: &str = "azplan-locks.internal";
/// The api-versions azplan speaks for private DNS and resource groups.
fn private_dns_api() -> &'static str {
    crate::kinds::private_dns_zone_type().api_version
}

fn group_api() -> &'static str {
    crate::kinds::resource_group_type().api_version
}
/// How long a holder may go without a heartbeat before its lock counts as abandoned.
pub const DEFAULT_EXPIRY: Duration = Duration::from_secs(120);

/// Where a stack's lock lives.
#[derive(Debug, Clone)]
pub struct LockPlace {
    pub subscription: String,
    /// Location of the lock's resource group, when azplan creates it.
    pub location: String,
    pub stack: String,
}

impl LockPlace {
    fn group_id(&self) -> String {
        format!(
            "/subscriptions/{}/resourceGroups/{LOCK_GROUP}",
            self.subscription
        )
    }

    fn zone_id(&self) -> String {
        format!(
            "{}/providers/{}/{LOCK_ZONE}",
            self.group_id(),
            crate::kinds::private_dns_zone_type().path
        )
    }

    /// The stack's record set: DNS names are case-insensitive, so stacks whose names differ
    /// only in case share one lock (more locking, never less).
    pub fn record_id(&self) -> String {
        format!("{}/TXT/{}", self.zone_id(), self.stack.to_ascii_lowercase())
    }
}

/// Who holds a lock: enough for a human to find the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub operation: String,
    pub host: String,
    pub pid: String,
    /// The CI run, where the environment names one.
    pub ci_run: Option<String>,
    /// ARM's time when the lock was taken, and of the last heartbeat (RFC 1123).
    pub since: String,
    pub heartbeat: String,
    pub expires_after: Duration,
}

impl Holder {
    /// This process, taking a lock for `operation` at ARM time `now`.
    fn this_process(operation: &str, now: &str, expires_after: Duration) -> Holder {
        Holder {
            operation: operation.to_string(),
            host: hostname(),
            pid: std::process::id().to_string(),
            ci_run: ci_run(),
            since: now.to_string(),
            heartbeat: now.to_string(),
            expires_after,
        }
    }

    fn body(&self) -> Value {
        let mut metadata = json!({
            "azplanOperation": self.operation,
            "host": self.host,
            "pid": self.pid,
            "since": self.since,
            "heartbeat": self.heartbeat,
            "expiresAfterSeconds": self.expires_after.as_secs().to_string(),
        });
        if let Some(run) = &self.ci_run {
            metadata["ciRun"] = json!(run);
        }
        json!({"properties": {
            "ttl": 60,
            "metadata": metadata,
            "txtRecords": [{"value": ["azplan run lock; see metadata"]}],
        }})
    }

    fn from_body(body: &Value) -> Option<Holder> {
        let m = body.get("properties")?.get("metadata")?;
        let text = |key: &str| m.get(key).and_then(Value::as_str).map(str::to_string);
        Some(Holder {
            operation: text("azplanOperation")?,
            host: text("host").unwrap_or_default(),
            pid: text("pid").unwrap_or_default(),
            ci_run: text("ciRun"),
            since: text("since")?,
            heartbeat: text("heartbeat")?,
            expires_after: Duration::from_secs(text("expiresAfterSeconds")?.parse().ok()?),
        })
    }

    /// "apply by pid 42 on runner-7 (https://github.com/…/runs/1) since …, last heartbeat …".
    pub fn describe(&self) -> String {
        let run = self
            .ci_run
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        format!(
            "`{}` by pid {} on {}{run}, since {}, last heartbeat {}",
            self.operation, self.pid, self.host, self.since, self.heartbeat
        )
    }
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum LockError {
    #[error("stack `{stack}` is locked by another run: {holder}")]
    #[diagnostic(
        code(azplan::lock::held),
        help(
            "wait for that run to finish; if it died, its lock expires {expires} s after its last heartbeat, or break it now with `azplan unlock STACK`"
        )
    )]
    Held {
        stack: String,
        holder: String,
        expires: u64,
    },
    #[error("stack `{stack}`: the lock record {id} exists but is not azplan's lock")]
    #[diagnostic(
        code(azplan::lock::foreign),
        help("check the record set in Azure; `azplan unlock STACK` removes it")
    )]
    Foreign { stack: String, id: String },
    #[error("stack `{stack}`: this run's lock was taken over or broken by another run")]
    #[diagnostic(
        code(azplan::lock::lost),
        help("nothing new was started after the loss; run `azplan plan` to see where things are")
    )]
    Lost { stack: String },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Arm(#[from] ArmError),
}

/// A held lock: heartbeats in the background until released.
pub struct Lock {
    client: Arc<ArmClient>,
    place: LockPlace,
    etag: Arc<Mutex<String>>,
    heartbeat: JoinHandle<()>,
    /// Asks the heartbeat to stop after the renewal in flight, if any.
    stop_heartbeat: watch::Sender<bool>,
    /// Turns true if another run took the lock over (or it could not be renewed in time).
    pub lost: watch::Receiver<bool>,
    /// An expired lock this run took over, for the user to know.
    pub took_over: Option<Holder>,
}

fn etag_of(response: &ArmResponse) -> Option<String> {
    response
        .body
        .as_ref()?
        .get("etag")?
        .as_str()
        .map(str::to_string)
}

fn status_of(error: &ArmError) -> Option<u16> {
    match error {
        ArmError::Service { status, .. } => Some(*status),
        _ => None,
    }
}

/// Seconds between two RFC 1123 dates (`later - earlier`), or `None` if either is unreadable.
fn seconds_between(earlier: &str, later: &str) -> Option<i64> {
    let a = httpdate::parse_http_date(earlier).ok()?;
    let b = httpdate::parse_http_date(later).ok()?;
    Some(match b.duration_since(a) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    })
}

/// Takes the stack's lock for `operation` (`apply`, `destroy`), or says who holds it.
pub async fn acquire(
    client: Arc<ArmClient>,
    place: &LockPlace,
    operation: &str,
    expires_after: Duration,
) -> Result<Lock, LockError> {
    let id = place.record_id();
    let url = client.url(&id, private_dns_api())?;
    let mut prepared = false;
    // A few rounds: each lost race re-reads what won it.
    for _ in 0..5 {
        let current = client
            .send(Method::Get, url.clone(), None, "read the lock", &id)
            .await?;
        let now = current.date.clone().unwrap_or_default();
        let mine = Holder::this_process(operation, &now, expires_after);
        let (condition, took_over) = if current.status == 404 {
            (("if-none-match", "*".to_string()), None)
        } else {
            let body = current.body.clone().unwrap_or(Value::Null);
            let Some(holder) = Holder::from_body(&body) else {
                return Err(LockError::Foreign {
                    stack: place.stack.clone(),
                    id,
                });
            };
            let age = seconds_between(&holder.heartbeat, &now);
            let expired = age.is_some_and(|a| a > holder.expires_after.as_secs() as i64);
            if !expired {
                return Err(LockError::Held {
                    stack: place.stack.clone(),
                    holder: holder.describe(),
                    expires: holder.expires_after.as_secs(),
                });
            }
            let etag = etag_of(&current).unwrap_or_default();
            (("if-match", etag), Some(holder))
        };
        let written = client
            .send_if(
                Method::Put,
                url.clone(),
                Some(&mine.body()),
                &[condition],
                "take the lock",
                &id,
            )
            .await;
        match written {
            Ok(response) => {
                let etag = etag_of(&response).unwrap_or_default();
                let last_date = response.date.clone().unwrap_or(now);
                return Ok(Lock::start(
                    client,
                    place.clone(),
                    mine,
                    etag,
                    last_date,
                    took_over,
                ));
            }
            // Someone else took it between our read and our write: read again.
            Err(e) if status_of(&e) == Some(412) => continue,
            // No zone yet (ParentResourceNotFound): make the lock's place once.
            Err(e) if status_of(&e) == Some(404) && !prepared => {
                prepare(&client, place).await?;
                prepared = true;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(LockError::Held {
        stack: place.stack.clone(),
        holder: "another run (it won every race to take the lock)".into(),
        expires: expires_after.as_secs(),
    })
}

/// Creates the lock's resource group and private zone if they do not exist. Both carry an
/// `azplan-role` tag and no `azplan-stack` tag: no stack ever owns or deletes them.
async fn prepare(client: &ArmClient, place: &LockPlace) -> Result<(), ArmError> {
    let group = place.group_id();
    if client.get(&group, group_api()).await?.is_none() {
        let url = client.url(&group, group_api())?;
        client
            .send(
                Method::Put,
                url,
                Some(&json!({"location": place.location, "tags": {"azplan-role": "run-locks"}})),
                "create the lock group",
                &group,
            )
            .await?;
    }
    let zone = place.zone_id();
    let url = client.url(&zone, private_dns_api())?;
    let created = client
        .send_if(
            Method::Put,
            url,
            Some(&json!({"location": "global", "tags": {"azplan-role": "run-locks"}})),
            &[("if-none-match", "*".to_string())],
            "create the lock zone",
            &zone,
        )
        .await;
    match created {
        Ok(_) => {}
        Err(e) if status_of(&e) == Some(412) => {}
        Err(e) => return Err(e),
    }
    // Private zone creation is long-running; the record set can be written once it succeeded.
    for _ in 0..600 {
        let state = client
            .get(&zone, private_dns_api())
            .await?
            .and_then(|b| {
                b.get("properties")?
                    .get("provisioningState")?
                    .as_str()
                    .map(str::to_string)
            })
            .unwrap_or_default();
        if state == "Succeeded" {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(ArmError::Setup(format!(
        "the lock zone {zone} did not finish creating"
    )))
}

impl Lock {
    fn start(
        client: Arc<ArmClient>,
        place: LockPlace,
        mut holder: Holder,
        etag: String,
        mut last_date: String,
        took_over: Option<Holder>,
    ) -> Lock {
        let etag = Arc::new(Mutex::new(etag));
        let (lost_tx, lost) = watch::channel(false);
        let every = holder.expires_after / 4;
        let task_client = client.clone();
        let task_etag = etag.clone();
        let id = place.record_id();
        let (stop_heartbeat, mut stopping) = watch::channel(false);
        let heartbeat = tokio::spawn(async move {
            let Ok(url) = task_client.url(&id, private_dns_api()) else {
                return;
            };
            let mut last_success = tokio::time::Instant::now();
            loop {
                // Stopped only between renewals, never with one in flight: the etag it
                // leaves is the record's, so the release that follows is not refused.
                tokio::select! {
                    () = tokio::time::sleep(every) => {}
                    _ = stopping.changed() => return,
                }
                holder.heartbeat = last_date.clone();
                let current = task_etag.lock().await.clone();
                let sent_at = tokio::time::Instant::now();
                // A renewal that hangs counts as failed once the next one is due.
                let renewed = tokio::time::timeout(
                    every,
                    task_client.send_if(
                        Method::Put,
                        url.clone(),
                        Some(&holder.body()),
                        &[("if-match", current)],
                        "renew the lock",
                        &id,
                    ),
                )
                .await;
                match renewed {
                    Ok(Ok(response)) => {
                        if let Some(etag) = etag_of(&response) {
                            *task_etag.lock().await = etag;
                        }
                        if let Some(date) = response.date {
                            last_date = date;
                        }
                        // The heartbeat written is the Date of the previous answer: count the
                        // lock as renewed from when this request left, not when it came back.
                        last_success = sent_at;
                    }
                    Ok(Err(e)) if matches!(status_of(&e), Some(412 | 404)) => {
                        let _ = lost_tx.send(true);
                        return;
                    }
                    // A passing failure: try again while a contender still sees the lock alive.
                    // A contender judges by the heartbeat written, which lags by one interval:
                    // past half the expiry this run stops itself, well before anyone else may
                    // take over.
                    _ if last_success.elapsed() < holder.expires_after / 2 => {}
                    _ => {
                        let _ = lost_tx.send(true);
                        return;
                    }
                }
            }
        });
        Lock {
            client,
            place,
            etag,
            heartbeat,
            stop_heartbeat,
            lost,
            took_over,
        }
    }

    /// Releases the lock if this run still holds it (a delete conditional on its etag).
    pub async fn release(self) -> Result<(), LockError> {
        let _ = self.stop_heartbeat.send(true);
        let _ = self.heartbeat.await;
        let id = self.place.record_id();
        let url = self.client.url(&id, private_dns_api())?;
        let etag = self.etag.lock().await.clone();
        match self
            .client
            .send_if(
                Method::Delete,
                url,
                None,
                &[("if-match", etag)],
                "release the lock",
                &id,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if status_of(&e) == Some(412) => Err(LockError::Lost {
                stack: self.place.stack.clone(),
            }),
            Err(e) => Err(e.into()),
        }
    }
}

/// Breaks a stack's lock (`azplan unlock`): returns who held it, `None` if nobody did. The
/// delete is conditional on the lock read here, so a lock renewed meanwhile is left alone.
pub async fn break_lock(
    client: &ArmClient,
    place: &LockPlace,
) -> Result<Option<String>, LockError> {
    let id = place.record_id();
    let url = client.url(&id, private_dns_api())?;
    let current = client
        .send(Method::Get, url.clone(), None, "read the lock", &id)
        .await?;
    if current.status == 404 {
        return Ok(None);
    }
    let holder = current
        .body
        .as_ref()
        .and_then(Holder::from_body)
        .map(|h| h.describe())
        .unwrap_or_else(|| "an unreadable lock record".into());
    let etag = etag_of(&current).unwrap_or_default();
    match client
        .send_if(
            Method::Delete,
            url,
            None,
            &[("if-match", etag)],
            "break the lock",
            &id,
        )
        .await
    {
        Ok(_) => Ok(Some(holder)),
        Err(e) if status_of(&e) == Some(412) => Err(LockError::Held {
            stack: place.stack.clone(),
            holder: format!("{holder} (it renewed the lock while azplan tried to break it: alive)"),
            expires: DEFAULT_EXPIRY.as_secs(),
        }),
        Err(e) => Err(e.into()),
    }
}

/// This machine's name, for humans (Linux: the kernel's hostname; else the usual variables).
fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "an unknown host".into())
}

/// The CI run this process belongs to, from the variables CI systems set: GitHub Actions
/// (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`, `GITHUB_RUN_ID`), Azure Pipelines
/// (`SYSTEM_COLLECTIONURI`, `SYSTEM_TEAMPROJECT`, `BUILD_BUILDID`), GitLab (`CI_JOB_URL`).
fn ci_run() -> Option<String> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(server), Some(repo), Some(run)) = (
        var("GITHUB_SERVER_URL"),
        var("GITHUB_REPOSITORY"),
        var("GITHUB_RUN_ID"),
    ) {
        return Some(format!("{server}/{repo}/actions/runs/{run}"));
    }
    if let (Some(collection), Some(project), Some(build)) = (
        var("SYSTEM_COLLECTIONURI"),
        var("SYSTEM_TEAMPROJECT"),
        var("BUILD_BUILDID"),
    ) {
        return Some(format!(
            "{collection}{project}/_build/results?buildId={build}"
        ));
    }
    var("CI_JOB_URL")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_round_trip_through_the_record_metadata() {
        let holder = Holder {
            operation: "apply".into(),
            host: "runner".into(),
            pid: "7".into(),
            ci_run: Some("https://ci/run/1".into()),
            since: "Mon, 30 Nov 2026 12:00:00 GMT".into(),
            heartbeat: "Mon, 30 Nov 2026 12:00:30 GMT".into(),
            expires_after: Duration::from_secs(120),
        };
        assert_eq!(Holder::from_body(&holder.body()), Some(holder.clone()));
        assert!(
            holder
                .describe()
                .contains("pid 7 on runner (https://ci/run/1)")
        );
        assert_eq!(seconds_between(&holder.since, &holder.heartbeat), Some(30));
        assert_eq!(seconds_between(&holder.heartbeat, &holder.since), Some(-30));
        assert_eq!(seconds_between("yesterday", &holder.since), None);
    }
}
