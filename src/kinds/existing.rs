//! Resources the stack reads but never writes (`existing:`), of any ARM type, by ID.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::de::Spanned;

use super::{EMPTY, Kind, Rules};

pub static RULES: Rules = EMPTY;

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawExisting {
    /// Full ARM ID of the resource.
    pub id: Spanned<String>,
}

// Building the model from the spec.

use crate::build::{Builder, arm_type_of};
use crate::diag::SpecDiagnostic;
use crate::model::{Address, Existing, Origin, Resource, Spec};
use crate::spec::Entry;
use std::collections::BTreeMap;

impl Builder<'_> {
    pub(crate) fn declare_existing(&mut self, entries: &[Entry<RawExisting>]) {
        for e in entries {
            let arm_type = arm_type_of(&e.spec.id.value);
            self.declare(
                Address::new(Kind::Existing, &e.key.value),
                e.key.span,
                arm_type,
            );
            self.existing_ids
                .insert(e.key.value.clone(), e.spec.id.value.clone());
        }
    }

    pub(crate) fn existing(&mut self, entries: &[Entry<RawExisting>]) {
        for entry in entries {
            let id = &entry.spec.id;
            let Some(arm_type) = arm_type_of(&id.value) else {
                self.error(
                    SpecDiagnostic::invalid(format!("`{}` is not an ARM resource ID", id.value), id.span, "not an ARM ID", "copy the ID from `az resource show --query id`, e.g. /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/NAME"),
                );
                continue;
            };
            let name = id
                .value
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string();
            self.insert(Resource {
                address: Address::new(Kind::Existing, &entry.key.value),
                name,
                span: entry.key.span,
                origin: Origin::Declared,
                resource_group: None,
                location: None,
                tags: BTreeMap::new(),
                protect: true,
                raw: None,
                dependencies: Vec::new(),
                spec: Spec::Existing(Existing {
                    id: id.value.clone(),
                    arm_type,
                }),
            });
        }
    }
}
