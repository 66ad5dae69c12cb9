//! `azplan render`: the requests azplan would send, one file per resource, for reviews and for
//! snapshot tests that fail when the rendered configuration changes unreviewed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{EXIT_ERRORS, EXIT_OK, StackArgs, print, report};
use crate::rendered;

#[derive(Debug, Args)]
pub(crate) struct RenderArgs {
    #[command(flatten)]
    stack: StackArgs,
    /// Write the render into DIR (created if needed; files no longer rendered are removed).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["check", "update"])]
    out: Option<PathBuf>,
    /// Compare with the render committed in DIR: exit 1 and print a unified diff if they differ.
    #[arg(long, value_name = "DIR", conflicts_with = "update")]
    check: Option<PathBuf>,
    /// Rewrite the render committed in DIR (same as --out).
    #[arg(long, value_name = "DIR")]
    update: Option<PathBuf>,
}

pub(crate) fn render_command(args: &RenderArgs) -> u8 {
    let checked = crate::check::check(&args.stack.stack, &args.stack.options());
    if report(&checked) {
        return EXIT_ERRORS;
    }
    let (Some(stack), Some(graph)) = (&checked.stack, &checked.graph) else {
        return EXIT_ERRORS;
    };
    let files = rendered::render(stack, graph);
    if let Some(dir) = &args.check {
        let committed = match read_render(dir) {
            Ok(c) => c,
            Err(e) => {
                eprintln!(
                    "error: cannot read the committed render `{}`: {e}",
                    dir.display()
                );
                return EXIT_ERRORS;
            }
        };
        let diffs = rendered::compare(&committed, &files);
        if diffs.is_empty() {
            eprintln!(
                "The render in {} is current ({} files).",
                dir.display(),
                files.len()
            );
            return EXIT_OK;
        }
        let _ = print(&rendered::unified(&diffs));
        eprintln!(
            "error: the rendered configuration differs from {} in {} file(s)\n  help: review the diff, then run `azplan render {} --update {}`",
            dir.display(),
            diffs.len(),
            args.stack.stack.display(),
            dir.display()
        );
        return EXIT_ERRORS;
    }
    if let Some(dir) = args.out.as_ref().or(args.update.as_ref()) {
        return match write_render(dir, &files) {
            Ok(()) => {
                eprintln!("Rendered {} files into {}.", files.len(), dir.display());
                EXIT_OK
            }
            Err(e) => {
                eprintln!(
                    "error: cannot write the render into `{}`: {e}",
                    dir.display()
                );
                EXIT_ERRORS
            }
        };
    }
    let mut text = String::new();
    for (name, content) in &files {
        text.push_str(&format!("// {name}\n{content}\n"));
    }
    if print(&text).is_err() {
        return EXIT_ERRORS;
    }
    EXIT_OK
}

/// The rendered `*.json` files of a directory (a missing directory is an empty render; JSON
/// that is not a render is not part of it).
fn read_render(dir: &Path) -> std::io::Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|x| x == "json") && path.is_file() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let content = std::fs::read_to_string(&path)?;
            if rendered::is_render(&content) {
                files.insert(name, content);
            }
        }
    }
    Ok(files)
}

/// Writes each file atomically and removes rendered files that are no longer produced (only
/// files that are renders: other JSON in the directory stays).
fn write_render(dir: &Path, files: &BTreeMap<String, String>) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, content) in files {
        super::write_atomically(&dir.join(name), content.as_bytes())?;
    }
    for stale in read_render(dir)?.keys().filter(|n| !files.contains_key(*n)) {
        std::fs::remove_file(dir.join(stale))?;
    }
    Ok(())
}
