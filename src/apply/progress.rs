//! What an apply shows while it runs: live per-resource spinners on a terminal, Terraform-style
//! "Still creating… [2m10s elapsed]" lines in CI logs, and the final summary.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::{Outcome, Report};
use crate::plan::Action;

/// Everything the coordinator reports.
#[derive(Debug, Clone)]
pub enum Event {
    Started {
        address: String,
        action: Action,
    },
    Finished {
        address: String,
        action: Action,
        took: Duration,
    },
    Failed {
        address: String,
        action: Action,
        error: String,
    },
    Skipped {
        address: String,
        because: String,
    },
    Interrupted {
        running: usize,
    },
    Note(String),
    Tick,
    Done {
        report: Report,
    },
}

pub enum Mode {
    /// indicatif spinners (stderr is a terminal).
    Bars,
    /// Plain lines with periodic "Still …" reminders every `every`.
    Lines { every: Duration },
    /// Nothing but the summary (tests that read stdout).
    Quiet,
}

pub struct Progress {
    mode: Mode,
    /// "Apply" or "Destroy", for the summary line.
    verb: &'static str,
    multi: MultiProgress,
    running: BTreeMap<String, (Action, Instant, Option<ProgressBar>, Instant)>,
    out: Box<dyn Write + Send>,
}

fn gerund(action: Action) -> &'static str {
    match action {
        Action::Create => "Creating",
        Action::Update | Action::Adopt => "Modifying",
        Action::Replace => "Replacing",
        Action::Delete => "Destroying",
        Action::Wait => "Waiting",
        Action::NoOp | Action::Read => "Reading",
    }
}

fn done_word(action: Action) -> &'static str {
    match action {
        Action::Create => "Creation complete",
        Action::Update | Action::Adopt => "Modifications complete",
        Action::Replace => "Replacement complete",
        Action::Delete => "Destruction complete",
        Action::Wait => "Settled",
        Action::NoOp | Action::Read => "Read complete",
    }
}

/// `2m10s` style, as Terraform prints it.
pub fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

impl Progress {
    pub fn new(mode: Mode, out: Box<dyn Write + Send>) -> Progress {
        Progress {
            mode,
            verb: "Apply",
            multi: MultiProgress::new(),
            running: BTreeMap::new(),
            out,
        }
    }

    /// Names the summary after the command ("Destroy complete!").
    pub fn with_verb(mut self, verb: &'static str) -> Progress {
        self.verb = verb;
        self
    }

    fn line(&mut self, text: &str) {
        match self.mode {
            Mode::Bars => {
                let _ = self.multi.println(text);
            }
            Mode::Lines { .. } => {
                let _ = writeln!(self.out, "{text}");
            }
            Mode::Quiet => {}
        }
    }

    pub fn event(&mut self, event: Event) {
        match event {
            Event::Started { address, action } => {
                let now = Instant::now();
                let bar = match self.mode {
                    Mode::Bars => {
                        let bar = self.multi.add(ProgressBar::new_spinner());
                        bar.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").unwrap_or_else(|_| ProgressStyle::default_spinner()));
                        bar.set_message(format!("{address}: {}…", gerund(action)));
                        bar.enable_steady_tick(Duration::from_millis(120));
                        Some(bar)
                    }
                    _ => None,
                };
                self.line_unless_bars(&format!("{address}: {}…", gerund(action)));
                self.running.insert(address, (action, now, bar, now));
            }
            Event::Finished { address, action, took } => {
                if let Some((_, _, Some(bar), _)) = self.running.remove(&address) {
                    bar.finish_and_clear();
                }
                self.line(&format!("{address}: {} after {}", done_word(action), elapsed(took)));
            }
            Event::Failed { address, action, error } => {
                if let Some((_, _, Some(bar), _)) = self.running.remove(&address) {
                    bar.finish_and_clear();
                }
                self.line(&format!("{address}: {} failed: {error}", gerund(action)));
            }
            Event::Skipped { address, because } => self.line(&format!("{address}: skipped: {because} failed")),
            Event::Interrupted { running } => self.line(&format!(
                "Interrupt received: starting nothing new; waiting for {running} operation(s) in flight to be accepted by Azure…"
            )),
            Event::Note(text) => self.line(&text),
            Event::Tick => {
                if let Mode::Lines { every } = self.mode {
                    let now = Instant::now();
                    let mut reminders = Vec::new();
                    for (address, (action, started, _, last)) in self.running.iter_mut() {
                        if now.duration_since(*last) >= every {
                            *last = now;
                            reminders.push(format!("{address}: Still {}… [{} elapsed]", gerund(*action).to_lowercase(), elapsed(now.duration_since(*started))));
                        }
                    }
                    for r in reminders {
                        self.line(&r);
                    }
                }
            }
            Event::Done { report } => self.summary(&report),
        }
    }

    fn line_unless_bars(&mut self, text: &str) {
        if let Mode::Lines { .. } = self.mode {
            let _ = writeln!(self.out, "{text}");
        }
    }

    fn summary(&mut self, report: &Report) {
        let mut still = Vec::new();
        let mut failed = Vec::new();
        for (address, (_, outcome)) in &report.outcomes {
            match outcome {
                Outcome::StillRunning => still.push(address.clone()),
                Outcome::Failed(e) => failed.push(format!("{address}: {e}")),
                _ => {}
            }
        }
        let counts = format!(
            "Resources: {} added, {} changed, {} destroyed.",
            report.added(),
            report.changed(),
            report.destroyed()
        );
        let mut text = String::new();
        if report.interrupted {
            text.push_str(&format!(
                "\n{} interrupted after {}. {counts}\n",
                self.verb,
                elapsed(report.elapsed)
            ));
            if !still.is_empty() {
                text.push_str(&format!(
                    "Still running in Azure (check again with `azplan plan`): {}\n",
                    still.join(", ")
                ));
            }
        } else if report.failed() {
            text.push_str(&format!(
                "\n{} failed after {}. {counts}\n",
                self.verb,
                elapsed(report.elapsed)
            ));
            for f in &failed {
                text.push_str(&format!("  error: {f}\n"));
            }
            text.push_str(
                "Fix the cause and run the command again: it continues from where Azure is now.\n",
            );
        } else {
            text.push_str(&format!(
                "\n{} complete! {counts} ({})\n",
                self.verb,
                elapsed(report.elapsed)
            ));
        }
        let _ = self.multi.clear();
        let _ = write!(self.out, "{text}");
        let _ = self.out.flush();
    }
}
