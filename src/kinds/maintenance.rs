//! AKS planned maintenance windows (`managedClusters/maintenanceConfigurations`), written under
//! a cluster as `maintenance: {autoUpgrade: …, nodeOs: …}` and addressed
//! `cluster/NAME/aksManagedAutoUpgradeSchedule` and `cluster/NAME/aksManagedNodeOSUpgradeSchedule`,
//! the two named configurations Learn "Use Planned Maintenance to schedule and control upgrades
//! for your AKS cluster" (https://learn.microsoft.com/azure/aks/planned-maintenance) recommends
//! (the legacy `default` configuration, `timeInWeek`, is not modelled; write it with `raw:` on
//! neither, or outside azplan). A cluster owns its maintenance configurations only when its spec
//! has `maintenance:`, so windows set in the portal survive a spec that never mentions them.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{EMPTY, Rules};
use crate::build::Builder;
use crate::de::Spanned;
use crate::diag::SpecDiagnostic;
use crate::model::{
    Address, DayOfWeek, Dependency, Kind, MaintenanceSchedule, MaintenanceWindow, Origin, Resource,
    Spec, WeekIndex,
};
use crate::spec::Entry;

use super::cluster::RawCluster;

/// ARM names of the two configurations, by spec key.
pub const AUTO_UPGRADE: &str = "aksManagedAutoUpgradeSchedule";
pub const NODE_OS: &str = "aksManagedNodeOSUpgradeSchedule";

// The spec as written (serde types, spans, no invariants).

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawMaintenance {
    /// When cluster auto-upgrades (`autoUpgrade.channel`) may run:
    /// `aksManagedAutoUpgradeSchedule`.
    pub auto_upgrade: Option<Spanned<RawWindow>>,
    /// When node OS upgrades (`autoUpgrade.nodeOs`) may run: `aksManagedNodeOSUpgradeSchedule`.
    pub node_os: Option<Spanned<RawWindow>>,
}

/// A maintenance window (MaintenanceWindow, AKS 2026-08-01): exactly one of `daily`, `weekly`,
/// `absoluteMonthly`, `relativeMonthly`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawWindow {
    /// Every `intervalDays` days (1-7).
    pub daily: Option<RawDaily>,
    /// Every `intervalWeeks` weeks (1-4, default 1) on `dayOfWeek`.
    pub weekly: Option<RawWeekly>,
    /// Every `intervalMonths` months (1-6, default 1) on `dayOfMonth` (1-31).
    pub absolute_monthly: Option<RawAbsoluteMonthly>,
    /// Every `intervalMonths` months (1-6, default 1) on the `weekIndex` `dayOfWeek`.
    pub relative_monthly: Option<RawRelativeMonthly>,
    /// `HH:mm`, 00:00-23:59, in `utcOffset`.
    pub start_time: Spanned<String>,
    /// 4-24 hours. Default 24 (AKS's documented default).
    pub duration_hours: Option<Spanned<u32>>,
    /// `+HH:mm` or `-HH:mm`; AKS's default `+00:00`.
    pub utc_offset: Option<Spanned<String>>,
    /// The date (`YYYY-MM-DD`) the window starts to apply; default at once.
    pub start_date: Option<String>,
    /// Date ranges without maintenance, e.g. `[{start: 2026-12-23, end: 2027-01-03}]`.
    #[serde(default)]
    pub not_allowed_dates: Vec<RawDateSpan>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDaily {
    pub interval_days: Spanned<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawWeekly {
    pub day_of_week: DayOfWeek,
    pub interval_weeks: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawAbsoluteMonthly {
    pub day_of_month: Spanned<u32>,
    pub interval_months: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawRelativeMonthly {
    pub week_index: WeekIndex,
    pub day_of_week: DayOfWeek,
    pub interval_months: Option<Spanned<u32>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RawDateSpan {
    pub start: String,
    pub end: String,
}

pub static RULES: Rules = Rules {
    server_defaults: &[
        // MaintenanceWindow.utcOffset: "If not specified, the default is '+00:00'" (AKS
        // 2026-08-01).
        ("properties.maintenanceWindow.utcOffset", "\"+00:00\""),
    ],
    ..EMPTY
};

pub fn body(w: &MaintenanceWindow) -> Value {
    let schedule = match w.schedule {
        MaintenanceSchedule::Daily { interval_days } => {
            json!({ "daily": { "intervalDays": interval_days } })
        }
        MaintenanceSchedule::Weekly {
            interval_weeks,
            day_of_week,
        } => {
            json!({ "weekly": { "intervalWeeks": interval_weeks, "dayOfWeek": day_of_week.name() } })
        }
        MaintenanceSchedule::AbsoluteMonthly {
            interval_months,
            day_of_month,
        } => {
            json!({ "absoluteMonthly": { "intervalMonths": interval_months, "dayOfMonth": day_of_month } })
        }
        MaintenanceSchedule::RelativeMonthly {
            interval_months,
            week_index,
            day_of_week,
        } => json!({ "relativeMonthly": {
            "intervalMonths": interval_months,
            "weekIndex": week_index.name(),
            "dayOfWeek": day_of_week.name(),
        } }),
    };
    let mut window = json!({
        "schedule": schedule,
        "durationHours": w.duration_hours,
        "startTime": w.start_time,
        "notAllowedDates": w.not_allowed_dates.iter()
            .map(|(start, end)| json!({ "start": start, "end": end }))
            .collect::<Vec<_>>(),
    });
    if let Some(offset) = &w.utc_offset {
        window["utcOffset"] = json!(offset);
    }
    if let Some(date) = &w.start_date {
        window["startDate"] = json!(date);
    }
    json!({ "properties": { "maintenanceWindow": window } })
}

/// The child addresses a cluster's spec declares.
pub(crate) fn declared(entry: &Entry<RawCluster>) -> Vec<(&'static str, crate::source::Span)> {
    let Some(m) = entry.spec.maintenance.as_ref() else {
        return Vec::new();
    };
    [
        (AUTO_UPGRADE, &m.value.auto_upgrade),
        (NODE_OS, &m.value.node_os),
    ]
    .into_iter()
    .filter_map(|(name, w)| w.as_ref().map(|w| (name, w.span)))
    .collect()
}

impl Builder<'_> {
    pub(crate) fn maintenance(&mut self, entry: &Entry<RawCluster>, cluster: &Resource) {
        let Some(m) = entry.spec.maintenance.as_ref() else {
            return;
        };
        for (name, window) in [
            (AUTO_UPGRADE, &m.value.auto_upgrade),
            (NODE_OS, &m.value.node_os),
        ] {
            let Some(window) = window else { continue };
            let Some(model) = self.window(window) else {
                continue;
            };
            self.insert(Resource {
                address: Address::child(Kind::MaintenanceConfiguration, &entry.key.value, name),
                name: name.to_string(),
                span: window.span,
                origin: Origin::Declared,
                resource_group: cluster.resource_group.clone(),
                location: None,
                tags: Default::default(),
                protect: cluster.protect,
                raw: None,
                dependencies: vec![Dependency {
                    on: cluster.address.clone(),
                    span: window.span,
                    explicit: false,
                }],
                spec: Spec::MaintenanceConfiguration(model),
            });
        }
    }

    /// Checks a window against MaintenanceWindow and its schedules (AKS 2026-08-01):
    /// durationHours 4-24, startTime `^\d{2}:\d{2}$` from 00:00 to 23:59, utcOffset
    /// `^(-|\+)[0-9]{2}:[0-9]{2}$`, intervalDays 1-7, intervalWeeks 1-4, intervalMonths 1-6,
    /// dayOfMonth 1-31; one schedule only.
    fn window(&mut self, window: &Spanned<RawWindow>) -> Option<MaintenanceWindow> {
        let w = &window.value;
        let mut ok = true;
        let mut range =
            |this: &mut Self, what: &str, v: Option<&Spanned<u32>>, lo: u32, hi: u32| {
                let Some(v) = v else { return };
                if !(lo..=hi).contains(&v.value) {
                    ok = false;
                    this.error(SpecDiagnostic::invalid(
                        format!("`{what}: {}` is out of range", v.value),
                        v.span,
                        "out of range",
                        format!("AKS takes {lo}-{hi}"),
                    ));
                }
            };
        let duration = w.duration_hours.as_ref();
        range(self, "durationHours", duration, 4, 24);
        let schedules = [
            w.daily.is_some(),
            w.weekly.is_some(),
            w.absolute_monthly.is_some(),
            w.relative_monthly.is_some(),
        ];
        let schedule = match (
            &w.daily,
            &w.weekly,
            &w.absolute_monthly,
            &w.relative_monthly,
        ) {
            _ if schedules.iter().filter(|s| **s).count() != 1 => None,
            (Some(d), ..) => {
                range(self, "intervalDays", Some(&d.interval_days), 1, 7);
                Some(MaintenanceSchedule::Daily {
                    interval_days: d.interval_days.value,
                })
            }
            (_, Some(wk), ..) => {
                range(self, "intervalWeeks", wk.interval_weeks.as_ref(), 1, 4);
                Some(MaintenanceSchedule::Weekly {
                    interval_weeks: wk.interval_weeks.as_ref().map_or(1, |i| i.value),
                    day_of_week: wk.day_of_week,
                })
            }
            (_, _, Some(a), _) => {
                range(self, "intervalMonths", a.interval_months.as_ref(), 1, 6);
                range(self, "dayOfMonth", Some(&a.day_of_month), 1, 31);
                Some(MaintenanceSchedule::AbsoluteMonthly {
                    interval_months: a.interval_months.as_ref().map_or(1, |i| i.value),
                    day_of_month: a.day_of_month.value,
                })
            }
            (_, _, _, Some(r)) => {
                range(self, "intervalMonths", r.interval_months.as_ref(), 1, 6);
                Some(MaintenanceSchedule::RelativeMonthly {
                    interval_months: r.interval_months.as_ref().map_or(1, |i| i.value),
                    week_index: r.week_index,
                    day_of_week: r.day_of_week,
                })
            }
            _ => None,
        };
        if schedule.is_none() {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                "a maintenance window needs exactly one schedule",
                window.span,
                "schedule",
                "write one of `daily`, `weekly`, `absoluteMonthly` or `relativeMonthly`",
            ));
        }
        if !clock(&w.start_time.value) {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                format!("`{}` is not a start time", w.start_time.value),
                w.start_time.span,
                "not HH:mm",
                "write the time as `HH:mm`, from 00:00 to 23:59",
            ));
        }
        if let Some(offset) = w
            .utc_offset
            .as_ref()
            .filter(|o| !o.value.strip_prefix(['+', '-']).is_some_and(clock))
        {
            ok = false;
            self.error(SpecDiagnostic::invalid(
                format!("`{}` is not a UTC offset", offset.value),
                offset.span,
                "not +/-HH:mm",
                "write the offset as `+05:30` or `-07:00`",
            ));
        }
        let schedule = schedule?;
        ok.then(|| MaintenanceWindow {
            schedule,
            duration_hours: duration.map_or(24, |d| d.value),
            start_time: w.start_time.value.clone(),
            utc_offset: w.utc_offset.as_ref().map(|o| o.value.clone()),
            start_date: w.start_date.clone(),
            not_allowed_dates: w
                .not_allowed_dates
                .iter()
                .map(|d| (d.start.clone(), d.end.clone()))
                .collect(),
        })
    }
}

/// `HH:mm` from 00:00 to 23:59.
fn clock(s: &str) -> bool {
    let Some((h, m)) = s.split_once(':') else {
        return false;
    };
    h.len() == 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}
