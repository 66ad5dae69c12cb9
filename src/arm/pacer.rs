//! Client-side token buckets matching ARM's per-subscription budgets (reads 250 then 25/s,
//! writes and deletes 200 then 10/s), so azplan slows itself down instead of collecting 429s.

use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Read,
    Write,
    Delete,
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
}

impl Default for Pacer {
    fn default() -> Pacer {
        Pacer {
            enabled: true,
            reads: Mutex::new(Bucket::new(250.0, 25.0)),
            writes: Mutex::new(Bucket::new(200.0, 10.0)),
            deletes: Mutex::new(Bucket::new(200.0, 10.0)),
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
        }
    }

    /// Waits until the budget allows one more request.
    pub async fn acquire(&self, budget: Budget) {
        if !self.enabled {
            return;
        }
        loop {
            let wait = self.bucket(budget).lock().await.take();
            match wait {
                None => return,
                Some(wait) => tokio::time::sleep(wait).await,
            }
        }
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
}
