//! The pure front half of the pipeline, spec → model → graph, as one call for the commands
//! (`validate`, `graph`, and later `plan`) that all start there.

use std::path::Path;

use crate::acknowledge;
use crate::build;
use crate::diag::Diagnostics;
use crate::graph::{self, Graph};
use crate::kinds;
use crate::load::{self, Inputs, LoadOptions, Loaded};
use crate::model::Stack;
use crate::source::SourceMap;

/// A checked stack: the model and graph when it is valid, and every diagnostic either way.
#[derive(Debug)]
pub struct Checked {
    /// What the stack was loaded from, for saved plans.
    pub inputs: Inputs,
    pub sources: SourceMap,
    pub diagnostics: Diagnostics,
    pub stack: Option<Stack>,
    pub graph: Option<Graph>,
}

pub fn check(path: &Path, options: &LoadOptions) -> Checked {
    finish(load::load(path, options))
}

pub fn check_str(name: &str, text: &str, options: &LoadOptions) -> Checked {
    finish(load::load_str(name, text, options))
}

/// Checks a stack from texts already read (a saved plan's).
pub fn check_inputs(inputs: &Inputs) -> Checked {
    finish(load::load_inputs(inputs))
}

/// From this many resources the last two checks run on two threads (below, one costs less).
const CHECK_SIDE_BY_SIDE_FROM: usize = 512;

fn finish(loaded: Loaded) -> Checked {
    let Loaded {
        sources,
        stack: raw,
        mut diagnostics,
        inputs,
    } = loaded;
    let stack = build::build(&raw.settings, &sources, &mut diagnostics, |b| {
        kinds::build_model(b, &raw)
    });
    // Every warning of the model is known now (the graph adds only errors).
    acknowledge::apply(&mut diagnostics, &raw.acknowledgements());
    // Two checks of the built model that need nothing from each other, side by side: entries
    // naming the same Azure resource (no graph then, as before), and the graph with its cycles.
    let graph = stack.as_ref().and_then(|s| {
        let mut graph_diagnostics = crate::diag::Diagnostics::default();
        let (clashes, graph) = crate::par::both(
            s.resources.len() >= CHECK_SIDE_BY_SIDE_FROM,
            || build::one_resource_per_azure_name(&s.resources),
            || graph::build(s, &mut graph_diagnostics),
        );
        if !clashes.is_empty() {
            clashes.into_iter().for_each(|d| diagnostics.push(d));
            return None;
        }
        diagnostics.extend(graph_diagnostics);
        graph
    });
    let stack = if graph.is_some() { stack } else { None };
    Checked {
        inputs,
        diagnostics: diagnostics.finish(&sources),
        sources,
        stack,
        graph,
    }
}
