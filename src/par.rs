//! Work spread over the machine's cores where a 10,000-resource plan spends its time (preparing
//! each resource's change, rendering the plan), with results in input order so output stays
//! deterministic. Small inputs stay on the calling thread: starting threads costs more.

/// `work` on consecutive parts of `items`, one part per core, results in the parts' order.
/// Below `at_least` items (or on one core) everything runs on the calling thread, as one part.
/// The calling thread takes the last part itself: one thread fewer, and one allocator heap
/// fewer (with the system allocator, another arena cost a 10,000-resource plan 11 MB).
pub fn map_parts<'a, T: Sync, R: Send>(
    items: &'a [T],
    at_least: usize,
    work: impl Fn(&'a [T]) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if items.len() < at_least.max(2) || cores < 2 {
        return vec![work(items)];
    }
    let parts: Vec<&'a [T]> = items.chunks(items.len().div_ceil(cores)).collect();
    let Some((last, others)) = parts.split_last() else {
        return vec![work(items)];
    };
    let work = &work;
    std::thread::scope(|scope| {
        let workers: Vec<_> = others
            .iter()
            .map(|&part| scope.spawn(move || work(part)))
            .collect();
        let mine = work(last);
        let mut results: Vec<R> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        results.push(mine);
        results
    })
}

/// `first` and `second`, side by side when `parallel` (`first` on another thread).
pub fn both<A: Send, B>(
    parallel: bool,
    first: impl FnOnce() -> A + Send,
    second: impl FnOnce() -> B,
) -> (A, B) {
    if !parallel {
        return (first(), second());
    }
    std::thread::scope(|scope| {
        let first = scope.spawn(first);
        let second = second();
        let first = first
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (first, second)
    })
}

/// Helper threads, one per further core (up to 8 cores in all), that run `work` on the parts
/// they are sent for as long as `body` runs: `body` spreads each input over them and the
/// calling thread with [`Helpers::parts`]. Kept for the whole run rather than started per
/// input: the memory allocator keeps a thread's pages for reuse only while the thread lives,
/// so what a thread that had ended allocated, freed later by the calling thread, stayed with
/// it (a thread per 1,024-resource batch cost a 10,000-resource plan 8 MB). On one core, or
/// with `parallel` off, there are none and everything runs on the calling thread.
pub fn with_helpers<'env, T: Sync + 'env, R: Send, Out>(
    parallel: bool,
    work: impl Fn(&'env [T]) -> R + Sync,
    body: impl FnOnce(&Helpers<'_, 'env, T, R>) -> Out,
) -> Out {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let work: &(dyn Fn(&'env [T]) -> R + Sync) = &work;
    if !parallel || cores < 2 {
        return body(&Helpers {
            work,
            threads: Vec::new(),
        });
    }
    std::thread::scope(|scope| {
        let threads = (1..cores)
            .map(|_| {
                let (parts, inbox) = std::sync::mpsc::channel::<&'env [T]>();
                let (results, outbox) = std::sync::mpsc::channel::<std::thread::Result<R>>();
                scope.spawn(move || {
                    for part in inbox {
                        // A panic goes back to the calling thread, which raises it again.
                        let result =
                            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(part)));
                        if results.send(result).is_err() {
                            break;
                        }
                    }
                });
                (parts, outbox)
            })
            .collect();
        body(&Helpers { work, threads })
    })
}

/// The calling thread's end of [`with_helpers`].
pub struct Helpers<'w, 'env, T, R> {
    work: &'w (dyn Fn(&'env [T]) -> R + Sync),
    threads: Vec<Helper<'env, T, R>>,
}

/// One helper thread, as the calling thread sees it: where parts go, where results come back.
type Helper<'env, T, R> = (
    std::sync::mpsc::Sender<&'env [T]>,
    std::sync::mpsc::Receiver<std::thread::Result<R>>,
);

impl<'env, T: Sync, R: Send> Helpers<'_, 'env, T, R> {
    /// `work` on consecutive parts of `items`, one per helper and the last on the calling
    /// thread, results in the parts' order; below `at_least` items, one part on this thread.
    pub fn parts(&self, items: &'env [T], at_least: usize) -> Vec<R> {
        if self.threads.is_empty() || items.len() < at_least.max(2) {
            return vec![(self.work)(items)];
        }
        let chunks: Vec<&'env [T]> = items
            .chunks(items.len().div_ceil(self.threads.len() + 1))
            .collect();
        let Some((mine, theirs)) = chunks.split_last() else {
            return vec![(self.work)(items)];
        };
        let sent: Vec<bool> = theirs
            .iter()
            .zip(&self.threads)
            .map(|(part, (to, _))| to.send(part).is_ok())
            .collect();
        let mine = (self.work)(mine);
        let mut results: Vec<R> = theirs
            .iter()
            .zip(&self.threads)
            .zip(sent)
            .map(
                |((part, (_, from)), sent)| match sent.then(|| from.recv().ok()).flatten() {
                    Some(Ok(result)) => result,
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    // No helper to take it (none goes while `body` runs): done here.
                    None => (self.work)(part),
                },
            )
            .collect();
        results.push(mine);
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_come_back_in_order_and_cover_everything() {
        let items: Vec<u32> = (0..1000).collect();
        let parts = map_parts(&items, 10, |part| part.to_vec());
        assert_eq!(parts.concat(), items);
        let small = map_parts(&items[..5], 10, |part| part.len());
        assert_eq!(
            small,
            vec![5],
            "below the threshold: one part, on this thread"
        );
        let none: Vec<usize> = map_parts(&items[..0], 0, |part| part.len());
        assert_eq!(none, vec![0]);
    }

    #[test]
    fn helpers_serve_every_input_in_order_and_live_through_them_all() {
        let items: Vec<u32> = (0..1000).collect();
        let seen = std::sync::Mutex::new(std::collections::HashSet::new());
        let work = |part: &[u32]| {
            seen.lock().unwrap().insert(std::thread::current().id());
            part.to_vec()
        };
        for parallel in [false, true] {
            seen.lock().unwrap().clear();
            let batches = with_helpers(parallel, work, |helpers| {
                items
                    .chunks(100)
                    .map(|batch| helpers.parts(batch, 10).concat())
                    .collect::<Vec<_>>()
            });
            assert_eq!(batches.concat(), items, "parallel: {parallel}");
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
            let threads = seen.lock().unwrap().len();
            // The same helpers for all ten batches: one thread per core, never one per batch.
            assert_eq!(
                threads,
                if parallel { cores } else { 1 },
                "parallel: {parallel}"
            );
        }
        let small = with_helpers(
            true,
            |part: &[u32]| part.len(),
            |h| h.parts(&items[..5], 10),
        );
        assert_eq!(small, vec![5], "below the threshold: one part");
    }

    #[test]
    fn a_helpers_panic_comes_back_to_the_caller_with_its_message() {
        let items: Vec<u32> = (0..100).collect();
        let caught = std::panic::catch_unwind(|| {
            with_helpers(
                true,
                |part: &[u32]| {
                    assert!(!part.contains(&0), "part with 0");
                    part.len()
                },
                |h| h.parts(&items, 10),
            )
        });
        let panic = caught.expect_err("the part with 0 panics, wherever it ran");
        let message = panic
            .downcast_ref::<&str>()
            .map(|m| m.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        assert!(message.contains("part with 0"), "{message}");
    }

    #[test]
    fn both_gives_each_result_its_place() {
        for parallel in [false, true] {
            assert_eq!(both(parallel, || 1, || "two"), (1, "two"));
        }
    }
}
