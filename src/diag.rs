//! Spec diagnostics: collected (never thrown) so one run reports every problem at file:line:column.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, Severity};

use crate::acknowledge::Acknowledged;
use crate::source::{FileSource, SourceMap, Span};

/// Every diagnostic azplan can report about a spec. The code is what users search for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    Io,
    YamlSyntax,
    YamlUnsupported,
    /// A file too deep, too large or expanding too far to read safely.
    YamlLimit,
    UnknownField,
    UnknownSection,
    InvalidValue,
    MissingField,
    DuplicateName,
    DuplicateSetting,
    MissingSetting,
    UnknownVariable,
    MissingVariable,
    UnknownEnvironment,
    InvalidReference,
    UnknownReference,
    WrongReferenceKind,
    InvalidName,
    InvalidCidr,
    SubnetOutsideVnet,
    SubnetOverlap,
    ServiceCidrOverlap,
    DnsServiceIpOutsideServiceCidr,
    NoSystemPool,
    AutoscaleRange,
    CountOutsideAutoscale,
    VirtualNodesNeedAzureCni,
    VirtualNodesSubnet,
    WorkloadIdentityNeedsOidc,
    AadNeedsRbac,
    TooManyFederatedCredentials,
    DuplicateFederatedSubject,
    ConflictingSettings,
    UnknownRole,
    UnknownPolicy,
    DependencyCycle,
    RawOverride,
    // Warnings.
    Kubenet,
    HttpApplicationRouting,
    ServicePrincipal,
    ServicePrincipalBesideIdentity,
    PublicApiServer,
    LocalAccounts,
    SnatExhaustion,
    UnusedVariable,
    UnusualSshKey,
    PodCidrUnused,
    ServiceCidrInVnet,
    LegacyValue,
    AcknowledgementWithoutReason,
    UnusedAcknowledgement,
    PrivateDnsZoneName,
    DiagnosticSetting,
}

impl Code {
    /// Every code, for lookups by name (acknowledgements).
    pub const ALL: &'static [Code] = &[
        Code::Io,
        Code::YamlSyntax,
        Code::YamlUnsupported,
        Code::YamlLimit,
        Code::UnknownField,
        Code::UnknownSection,
        Code::InvalidValue,
        Code::MissingField,
        Code::DuplicateName,
        Code::DuplicateSetting,
        Code::MissingSetting,
        Code::UnknownVariable,
        Code::MissingVariable,
        Code::UnknownEnvironment,
        Code::InvalidReference,
        Code::UnknownReference,
        Code::WrongReferenceKind,
        Code::InvalidName,
        Code::InvalidCidr,
        Code::SubnetOutsideVnet,
        Code::SubnetOverlap,
        Code::ServiceCidrOverlap,
        Code::DnsServiceIpOutsideServiceCidr,
        Code::NoSystemPool,
        Code::AutoscaleRange,
        Code::CountOutsideAutoscale,
        Code::VirtualNodesNeedAzureCni,
        Code::VirtualNodesSubnet,
        Code::WorkloadIdentityNeedsOidc,
        Code::AadNeedsRbac,
        Code::TooManyFederatedCredentials,
        Code::DuplicateFederatedSubject,
        Code::ConflictingSettings,
        Code::UnknownRole,
        Code::UnknownPolicy,
        Code::DependencyCycle,
        Code::RawOverride,
        Code::Kubenet,
        Code::HttpApplicationRouting,
        Code::ServicePrincipal,
        Code::ServicePrincipalBesideIdentity,
        Code::PublicApiServer,
        Code::LocalAccounts,
        Code::SnatExhaustion,
        Code::UnusedVariable,
        Code::UnusualSshKey,
        Code::PodCidrUnused,
        Code::ServiceCidrInVnet,
        Code::LegacyValue,
        Code::AcknowledgementWithoutReason,
        Code::UnusedAcknowledgement,
        Code::PrivateDnsZoneName,
        Code::DiagnosticSetting,
    ];

    pub fn is_error(self) -> bool {
        self.severity() == Severity::Error
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Code::Io => "azplan::io",
            Code::YamlSyntax => "azplan::yaml::syntax",
            Code::YamlUnsupported => "azplan::yaml::unsupported",
            Code::YamlLimit => "azplan::yaml::limit",
            Code::UnknownField => "azplan::spec::unknown-field",
            Code::UnknownSection => "azplan::spec::unknown-section",
            Code::InvalidValue => "azplan::spec::invalid-value",
            Code::MissingField => "azplan::spec::missing-field",
            Code::DuplicateName => "azplan::spec::duplicate-name",
            Code::DuplicateSetting => "azplan::spec::duplicate-setting",
            Code::MissingSetting => "azplan::spec::missing-setting",
            Code::UnknownVariable => "azplan::var::unknown",
            Code::MissingVariable => "azplan::var::missing-value",
            Code::UnknownEnvironment => "azplan::var::unknown-environment",
            Code::InvalidReference => "azplan::ref::syntax",
            Code::UnknownReference => "azplan::ref::unknown",
            Code::WrongReferenceKind => "azplan::ref::wrong-kind",
            Code::InvalidName => "azplan::name::invalid",
            Code::InvalidCidr => "azplan::net::invalid-cidr",
            Code::SubnetOutsideVnet => "azplan::net::subnet-outside-vnet",
            Code::SubnetOverlap => "azplan::net::subnet-overlap",
            Code::ServiceCidrOverlap => "azplan::net::service-cidr-overlap",
            Code::DnsServiceIpOutsideServiceCidr => "azplan::net::dns-service-ip",
            Code::NoSystemPool => "azplan::cluster::no-system-pool",
            Code::AutoscaleRange => "azplan::cluster::autoscale-range",
            Code::CountOutsideAutoscale => "azplan::cluster::count-outside-autoscale",
            Code::VirtualNodesNeedAzureCni => "azplan::cluster::virtual-nodes-cni",
            Code::VirtualNodesSubnet => "azplan::cluster::virtual-nodes-subnet",
            Code::WorkloadIdentityNeedsOidc => "azplan::cluster::workload-identity-oidc",
            Code::AadNeedsRbac => "azplan::cluster::aad-rbac",
            Code::TooManyFederatedCredentials => "azplan::identity::too-many-credentials",
            Code::DuplicateFederatedSubject => "azplan::identity::duplicate-subject",
            Code::ConflictingSettings => "azplan::spec::conflicting-settings",
            Code::UnknownRole => "azplan::role::unknown",
            Code::UnknownPolicy => "azplan::policy::unknown",
            Code::DependencyCycle => "azplan::graph::cycle",
            Code::RawOverride => "azplan::spec::raw-override",
            Code::Kubenet => "azplan::warn::kubenet",
            Code::HttpApplicationRouting => "azplan::warn::http-application-routing",
            Code::ServicePrincipal => "azplan::warn::service-principal",
            Code::ServicePrincipalBesideIdentity => {
                "azplan::warn::service-principal-beside-identity"
            }
            Code::PublicApiServer => "azplan::warn::public-api-server",
            Code::LocalAccounts => "azplan::warn::local-accounts",
            Code::SnatExhaustion => "azplan::warn::snat-exhaustion",
            Code::UnusedVariable => "azplan::warn::unused-variable",
            Code::UnusualSshKey => "azplan::warn::ssh-key",
            Code::PodCidrUnused => "azplan::warn::pod-cidr-unused",
            Code::ServiceCidrInVnet => "azplan::warn::service-cidr-in-vnet",
            Code::LegacyValue => "azplan::warn::legacy-value",
            Code::AcknowledgementWithoutReason => "azplan::warn::acknowledgement-without-reason",
            Code::UnusedAcknowledgement => "azplan::warn::unused-acknowledgement",
            Code::PrivateDnsZoneName => "azplan::warn::private-dns-zone-name",
            Code::DiagnosticSetting => "azplan::warn::diagnostic-setting",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::Kubenet
            | Code::HttpApplicationRouting
            | Code::ServicePrincipal
            | Code::ServicePrincipalBesideIdentity
            | Code::PublicApiServer
            | Code::LocalAccounts
            | Code::SnatExhaustion
            | Code::UnusedVariable
            | Code::UnusualSshKey
            | Code::PodCidrUnused
            | Code::ServiceCidrInVnet
            | Code::LegacyValue
            | Code::AcknowledgementWithoutReason
            | Code::UnusedAcknowledgement
            // Zone names differ per cloud (Learn "Azure Private Endpoint private DNS zone
            // values", China table), and Azure takes any private zone.
            | Code::PrivateDnsZoneName
            // Log categories differ per resource type and change over time; Azure judges them
            // (`kinds::diagnostic_setting`).
            | Code::DiagnosticSetting
            // ARM accepts a count outside the autoscale range (official example
            // AgentPools_Update, AKS 2026-08-01: count 3 with minCount 2 and maxCount 2).
            | Code::CountOutsideAutoscale => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

/// One problem in a spec, pointing at one or more spans of one file.
#[derive(Debug, Clone)]
pub struct SpecDiagnostic {
    pub code: Code,
    pub message: String,
    pub primary: Option<(Span, String)>,
    pub secondary: Vec<(Span, String)>,
    pub help: Option<String>,
    source: Option<FileSource>,
}

impl SpecDiagnostic {
    pub fn new(code: Code, message: impl Into<String>) -> SpecDiagnostic {
        SpecDiagnostic {
            code,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            source: None,
        }
    }

    /// The common shape: a problem at one place, with a label and a way out.
    pub fn error_at(
        code: Code,
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> SpecDiagnostic {
        SpecDiagnostic::new(code, message)
            .at(span, label)
            .help(help)
    }

    /// A value that is not valid where it stands.
    pub fn invalid(
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> SpecDiagnostic {
        SpecDiagnostic::error_at(Code::InvalidValue, message, span, label, help)
    }

    /// Settings that cannot go together.
    pub fn conflict(
        message: impl Into<String>,
        span: Span,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> SpecDiagnostic {
        SpecDiagnostic::error_at(Code::ConflictingSettings, message, span, label, help)
    }

    pub fn at(mut self, span: Span, label: impl Into<String>) -> SpecDiagnostic {
        self.primary = Some((span, label.into()));
        self
    }

    /// A second place in the same file (ignored when it is in another file: miette shows one).
    pub fn also(mut self, span: Span, label: impl Into<String>) -> SpecDiagnostic {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> SpecDiagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.code.severity() == Severity::Error
    }

    fn sort_key(&self) -> (Option<(u32, u32)>, Code, &str) {
        let place = self.primary.as_ref().map(|(s, _)| (s.file.0, s.start));
        (place, self.code, &self.message)
    }
}

impl fmt::Display for SpecDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SpecDiagnostic {}

impl Diagnostic for SpecDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.code.severity())
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (primary, label) = self.primary.as_ref()?;
        let same_file = self
            .secondary
            .iter()
            .filter(|(span, _)| span.file == primary.file)
            .map(|(span, label)| {
                LabeledSpan::new_with_span(Some(label.clone()), span.to_source_span())
            });
        let first =
            LabeledSpan::new_primary_with_span(Some(label.clone()), primary.to_source_span());
        Some(Box::new(std::iter::once(first).chain(same_file)))
    }
}

/// The diagnostics of one run, in a stable order.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<SpecDiagnostic>,
    /// Warnings a resource acknowledged: not printed, but counted and listed in JSON.
    acknowledged: Vec<Acknowledged>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: SpecDiagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn retain(&mut self, keep: impl FnMut(&SpecDiagnostic) -> bool) {
        self.items.retain(keep);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(SpecDiagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Keeps an acknowledged warning aside (`crate::acknowledge`).
    pub fn acknowledged(&mut self, acknowledged: Acknowledged) {
        self.acknowledged.push(acknowledged);
    }

    pub fn acknowledged_iter(&self) -> impl Iterator<Item = &Acknowledged> {
        self.acknowledged.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The diagnostics pushed since there were `from` of them, to refine what one step found.
    pub fn since_mut(&mut self, from: usize) -> impl Iterator<Item = &mut SpecDiagnostic> {
        self.items.iter_mut().skip(from)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SpecDiagnostic> {
        self.items.iter()
    }

    /// Attaches source text and sorts by file and position, dropping exact duplicates.
    pub fn finish(mut self, sources: &SourceMap) -> Diagnostics {
        for d in &mut self.items {
            d.source = d
                .primary
                .as_ref()
                .map(|(s, _)| sources.named_source(s.file));
        }
        for a in &mut self.acknowledged {
            a.warning.source = a
                .warning
                .primary
                .as_ref()
                .map(|(s, _)| sources.named_source(s.file));
        }
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup_by(|a, b| a.sort_key() == b.sort_key());
        self.acknowledged
            .sort_by(|a, b| a.warning.sort_key().cmp(&b.warning.sort_key()));
        self
    }
}

/// "did you mean `x`?" for the closest candidate, when one is close enough. A name that is a
/// candidate written in another case style (`vm_size`, `dns-prefix`, `VMSize` for `vmSize`, as
/// Terraform, CLIs and ARM spell them) is the closest there is.
pub fn did_you_mean<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = input.to_ascii_lowercase();
    let plain = same_words(input);
    candidates
        .into_iter()
        .map(|c| {
            let distance = if same_words(c) == plain {
                0
            } else {
                edit_distance(&lower, &c.to_ascii_lowercase())
            };
            (distance, c)
        })
        .filter(|(d, c)| *d <= c.len().max(input.len()).div_ceil(3).max(1))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// A name without its case style: lower case, no `_` or `-`.
pub fn same_words(name: &str) -> String {
    name.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Optimal-string-alignment distance: typos that swap two letters count as one edit.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Help text for an unknown name: a suggestion when one is close, else the valid choices.
pub fn suggest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str> + Clone) -> String {
    match did_you_mean(input, candidates.clone()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => {
            let all: Vec<&str> = candidates.into_iter().collect();
            if all.is_empty() {
                "nothing of this kind is declared".to_string()
            } else if all.len() <= 12 {
                format!(
                    "expected one of: {}",
                    all.iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                format!("{} candidates, none close to `{input}`", all.len())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("nodePool", ["nodePools", "network"]),
            Some("nodePools")
        );
        assert_eq!(
            did_you_mean("kubernetesVerison", ["kubernetesVersion", "zones"]),
            Some("kubernetesVersion")
        );
        assert_eq!(did_you_mean("xyz", ["kubernetesVersion"]), None);
    }

    #[test]
    fn every_code_is_listed_once_with_its_own_name() {
        let mut names: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
        // `as_str` matches every variant; a variant missing from ALL could not be acknowledged.
        assert!(Code::ALL.contains(&Code::UnusedAcknowledgement));
        assert!(Code::ALL.contains(&Code::PublicApiServer));
    }

    #[test]
    fn other_case_styles_of_a_name_are_suggested() {
        let fields = ["vmSize", "count", "maxPods", "kubernetesVersion"];
        assert_eq!(did_you_mean("vm_size", fields), Some("vmSize"));
        assert_eq!(did_you_mean("max-pods", fields), Some("maxPods"));
        assert_eq!(
            did_you_mean("kubernetes_version", fields),
            Some("kubernetesVersion")
        );
    }
}
