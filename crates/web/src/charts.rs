//! Charts drawn on the server as SVG: no script, so they work in print, in
//! WeChat's browser and under the strict content security policy. Each
//! chart carries a title and a description for screen readers; the page
//! shows the data table behind it and offers that table as CSV.

use std::fmt::Write as _;

/// A bar chart of one series, with an optional target line.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub title: String,
    /// What the chart shows in words (its accessible description).
    pub description: String,
    /// (category, value).
    pub bars: Vec<(String, i64)>,
    /// A horizontal line at this value, with its label.
    pub target: Option<(i64, String)>,
    pub unit: &'static str,
}

/// Escapes text for SVG (XML).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
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

const WIDTH: i64 = 640;
const HEIGHT: i64 = 280;
const LEFT: i64 = 56;
const RIGHT: i64 = 16;
const TOP: i64 = 24;
const BOTTOM: i64 = 40;

impl BarChart {
    /// The chart as an inline `<svg>` that scales to its box (`viewBox`);
    /// `id` makes the title and description referable.
    pub fn svg(&self, id: &str) -> String {
        let max = self
            .bars
            .iter()
            .map(|(_, v)| *v)
            .chain(self.target.iter().map(|(t, _)| *t))
            .max()
            .unwrap_or(0)
            .max(1);
        // A round top for the axis: 1, 2 or 5 times a power of ten.
        let mut step = 1i64;
        while step * 10 < max {
            step *= 10;
        }
        let top = [1, 2, 5, 10]
            .iter()
            .map(|m| m * step)
            .find(|t| *t >= max)
            .unwrap_or(max);
        let plot_h = HEIGHT - TOP - BOTTOM;
        let plot_w = WIDTH - LEFT - RIGHT;
        let y = |v: i64| TOP + plot_h - v.max(0) * plot_h / top;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-t {id}-d" xmlns="http://www.w3.org/2000/svg"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
            esc(&self.title),
            esc(&self.description)
        );
        for i in 0..=4 {
            let v = top * i / 4;
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{}" y1="{y}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" font-size="12" text-anchor="end" fill="#444">{v}</text>"##,
                WIDTH - RIGHT,
                LEFT - 6,
                y(v) + 4,
                y = y(v),
            );
        }
        let n = self.bars.len().max(1) as i64;
        let slot = plot_w / n;
        let bar = (slot * 3 / 5).max(4);
        for (i, (label, v)) in self.bars.iter().enumerate() {
            let x = LEFT + slot * i as i64 + (slot - bar) / 2;
            let _ = write!(
                s,
                r##"<rect x="{x}" y="{}" width="{bar}" height="{}" fill="#b22222"><title>{}:{v} {}</title></rect><text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#222">{v}</text><text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#222">{}</text>"##,
                y(*v),
                TOP + plot_h - y(*v),
                esc(label),
                self.unit,
                x + bar / 2,
                y(*v) - 4,
                x + bar / 2,
                HEIGHT - BOTTOM + 18,
                esc(label),
            );
        }
        if let Some((t, label)) = &self.target {
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" x2="{}" y1="{y}" y2="{y}" stroke="#1f5fa8" stroke-width="2" stroke-dasharray="6 4"/><text x="{}" y="{}" font-size="12" text-anchor="end" fill="#1f5fa8">{}</text>"##,
                WIDTH - RIGHT,
                WIDTH - RIGHT,
                y(*t) - 6,
                esc(label),
                y = y(*t),
            );
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn chart() -> BarChart {
        BarChart {
            title: "登记社会组织 <年末>".into(),
            description: "2021–2022 年".into(),
            bars: vec![("2021".into(), 300), ("2022".into(), 640)],
            target: Some((1000, "目标 1000".into())),
            unit: "家",
        }
    }

    #[test]
    fn the_svg_is_labelled_escaped_and_scaled_to_the_target() {
        let svg = chart().svg("c1");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"aria-labelledby="c1-t c1-d""#));
        assert!(svg.contains("<title id=\"c1-t\">登记社会组织 &lt;年末&gt;</title>"));
        assert_eq!(svg.matches("<rect").count(), 2);
        // The axis tops at the target (1000); the target line is drawn at its top.
        assert!(svg.contains(">1000</text>"));
        assert!(svg.contains("stroke-dasharray"));
        assert!(!svg.contains("<script"));
    }
}
