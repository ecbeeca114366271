//! The `interlink` binary: the command line of the library (`interlink::main`).

fn main() -> anyhow::Result<()> {
    interlink::main()
}
