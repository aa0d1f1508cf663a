//! Progress on stderr: an indicatif bar with ETA on a terminal, and a plain line every 30 s
//! when stderr is redirected to a file (so a log of a long run shows progress too).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Progress of `total` items.
pub struct Progress {
    pb: ProgressBar,
    what: String,
    start: Instant,
    start_pos: u64,
    last_log: Mutex<Instant>,
}

/// A bar of `total` items, `done` of which are already finished (e.g. resumed).
pub fn bar(total: u64, done: u64, what: &str) -> Progress {
    let pb = ProgressBar::new(total);
    pb.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} [{{elapsed_precise}}] {{bar:40.cyan/blue}} {{pos}}/{{len}} {what} (ETA {{eta}})"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    pb.set_position(done);
    pb.reset_eta();
    Progress {
        pb,
        what: what.to_string(),
        start: Instant::now(),
        start_pos: done,
        last_log: Mutex::new(Instant::now()),
    }
}

impl Progress {
    /// One more item finished.
    pub fn inc(&self, n: u64) {
        self.pb.inc(n);
        if self.pb.is_hidden() {
            let mut last = self.last_log.lock().expect("poisoned");
            let pos = self.pb.position();
            let len = self.pb.length().unwrap_or(pos);
            if last.elapsed() >= Duration::from_secs(30) || pos == len {
                *last = Instant::now();
                let el = self.start.elapsed().as_secs_f64();
                let rate = (pos - self.start_pos) as f64 / el.max(1e-9);
                let eta = if rate > 0.0 {
                    (len - pos) as f64 / rate
                } else {
                    f64::INFINITY
                };
                eprintln!(
                    "  {pos}/{len} {} after {el:.0} s (ETA {eta:.0} s)",
                    self.what
                );
            }
        }
    }

    /// Removes the bar.
    pub fn finish_and_clear(&self) {
        self.pb.finish_and_clear();
    }
}
