//! Plans as text: human (Terraform-like glyphs, property diffs via `similar`), JSON (versioned,
//! schema in `schemas/plan.schema.json`) and Markdown for pull-request comments.

use std::fmt::Write as _;

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use super::{Action, Change, Plan, PropertyChange};

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, action: Action, text: &str) -> String {
        if !self.color {
            return text.to_string();
        }
        let code = match action {
            Action::Create => "32",
            Action::Update | Action::Adopt => "33",
            Action::Replace | Action::Delete => "31",
            Action::Wait => "36",
            Action::NoOp | Action::Read => "2",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }

    fn bold(self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

pub fn summary_line(plan: &Plan) -> String {
    let s = &plan.summary;
    let mut kept = match plan.kept.len() {
        0 => String::new(),
        1 => " 1 resource group kept (it holds resources this stack does not own).".to_string(),
        n => format!(" {n} resource groups kept (they hold resources this stack does not own)."),
    };
    if !plan.left_alone.is_empty() {
        let _ = write!(
            kept,
            " {} resource(s) not in the spec left alone.",
            plan.left_alone.len()
        );
    }
    if !s.has_changes() {
        return format!("No changes. Live state matches the spec.{kept}");
    }
    let busy = if s.wait > 0 {
        format!(", {} busy to wait for", s.wait)
    } else {
        String::new()
    };
    format!(
        "Plan: {} to add, {} to change, {} to destroy{busy}.{kept}",
        s.to_add(),
        s.to_change(),
        s.to_destroy()
    )
}

/// "will be destroyed", or "will be destroyed with rg/x" for what a group delete takes.
fn verb(change: &Change) -> String {
    match &change.goes_with {
        Some(group) => format!("{} with {group}", change.action.verb()),
        None => change.action.verb().to_string(),
    }
}

/// What the plan leaves alone under resources it manages (a cluster's extensions the spec does
/// not name), each with why: removing one from the spec does not delete it.
fn left_alone(plan: &Plan, style: Style, out: &mut String) {
    if plan.left_alone.is_empty() {
        return;
    }
    let head = "= left alone: not in the spec and never changed or deleted by this stack";
    let _ = writeln!(out, "  {}", style.bold(head));
    for item in &plan.left_alone {
        let _ = writeln!(out, "      # {}: {}", item.id, item.why);
    }
    out.push('\n');
}

/// The resource groups the plan keeps, each with what it holds that is not the stack's.
fn kept_groups(plan: &Plan, style: Style, out: &mut String) {
    for group in &plan.kept {
        let head = format!(
            "! {} is kept: deleting it would also delete {} resource(s) this stack does not own",
            group.address,
            group.not_owned.len()
        );
        let _ = writeln!(out, "  {}", style.paint(Action::Delete, &style.bold(&head)));
        let _ = writeln!(
            out,
            "      # {} {}",
            crate::kinds::resource_group_type().path,
            group.id
        );
        for item in &group.not_owned {
            let _ = writeln!(out, "      # {}: {}", item.id, item.why);
        }
        let _ = writeln!(
            out,
            "      # this stack's own resources in it are deleted one by one; no flag deletes the group\n"
        );
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::String(s) if s == crate::kinds::KNOWN_AFTER_APPLY => s.clone(),
        other => other.to_string(),
    }
}

fn multiline(value: &Value) -> bool {
    matches!(value, Value::Object(m) if !m.is_empty())
        || matches!(value, Value::Array(a) if a.len() > 1)
}

fn property_lines(change: &PropertyChange, action: Action, style: Style, out: &mut String) {
    let marker = if change.forces_replacement {
        "  # forces replacement"
    } else {
        ""
    };
    match (&change.before, action) {
        (None, _) => {
            let _ = writeln!(
                out,
                "      {} {} = {}",
                style.paint(Action::Create, "+"),
                change.path,
                show(&change.after)
            );
        }
        (Some(before), _) if !multiline(before) && !multiline(&change.after) => {
            let glyph = if change.after.is_null() {
                style.paint(Action::Delete, "-")
            } else {
                style.paint(Action::Update, "~")
            };
            let _ = writeln!(
                out,
                "      {glyph} {}: {} → {}{marker}",
                change.path,
                show(before),
                show(&change.after)
            );
        }
        (before, _) => {
            let _ = writeln!(out, "      ~ {}:{marker}", change.path);
            let old = before
                .as_ref()
                .map(|b| serde_json::to_string_pretty(b).unwrap_or_default())
                .unwrap_or_default();
            let new = serde_json::to_string_pretty(&change.after).unwrap_or_default();
            let diff = TextDiff::from_lines(&old, &new);
            for line in diff.iter_all_changes() {
                let (glyph, paint) = match line.tag() {
                    ChangeTag::Delete => ("-", Action::Delete),
                    ChangeTag::Insert => ("+", Action::Create),
                    ChangeTag::Equal => (" ", Action::NoOp),
                };
                let text = format!("{glyph} {}", line.value().trim_end_matches('\n'));
                let _ = writeln!(out, "          {}", style.paint(paint, &text));
            }
        }
    }
}

/// Properties fixed at creation that Azure does not show: neither changed nor compared, and
/// said so, since the spec may disagree with the resource.
fn not_shown(plan: &Plan, style: Style, out: &mut String) {
    for change in plan.changes.iter().filter(|c| !c.not_shown.is_empty()) {
        let head = format!("? {} has settings Azure does not show", change.address);
        let _ = writeln!(out, "  {}", style.bold(&head));
        let _ = writeln!(
            out,
            "      # fixed at creation, so azplan cannot compare them and changes nothing for them"
        );
        for p in &change.not_shown {
            let _ = writeln!(out, "      ? {} (the spec says {})", p.path, show(&p.after));
        }
        out.push('\n');
    }
}

/// The plan for a terminal or a CI log.
pub fn human(plan: &Plan, style: Style) -> String {
    human_parts(plan, style).concat()
}

/// The plan for a terminal as consecutive pieces of text, to be written one after another: a
/// 10,000-change plan's text is megabytes, and joining the pieces would hold it twice.
pub fn human_parts(plan: &Plan, style: Style) -> Vec<String> {
    let mut head = String::new();
    let env = plan
        .environment
        .as_deref()
        .map(|e| format!(", environment {e}"))
        .unwrap_or_default();
    let _ = writeln!(
        head,
        "Stack {} (subscription {}{env})\n",
        plan.stack, plan.subscription
    );
    let visible: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::NoOp | Action::Read))
        .collect();
    kept_groups(plan, style, &mut head);
    // In pieces of a few hundred changes: a piece of a megabyte or more grown by doubling
    // takes fresh memory at every step, where small pieces reuse what the plan freed
    // (measured: a peak 1.5 MiB lower than two pieces of 5,000 changes).
    let pieces: Vec<&[&Change]> = visible.chunks(RENDER_PIECE).collect();
    // On several cores only from RENDER_IN_PARALLEL_FROM changes (then from two pieces up).
    let at_least = if visible.len() < RENDER_IN_PARALLEL_FROM {
        usize::MAX
    } else {
        2
    };
    let blocks: Vec<String> = crate::par::map_parts(&pieces, at_least, |pieces| {
        pieces
            .iter()
            .map(|piece| {
                let mut text = String::new();
                for change in *piece {
                    change_block(change, style, &mut text);
                }
                text
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    let mut tail = String::new();
    not_shown(plan, style, &mut tail);
    left_alone(plan, style, &mut tail);
    let unchanged = plan.summary.no_op + plan.summary.read;
    if unchanged > 0 {
        let _ = writeln!(tail, "  {unchanged} resource(s) unchanged.\n");
    }
    let _ = writeln!(tail, "{}", style.bold(&summary_line(plan)));
    let mut parts = Vec::with_capacity(blocks.len() + 2);
    parts.push(head);
    parts.extend(blocks);
    parts.push(tail);
    parts
}

/// From this many changes shown, `human` renders them on several cores.
const RENDER_IN_PARALLEL_FROM: usize = 512;

/// How many changes `human_parts` renders into one piece of text.
const RENDER_PIECE: usize = 256;

/// One change as `human` shows it: its head line, ID, reasons and properties.
fn change_block(change: &Change, style: Style, out: &mut String) {
    let head = format!(
        "{} {} {}",
        change.action.glyph(),
        change.address,
        verb(change)
    );
    let _ = writeln!(out, "  {}", style.paint(change.action, &style.bold(&head)));
    let _ = writeln!(out, "      # {} {}", change.arm_type, change.id);
    for reason in &change.reasons {
        let _ = writeln!(out, "      # {reason}");
    }
    if change.action != Action::Delete {
        for property in &change.changes {
            property_lines(property, change.action, style, out);
        }
        for secret in &change.secrets {
            let when = if secret.every_put {
                "with every write"
            } else {
                "on create"
            };
            let _ = writeln!(
                out,
                "      # {} is sent {when} from ${} (never shown or saved)",
                secret.path, secret.env
            );
        }
    }
    out.push('\n');
}

pub fn json(plan: &Plan) -> String {
    let mut text = serde_json::to_string_pretty(plan).unwrap_or_default();
    text.push('\n');
    text
}

/// A PR comment: the summary, a table of changes, and collapsible details per resource.
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    let env = plan
        .environment
        .as_deref()
        .map(|e| format!(" ({e})"))
        .unwrap_or_default();
    let _ = writeln!(out, "### azplan plan for `{}`{env}\n", plan.stack);
    let _ = writeln!(out, "**{}**\n", summary_line(plan));
    for group in &plan.kept {
        let _ = writeln!(
            out,
            "> [!WARNING]\n> `{}` is kept: deleting it would also delete resources this stack does not own:",
            group.address
        );
        for item in &group.not_owned {
            let _ = writeln!(out, "> - `{}`: {}", item.id, item.why);
        }
        out.push('\n');
    }
    if !plan.left_alone.is_empty() {
        let _ = writeln!(
            out,
            "> [!NOTE]\n> Left alone: not in the spec and never changed or deleted by this stack:"
        );
        for item in &plan.left_alone {
            let _ = writeln!(out, "> - `{}`: {}", item.id, item.why);
        }
        out.push('\n');
    }
    for change in plan.changes.iter().filter(|c| !c.not_shown.is_empty()) {
        let _ = writeln!(
            out,
            "> [!NOTE]\n> `{}` has settings fixed at creation that Azure does not show; azplan cannot compare them and changes nothing for them:",
            change.address
        );
        for p in &change.not_shown {
            let _ = writeln!(out, "> - `{}` (the spec says `{}`)", p.path, show(&p.after));
        }
        out.push('\n');
    }
    let mut visible: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::NoOp | Action::Read))
        .collect();
    if visible.is_empty() {
        return out;
    }
    // What destroys comes first, so a reviewer cannot miss it.
    visible.sort_by_key(|c| match c.action {
        Action::Replace => 0,
        Action::Delete => 1,
        _ => 2,
    });
    // A PR comment holds at most 65,536 characters (GitHub): keep room for the closing note,
    // and leave out what does not fit, saying so.
    let budget = MARKDOWN_LIMIT - 600;
    let mut left_out = 0;
    let _ = writeln!(out, "| | Resource | Type | Why |\n|---|---|---|---|");
    for c in &visible {
        if out.len() > budget / 2 {
            left_out += 1;
            continue;
        }
        let why = c
            .reasons
            .first()
            .cloned()
            .unwrap_or_default()
            .replace('|', "\\|");
        let _ = writeln!(
            out,
            "| `{}` {} | `{}` | `{}` | {} |",
            c.action.glyph(),
            label(c.action),
            c.address,
            c.arm_type,
            why
        );
    }
    out.push('\n');
    let mut details_left_out = 0;
    for c in &visible {
        let mut block = String::new();
        let _ = writeln!(
            block,
            "<details><summary><code>{} {}</code> {}</summary>\n",
            c.action.glyph(),
            c.address,
            verb(c)
        );
        block.push_str("```diff\n");
        for reason in &c.reasons {
            let _ = writeln!(block, "# {reason}");
        }
        for p in &c.changes {
            match &p.before {
                Some(before) => {
                    let _ = writeln!(block, "- {}: {}", p.path, show(before));
                    let _ = writeln!(block, "+ {}: {}", p.path, show(&p.after));
                }
                None => {
                    let _ = writeln!(block, "+ {}: {}", p.path, show(&p.after));
                }
            }
        }
        block.push_str("```\n\n</details>\n\n");
        if out.len() + block.len() > budget {
            details_left_out += 1;
        } else {
            out.push_str(&block);
        }
    }
    if left_out + details_left_out > 0 {
        let _ = writeln!(
            out,
            "> [!IMPORTANT]\n> This plan is longer than a comment can hold: {left_out} of {} resources are left out of the table and {details_left_out} of their details. The full plan is in the run's artifact (`azplan plan --format markdown` or `--out plan.json`).",
            visible.len()
        );
    }
    out
}

/// The most a GitHub pull-request comment can hold, in characters.
pub const MARKDOWN_LIMIT: usize = 65_536;

fn label(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Replace => "**replace**",
        Action::Delete => "**destroy**",
        Action::Adopt => "adopt",
        Action::Wait => "wait",
        Action::NoOp => "no-op",
        Action::Read => "read",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{PlanOptions, plan};

    /// A plan made only to be shown leaves out created resources' bodies: what it shows must
    /// not change for that, and the bodies of what it changes in place must stay.
    #[test]
    fn a_plan_without_created_bodies_shows_the_same() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/platform");
        let checked = crate::check::check(&dir, &crate::load::LoadOptions::default());
        let (stack, graph) = (checked.stack.unwrap(), checked.graph.unwrap());
        // Every other resource lives already, with a tag changed outside azplan.
        let (empty, _) = plan(
            &stack,
            &graph,
            &crate::live::LiveState::default(),
            PlanOptions::default(),
        );
        let mut live = crate::live::LiveState::default();
        for change in empty.changes.iter().step_by(2) {
            if let Some(mut body) = change.desired.clone() {
                body["id"] = change.id.clone().into();
                body["type"] = change.arm_type.clone().into();
                if body.get("tags").is_some() {
                    body["tags"]["drift"] = "yes".into();
                }
                live.insert(body);
            }
        }
        let (full, errors) = plan(&stack, &graph, &live, PlanOptions::default());
        assert!(errors.is_empty(), "{errors:?}");
        assert!(full.summary.update > 3, "some resources change in place");
        let shown = PlanOptions {
            without_created_bodies: true,
            ..Default::default()
        };
        let (lean, _) = plan(&stack, &graph, &live, shown);
        let style = Style { color: false };
        assert!(full.summary.create > 0, "{:?}", full.summary);
        assert_eq!(human(&lean, style), human(&full, style));
        assert_eq!(markdown(&lean), markdown(&full));
        for (lean, full) in lean.changes.iter().zip(&full.changes) {
            match lean.action {
                Action::Create => assert!(lean.desired.is_none() && full.desired.is_some()),
                _ => assert_eq!(lean.desired, full.desired),
            }
        }
    }
}
