//! The apply coordinator's scheduling state, kept apart from I/O so it can be tested alone:
//! which operations wait for which, which are ready, which ARM serialisation keys (a cluster,
//! a VNet's subnets, an identity's credentials) are busy. The coordinator alone owns it: an
//! operation gets a slot only when it can run at once, so nothing ever waits for a lock inside
//! a task, and a stop starts nothing new.

use std::collections::{BTreeMap, BTreeSet};

/// Dependencies and serialisation keys of the operations of one apply (by change index).
#[derive(Debug, Default)]
pub(crate) struct Schedule {
    waits_for: BTreeMap<usize, BTreeSet<usize>>,
    dependents: BTreeMap<usize, Vec<usize>>,
    /// Operations whose dependencies are done and that have not started.
    ready: BTreeSet<usize>,
    /// The key an operation must hold alone, if any.
    serial: BTreeMap<usize, String>,
    busy: BTreeSet<String>,
    /// Operations that started, or will never start.
    settled: BTreeSet<usize>,
}

impl Schedule {
    /// `waits_for[i]`: what operation `i` waits for; `serial[i]`: the key it must hold alone.
    pub(crate) fn new(
        waits_for: BTreeMap<usize, BTreeSet<usize>>,
        serial: BTreeMap<usize, String>,
    ) -> Schedule {
        let mut dependents: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (&i, deps) in &waits_for {
            for &d in deps {
                dependents.entry(d).or_default().push(i);
            }
        }
        let ready = waits_for
            .iter()
            .filter(|(_, d)| d.is_empty())
            .map(|(i, _)| *i)
            .collect();
        Schedule {
            waits_for,
            dependents,
            ready,
            serial,
            busy: BTreeSet::new(),
            settled: BTreeSet::new(),
        }
    }

    /// The next operation that can start now (ready, and its key free), marking it started.
    pub(crate) fn start_next(&mut self) -> Option<usize> {
        let next = self
            .ready
            .iter()
            .copied()
            .find(|i| self.serial.get(i).is_none_or(|k| !self.busy.contains(k)))?;
        self.ready.remove(&next);
        self.settled.insert(next);
        if let Some(key) = self.serial.get(&next) {
            self.busy.insert(key.clone());
        }
        Some(next)
    }

    /// Operation `i` ran to its end: its key is free and what waited only for it is ready.
    pub(crate) fn succeeded(&mut self, i: usize) {
        self.release(i);
        for dependent in self.dependents.get(&i).cloned().unwrap_or_default() {
            if let Some(deps) = self.waits_for.get_mut(&dependent) {
                deps.remove(&i);
                if deps.is_empty() && !self.settled.contains(&dependent) {
                    self.ready.insert(dependent);
                }
            }
        }
    }

    /// Operation `i` failed: its key is free, and everything that depends on it, directly or
    /// not, will never start. Returns those, to report as skipped.
    pub(crate) fn failed(&mut self, i: usize) -> Vec<usize> {
        self.release(i);
        let mut skipped = Vec::new();
        let mut stack = vec![i];
        while let Some(j) = stack.pop() {
            for dependent in self.dependents.get(&j).cloned().unwrap_or_default() {
                if self.settled.insert(dependent) {
                    self.ready.remove(&dependent);
                    skipped.push(dependent);
                    stack.push(dependent);
                }
            }
        }
        skipped
    }

    /// Operation `i` ended without finishing (left running in Azure, or never sent): its key
    /// is free; its dependents stay waiting.
    pub(crate) fn ended(&mut self, i: usize) {
        self.release(i);
    }

    fn release(&mut self, i: usize) {
        if let Some(key) = self.serial.get(&i) {
            self.busy.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule(edges: &[(usize, &[usize])], serial: &[(usize, &str)]) -> Schedule {
        Schedule::new(
            edges
                .iter()
                .map(|(i, deps)| (*i, deps.iter().copied().collect()))
                .collect(),
            serial.iter().map(|(i, k)| (*i, k.to_string())).collect(),
        )
    }

    fn drain(s: &mut Schedule) -> Vec<usize> {
        std::iter::from_fn(|| s.start_next()).collect()
    }

    #[test]
    fn operations_start_when_their_dependencies_are_done() {
        // 0 and 1 are independent; 2 needs both; 3 needs 2.
        let mut s = schedule(&[(0, &[]), (1, &[]), (2, &[0, 1]), (3, &[2])], &[]);
        assert_eq!(drain(&mut s), vec![0, 1]);
        s.succeeded(0);
        assert_eq!(drain(&mut s), Vec::<usize>::new(), "2 still waits for 1");
        s.succeeded(1);
        assert_eq!(drain(&mut s), vec![2]);
        s.succeeded(2);
        assert_eq!(drain(&mut s), vec![3]);
    }

    #[test]
    fn one_operation_at_a_time_per_key_and_no_slot_spent_waiting() {
        // Three subnets of one VNet and an unrelated registry.
        let mut s = schedule(
            &[(0, &[]), (1, &[]), (2, &[]), (3, &[])],
            &[(0, "vnet"), (1, "vnet"), (2, "vnet")],
        );
        assert_eq!(
            drain(&mut s),
            vec![0, 3],
            "only one subnet; the registry runs beside it"
        );
        s.succeeded(0);
        assert_eq!(drain(&mut s), vec![1]);
        s.failed(1);
        assert_eq!(drain(&mut s), vec![2], "a failure frees the key too");
    }

    #[test]
    fn a_failure_skips_everything_downstream_and_nothing_else() {
        let mut s = schedule(&[(0, &[]), (1, &[0]), (2, &[1]), (3, &[])], &[]);
        assert_eq!(drain(&mut s), vec![0, 3]);
        let mut skipped = s.failed(0);
        skipped.sort();
        assert_eq!(skipped, vec![1, 2]);
        s.succeeded(3);
        assert_eq!(drain(&mut s), Vec::<usize>::new());
    }

    #[test]
    fn an_operation_left_running_holds_back_its_dependents() {
        let mut s = schedule(&[(0, &[]), (1, &[0])], &[(0, "cluster"), (1, "cluster")]);
        assert_eq!(drain(&mut s), vec![0]);
        s.ended(0);
        assert_eq!(drain(&mut s), Vec::<usize>::new());
    }
}
