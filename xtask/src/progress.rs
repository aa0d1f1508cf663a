//! Progress bars on stderr (indicatif), with ETA.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `total` items, `done` of which are already finished (e.g. resumed).
pub fn bar(total: u64, done: u64, what: &str) -> ProgressBar {
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
    pb
}
