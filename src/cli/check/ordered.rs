//! Parallel work whose results are consumed in order as soon as they can be: each worker claims
//! the next index, and whichever worker completes the lowest outstanding one hands it, and every
//! result after it that is ready, to the consumer. A report is thereby written file by file while
//! later files are still being linted, and what waits in memory is bounded by [`WINDOW`], not by
//! the number of files.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// How far past the lowest unconsumed index a worker may start: the most results waiting for
/// a slow file before it. Enough that a worker seldom waits (files take about the same time),
/// few enough that the waiting results stay small.
pub(super) const WINDOW: usize = 256;

struct State<T, C> {
    /// The lowest index not yet consumed.
    next: usize,
    pending: BTreeMap<usize, Option<T>>,
    consume: C,
}

fn lock<S>(m: &Mutex<S>) -> MutexGuard<'_, S> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs `work(i)` for every `i` in `0..n` and calls `consume(i, result)` in index order, `None`
/// for a `work` that panicked. With `parallel`, on every thread of the current rayon pool (the
/// calling thread among them); otherwise on this thread, one after another.
pub(super) fn for_each<T: Send>(
    n: usize,
    parallel: bool,
    work: impl Fn(usize) -> T + Sync,
    mut consume: impl FnMut(usize, Option<T>) + Send,
) {
    let run = |i: usize| catch_unwind(AssertUnwindSafe(|| work(i))).ok();
    if !parallel || n < 2 {
        for i in 0..n {
            consume(i, run(i));
        }
        return;
    }
    let claim = AtomicUsize::new(0);
    let state = Mutex::new(State {
        next: 0,
        pending: BTreeMap::new(),
        consume,
    });
    let advanced = Condvar::new();
    rayon::broadcast(|_| {
        loop {
            let i = claim.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            {
                // The worker holding the lowest index never waits here, so this always ends.
                let mut s = lock(&state);
                while i >= s.next + WINDOW {
                    s = advanced.wait(s).unwrap_or_else(|e| e.into_inner());
                }
            }
            let result = run(i);
            let mut s = lock(&state);
            s.pending.insert(i, result);
            let before = s.next;
            loop {
                let next = s.next;
                let Some(ready) = s.pending.remove(&next) else {
                    break;
                };
                (s.consume)(next, ready);
                s.next += 1;
            }
            if s.next != before {
                advanced.notify_all();
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_arrive_in_order_whatever_finishes_first() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let n = 3 * WINDOW + 17;
        let mut seen = Vec::new();
        pool.install(|| {
            for_each(
                n,
                true,
                |i| {
                    // Early indices are slow, so later ones finish first.
                    if i % 97 == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(2));
                    }
                    assert_ne!(i, 5, "a panicking item becomes None");
                    i * 2
                },
                |i, r| seen.push((i, r)),
            )
        });
        let want: Vec<_> = (0..n).map(|i| (i, (i != 5).then_some(i * 2))).collect();
        assert_eq!(seen, want);
        let mut serial = Vec::new();
        for_each(3, false, |i| i, |i, r| serial.push((i, r)));
        assert_eq!(serial, [(0, Some(0)), (1, Some(1)), (2, Some(2))]);
    }
}
