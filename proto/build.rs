//! Compiles every `.proto` under `interlink/` with protox (pure Rust, no
//! system `protoc`) and generates messages, clients and servers with
//! tonic-prost-build. The encoded descriptor set is kept in `OUT_DIR` for gRPC
//! reflection and for the gateway's REST mapping.

use std::path::{Path, PathBuf};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let mut files = Vec::new();
    collect_protos(&root.join("interlink"), &mut files)?;
    println!("cargo:rerun-if-changed=google");
    files.sort();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!("cargo:rerun-if-changed=interlink");

    let mut compiler = protox::Compiler::new([&root])?;
    compiler
        .include_source_info(true)
        .include_imports(true)
        .open_files(&files)?;
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    // Encoded by protox itself, so the `google.api.http` options (an
    // extension prost's types would drop) reach reflection and the gateway.
    std::fs::write(
        out_dir.join("interlink_descriptor.bin"),
        compiler.encode_file_descriptor_set(),
    )?;
    let descriptors = compiler.file_descriptor_set();
    // Type names let payloads be packed into `google.protobuf.Any`.
    let mut config = prost_build::Config::new();
    config.enable_type_names();
    // Ordered maps: deterministic encoding, debug output and snapshots.
    config.btree_map(["."]);
    tonic_prost_build::configure()
        // Undecodable requests are INVALID_ARGUMENT (see src/codec.rs).
        .codec_path("crate::codec::Codec")
        .build_server(true)
        .build_client(true)
        .compile_fds_with_config(descriptors, config)?;
    Ok(())
}

fn collect_protos(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_protos(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "proto") {
            out.push(path);
        }
    }
    Ok(())
}
