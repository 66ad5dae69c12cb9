//! ARM's per-subscription token buckets (request-limits-and-throttling.md): reads 250 (+25/s),
//! writes 200 (+10/s), deletes 200 (+10/s), with the remaining-quota headers and 429 + Retry-After.
//! Azure Resource Graph has its own per-user quota instead (Learn "Guidance for throttled requests
//! in Azure Resource Graph": "a user can send at most 15 queries within every 5-second window"),
//! reported on every answer in `x-ms-user-quota-remaining` and `x-ms-user-quota-resets-after`
//! (hh:mm:ss); `UserQuota` is that window.

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub capacity: f64,
    pub refill_per_second: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleConfig {
    /// Switches ARM's buckets and Resource Graph's user quota together.
    pub enabled: bool,
    pub reads: Bucket,
    pub writes: Bucket,
    pub deletes: Bucket,
    pub resource_graph: UserQuota,
}

/// Resource Graph's per-user quota: `queries` per fixed `window_ms` window, the window starting at
/// the user's first query after the previous one ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserQuota {
    pub queries: u32,
    pub window_ms: u64,
}

impl Default for UserQuota {
    fn default() -> Self {
        UserQuota {
            queries: 15,
            window_ms: 5_000,
        }
    }
}

/// What Resource Graph's quota says about one query: remaining queries and time to the reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QuotaAnswer {
    pub(crate) remaining: u32,
    pub(crate) resets_after_ms: u64,
    /// The query was refused (429).
    pub(crate) throttled: bool,
}

impl QuotaAnswer {
    /// `x-ms-user-quota-resets-after` in the documented `hh:mm:ss` form, rounded up to a second.
    pub(crate) fn resets_after(&self) -> String {
        let secs = self.resets_after_ms.div_ceil(1000);
        format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            (secs % 3600) / 60,
            secs % 60
        )
    }

    pub(crate) fn headers(&self) -> [(String, String); 2] {
        [
            (
                "x-ms-user-quota-remaining".to_string(),
                self.remaining.to_string(),
            ),
            (
                "x-ms-user-quota-resets-after".to_string(),
                self.resets_after(),
            ),
        ]
    }
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
            resource_graph: UserQuota::default(),
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
    /// Resource Graph windows per user: (window start, queries used).
    windows: HashMap<String, (u64, u32)>,
}

impl Throttle {
    pub(crate) fn new(config: ThrottleConfig) -> Throttle {
        Throttle {
            config,
            buckets: HashMap::new(),
            windows: HashMap::new(),
        }
    }

    /// Counts one Resource Graph query of `user`; `None` when throttling is off.
    pub(crate) fn take_query(&mut self, user: &str, now_ms: u64) -> Option<QuotaAnswer> {
        if !self.config.enabled {
            return None;
        }
        let quota = self.config.resource_graph;
        let window = quota.window_ms.max(1);
        let entry = self.windows.entry(user.to_string()).or_insert((now_ms, 0));
        if now_ms >= entry.0.saturating_add(window) {
            *entry = (now_ms, 0);
        }
        let resets_after_ms = entry.0.saturating_add(window).saturating_sub(now_ms);
        if entry.1 >= quota.queries {
            return Some(QuotaAnswer {
                remaining: 0,
                resets_after_ms,
                throttled: true,
            });
        }
        entry.1 += 1;
        Some(QuotaAnswer {
            remaining: quota.queries - entry.1,
            resets_after_ms,
            throttled: false,
        })
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
    use super::{Bucket, OpClass, Throttle, ThrottleConfig, UserQuota};

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
            resource_graph: UserQuota::default(),
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

#[cfg(test)]
mod quota_tests {
    use super::{Throttle, ThrottleConfig, UserQuota};

    #[test]
    fn resource_graph_window_counts_down_and_resets() {
        let mut t = Throttle::new(ThrottleConfig {
            resource_graph: UserQuota {
                queries: 2,
                window_ms: 5_000,
            },
            ..ThrottleConfig::default()
        });
        let a = t.take_query("u", 1_000).expect("on");
        assert_eq!((a.remaining, a.throttled), (1, false));
        assert_eq!(a.resets_after(), "00:00:05");
        let b = t.take_query("u", 2_500).expect("on");
        assert_eq!((b.remaining, b.resets_after()), (0, "00:00:04".to_string()));
        assert!(t.take_query("u", 3_000).expect("on").throttled);
        assert!(
            !t.take_query("other", 3_000).expect("on").throttled,
            "per user"
        );
        let after = t.take_query("u", 6_000).expect("on");
        assert_eq!(
            (after.remaining, after.throttled),
            (1, false),
            "a new window"
        );
    }
}
