//! Stack diagrams as PNG: a company's technologies by layer (`/stack`), and two companies
//! side by side with the technologies they share marked (`/compare`). Laid out here as
//! SVG, with text measured from the embedded font, and rendered by resvg. The card is
//! opaque and light, with dark text and a border, so it reads the same in Discord's dark
//! and light themes; its width suits Discord's preview (shown at about 550 px, the text
//! stays at 12 px or more). Images are cached by a fingerprint of their content.

use archie_core::reply::data;
use archie_knowledge::typed_stack::short_label;
use archie_knowledge::Layer;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// DejaVu Sans (Bitstream Vera licence, in `fonts/LICENSE`), embedded so every machine
/// draws the same image.
const REGULAR: &[u8] = include_bytes!("fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("fonts/DejaVuSans-Bold.ttf");
const FAMILY: &str = "DejaVu Sans";

const WIDTH: f32 = 760.0;
const PAD: f32 = 24.0;
const TITLE_SIZE: f32 = 26.0;
const LABEL_SIZE: f32 = 16.0;
const CHIP_SIZE: f32 = 16.0;
const CHIP_H: f32 = 30.0;
const CHIP_PAD: f32 = 10.0;
const GAP: f32 = 8.0;
const LABEL_W: f32 = 150.0;

const INK: &str = "#1F2328";
const MUTED: &str = "#57606A";
const CARD: &str = "#F6F8FA";
const LINE: &str = "#D0D7DE";
const SHARED_FILL: &str = "#DAFBE1";
const SHARED_INK: &str = "#1A7F37";

/// Images kept in memory, by content fingerprint.
const CACHE: usize = 256;

/// A diagram that could not be drawn (a bug or a broken font, never user input).
#[derive(Debug, thiserror::Error)]
#[error("the diagram could not be drawn: {0}")]
pub struct DiagramError(String);

/// Rendered PNGs by fingerprint, shared by the whole process.
#[derive(Default)]
pub struct Diagrams {
    cache: Mutex<HashMap<[u8; 16], Arc<Vec<u8>>>>,
}

/// The process's diagrams: drawn once per distinct content, whichever transport asks.
pub fn shared() -> &'static Diagrams {
    static SHARED: OnceLock<Diagrams> = OnceLock::new();
    SHARED.get_or_init(Diagrams::default)
}

impl Diagrams {
    /// The picture a reply asks for, drawn from its data; a failure to draw is logged and
    /// the answer goes out without its picture.
    pub fn picture(&self, r: &archie_core::reply::Reply) -> Option<archie_core::reply::Attachment> {
        let picture = r.picture.as_ref()?;
        let png = match r.data.as_ref()? {
            data::Data::Stack(s) => self.stack(s),
            data::Data::Compare(c) => self.compare(c),
            _ => return None,
        };
        match png {
            Ok(bytes) => Some(archie_core::reply::Attachment {
                filename: picture.filename.clone(),
                bytes: bytes.to_vec(),
            }),
            Err(e) => {
                tracing::error!(error = %e, "a stack diagram could not be drawn");
                None
            }
        }
    }

    /// The PNG of `svg`, rendered once per distinct content.
    fn png(&self, svg: &str) -> Result<Arc<Vec<u8>>, DiagramError> {
        let mut key = [0u8; 16];
        key.copy_from_slice(&Sha256::digest(svg.as_bytes())[..16]);
        if let Some(png) = self.lock().get(&key) {
            return Ok(png.clone());
        }
        let png = Arc::new(png_of_svg(svg)?);
        let mut cache = self.lock();
        if cache.len() >= CACHE {
            cache.clear();
        }
        cache.insert(key, png.clone());
        Ok(png)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 16], Arc<Vec<u8>>>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A company's stack, layer by layer, as `/stack` lists it.
    pub fn stack(&self, d: &data::Stack) -> Result<Arc<Vec<u8>>, DiagramError> {
        self.png(&stack_svg(d))
    }

    /// Two stacks side by side, the technologies both use marked, as `/compare` lists them.
    pub fn compare(&self, d: &data::Compare) -> Result<Arc<Vec<u8>>, DiagramError> {
        self.png(&compare_svg(d))
    }
}

/// Text widths from the embedded font's advances (no kerning: close enough for layout).
struct Metrics {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

fn metrics() -> &'static Metrics {
    static M: OnceLock<Metrics> = OnceLock::new();
    M.get_or_init(|| Metrics {
        regular: ttf_parser::Face::parse(REGULAR, 0).expect("the embedded font parses"),
        bold: ttf_parser::Face::parse(BOLD, 0).expect("the embedded font parses"),
    })
}

fn width(text: &str, size: f32, bold: bool) -> f32 {
    let m = metrics();
    let face = if bold { &m.bold } else { &m.regular };
    let units = f32::from(face.units_per_em());
    let advance: f32 = text
        .chars()
        .map(|c| {
            face.glyph_index(c)
                .and_then(|g| face.glyph_hor_advance(g))
                .map_or(units * 0.6, f32::from)
        })
        .sum();
    advance * size / units
}

/// `text` cut with `…` to fit `max` pixels.
fn fit(text: &str, size: f32, bold: bool, max: f32) -> String {
    if width(text, size, bold) <= max {
        return text.to_string();
    }
    let mut out: String = text.to_string();
    while !out.is_empty() && width(&format!("{out}…"), size, bold) > max {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A layer's name as short as a diagram wants it: "Languages", "Web servers", "Hosting".
fn label(l: Layer) -> &'static str {
    let short = short_label(l);
    short.split(" & ").next().unwrap_or(short)
}

/// One colour per layer, the same hue family as the answer embeds.
fn colour(l: Layer) -> &'static str {
    match l {
        Layer::Language => "#8250DF",
        Layer::Web => "#0969DA",
        Layer::Data => "#BF3989",
        Layer::Cache => "#BC4C00",
        Layer::Queue => "#1A7F37",
        Layer::Search => "#9A6700",
        Layer::Hosting => "#0550AE",
        Layer::Monitoring => "#CF222E",
        Layer::Deploy => "#6E7781",
        Layer::Other => "#57606A",
    }
}

struct Svg {
    body: String,
}

impl Svg {
    fn new() -> Svg {
        Svg {
            body: String::new(),
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, fill: &str, s: &str) {
        self.body.push_str(&format!(
            r#"<text x="{x:.1}" y="{y:.1}" font-family="{FAMILY}" font-size="{size}" font-weight="{}" fill="{fill}">{}</text>"#,
            if bold { "bold" } else { "normal" },
            esc(s)
        ));
    }

    /// A rounded box at `(x, y)` of `size` (width, height), filled and outlined.
    fn rect(&mut self, x: f32, y: f32, size: (f32, f32), r: f32, fill: &str, stroke: &str) {
        let (w, h) = size;
        self.body.push_str(&format!(
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" rx="{r}" fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>"#
        ));
    }

    fn line(&mut self, y: f32) {
        self.body.push_str(&format!(
            r#"<line x1="{PAD}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{LINE}" stroke-width="1"/>"#,
            WIDTH - PAD
        ));
    }

    /// A layer's row head at `y`: the divider above, its colour bar and its name; its colour.
    fn layer_head(&mut self, layer: Layer, y: f32) -> &'static str {
        self.line(y - 8.0);
        let hue = colour(layer);
        self.rect(PAD, y, (5.0, CHIP_H), 2.0, hue, hue);
        let name = fit(label(layer), LABEL_SIZE, true, LABEL_W - 20.0);
        self.text(PAD + 14.0, y + CHIP_H - 9.0, LABEL_SIZE, true, MUTED, &name);
        hue
    }

    /// Chips for `items` from `x0` to `x1`, starting at `y`; returns the y under them.
    fn chips(&mut self, items: &[(String, bool)], x0: f32, x1: f32, y: f32, hue: &str) -> f32 {
        let (mut x, mut y) = (x0, y);
        for (name, shared) in items {
            let text = fit(name, CHIP_SIZE, *shared, x1 - x0 - 2.0 * CHIP_PAD);
            let w = width(&text, CHIP_SIZE, *shared) + 2.0 * CHIP_PAD;
            if x > x0 && x + w > x1 {
                x = x0;
                y += CHIP_H + GAP;
            }
            let (fill, stroke, ink) = if *shared {
                (SHARED_FILL, SHARED_INK, SHARED_INK)
            } else {
                ("#FFFFFF", hue, INK)
            };
            self.rect(x, y, (w, CHIP_H), 6.0, fill, stroke);
            self.text(
                x + CHIP_PAD,
                y + CHIP_H - 9.0,
                CHIP_SIZE,
                *shared,
                ink,
                &text,
            );
            x += w + GAP;
        }
        y + CHIP_H
    }

    /// The card: the body drawn so far, then `foot` under the last row, at `y`.
    fn finish(mut self, y: f32, foot: &str) -> String {
        let foot = fit(foot, 13.0, false, WIDTH - 2.0 * PAD);
        self.text(PAD, y + 8.0, 13.0, false, MUTED, &foot);
        let height = y + 26.0;
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}"><rect x="0.75" y="0.75" width="{:.1}" height="{:.1}" rx="14" fill="{CARD}" stroke="{LINE}" stroke-width="1.5"/>{}</svg>"#,
            WIDTH - 1.5,
            height - 1.5,
            self.body
        )
    }
}

/// The host of a source link, for the foot of a diagram.
fn host(url: &str) -> String {
    archie_core::reply::short_url(url)
}

pub fn stack_svg(d: &data::Stack) -> String {
    let mut s = Svg::new();
    s.text(
        PAD,
        PAD + TITLE_SIZE,
        TITLE_SIZE,
        true,
        INK,
        &fit(
            &format!("{} · technology stack", d.company),
            TITLE_SIZE,
            true,
            WIDTH - 2.0 * PAD,
        ),
    );
    let mut y = PAD + TITLE_SIZE + 22.0;
    for l in d.layers.iter().filter(|l| !l.technologies.is_empty()) {
        let hue = s.layer_head(l.layer, y);
        let items: Vec<(String, bool)> = l
            .technologies
            .iter()
            .map(|t| (t.tech.clone(), false))
            .collect();
        y = s.chips(&items, PAD + LABEL_W, WIDTH - PAD, y, hue) + 18.0;
    }
    let foot = match d.sources.first() {
        Some(src) => format!("Source: {} · Archie", host(src)),
        None => "Archie".to_string(),
    };
    s.finish(y, &foot)
}

pub fn compare_svg(d: &data::Compare) -> String {
    let mut s = Svg::new();
    let title = fit(
        &format!("{} vs {}", d.first, d.second),
        TITLE_SIZE,
        true,
        WIDTH - 2.0 * PAD - 150.0,
    );
    s.text(PAD, PAD + TITLE_SIZE, TITLE_SIZE, true, INK, &title);
    // The legend: what a green chip means.
    let legend_x = WIDTH - PAD - 120.0;
    s.rect(
        legend_x,
        PAD + 4.0,
        (120.0, 26.0),
        6.0,
        SHARED_FILL,
        SHARED_INK,
    );
    s.text(
        legend_x + 10.0,
        PAD + 22.0,
        14.0,
        true,
        SHARED_INK,
        "used by both",
    );
    let col = (WIDTH - 2.0 * PAD - LABEL_W - GAP) / 2.0;
    let (xa, xb) = (PAD + LABEL_W, PAD + LABEL_W + col + GAP);
    let mut y = PAD + TITLE_SIZE + 26.0;
    s.text(
        xa,
        y,
        LABEL_SIZE,
        true,
        INK,
        &fit(&d.first, LABEL_SIZE, true, col - 4.0),
    );
    s.text(
        xb,
        y,
        LABEL_SIZE,
        true,
        INK,
        &fit(&d.second, LABEL_SIZE, true, col - 4.0),
    );
    y += 16.0;
    for l in &d.layers {
        if l.shared.is_empty() && l.only_first.is_empty() && l.only_second.is_empty() {
            continue;
        }
        let hue = s.layer_head(l.layer, y);
        let side = |only: &[String]| -> Vec<(String, bool)> {
            l.shared
                .iter()
                .map(|t| (t.clone(), true))
                .chain(only.iter().map(|t| (t.clone(), false)))
                .collect()
        };
        let ya = s.chips(&side(&l.only_first), xa, xa + col - GAP, y, hue);
        let yb = s.chips(&side(&l.only_second), xb, xb + col, y, hue);
        y = ya.max(yb) + 18.0;
    }
    s.finish(y, "Archie · from each company's published stack")
}

/// `svg` as PNG bytes, drawn with the embedded font only (the diagrams, and the bench's
/// plot of the figures).
pub fn png_of_svg(svg: &str) -> Result<Vec<u8>, DiagramError> {
    static FONTS: OnceLock<Arc<resvg::usvg::fontdb::Database>> = OnceLock::new();
    let fonts = FONTS
        .get_or_init(|| {
            let mut db = resvg::usvg::fontdb::Database::new();
            db.load_font_data(REGULAR.to_vec());
            db.load_font_data(BOLD.to_vec());
            db.set_sans_serif_family(FAMILY);
            Arc::new(db)
        })
        .clone();
    let opt = resvg::usvg::Options {
        fontdb: fonts,
        ..Default::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| DiagramError(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| DiagramError("empty image".into()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(|e| DiagramError(e.to_string()))
}
