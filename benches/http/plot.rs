//! A picture of the figures `/metrics` showed under the bench's load: `/ask`
//! interactions by outcome, and the mean time of each stage of answering, drawn as SVG
//! and rendered with the diagrams' own font.

use prometheus_parse::{Scrape, Value};

fn value(s: &Scrape, metric: &str, label: (&str, &str)) -> f64 {
    s.samples
        .iter()
        .filter(|x| x.metric == metric && x.labels.get(label.0) == Some(label.1))
        .map(|x| match &x.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            _ => 0.0,
        })
        .fold(0.0, |a, b| a + b)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

/// One panel of horizontal bars: `(label, value, shown)`, scaled to the largest.
fn bars(x: f64, y: f64, title: &str, rows: &[(String, f64, String)]) -> String {
    let max = rows.iter().map(|r| r.1).fold(0.0, f64::max).max(1e-9);
    let mut out = format!(
        r##"<text x="{x}" y="{y}" font-size="16" font-weight="bold" fill="#1e1f22">{}</text>"##,
        esc(title)
    );
    for (i, (label, v, shown)) in rows.iter().enumerate() {
        let yy = y + 24.0 + i as f64 * 30.0;
        let w = 190.0 * v / max;
        out.push_str(&format!(
            r##"<text x="{x}" y="{}" font-size="13" fill="#313338">{}</text>
<rect x="{}" y="{}" width="{w:.1}" height="18" rx="3" fill="#5865f2"/>
<text x="{}" y="{}" font-size="13" fill="#313338">{}</text>"##,
            yy + 14.0,
            esc(label),
            x + 90.0,
            yy,
            x + 96.0 + w,
            yy + 14.0,
            esc(shown)
        ));
    }
    out
}

/// The PNG of the figures in `text` (Prometheus's text format).
pub fn png(text: &str) -> anyhow::Result<Vec<u8>> {
    let s = Scrape::parse(text.lines().map(|l| Ok(l.to_string())))?;
    let outcomes: Vec<(String, f64, String)> = ["answered", "declined", "refused", "failed"]
        .iter()
        .map(|o| {
            let n = value(&s, "archie_interactions_total", ("outcome", o));
            (o.to_string(), n, format!("{n:.0}"))
        })
        .collect();
    let stages: Vec<(String, f64, String)> = ["understand", "encode", "retrieve", "rank", "render"]
        .iter()
        .map(|st| {
            let sum = value(&s, "archie_ask_stage_duration_seconds_sum", ("stage", st));
            let n = value(&s, "archie_ask_stage_duration_seconds_count", ("stage", st));
            let ms = if n > 0.0 { sum / n * 1000.0 } else { 0.0 };
            (st.to_string(), ms, format!("{ms:.2} ms"))
        })
        .collect();
    let svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="760" height="250" font-family="DejaVu Sans">
<rect width="760" height="250" fill="#f2f3f5"/>
{}
{}
<text x="24" y="236" font-size="11" fill="#5c5e66">Archie /metrics after cargo bench --bench http (interactions_total by outcome; ask_stage_duration_seconds sum/count)</text>
</svg>"##,
        bars(24.0, 32.0, "Interactions by outcome", &outcomes),
        bars(390.0, 32.0, "/ask: mean time per stage", &stages),
    );
    archie::render::diagram::png_of_svg(&svg).map_err(|e| anyhow::anyhow!("{e}"))
}
