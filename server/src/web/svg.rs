//! Charts drawn on the server as inline SVG, coloured by the stylesheet, each with a
//! `<title>` and an `aria-label`, and beside a table of the same figures on its page:
//!
//! * the Pathfinder stage timelines: one bar per country, every country on the same time
//!   scale, a segment per stage (`.stage-<name>`), each with a `<title>` giving the stage,
//!   its dates and its days;
//! * the programme's grouped bars ([`grouped_bars`]: per budget line, per month) and
//!   cumulative lines ([`cumulative_lines`]), each bar and point with a `<title>` giving
//!   its exact amount.

use chrono::NaiveDate;
use projections::pathfinder::BoardLine;

use super::pages::name_of;

/// Width and height of the drawing, in SVG units.
const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 18.0;

/// The stages in the order a country moves through them, for the legend.
const STAGES: &[&str] = &[
    "interest_expressed",
    "candidate",
    "onboarding",
    "workshop_held",
    "roadmap_under_review",
    "active",
    "under_review",
    "inactive",
    "withdrawn",
    "revoked",
];

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The day the country's first recorded stage began, as of `as_of`.
pub fn first_day(line: &BoardLine, as_of: NaiveDate) -> Option<NaiveDate> {
    let total: i64 = line.days_in_stage.iter().map(|(_, days)| days).sum();
    (!line.days_in_stage.is_empty()).then(|| as_of - chrono::Duration::days(total))
}

/// The country's stages from `start` to `end` as an SVG bar (an empty bar when nothing
/// was recorded by then).
pub fn stage_timeline(line: &BoardLine, start: NaiveDate, end: NaiveDate) -> String {
    let span = (end - start).num_days().max(1) as f64;
    let x_of = |day: NaiveDate| ((day - start).num_days() as f64 / span * WIDTH).clamp(0.0, WIDTH);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"stages\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{} stages from {start} to {end}\">",
        escape(&line.iso3)
    );
    out.push_str(&format!("<rect class=\"track\" x=\"0\" y=\"0\" width=\"{WIDTH}\" height=\"{HEIGHT}\"/>"));
    let mut day = first_day(line, end).unwrap_or(end);
    for (stage, days) in &line.days_in_stage {
        let until = day + chrono::Duration::days(*days);
        let (x, to) = (x_of(day), x_of(until));
        let name = name_of(stage);
        out.push_str(&format!(
            "<rect class=\"stage-{class}\" x=\"{x:.1}\" y=\"0\" width=\"{w:.1}\" height=\"{HEIGHT}\">\
             <title>{label}: {day} to {until} ({days} days)</title></rect>",
            class = escape(&name),
            w = (to - x).max(1.0),
            label = escape(&name.replace('_', " ")),
        ));
        day = until;
    }
    out.push_str("</svg>");
    out
}

/// The colour key of the stages.
pub fn legend() -> String {
    let mut out = String::from("<ul class=\"legend\">");
    for stage in STAGES {
        out.push_str(&format!(
            "<li><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" class=\"swatch\" aria-hidden=\"true\">\
             <rect class=\"stage-{stage}\" width=\"10\" height=\"10\"/></svg> {}</li>",
            stage.replace('_', " ")
        ));
    }
    out.push_str("</ul>");
    out
}

/// Money in integer minor units as people read it: `USD 39,143.00` (two minor digits,
/// thousands grouped, a minus sign before the digits).
pub fn money(amount_minor: i64, currency: &str) -> String {
    let scale = 10u64.pow(projections::iati::MINOR_UNIT_DIGITS);
    let magnitude = amount_minor.unsigned_abs();
    let whole = (magnitude / scale).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if amount_minor < 0 { "-" } else { "" };
    let digits = projections::iati::MINOR_UNIT_DIGITS as usize;
    format!("{currency} {sign}{grouped}.{:0digits$}", magnitude % scale)
}

/// A series of a chart: its class (`.series-<class>` in the stylesheet) and its name.
#[derive(Debug, Clone, Copy)]
pub struct Series {
    pub class: &'static str,
    pub label: &'static str,
}

/// A group of bars (a budget line, a month): its label and one amount per series.
#[derive(Debug, Clone)]
pub struct Group {
    pub label: String,
    pub values: Vec<i64>,
}

const CHART_WIDTH: f64 = 720.0;
const CHART_HEIGHT: f64 = 260.0;
const LEFT: f64 = 8.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 22.0;
const BOTTOM: f64 = 30.0;

fn chart_open(id: &str, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"{id}\" class=\"chart\" viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" \
         role=\"img\" aria-label=\"{t}\"><title>{t}</title>",
        id = escape(id),
        t = escape(title),
    )
}

/// The scale's top and the axis: a baseline and the largest amount written at the top left.
fn axis(max: i64, currency: &str) -> String {
    let base = CHART_HEIGHT - BOTTOM;
    format!(
        "<line class=\"axis\" x1=\"{LEFT}\" y1=\"{base}\" x2=\"{x2}\" y2=\"{base}\"/>\
         <line class=\"grid\" x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{x2}\" y2=\"{TOP}\"/>\
         <text class=\"tick\" x=\"{LEFT}\" y=\"{y}\">{label}</text>",
        x2 = CHART_WIDTH - RIGHT,
        y = TOP - 6.0,
        label = escape(&money(max, currency)),
    )
}

/// Every `step`-th label, so that at most about a dozen are written under the axis.
fn label_step(n: usize) -> usize {
    n.div_ceil(12).max(1)
}

/// Grouped vertical bars, one group per entry of `groups`, one bar per series, all on one
/// scale from zero to the largest amount (a negative amount is drawn as no bar; its
/// `<title>` still gives it exactly).
pub fn grouped_bars(id: &str, title: &str, series: &[Series], groups: &[Group], currency: &str) -> String {
    let mut out = chart_open(id, title);
    let max = groups.iter().flat_map(|g| g.values.iter().copied()).max().unwrap_or(0).max(1);
    out.push_str(&axis(max, currency));
    let plot_width = CHART_WIDTH - LEFT - RIGHT;
    let plot_height = CHART_HEIGHT - TOP - BOTTOM;
    let group_width = plot_width / groups.len().max(1) as f64;
    let bar_width = group_width * 0.8 / series.len().max(1) as f64;
    let step = label_step(groups.len());
    for (i, group) in groups.iter().enumerate() {
        let x0 = LEFT + group_width * i as f64 + group_width * 0.1;
        out.push_str(&format!("<g class=\"group\" data-group=\"{}\">", escape(&group.label)));
        for (j, (s, value)) in series.iter().zip(&group.values).enumerate() {
            let height = (*value).max(0) as f64 / max as f64 * plot_height;
            out.push_str(&format!(
                "<rect class=\"bar series-{class}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{height:.1}\">\
                 <title>{group} {label}: {amount}</title></rect>",
                class = s.class,
                x = x0 + bar_width * j as f64,
                y = TOP + plot_height - height,
                w = (bar_width - 1.0).max(0.5),
                group = escape(&group.label),
                label = s.label,
                amount = escape(&money(*value, currency)),
            ));
        }
        if i % step == 0 {
            out.push_str(&format!(
                "<text class=\"tick\" x=\"{x:.1}\" y=\"{y}\">{}</text>",
                escape(&group.label),
                x = x0,
                y = CHART_HEIGHT - BOTTOM + 16.0,
            ));
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// Cumulative amounts as lines over the `labels` (months), one per series, each point with
/// its exact amount in a `<title>`.
pub fn cumulative_lines(
    id: &str,
    title: &str,
    series: &[Series],
    labels: &[String],
    values: &[Vec<i64>],
    currency: &str,
) -> String {
    let mut out = chart_open(id, title);
    let max = values.iter().flatten().copied().max().unwrap_or(0).max(1);
    out.push_str(&axis(max, currency));
    let plot_width = CHART_WIDTH - LEFT - RIGHT;
    let plot_height = CHART_HEIGHT - TOP - BOTTOM;
    let n = labels.len().max(1);
    let x_of = |i: usize| LEFT + plot_width * (i as f64 + 0.5) / n as f64;
    let y_of = |v: i64| TOP + plot_height - v.max(0) as f64 / max as f64 * plot_height;
    for (s, points) in series.iter().zip(values) {
        let path: Vec<String> =
            points.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x_of(i), y_of(*v))).collect();
        out.push_str(&format!(
            "<g class=\"series series-{class}\"><polyline class=\"line\" points=\"{}\"/>",
            path.join(" "),
            class = s.class
        ));
        for (i, v) in points.iter().enumerate() {
            out.push_str(&format!(
                "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\"><title>{} {}: {}</title></circle>",
                x_of(i),
                y_of(*v),
                escape(labels.get(i).map_or("", String::as_str)),
                s.label,
                escape(&money(*v, currency)),
            ));
        }
        out.push_str("</g>");
    }
    let step = label_step(labels.len());
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % step == 0) {
        out.push_str(&format!(
            "<text class=\"tick\" x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            x_of(i),
            CHART_HEIGHT - BOTTOM + 16.0,
            escape(label)
        ));
    }
    out.push_str("</svg>");
    out
}

/// The colour key of a chart's series.
pub fn chart_legend(series: &[Series]) -> String {
    let mut out = String::from("<ul class=\"legend\">");
    for s in series {
        out.push_str(&format!(
            "<li><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\" class=\"swatch\" aria-hidden=\"true\">\
             <rect class=\"bar series-{}\" width=\"10\" height=\"10\"/></svg> {}</li>",
            s.class, s.label
        ));
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::pathfinder::country::PfcStage;

    fn line(days: Vec<(PfcStage, i64)>) -> BoardLine {
        BoardLine {
            iso3: "NPL".into(),
            stage: days.last().map(|(s, _)| *s),
            since: None,
            days_in_stage: days,
            focal_point: None,
            current_roadmap: None,
            last_report: None,
            status_granted_on: None,
            status_granted_by: None,
            legacy: false,
            in_country_support: false,
            illustrative: false,
        }
    }

    #[test]
    fn stages_are_segments_on_a_shared_scale() {
        let end = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let l = line(vec![(PfcStage::Candidate, 100), (PfcStage::Active, 100)]);
        assert_eq!(first_day(&l, end), Some(end - chrono::Duration::days(200)));
        // On a scale twice as long as its history, the country's bar fills the right half.
        let start = end - chrono::Duration::days(400);
        let svg = stage_timeline(&l, start, end);
        assert!(svg.contains("class=\"stage-candidate\" x=\"300.0\" y=\"0\" width=\"150.0\""), "{svg}");
        assert!(svg.contains("class=\"stage-active\" x=\"450.0\" y=\"0\" width=\"150.0\""), "{svg}");
        assert!(svg.contains("<title>active: 2019-09-23 to 2020-01-01 (100 days)</title>"), "{svg}");
    }

    #[test]
    fn a_country_with_nothing_recorded_is_an_empty_track() {
        let end = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let svg = stage_timeline(&line(vec![]), end, end);
        assert!(svg.contains("class=\"track\"") && !svg.contains("stage-"), "{svg}");
        assert_eq!(first_day(&line(vec![]), end), None);
    }

    #[test]
    fn money_reads_with_its_currency_and_grouped_digits() {
        assert_eq!(money(3_914_300, "USD"), "USD 39,143.00");
        assert_eq!(money(5, "EUR"), "EUR 0.05");
        assert_eq!(money(-123_456_789, "USD"), "USD -1,234,567.89");
        assert_eq!(money(100_000_000, "USD"), "USD 1,000,000.00");
    }

    #[test]
    fn bars_share_one_scale_and_give_exact_amounts() {
        let series = [Series { class: "plan", label: "plan" }, Series { class: "spent", label: "spent" }];
        let groups = vec![
            Group { label: "O1".into(), values: vec![200, 100] },
            Group { label: "O2".into(), values: vec![50, -10] },
        ];
        let svg = grouped_bars("c", "Lines & months", &series, &groups, "USD");
        assert!(svg.contains("aria-label=\"Lines &amp; months\"><title>Lines &amp; months</title>"), "{svg}");
        assert_eq!(svg.matches("<g class=\"group\"").count(), 2);
        assert_eq!(svg.matches("<rect class=\"bar ").count(), 4);
        assert!(svg.contains("<title>O2 spent: USD -0.10</title>"), "{svg}");
        // The tallest bar fills the plot; half the amount is half the height.
        assert!(svg.contains("y=\"22.0\" width=\"") && svg.contains("height=\"208.0\""), "{svg}");
        assert!(svg.contains("height=\"104.0\""), "{svg}");
        let lines = cumulative_lines("l", "t", &series[..1], &["2026-01".into()], &[vec![7]], "USD");
        assert!(lines.contains("<title>2026-01 plan: USD 0.07</title>"), "{lines}");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
