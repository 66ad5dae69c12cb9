//! Client-side token buckets matching ARM's per-subscription budgets (reads 250 then 25/s,
//! writes and deletes 200 then 10/s), so azplan slows itself down instead of collecting 429s.
//! Resource Graph has its own per-user quota, which its answers report; azplan waits for the
//! reset rather than spend the last query of a window.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Read,
    Write,
    Delete,
    /// A Resource Graph query: not ARM's subscription budget but the user's quota (Learn,
    /// "Guidance for throttled requests in Azure Resource Graph": `x-ms-user-quota-remaining`,
    /// `x-ms-user-quota-resets-after`).
    Graph,
}

/// What the last Resource Graph answer said about the user's quota.
#[derive(Debug, Default)]
struct GraphQuota {
    remaining: Option<u32>,
    resets_at: Option<Instant>,
}

#[derive(Debug)]
struct Bucket {
    capacity: f64,
    refill_per_second: f64,
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn new(capacity: f64, refill_per_second: f64) -> Bucket {
        Bucket {
            capacity,
            refill_per_second,
            tokens: capacity,
            updated: Instant::now(),
        }
    }

    /// Takes a token, or says how long until one is there.
    fn take(&mut self) -> Option<Duration> {
        let now = Instant::now();
        let elapsed = now.duration_since(self.updated).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.refill_per_second).min(self.capacity);
        self.updated = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            None
        } else {
            Some(Duration::from_secs_f64(
                (1.0 - self.tokens) / self.refill_per_second,
            ))
        }
    }

    /// ARM said how many requests are left: never believe we have more.
    fn observe_remaining(&mut self, remaining: f64) {
        self.tokens = self.tokens.min(remaining);
    }
}

#[derive(Debug)]
pub struct Pacer {
    /// Off only for test set-ups that seed a test endpoint with thousands of resources.
    enabled: bool,
    reads: Mutex<Bucket>,
    writes: Mutex<Bucket>,
    deletes: Mutex<Bucket>,
    graph: Mutex<GraphQuota>,
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer {
            enabled: true,
            reads: Mutex::new(Bucket::new(250.0, 25.0)),
            writes: Mutex::new(Bucket::new(200.0, 10.0)),
            deletes: Mutex::new(Bucket::new(200.0, 10.0)),
            graph: Mutex::new(GraphQuota::default()),
        }
    }
}

impl Pacer {
    pub fn unlimited() -> Pacer {
        Pacer {
            enabled: false,
            ..Pacer::default()
        }
    }

    fn bucket(&self, budget: Budget) -> &Mutex<Bucket> {
        match budget {
            Budget::Read => &self.reads,
            Budget::Write => &self.writes,
            Budget::Delete => &self.deletes,
            // Graph queries are gated by `acquire_graph`; ARM's buckets do not count them.
            Budget::Graph => &self.reads,
        }
    }

    /// Waits until the budget allows one more request.
    pub async fn acquire(&self, budget: Budget) {
        if !self.enabled {
            return;
        }
        if budget == Budget::Graph {
            return self.acquire_graph().await;
        }
        loop {
            let wait = self.bucket(budget).lock().await.take();
            match wait {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
    }

    /// Waits while the user's Resource Graph quota is spent, until the window resets.
    async fn acquire_graph(&self) {
        let mut quota = self.graph.lock().await;
        if quota.remaining == Some(0)
            && let Some(at) = quota.resets_at
        {
            tokio::time::sleep_until(at).await;
            *quota = GraphQuota::default();
        }
        if let Some(left) = quota.remaining.as_mut() {
            *left = left.saturating_sub(1);
        }
    }

    /// Resource Graph said how many queries are left and when the window resets.
    pub async fn observe_graph_quota(&self, remaining: u32, resets_after: Duration) {
        let mut quota = self.graph.lock().await;
        quota.remaining = Some(remaining);
        quota.resets_at = Some(Instant::now() + resets_after);
    }

    pub async fn observe_remaining(&self, budget: Budget, remaining: f64) {
        self.bucket(budget)
            .lock()
            .await
            .observe_remaining(remaining);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_drained_bucket_paces_at_its_refill_rate() {
        let pacer = Pacer::default();
        let start = Instant::now();
        for _ in 0..(250 + 25) {
            pacer.acquire(Budget::Read).await;
        }
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(990) && waited <= Duration::from_millis(1100),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_spent_graph_quota_waits_for_its_reset_and_no_longer() {
        let pacer = Pacer::default();
        pacer.observe_graph_quota(0, Duration::from_secs(3)).await;
        let start = Instant::now();
        pacer.acquire(Budget::Graph).await;
        assert_eq!(start.elapsed().as_secs(), 3);
        // After the reset, queries run until an answer reports the quota again.
        let start = Instant::now();
        pacer.acquire(Budget::Graph).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer.observe_graph_quota(2, Duration::from_secs(5)).await;
        pacer.acquire(Budget::Graph).await;
        pacer.acquire(Budget::Graph).await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        pacer.acquire(Budget::Graph).await;
        assert_eq!(start.elapsed().as_secs(), 5);
    }
}
