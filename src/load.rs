//! Loading a stack: finds its YAML files, parses them with spans, applies variables, and
//! deserialises every section entry on its own so one bad resource does not hide the others.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::de::{self, Spanned};
use crate::diag::{Code, Diagnostics, SpecDiagnostic, suggest};
use crate::kinds::{self, RawStack};
use crate::source::{FileId, SourceMap, Span};
use crate::vars::{Variable, Variables};
use crate::yaml::{self, Node};

/// How variables get their values for this run.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// An environment declared under `environments:`.
    pub environment: Option<String>,
    /// YAML files mapping variable names to values.
    pub values_files: Vec<PathBuf>,
    /// `NAME=VALUE` pairs; the value is read as YAML (`3` is a number).
    pub vars: Vec<String>,
}

/// Top-level keys that hold stack settings.
pub const SETTINGS: &[&str] = &["stack", "subscription", "location", "resourceGroup", "tags"];
/// Top-level keys that hold variables.
pub const VARIABLE_SECTIONS: &[&str] = &["variables", "environments"];
/// Top-level keys that hold resources, each a mapping from name to settings.
fn resource_sections() -> impl Iterator<Item = &'static str> + Clone {
    crate::kind::TABLE.iter().filter_map(|d| d.section)
}

/// The stack, the files it came from, and every problem found on the way.
#[derive(Debug)]
pub struct Loaded {
    pub sources: SourceMap,
    pub stack: RawStack,
    pub diagnostics: Diagnostics,
    /// Exactly what was read, so a saved plan can carry it and apply can load it again.
    pub inputs: Inputs,
}

/// One file's text as it was read.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct InputFile {
    /// The path as it was given or found (for messages only: the text is what counts).
    pub name: String,
    pub text: String,
}

/// Everything a stack was loaded from: its files, values files, environment and `--var`s.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Inputs {
    pub files: Vec<InputFile>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<InputFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vars: Vec<String>,
}

/// Loads a stack from one YAML file or a directory of them.
pub fn load(path: &Path, options: &LoadOptions) -> Loaded {
    let mut diagnostics = Diagnostics::default();
    let files =
        match stack_files(path) {
            Ok(files) => files,
            Err(message) => {
                diagnostics.push(SpecDiagnostic::new(Code::Io, message).help(
                    "pass a stack directory (its *.yaml files are read) or a single YAML file",
                ));
                return Loaded {
                    sources: SourceMap::default(),
                    stack: RawStack::default(),
                    diagnostics,
                    inputs: Inputs::default(),
                };
            }
        };
    let mut inputs = Inputs {
        environment: options.environment.clone(),
        vars: options.vars.clone(),
        ..Inputs::default()
    };
    for (paths, into) in [
        (&files, &mut inputs.files),
        (&options.values_files, &mut inputs.values),
    ] {
        for file in paths {
            match crate::source::read_text(file) {
                Ok(text) => into.push(InputFile {
                    name: file.display().to_string(),
                    text,
                }),
                Err(e) => diagnostics.push(SpecDiagnostic::new(
                    Code::Io,
                    format!("cannot read `{}`: {e}", file.display()),
                )),
            }
        }
    }
    let mut loaded = load_inputs(&inputs);
    diagnostics.extend(std::mem::take(&mut loaded.diagnostics));
    loaded.diagnostics = diagnostics;
    loaded
}

/// Parses in-memory text as a one-file stack (used by tests and fuzzing).
pub fn load_str(name: &str, text: &str, options: &LoadOptions) -> Loaded {
    load_inputs(&Inputs {
        files: vec![InputFile {
            name: name.to_string(),
            text: text.to_string(),
        }],
        values: Vec::new(),
        environment: options.environment.clone(),
        vars: options.vars.clone(),
    })
}

/// Loads a stack from texts already read: what `load` read, or what a saved plan carries.
pub fn load_inputs(inputs: &Inputs) -> Loaded {
    let mut sources = SourceMap::default();
    let mut diagnostics = Diagnostics::default();
    let parse = |sources: &mut SourceMap, file: &InputFile, diagnostics: &mut Diagnostics| {
        let id = sources.add(Path::new(&file.name), file.name.clone(), file.text.clone());
        match yaml::parse(id, &sources.file(id).text) {
            Ok(nodes) => Some((id, nodes)),
            Err(problems) => {
                problems.into_iter().for_each(|p| diagnostics.push(p));
                None
            }
        }
    };
    let mut documents = Vec::new();
    for file in &inputs.files {
        if let Some((id, nodes)) = parse(&mut sources, file, &mut diagnostics) {
            documents.extend(nodes.into_iter().map(|node| (id, node)));
        }
    }
    let mut values = Vec::new();
    for file in &inputs.values {
        if let Some(parsed) = parse(&mut sources, file, &mut diagnostics) {
            values.push(parsed);
        }
    }
    let options = LoadOptions {
        environment: inputs.environment.clone(),
        values_files: Vec::new(),
        vars: inputs.vars.clone(),
    };
    let stack = load_documents(&mut sources, documents, values, &options, &mut diagnostics);
    Loaded {
        sources,
        stack,
        diagnostics,
        inputs: inputs.clone(),
    }
}

fn stack_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| format!("cannot read stack `{}`: {e}", path.display()))?;
    if !metadata.is_dir() {
        // A file named on the command line is read even if it is not a regular file
        // (`<(generate-spec)`); `read_text` bounds its size.
        return Ok(vec![path.to_path_buf()]);
    }
    let root = std::fs::canonicalize(path)
        .map_err(|e| format!("cannot read stack `{}`: {e}", path.display()))?;
    let mut files =
        own_files(path, &root).map_err(|e| format!("cannot list `{}`: {e}", path.display()))?;
    if files.is_empty() {
        return Err(format!(
            "`{}` contains no .yaml or .yml files",
            path.display()
        ));
    }
    files.sort();
    Ok(files)
}

/// The stack's own YAML files: those directly in its directory, never in a subdirectory (a
/// folder of rendered requests, CI workflows, another stack or an old copy beside the spec must
/// not become part of it). Regular files only (a FIFO or device would hang or never end), and
/// symbolic links only to regular files inside the stack directory (a link to
/// `/proc/self/environ` or a key file would be read, and a syntax error would print it: a pull
/// request adding one link must not put the runner's secrets in a CI log). Values files
/// (`*.values.yaml`) beside the stack are not part of it.
fn own_files(dir: &Path, root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let is_yaml = (name.ends_with(".yaml") || name.ends_with(".yml"))
            && !name.ends_with(".values.yaml")
            && !name.ends_with(".values.yml");
        if name.starts_with('.') || !is_yaml {
            continue;
        }
        let own_type = entry.file_type()?;
        if own_type.is_file() {
            files.push(path);
        } else if own_type.is_symlink() {
            let target = std::fs::canonicalize(&path).ok();
            let inside = target.as_ref().is_some_and(|t| t.starts_with(root));
            let regular = std::fs::metadata(&path).is_ok_and(|m| m.is_file());
            if !inside {
                return Err(std::io::Error::other(format!(
                    "`{}` links outside the stack directory; azplan reads only the stack's own files",
                    path.display()
                )));
            }
            if regular {
                files.push(path);
            }
        }
    }
    Ok(files)
}

/// Values files and `--var` values are added to `sources`, so diagnostics can point into them.
fn load_documents(
    sources: &mut SourceMap,
    mut documents: Vec<(FileId, Node)>,
    values: Vec<(FileId, Vec<Node>)>,
    options: &LoadOptions,
    diagnostics: &mut Diagnostics,
) -> RawStack {
    documents.retain(|(id, node)| {
        if node.is_null() || node.as_map().is_some() {
            return !node.is_null();
        }
        diagnostics.push(
            SpecDiagnostic::new(
                Code::InvalidValue,
                format!("a stack file must be a mapping, found {}", node.describe()),
            )
            .at(node.label_span(&sources.file(*id).text), "here")
            .help("start the file with keys such as `stack:`, `clusters:` or `vnets:`"),
        );
        false
    });

    let mut variables = collect_variables(sources, &documents, diagnostics);
    let environment = apply_values(
        sources,
        &documents,
        values,
        &mut variables,
        options,
        diagnostics,
    );

    let mut stack = RawStack::default();
    stack.settings.environment = environment;
    let mut first_setting: BTreeMap<String, Span> = BTreeMap::new();
    let mut first_entry: BTreeMap<(String, String), Span> = BTreeMap::new();
    let mut read = Vec::with_capacity(documents.len());
    for (id, mut document) in documents {
        interpolate_document(&mut variables, &mut document, diagnostics);
        let text = &sources.file(id).text;
        let Some(entries) = document.as_map() else {
            continue;
        };
        for (key, value) in entries {
            let Some(section) = key.as_str() else {
                continue;
            };
            if VARIABLE_SECTIONS.contains(&section) {
                continue;
            }
            if SETTINGS.contains(&section) {
                if let Some(first) = first_setting.get(section) {
                    diagnostics.push(duplicate(
                        Code::DuplicateSetting,
                        format!("`{section}` is set twice"),
                        key.span,
                        *first,
                        sources,
                    ));
                    continue;
                }
                first_setting.insert(section.to_string(), key.span);
                load_setting(&mut stack, section, value, text, diagnostics);
                continue;
            }
            if !resource_sections().any(|s| s == section) {
                let all = SETTINGS
                    .iter()
                    .chain(VARIABLE_SECTIONS)
                    .copied()
                    .chain(resource_sections());
                diagnostics.push(SpecDiagnostic::error_at(
                    Code::UnknownSection,
                    format!("unknown section `{section}`"),
                    key.span,
                    "unknown section",
                    suggest(section, all),
                ));
                continue;
            }
            let Some(resources) = mapping_of(value, section, text, diagnostics) else {
                continue;
            };
            for (name_node, body) in resources {
                let Some(name) = name_node.as_str() else {
                    continue;
                };
                let slot = (section.to_string(), name.to_ascii_lowercase());
                if let Some(first) = first_entry.get(&slot) {
                    diagnostics.push(duplicate(
                        Code::DuplicateName,
                        format!("`{name}` is declared twice in `{section}`"),
                        name_node.span,
                        *first,
                        sources,
                    ));
                    continue;
                }
                first_entry.insert(slot, name_node.span);
                let key = Spanned::new(name_node.span, name.to_string());
                let section = (section, resources.len());
                kinds::add_entry(&mut stack, section, key, body, text, diagnostics);
            }
        }
        read.push(document);
    }
    drop_in_background(read);
    drop_echoes_of_variable_errors(diagnostics);
    for warning in variables.unused() {
        diagnostics.push(warning);
    }
    stack
}

/// Frees the spec's YAML trees on a thread of their own: once every entry is read they are
/// garbage, and freeing a 10,000-resource tree node by node is a few percent of a plan.
fn drop_in_background(documents: Vec<Node>) {
    // Bytes of YAML below which a thread costs more than it saves.
    const WORTH_A_THREAD: usize = 256 * 1024;
    let size: usize = documents
        .iter()
        .map(|d| d.span.end.saturating_sub(d.span.start) as usize)
        .sum();
    if size < WORTH_A_THREAD {
        return;
    }
    // If no thread can be started, the closure (and the trees) are dropped here instead.
    let _ = std::thread::Builder::new().spawn(move || drop(documents));
}

/// Replaces `${var.NAME}` everywhere in a document except in the variables' own descriptions,
/// which are text for people: `description: "Set with ${var.env}"` stays as written, and
/// neither counts as a use of `env` nor fails for a variable that does not exist.
fn interpolate_document(
    variables: &mut Variables,
    document: &mut Node,
    diagnostics: &mut Diagnostics,
) {
    let yaml::Value::Map(sections) = &mut document.value else {
        variables.interpolate(document, diagnostics);
        return;
    };
    for (key, value) in sections {
        let declarations = match (key.as_str(), &mut value.value) {
            (Some("variables"), yaml::Value::Map(declarations)) => declarations,
            _ => {
                variables.interpolate(value, diagnostics);
                continue;
            }
        };
        for (_, declaration) in declarations {
            match &mut declaration.value {
                yaml::Value::Map(settings) => {
                    for (setting, setting_value) in settings {
                        if setting.as_str() != Some("description") {
                            variables.interpolate(setting_value, diagnostics);
                        }
                    }
                }
                _ => variables.interpolate(declaration, diagnostics),
            }
        }
    }
}

/// A `${var.x}` that failed to resolve stays in place, so the field it fills usually fails to
/// deserialise too; the variable error already says why.
fn drop_echoes_of_variable_errors(diagnostics: &mut Diagnostics) {
    let failed: Vec<Span> = diagnostics
        .iter()
        .filter(|d| matches!(d.code, Code::UnknownVariable | Code::MissingVariable))
        .filter_map(|d| d.primary.as_ref().map(|(s, _)| *s))
        .collect();
    if !failed.is_empty() {
        diagnostics.retain(|d| {
            d.code != Code::InvalidValue
                || d.primary.as_ref().is_none_or(|(s, _)| !failed.contains(s))
        });
    }
}

fn duplicate(
    code: Code,
    message: String,
    here: Span,
    first: Span,
    sources: &SourceMap,
) -> SpecDiagnostic {
    let diagnostic = SpecDiagnostic::new(code, message).at(here, "declared again here");
    if here.file == first.file {
        diagnostic
            .also(first, "first declared here")
            .help("names are unique per kind (case-insensitively); rename or remove one")
    } else {
        diagnostic.help(format!(
            "first declared at {}; names are unique per kind (case-insensitively)",
            sources.location(first)
        ))
    }
}

fn mapping_of<'n>(
    node: &'n Node,
    section: &str,
    text: &str,
    diagnostics: &mut Diagnostics,
) -> Option<&'n [(Node, Node)]> {
    if node.is_null() {
        return Some(&[]);
    }
    match node.as_map() {
        Some(entries) => Some(entries),
        None => {
            diagnostics.push(SpecDiagnostic::invalid(
                format!(
                    "`{section}` must map names to settings, found {}",
                    node.describe()
                ),
                node.label_span(text),
                "expected a mapping",
                format!("write `{section}:` followed by indented `NAME:` entries"),
            ));
            None
        }
    }
}

fn collect_variables(
    sources: &SourceMap,
    documents: &[(FileId, Node)],
    diagnostics: &mut Diagnostics,
) -> Variables {
    let mut variables = Variables::default();
    for (id, document) in documents {
        let text = &sources.file(*id).text;
        let Some(value) = section(document, "variables") else {
            continue;
        };
        let Some(entries) = mapping_of(value, "variables", text, diagnostics) else {
            continue;
        };
        for (name, body) in entries {
            let Some(name_text) = name.as_str() else {
                continue;
            };
            if let Some(first) = variables.declared.get(name_text) {
                diagnostics.push(duplicate(
                    Code::DuplicateName,
                    format!("variable `{name_text}` is declared twice"),
                    name.span,
                    first.declared_at,
                    sources,
                ));
                continue;
            }
            let sink = RefCell::new(Vec::new());
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct Declaration {
                #[allow(dead_code)]
                description: Option<String>,
            }
            // `default` is kept as a node (any YAML value); the rest is checked like any field.
            let default = body
                .as_map()
                .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some("default")))
                .map(|(_, v)| v.clone());
            let without_default = strip_key(body, "default");
            if let Err(e) = de::from_node::<Declaration>(&without_default, text, &sink) {
                diagnostics.push(e.into_diagnostic(name.span));
            }
            for problem in sink.into_inner() {
                diagnostics.push(problem.help("a variable takes `default:` and `description:`"));
            }
            variables.declared.insert(
                name_text.to_string(),
                Variable {
                    declared_at: name.span,
                    value: default,
                },
            );
        }
    }
    variables
}

fn strip_key(node: &Node, key: &str) -> Node {
    match &node.value {
        yaml::Value::Map(entries) => Node {
            span: node.span,
            value: yaml::Value::Map(
                entries
                    .iter()
                    .filter(|(k, _)| k.as_str() != Some(key))
                    .cloned()
                    .collect(),
            ),
        },
        _ => node.clone(),
    }
}

fn section<'n>(document: &'n Node, name: &str) -> Option<&'n Node> {
    document
        .as_map()?
        .iter()
        .find(|(k, _)| k.as_str() == Some(name))
        .map(|(_, v)| v)
}

/// Applies environment, values files and `--var`; returns the chosen environment's name.
fn apply_values(
    sources: &mut SourceMap,
    documents: &[(FileId, Node)],
    values: Vec<(FileId, Vec<Node>)>,
    variables: &mut Variables,
    options: &LoadOptions,
    diagnostics: &mut Diagnostics,
) -> Option<String> {
    let mut environments: BTreeMap<String, (FileId, Node)> = BTreeMap::new();
    for (id, document) in documents {
        let text = &sources.file(*id).text;
        let Some(value) = section(document, "environments") else {
            continue;
        };
        for (name, body) in mapping_of(value, "environments", text, diagnostics).unwrap_or(&[]) {
            if let Some(name_text) = name.as_str() {
                environments.insert(name_text.to_string(), (*id, body.clone()));
            }
        }
    }
    // Every environment is checked, not only the chosen one, so a typo in `prod` is caught
    // while validating `dev`.
    for (id, body) in environments.values() {
        let text = sources.file(*id).text.clone();
        for (name, value) in mapping_of(body, "environment", &text, diagnostics).unwrap_or(&[]) {
            let Some(name_text) = name.as_str() else {
                continue;
            };
            if !variables.declared.contains_key(name_text) {
                diagnostics.push(SpecDiagnostic::error_at(
                    Code::UnknownVariable,
                    format!("unknown variable `{name_text}`"),
                    name.span,
                    "not declared under `variables`",
                    suggest(name_text, variables.names()),
                ));
            }
            let _ = value;
        }
    }
    let chosen = options.environment.clone();
    if let Some(env) = &chosen {
        match environments.get(env) {
            Some((_, body)) => {
                for (name, value) in body.as_map().unwrap_or(&[]) {
                    if let Some(name_text) = name.as_str() {
                        variables.set(name_text, value.clone());
                    }
                }
            }
            None => diagnostics.push(
                SpecDiagnostic::new(
                    Code::UnknownEnvironment,
                    format!("unknown environment `{env}`"),
                )
                .help(suggest(env, environments.keys().map(String::as_str))),
            ),
        }
    }
    for (id, nodes) in values {
        let text = sources.file(id).text.clone();
        for node in nodes {
            for (name, value) in mapping_of(&node, "values file", &text, diagnostics).unwrap_or(&[])
            {
                let Some(name_text) = name.as_str() else {
                    continue;
                };
                if !variables.set(name_text, value.clone()) {
                    diagnostics.push(SpecDiagnostic::error_at(
                        Code::UnknownVariable,
                        format!("unknown variable `{name_text}`"),
                        name.span,
                        "not declared in the stack",
                        suggest(name_text, variables.names()),
                    ));
                }
            }
        }
    }
    for pair in &options.vars {
        let Some((name, value)) = pair.split_once('=') else {
            diagnostics.push(
                SpecDiagnostic::new(
                    Code::InvalidValue,
                    format!("`--var {pair}` is not NAME=VALUE"),
                )
                .help("write `--var nodeCount=3`"),
            );
            continue;
        };
        let id = sources.add(
            Path::new("--var"),
            format!("--var {name}"),
            value.to_string(),
        );
        let node = match yaml::parse(id, value) {
            Ok(mut nodes) if !nodes.is_empty() => nodes.remove(0),
            Ok(_) => Node::scalar("", false, Span::new(id, 0, 0)),
            Err(_) => Node::scalar(value, false, Span::new(id, 0, value.len())),
        };
        if !variables.set(name, node) {
            diagnostics.push(
                SpecDiagnostic::new(
                    Code::UnknownVariable,
                    format!("`--var {name}`: unknown variable `{name}`"),
                )
                .help(suggest(name, variables.names())),
            );
        }
    }
    chosen
}

fn load_setting(
    stack: &mut RawStack,
    name: &str,
    value: &Node,
    text: &str,
    diagnostics: &mut Diagnostics,
) {
    let span = value.label_span(text);
    match name {
        "tags" => {
            if let Some(tags) = de::parse_entry(value, span, text, diagnostics) {
                stack.settings.tags = tags;
            }
        }
        _ => {
            let parsed: Option<Spanned<String>> = de::parse_entry(value, span, text, diagnostics);
            let slot = match name {
                "stack" => &mut stack.settings.name,
                "subscription" => &mut stack.settings.subscription,
                "location" => &mut stack.settings.location,
                _ => &mut stack.settings.resource_group,
            };
            *slot = parsed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_of_every_resource_is_reported() {
        let loaded = load_str(
            "stack.yaml",
            "stack: s\nregistries:\n  a: {sku: Gold}\n  b: {adminUsr: true}\nvnet: {}\n",
            &LoadOptions::default(),
        );
        let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec![Code::InvalidValue, Code::UnknownField, Code::UnknownSection]
        );
    }

    #[test]
    fn a_variable_description_is_text_never_interpolated() {
        let spec = "stack: s\nvariables:\n  env:\n    default: dev\n    description: 'e.g. ${var.env}, ${var.nope} or $${x}'\n  unused:\n    default: 1\n    description: 'mentions ${var.unused}'\nworkspaces:\n  w: {name: 'w-${var.env}'}\n";
        let loaded = load_str("s.yaml", spec, &LoadOptions::default());
        let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code).collect();
        // No unknown `nope`; `unused` is still unused although its description names it.
        assert_eq!(
            codes,
            vec![Code::UnusedVariable],
            "{:?}",
            loaded.diagnostics
        );
    }

    #[test]
    fn environments_override_defaults_and_vars_override_environments() {
        let spec = "stack: s\nvariables:\n  n: {default: 1}\n  m: {default: 1}\nenvironments:\n  prod: {n: 5, m: 5}\nworkspaces:\n  w: {retentionDays: '${var.n}', dailyQuotaGb: '${var.m}'}\n";
        let options = LoadOptions {
            environment: Some("prod".into()),
            vars: vec!["m=7".into()],
            ..LoadOptions::default()
        };
        let loaded = load_str("s.yaml", spec, &options);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        let w = &loaded.stack.workspaces[0].spec;
        assert_eq!(w.retention_days.as_ref().map(|r| r.value), Some(5));
        assert_eq!(w.daily_quota_gb, Some(7.0));
    }
}
