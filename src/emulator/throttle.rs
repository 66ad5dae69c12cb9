//! ARM's per-subscription token buckets (request-limits-and-throttling.md): reads 250 (+25/s),
//! writes 200 (+10/s), deletes 200 (+10/s), with the remaining-quota headers and 429 + Retry-After.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub capacity: f64,
    pub refill_per_second: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleConfig {
    pub enabled: bool,
    pub reads: Bucket,
    pub writes: Bucket,
    pub deletes: Bucket,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        ThrottleConfig {
            enabled: true,
            reads: Bucket {
                capacity: 250.0,
                refill_per_second: 25.0,
            },
            writes: Bucket {
                capacity: 200.0,
                refill_per_second: 10.0,
            },
            deletes: Bucket {
                capacity: 200.0,
                refill_per_second: 10.0,
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum OpClass {
    Read,
    Write,
    Delete,
}

impl OpClass {
    pub(crate) fn of_method(method: &str) -> OpClass {
        match method {
            "GET" | "HEAD" => OpClass::Read,
            "DELETE" => OpClass::Delete,
            _ => OpClass::Write,
        }
    }

    pub(crate) fn header(self) -> &'static str {
        match self {
            OpClass::Read => "x-ms-ratelimit-remaining-subscription-reads",
            OpClass::Write => "x-ms-ratelimit-remaining-subscription-writes",
            OpClass::Delete => "x-ms-ratelimit-remaining-subscription-deletes",
        }
    }

    pub(crate) fn word(self) -> &'static str {
        match self {
            OpClass::Read => "read",
            OpClass::Write => "write",
            OpClass::Delete => "delete",
        }
    }
}

#[derive(Debug)]
pub(crate) struct Throttle {
    config: ThrottleConfig,
    buckets: HashMap<(String, OpClass), (f64, u64)>,
}

impl Throttle {
    pub(crate) fn new(config: ThrottleConfig) -> Throttle {
        Throttle {
            config,
            buckets: HashMap::new(),
        }
    }

    /// Takes one token: `Ok(remaining)` or `Err(retry_after_seconds)`.
    pub(crate) fn take(
        &mut self,
        subscription: &str,
        class: OpClass,
        now_ms: u64,
    ) -> Result<Option<u64>, u64> {
        if !self.config.enabled {
            return Ok(None);
        }
        let bucket = match class {
            OpClass::Read => self.config.reads,
            OpClass::Write => self.config.writes,
            OpClass::Delete => self.config.deletes,
        };
        let entry = self
            .buckets
            .entry((subscription.to_ascii_lowercase(), class))
            .or_insert((bucket.capacity, now_ms));
        let elapsed = now_ms.saturating_sub(entry.1) as f64 / 1000.0;
        entry.0 = (entry.0 + elapsed * bucket.refill_per_second).min(bucket.capacity);
        entry.1 = now_ms;
        if entry.0 >= 1.0 {
            entry.0 -= 1.0;
            return Ok(Some(entry.0.floor() as u64));
        }
        let wait = if bucket.refill_per_second > 0.0 {
            ((1.0 - entry.0) / bucket.refill_per_second).ceil() as u64
        } else {
            3600
        };
        Err(wait.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::{Bucket, OpClass, Throttle, ThrottleConfig};

    #[test]
    fn bucket_empties_and_refills() {
        let small = Bucket {
            capacity: 2.0,
            refill_per_second: 1.0,
        };
        let mut t = Throttle::new(ThrottleConfig {
            enabled: true,
            reads: small,
            writes: small,
            deletes: small,
        });
        assert_eq!(t.take("s", OpClass::Read, 0), Ok(Some(1)));
        assert_eq!(t.take("s", OpClass::Read, 0), Ok(Some(0)));
        assert_eq!(t.take("s", OpClass::Read, 0), Err(1));
        assert_eq!(
            t.take("s", OpClass::Write, 0),
            Ok(Some(1)),
            "buckets are per operation type"
        );
        assert_eq!(
            t.take("other", OpClass::Read, 0),
            Ok(Some(1)),
            "buckets are per subscription"
        );
        assert_eq!(t.take("s", OpClass::Read, 1000), Ok(Some(0)));
    }
}
