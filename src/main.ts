// Entry point for `s2s-gateway serve`: reads config, builds the gateway, listens, drains on SIGTERM.
// TODO(#2): implemented by the core wiring.
export async function serve(opts: { configPath: string }): Promise<void> {
  throw new Error(`serve not implemented yet (${opts.configPath})`)
}
