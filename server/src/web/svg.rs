//! The Pathfinder stage timelines, drawn on the server as inline SVG: one bar per country,
//! every country on the same time scale, a segment per stage coloured by the stylesheet
//! (`.stage-<name>`), each with a `<title>` giving the stage, its dates and its days.

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
    fn text_is_escaped() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
