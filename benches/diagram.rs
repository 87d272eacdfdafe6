//! `cargo bench --bench diagram`: how long a stack diagram takes to draw (layout, SVG,
//! resvg, PNG) for every company with a stack, and for comparisons of pairs of them,
//! uncached and from the cache; the target is 50 ms uncached. Prints p50, p99, the
//! slowest and the largest PNG.

use archie::app::App;
use archie::commands::{execute, Caller, Command};
use archie::knowledge::Knowledge;
use archie::render::diagram::Diagrams;
use archie::reply::Data;
use std::path::Path;
use std::time::Instant;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(what: &str, mut ms: Vec<f64>, largest: usize) {
    ms.sort_by(f64::total_cmp);
    println!(
        "  {what}: {} images, p50 {:.2} ms, p99 {:.2} ms, slowest {:.2} ms, largest PNG {} KB",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(0.0),
        largest / 1024
    );
}

/// Milliseconds `f` takes.
fn time<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64() * 1e3)
}

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let k = Knowledge::load(&root.join("knowledge"))?;
    let companies: Vec<String> = k.companies.items.iter().map(|c| c.name.clone()).collect();
    let app = App::in_memory(k)?;
    let caller = Caller::default();
    println!("diagram: /stack and /compare images of the shipped knowledge");
    let (mut cold, mut warm, mut largest, mut stacked) = (Vec::new(), Vec::new(), 0, Vec::new());
    for c in &companies {
        let r = execute(&app, &caller, &Command::Stack { company: c.clone() });
        let Some(Data::Stack(s)) = r.data.filter(|_| r.picture.is_some()) else {
            continue;
        };
        let fresh = Diagrams::default();
        let (png, ms) = time(|| fresh.stack(&s).expect("drawn"));
        cold.push(ms);
        warm.push(time(|| fresh.stack(&s).expect("cached")).1);
        largest = largest.max(png.len());
        stacked.push(c.clone());
    }
    report("stack, drawn", cold, largest);
    report("stack, cached", warm, largest);
    let (mut cold, mut largest) = (Vec::new(), 0);
    for pair in stacked.windows(2) {
        let cmd = Command::Compare {
            first: pair[0].clone(),
            second: pair[1].clone(),
        };
        let Some(Data::Compare(c)) = execute(&app, &caller, &cmd).data else {
            continue;
        };
        let (png, ms) = time(|| Diagrams::default().compare(&c).expect("drawn"));
        cold.push(ms);
        largest = largest.max(png.len());
    }
    report("compare, drawn", cold, largest);
    Ok(())
}
