//! The `interlink` command line, built inside this package so its tests can
//! start the mesh's real processes (`CARGO_BIN_EXE_interlink-it`) with a
//! binary that is always as new as the code.

fn main() -> anyhow::Result<()> {
    interlink::main()
}
