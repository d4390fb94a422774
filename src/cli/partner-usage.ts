// CLI: the help text of `s2s-gateway partner`, shared by its subcommands (partner-add.ts, partner.ts).

export const PARTNER_USAGE = `Usage: s2s-gateway partner add --config <file> --name <name> --trust full|application
                                --metadata-url <url> [--allow-http] [options]
       s2s-gateway partner add --config <file> --name <name> --trust full|application
                                --application-id <guid> --realm <realm> --certificate <pem> [options]
       s2s-gateway partner list --config <file>
       s2s-gateway partner remove --config <file> --name <name>

Register, list and remove partner applications in a configuration file, like New-CsPartnerApplication and
New-PartnerApplication. add fetches the metadata document and shows the partner's issuer, realm and every
certificate (subject, x5t, expiry); an unreachable or unusable document is refused. The file is edited in
place: comments and layout are kept, the result must pass the same checks as serve, and it is replaced
atomically. The running gateway picks the change up on reload (SIGHUP, POST /reload).

Options:
  -c, --config <file>        configuration file (YAML)
  --name <name>              partner label: lowercase a-z, 0-9, ".", "_", "-"
  --trust <level>            full (may act for users) or application (only as itself)
  --metadata-url <url>       its metadata document (/metadata/json/1); applicationId and realm are pinned
                             from it
  --allow-http               accept an http:// metadata URL (loopback hosts only; --metadata-url form)
  --ca-file <pem>            CA bundle that signed the metadata host's TLS certificate (kept as tls.caFile)
  --application-id <guid>    manual form: its principal id
  --realm <realm>            manual form: its realm (or "*")
  --certificate <pem>        manual form: the certificate it signs with
  --outbound-url <url>       also let our backend call it through listen.outbound, at this URL
  --act-as-users             with --outbound-url: allow calls on behalf of users
  --dry-run                  show the resulting file, write nothing
  -h, --help                 show this help
`
