//! What the plan leaves alone under the resources it manages and says so: a cluster's extensions
//! and Flux configurations carry no owner mark, so one the spec does not name (another team's,
//! Azure Backup's, Defender's, or one just removed from the spec) is never changed or deleted,
//! and a reviewer must see that removing it from the spec did not remove it from Azure.

use std::collections::{BTreeMap, HashSet};

use serde_json::Value;

use super::{Action, Change, NotOwned};
use crate::id::ResourceId;
use crate::kinds::{self, Kind};
use crate::live::LiveState;
use crate::model::Stack;

/// Live extensions and Flux configurations of the stack's clusters that stay (up to date,
/// updated, adopted) and that the spec does not name, by ID.
pub(super) fn list(
    stack: &Stack,
    live: &LiveState,
    desired: &HashSet<String>,
    planned: &[Change],
) -> Vec<NotOwned> {
    let cluster_type = Kind::Cluster.def().arm[0].path;
    let staying: BTreeMap<String, &str> = planned
        .iter()
        .filter(|c| matches!(c.action, Action::NoOp | Action::Update | Action::Adopt))
        .filter(|c| c.arm_type.eq_ignore_ascii_case(cluster_type))
        .map(|c| (c.id.to_ascii_lowercase(), c.address.as_str()))
        .collect();
    let mut out = Vec::new();
    for (id, body) in live.iter() {
        if desired.contains(id) {
            continue;
        }
        let Some(parsed) = ResourceId::parse(id) else {
            continue;
        };
        let Some(kind) = kinds::by_arm_type(&parsed.arm_type())
            .map(|(d, _)| d.kind)
            .filter(|k| matches!(k, Kind::ClusterExtension | Kind::FluxConfiguration))
        else {
            continue;
        };
        let Some(cluster) = kinds::extension::live_parent(&parsed)
            .and_then(|p| staying.get(&p.to_string().to_ascii_lowercase()).copied())
        else {
            continue;
        };
        // Kept in step with `kinds::undeclared_child_is_ours`: were an unnamed one ever the
        // stack's, the plan deletes it instead.
        if kinds::undeclared_child_is_ours(stack, cluster, kind, body) {
            continue;
        }
        let what = match kind {
            Kind::ClusterExtension => "an extension",
            _ => "a Flux configuration",
        };
        let why = match kinds::extension::foreign(body) {
            Some(foreign) => format!("{what} of {cluster} the spec does not name; {foreign}"),
            None => format!(
                "{what} of {cluster} the spec does not name (it carries no owner mark, so it may be another team's or another Azure service's)"
            ),
        };
        out.push(NotOwned {
            id: body
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or(id)
                .to_string(),
            why,
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}
