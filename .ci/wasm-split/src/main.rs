//! `atrium-wasm-split <input.wasm> <pkg dir> <output name>`: splits the linked browser build
//! (linked with `--emit-relocs`) at its lazy functions. Writes `<pkg>/<name>_split.wasm` (the
//! main module, for wasm-bindgen), one `.wasm` per lazily loaded chunk and its loader
//! `__wasm_split.______________________.js` into `<pkg>`, and `__wasm_split_manifest.json`
//! (chunk → the chunks it needs), which Leptos reads to preload the chunks of the page it
//! renders. Names as cargo-leptos writes them, so Leptos finds them.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--version") {
        // .ci/lib.sh reinstalls the tool when this differs from Cargo.toml's version.
        println!("atrium-wasm-split {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let [input, pkg, name] = args.as_slice() else {
        eprintln!("usage: atrium-wasm-split <input.wasm> <pkg dir> <output name>");
        return ExitCode::from(2);
    };
    match split(input, &PathBuf::from(pkg), name) {
        Ok(chunks) => {
            for chunk in chunks {
                println!("{}", chunk.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("atrium-wasm-split: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn split(input: &str, pkg: &std::path::Path, name: &str) -> Result<Vec<PathBuf>, String> {
    let wasm = std::fs::read(input).map_err(|e| format!("reading {input}: {e}"))?;
    let main_out = pkg.join(format!("{name}_split.wasm"));
    let main_module = format!("./{name}.js");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(&wasm);
        opts.output_dir = pkg;
        opts.main_out_path = &main_out;
        opts.main_module = &main_module;
        opts.link_name = "./__wasm_split.______________________.js";
        opts
    })
    .map_err(|e| format!("splitting {input}: {e:#}"))?;
    let manifest = serde_json::to_string_pretty(&split.prefetch_map).map_err(|e| e.to_string())?;
    let path = pkg.join("__wasm_split_manifest.json");
    std::fs::write(&path, manifest).map_err(|e| format!("writing {}: {e}", path.display()))?;
    Ok(split.split_modules)
}
