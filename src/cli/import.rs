//! `azplan import`: reads what exists (from ARM or a file of bodies), writes a spec for it, and
//! says what it could not express.

use std::path::PathBuf;

use clap::Args;

use super::{EXIT_ERRORS, EXIT_OK, TargetArgs, print, print_error};
use crate::import::{ImportOptions, Selection};

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// A resource group to import, by name or ID (repeatable).
    #[arg(long = "resource-group", short = 'g', value_name = "NAME")]
    groups: Vec<String>,
    /// A resource to import, by ARM ID, with its children and role assignments (repeatable).
    #[arg(long = "id", value_name = "ARM_ID")]
    ids: Vec<String>,
    /// Import every resource of the subscription carrying this tag (repeatable).
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    tags: Vec<String>,
    /// Subscription to read (default: the one in the IDs, or AZURE_SUBSCRIPTION_ID).
    #[arg(long, value_name = "GUID")]
    subscription: Option<String>,
    /// Stack name (default: the `azplan-stack` tag the resources carry, else the group's name).
    #[arg(long, value_name = "NAME")]
    stack: Option<String>,
    /// Write DIR/stack.yaml (atomically) instead of printing the spec.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Import from a JSON or YAML file of ARM GET bodies instead of reading ARM.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["endpoint", "local"])]
    live: Option<PathBuf>,
    #[command(flatten)]
    target: TargetArgs,
}

pub(crate) fn import_command(args: &ImportArgs) -> u8 {
    let mut tags = Vec::new();
    for tag in &args.tags {
        match tag.split_once('=') {
            Some((k, v)) if !k.is_empty() => tags.push((k.to_string(), v.to_string())),
            _ => {
                eprintln!("error: `--tag {tag}` is not KEY=VALUE");
                return EXIT_ERRORS;
            }
        }
    }
    let selection = Selection {
        groups: args.groups.clone(),
        ids: args.ids.clone(),
        tags,
    };
    let live = match &args.live {
        Some(file) => match crate::live::LiveState::from_file(file) {
            Ok(live) => live,
            Err(e) => {
                print_error(&e);
                return EXIT_ERRORS;
            }
        },
        None => {
            if selection.is_empty() {
                eprintln!(
                    "error: say what to import: --resource-group NAME, --id ARM_ID or --tag KEY=VALUE"
                );
                return EXIT_ERRORS;
            }
            let subscription = args
                .subscription
                .clone()
                .or_else(|| {
                    args.ids.iter().find_map(|id| {
                        crate::id::ResourceId::parse(id).map(|i| i.subscription().to_string())
                    })
                })
                .or_else(|| std::env::var("AZURE_SUBSCRIPTION_ID").ok());
            let Some(subscription) = subscription else {
                eprintln!(
                    "error: which subscription? pass --subscription GUID (or set AZURE_SUBSCRIPTION_ID)"
                );
                return EXIT_ERRORS;
            };
            let connection = match super::open(&args.target) {
                Ok(c) => c,
                Err(e) => {
                    print_error(&e);
                    return EXIT_ERRORS;
                }
            };
            let read = connection.runtime.block_on(crate::import::read::read(
                &connection.client,
                &subscription,
                &selection,
            ));
            connection.close();
            match read {
                Ok(live) => live,
                Err(e) => {
                    print_error(&e);
                    return EXIT_ERRORS;
                }
            }
        }
    };
    let options = ImportOptions {
        stack: args.stack.clone(),
    };
    let imported = match crate::import::import(&live, &selection, &options) {
        Ok(i) => i,
        Err(e) => {
            print_error(&e);
            return EXIT_ERRORS;
        }
    };
    match &args.out {
        Some(dir) => {
            let path = dir.join("stack.yaml");
            let written = std::fs::create_dir_all(dir)
                .and_then(|()| super::write_atomically(&path, imported.yaml.as_bytes()));
            if let Err(e) = written {
                eprintln!("error: cannot write `{}`: {e}", path.display());
                return EXIT_ERRORS;
            }
            eprintln!("Wrote {}.", path.display());
        }
        None => {
            if print(&imported.yaml).is_err() {
                return EXIT_ERRORS;
            }
        }
    }
    eprintln!(
        "Imported {} resources as stack `{}`{}.",
        imported.resources,
        imported.stack,
        match imported.raw.len() {
            0 => String::new(),
            1 => " (1 value kept in `raw:`)".to_string(),
            n => format!(" ({n} values kept in `raw:`)"),
        }
    );
    if !imported.unsupported.is_empty() {
        eprintln!(
            "Not imported ({} of types azplan does not model; listed at the end of the spec):",
            imported.unsupported.len()
        );
        for (id, arm_type) in &imported.unsupported {
            eprintln!("  {id} ({arm_type})");
        }
    }
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    if !imported.unresolved.is_empty() {
        eprintln!(
            "warning: `azplan plan --adopt` on this spec would still change {} things:",
            imported.unresolved.len()
        );
        for u in &imported.unresolved {
            eprintln!("  {u}");
        }
    }
    EXIT_OK
}
