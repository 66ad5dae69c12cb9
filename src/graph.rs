//! The dependency DAG: one node per resource, an edge from each dependency to its dependent.
//! Deterministic (nodes inserted in address order, ties broken by address) and acyclic, with
//! cycles reported as diagnostics that list the whole cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use crate::diag::{Code, Diagnostics, SpecDiagnostic};
use crate::model::{Address, Kind, Origin, Stack};
use crate::source::Span;

/// Why one node waits for another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    /// The reference in the dependent's spec that created the edge.
    pub span: Span,
    pub explicit: bool,
}

#[derive(Debug)]
pub struct Graph {
    pub dag: DiGraph<Address, Edge>,
    index: BTreeMap<Address, NodeIndex>,
    /// Every node, dependencies before dependents, ties broken by address.
    pub order: Vec<Address>,
}

/// Builds the DAG of a validated stack, or reports its cycles.
pub fn build(stack: &Stack, diagnostics: &mut Diagnostics) -> Option<Graph> {
    let mut dag = DiGraph::with_capacity(stack.resources.len(), stack.resources.len() * 2);
    // Nodes are added in address order, so a node's index orders as its address does.
    let index: BTreeMap<Address, NodeIndex> = stack
        .resources
        .keys()
        .map(|address| (address.clone(), dag.add_node(address.clone())))
        .collect();
    for (node, (address, resource)) in stack.resources.iter().enumerate() {
        let node = NodeIndex::new(node);
        let mut seen = BTreeSet::new();
        let mut deps: Vec<_> = resource.dependencies.iter().collect();
        deps.sort_by(|a, b| a.on.cmp(&b.on).then(b.explicit.cmp(&a.explicit)));
        for dep in deps {
            if dep.on == *address || !seen.insert(&dep.on) {
                if dep.on == *address {
                    diagnostics.push(SpecDiagnostic::error_at(
                        Code::DependencyCycle,
                        format!("`{address}` depends on itself"),
                        dep.span,
                        "self-reference",
                        "remove this reference",
                    ));
                }
                continue;
            }
            // Dependencies are resolved against declared names, so every target is a node.
            let Some(&from) = index.get(&dep.on) else {
                continue;
            };
            dag.add_edge(
                from,
                node,
                Edge {
                    span: dep.span,
                    explicit: dep.explicit,
                },
            );
        }
    }
    let mut cyclic = false;
    for component in tarjan_scc(&dag) {
        if component.len() > 1 {
            cyclic = true;
            diagnostics.push(cycle_diagnostic(&dag, &component));
        }
    }
    if cyclic {
        return None;
    }
    let order = topological_order(&dag);
    Some(Graph { dag, index, order })
}

fn topological_order(dag: &DiGraph<Address, Edge>) -> Vec<Address> {
    let mut waiting: Vec<usize> = dag
        .node_indices()
        .map(|n| {
            dag.neighbors_directed(n, petgraph::Direction::Incoming)
                .count()
        })
        .collect();
    // Smallest address first among the ready ones: node indices order as addresses do (`build`).
    let mut ready: BTreeSet<NodeIndex> = dag
        .node_indices()
        .filter(|n| waiting[n.index()] == 0)
        .collect();
    let mut order = Vec::with_capacity(dag.node_count());
    while let Some(next) = ready.pop_first() {
        order.push(dag[next].clone());
        for dependent in dag.neighbors_directed(next, petgraph::Direction::Outgoing) {
            let count = &mut waiting[dependent.index()];
            *count -= 1;
            if *count == 0 {
                ready.insert(dependent);
            }
        }
    }
    order
}

/// Lists one cycle through the component, starting at its smallest address so the message is
/// stable whichever node the search started from.
fn cycle_diagnostic(dag: &DiGraph<Address, Edge>, component: &[NodeIndex]) -> SpecDiagnostic {
    let members: BTreeSet<NodeIndex> = component.iter().copied().collect();
    let start = *component
        .iter()
        .min_by_key(|n| &dag[**n])
        .expect("components are not empty");
    // Walk dependent → dependency (incoming edges) to read "a depends on b depends on …".
    let mut path = vec![start];
    let mut spans = Vec::new();
    let mut visited = BTreeSet::from([start]);
    let mut current = start;
    loop {
        let mut next: Vec<_> = dag
            .edges_directed(current, petgraph::Direction::Incoming)
            .filter(|e| members.contains(&e.source()))
            .collect();
        next.sort_by_key(|e| (e.source() != start, &dag[e.source()]));
        let Some(edge) = next
            .into_iter()
            .find(|e| e.source() == start || !visited.contains(&e.source()))
        else {
            break;
        };
        spans.push((
            edge.weight().span,
            dag[current].clone(),
            dag[edge.source()].clone(),
        ));
        if edge.source() == start {
            break;
        }
        current = edge.source();
        visited.insert(current);
        path.push(current);
    }
    let mut chain: Vec<String> = path.iter().map(|n| format!("`{}`", dag[*n])).collect();
    chain.push(format!("`{}`", dag[start]));
    let mut diagnostic = SpecDiagnostic::new(
        Code::DependencyCycle,
        format!("dependency cycle: {}", chain.join(" → ")),
    );
    for (i, (span, from, to)) in spans.into_iter().enumerate() {
        let label = format!("`{from}` depends on `{to}` here");
        diagnostic = if i == 0 {
            diagnostic.at(span, label)
        } else {
            diagnostic.also(span, label)
        };
    }
    diagnostic.help("break the cycle: remove a `dependsOn` entry or a reference that is not needed")
}

/// Output formats for `azplan graph`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Dot,
    Mermaid,
}

impl Graph {
    pub fn dependencies(&self, address: &Address) -> Vec<&Address> {
        let mut deps: Vec<&Address> = self
            .dag
            .neighbors_directed(self.index[address], petgraph::Direction::Incoming)
            .map(|n| &self.dag[n])
            .collect();
        deps.sort();
        deps
    }

    pub fn render(&self, stack: &Stack, format: Format) -> String {
        match format {
            Format::Text => self.render_text(stack),
            Format::Dot => self.render_dot(stack),
            Format::Mermaid => self.render_mermaid(stack),
        }
    }

    fn annotation(stack: &Stack, address: &Address) -> String {
        let resource = &stack.resources[address];
        let mut notes = Vec::new();
        if let Origin::Derived { from, .. } = &resource.origin {
            notes.push(format!("derived from {from}"));
        }
        if address.kind == Kind::Existing {
            notes.push("existing, read-only".to_string());
        } else if resource.protect {
            notes.push("protected".to_string());
        }
        if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        }
    }

    fn render_text(&self, stack: &Stack) -> String {
        let mut out = String::new();
        for address in &self.order {
            let _ = write!(out, "{address}{}", Graph::annotation(stack, address));
            let deps = self.dependencies(address);
            if !deps.is_empty() {
                let list: Vec<String> = deps.iter().map(|d| d.to_string()).collect();
                let _ = write!(out, " <- {}", list.join(", "));
            }
            out.push('\n');
        }
        out
    }

    fn render_dot(&self, stack: &Stack) -> String {
        let mut out = String::from(
            "digraph azplan {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n",
        );
        for address in &self.order {
            let resource = &stack.resources[address];
            let style = match (&resource.origin, address.kind) {
                (_, Kind::Existing) => ", style=dotted",
                (Origin::Derived { .. }, _) => ", style=dashed",
                _ => "",
            };
            let _ = writeln!(out, "  \"{address}\" [label=\"{address}\"{style}];");
        }
        for address in &self.order {
            for dep in self.dependencies(address) {
                let _ = writeln!(out, "  \"{dep}\" -> \"{address}\";");
            }
        }
        out.push_str("}\n");
        out
    }

    fn render_mermaid(&self, stack: &Stack) -> String {
        let ids: BTreeMap<&Address, String> = self
            .order
            .iter()
            .enumerate()
            .map(|(i, a)| (a, format!("n{i}")))
            .collect();
        let mut out = String::from("flowchart LR\n");
        for address in &self.order {
            let resource = &stack.resources[address];
            let (open, close) = match (&resource.origin, address.kind) {
                (_, Kind::Existing) => ("[(", ")]"),
                (Origin::Derived { .. }, _) => ("([", "])"),
                _ => ("[", "]"),
            };
            let _ = writeln!(out, "  {}{open}\"{address}\"{close}", ids[address]);
        }
        for address in &self.order {
            for dep in self.dependencies(address) {
                let _ = writeln!(out, "  {} --> {}", ids[dep], ids[address]);
            }
        }
        out
    }
}
