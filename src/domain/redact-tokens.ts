/**
 * Token formats recognisable by their own shape, wherever they appear. Each expression is re-expressed from a
 * maintained rule set, at the revisions read for issue 12:
 * - gitleaks config/gitleaks.toml (github.com/gitleaks/gitleaks, commit b58d3f102cf3a2c84cb7f923d05c25c9b1aed84b):
 *   the rule id is named next to each line;
 * - trufflehog pkg/detectors/<name> (github.com/trufflesecurity/trufflehog, commit
 *   3ab759fef4bb5935d4fe9ac68b503d05346b8364): named as `trufflehog <detector>`.
 * Formats the preset (@secretlint/secretlint-rule-preset-recommend) already knows are repeated with looser lengths,
 * so a truncated or reformatted token is still caught.
 *
 * Every expression starts at a run boundary (a lookbehind on the token's own characters), has bounded repetition and
 * ends at a run boundary, so a scan costs linear time. `tokenScanners` joins the rules with common boundaries into
 * one alternation: one pass over the text instead of one per rule.
 */

export interface TokenRule {
  readonly kind: string;
  /**
   * The token's expression, without groups of its own. Rules without `pattern` sit between the common boundaries
   * (no letter, digit, `_` or `-` on either side) and are scanned together, as one alternation.
   */
  readonly body?: string;
  /** A rule with boundaries of its own: a global expression whose last group is the token. */
  readonly pattern?: RegExp;
}

/** A token made of `body`, between characters that cannot belong to it. */
const token = (kind: string, body: string): TokenRule => ({ kind, body });

export const tokenRules: readonly TokenRule[] = [
  // ── cloud providers ──
  // gitleaks aws-access-token (A3T…, AKIA, ASIA, ABIA, ACCA); the preset's rule also reports the AIDA/AROA… ids of
  // users and roles, which are not credentials.
  {
    kind: 'aws-access-key-id',
    pattern: /(?<![A-Za-z0-9])((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16})(?![A-Za-z0-9])/g,
  },
  token('aws-bedrock-key', 'ABSK[A-Za-z0-9+/]{109,269}={0,2}'), // gitleaks aws-amazon-bedrock-api-key-long-lived
  token('google-oauth-token', 'ya29\\.[A-Za-z0-9_-]{10,2048}'), // trufflehog googleoauth2
  token('google-client-secret', 'GOCSPX-[A-Za-z0-9_-]{28}'), // Google OAuth client secrets (prefix since 2021)
  // gitleaks azure-ad-client-secret, trufflehog azure_entra/serviceprincipal/v2
  {
    kind: 'azure-client-secret',
    pattern: /(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])/g,
  },
  // A 64-byte account key in base64 (Azure storage, Cosmos DB; trufflehog azure_storage keyPat) on its own, as
  // `az storage account keys list` prints it. npm's `sha512-` integrity digests have the same shape.
  {
    kind: 'azure-key',
    pattern: /(?<![A-Za-z0-9+/=-])(?<!sha512[-:=])([A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])/g,
  },
  token('digitalocean-token', 'do[por]_v1_[a-f0-9]{64}'), // gitleaks digitalocean-*, trufflehog digitaloceanv2
  token('alibaba-access-key-id', 'LTAI[A-Za-z0-9]{20}'), // gitleaks alibaba-access-key-id
  token('cloudflare-origin-ca-key', 'v1\\.0-[a-f0-9]{24}-[a-f0-9]{146}'), // gitleaks cloudflare-origin-ca-key
  token('flyio-token', 'fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/]{100,2048}={0,3}'), // gitleaks flyio-access-token
  token('heroku-key', 'HRKU-AA[A-Za-z0-9_-]{58}'), // gitleaks heroku-api-key-v2
  token('openshift-token', 'sha256~[A-Za-z0-9_-]{43}'), // gitleaks openshift-user-token
  token('terraform-token', '[A-Za-z0-9]{14}\\.atlasv1\\.[A-Za-z0-9_=-]{60,70}'), // gitleaks hashicorp-tf-api-token
  token('supabase-token', 'sbp_[a-z0-9]{40}'), // trufflehog supabasetoken
  token('planetscale-token', 'pscale_(?:tkn|oauth|pw)_[A-Za-z0-9_=.-]{32,64}'), // gitleaks planetscale-*

  // ── HashiCorp Vault ── trufflehog hashicorpvault (hvs. 90-120, hvb. 50-300, legacy s. 18-40), gitleaks
  // vault-service-token / vault-batch-token. Recovery tokens (hvr.) share the shape. Legacy `s.` tokens are too
  // short to recognise alone: redact.ts takes them only near "vault" or "token".
  token('vault-token', 'hv[sbr]\\.(?:[A-Za-z0-9_-]|\\.(?=[A-Za-z0-9_-])){20,400}'),
  token('vault-token', 'b\\.AAAAAQ[A-Za-z0-9_-]{40,400}'),

  // ── source forges, registries and CI ──
  token('github-token', 'gh[pousr]_[A-Za-z0-9]{30,255}'), // gitleaks github-pat / github-oauth / github-app-token
  token('github-token', 'github_pat_[A-Za-z0-9_]{22,255}'), // gitleaks github-fine-grained-pat
  // gitleaks gitlab-* (pat, routable pat, deploy, runner, feed, incoming mail, agent, oauth, scim, job, rrt)
  token(
    'gitlab-token',
    '(?:glpat|gldt|glrt|glptt|glft|glffct|glimt|glagent|glcbt|gloas|glsoat)-[A-Za-z0-9_-]{20,300}(?:\\.[0-9a-z]{2}[0-9a-z]{7})?|GR1348941[A-Za-z0-9_-]{20,255}',
  ),
  token('bitbucket-token', 'ATBB[A-Za-z0-9_=.-]{32,128}'), // trufflehog bitbucketapppassword
  token('npm-token', 'npm_[A-Za-z0-9]{36}'), // gitleaks npm-access-token
  token('pypi-token', 'pypi-AgE[A-Za-z0-9_-]{50,1000}'), // gitleaks pypi-upload-token (pypi.org and test.pypi.org)
  token('rubygems-token', 'rubygems_[a-f0-9]{48}'), // gitleaks rubygems-api-token
  token('dockerhub-token', 'dckr_pat_[A-Za-z0-9_-]{27,64}|dckr_oat_[A-Za-z0-9_-]{32,64}'), // trufflehog dockerhub v2
  token('clojars-token', 'CLOJARS_[a-z0-9]{60}'), // gitleaks clojars-api-token
  token('artifactory-key', 'AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59}'), // gitleaks artifactory-*
  token('pulumi-token', 'pul-[a-f0-9]{40}'), // gitleaks pulumi-api-token
  token('prefect-token', 'pnu_[A-Za-z0-9]{36}'), // gitleaks prefect-api-token
  token('doppler-token', 'dp\\.(?:pt|st|sa|ct|scim|audit)\\.[A-Za-z0-9]{40,44}'), // gitleaks doppler-api-token
  token('databricks-token', 'dapi[a-f0-9]{32}(?:-\\d)?'), // gitleaks databricks-api-token
  token('harness-token', '(?:pat|sat)\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{20}'), // gitleaks harness-api-key
  token('infracost-token', 'ico-[A-Za-z0-9]{32}'), // gitleaks infracost-api-token
  token('sourcegraph-token', 'sgp_(?:[a-f0-9]{16}|local)_[a-f0-9]{40}'), // gitleaks sourcegraph-access-token
  token('scalingo-token', 'tk-us-[A-Za-z0-9_-]{48}'), // gitleaks scalingo-api-token
  token('readme-token', 'rdme_[a-z0-9]{70}'), // gitleaks readme-api-token

  // ── observability ──
  token('grafana-token', 'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}'), // gitleaks grafana-service-account-token
  token('grafana-token', 'glc_[A-Za-z0-9+/]{32,400}={0,3}'), // gitleaks grafana-cloud-api-token
  token('grafana-token', 'eyJrIjoi[A-Za-z0-9]{70,400}={0,3}'), // gitleaks grafana-api-key
  token('sentry-token', 'sntryu_[a-f0-9]{64}|sntrys_eyJ[A-Za-z0-9+/=_]{50,600}'), // gitleaks sentry-user/org-token
  token('dynatrace-token', 'dt0c01\\.[A-Za-z0-9]{24}\\.[A-Za-z0-9]{64}'), // gitleaks dynatrace-api-token
  token('newrelic-key', 'NRAK-[A-Z0-9]{27}|NRII-[A-Za-z0-9-]{32}|NRJS-[a-f0-9]{19}'), // gitleaks new-relic-*

  // ── chat, mail and SaaS APIs ──
  // Slack bot, user, app, workspace, refresh, session, legacy, client (xoxc) and cookie (xoxd, URL-encoded) tokens;
  // gitleaks slack-*.
  {
    kind: 'slack-token',
    pattern: /(?<![A-Za-z0-9_.-])((?:xox[a-z]|xapp|xoxe\.xox[a-z])-[A-Za-z0-9%-]{8,1024})(?![A-Za-z0-9%-])/g,
  },
  // trufflehog telegrambottoken; a bot token follows `bot` in API URLs, so only digits may not precede it.
  { kind: 'telegram-bot-token', pattern: /(?<![0-9])([0-9]{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])/g },
  // trufflehog discordbottoken (the three dot-separated parts of a bot token)
  token('discord-token', '[MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38}'),
  token('stripe-key', '(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{10,255}|whsec_[A-Za-z0-9+/=]{24,255}'), // gitleaks stripe-access-token
  token('sendgrid-key', 'SG\\.[A-Za-z0-9_-]{16,64}\\.[A-Za-z0-9_-]{16,64}'), // gitleaks sendgrid-api-token
  token('brevo-key', 'xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}'), // gitleaks sendinblue-api-token
  token('mailchimp-key', '[a-f0-9]{32}-us[0-9]{1,2}'), // gitleaks mailchimp-api-key
  token('twilio-key', 'SK[0-9a-fA-F]{32}'), // gitleaks twilio-api-key
  token('atlassian-token', 'AT[AC]TT3[A-Za-z0-9_=+/-]{150,400}'), // gitleaks atlassian-api-token, trufflehog atlassian v2
  token('shopify-token', 'shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}'), // gitleaks shopify-*
  token('linear-key', 'lin_api_[A-Za-z0-9]{40}'), // gitleaks linear-api-key
  token('notion-token', 'ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43}'), // gitleaks notion-api-token
  token('postman-token', 'PMAK-[a-f0-9]{24}-[a-f0-9]{34}'), // gitleaks postman-api-token
  token('square-token', '(?:EAAA|sq0atp-)[A-Za-z0-9_-]{22,60}|sq0csp-[A-Za-z0-9_-]{43}'), // gitleaks square-access-token
  token('airtable-token', 'pat[A-Za-z0-9]{14}\\.[a-f0-9]{64}'), // gitleaks airtable-personnal-access-token
  token('facebook-token', 'EAA[MC][A-Za-z0-9]{100,1024}'), // gitleaks facebook-page-access-token
  token('huggingface-token', '(?:hf_|api_org_)[A-Za-z0-9]{34}'), // trufflehog huggingface, gitleaks huggingface-*
  token('perplexity-key', 'pplx-[A-Za-z0-9]{48}'), // gitleaks perplexity-api-key
  token('typeform-token', 'tfp_[A-Za-z0-9_=.-]{59}'), // gitleaks typeform-api-token
  token('easypost-key', 'EZ[AT]K[A-Za-z0-9]{54}'), // gitleaks easypost-api-token
  token('duffel-token', 'duffel_(?:test|live)_[A-Za-z0-9_=-]{43}'), // gitleaks duffel-api-token
  token('frameio-token', 'fio-u-[A-Za-z0-9_=-]{64}'), // gitleaks frameio-api-token
  token('shippo-token', 'shippo_(?:live|test)_[a-fA-F0-9]{40}'), // gitleaks shippo-api-token
  token('maxmind-key', '[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk'), // gitleaks maxmind-license-key
  token('mapbox-token', 'sk\\.eyJ[A-Za-z0-9_-]{10,200}\\.[A-Za-z0-9_-]{20,100}'), // Mapbox secret tokens
  token('adobe-secret', 'p8e-[A-Za-z0-9]{32}'), // gitleaks adobe-client-secret

  // ── AI providers ── Anthropic before OpenAI: both start with sk-, and an equal span keeps the earlier kind.
  token('anthropic-key', 'sk-ant-[A-Za-z0-9_-]{20,256}'), // gitleaks anthropic-api-key / anthropic-admin-api-key
  token('openai-key', 'sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,256}'), // gitleaks openai-api-key
  token('google-api-key', 'AIza[0-9A-Za-z_-]{35}'), // gitleaks gcp-api-key

  // ── keys ──
  token('age-secret-key', 'AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}'), // gitleaks age-secret-key
  token(
    '1password-secret-key',
    'A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}',
  ), // gitleaks 1password-secret-key
];

export interface TokenScanner {
  readonly pattern: RegExp;
  /** The kind of the rule whose group (1-based) matched; for the joined scanner, one per alternative. */
  readonly kinds: readonly string[];
}

/** The rules as global expressions: one alternation for the common boundaries, and each rule with its own. */
export const tokenScanners = (): TokenScanner[] => {
  const joined = tokenRules.filter((rule) => rule.body !== undefined);
  return [
    {
      pattern: new RegExp(
        `(?<![A-Za-z0-9_-])(?:${joined.map((rule) => `(${rule.body})`).join('|')})(?![A-Za-z0-9_-])`,
        'g',
      ),
      kinds: joined.map((rule) => rule.kind),
    },
    ...tokenRules.flatMap((rule) => (rule.pattern ? [{ pattern: rule.pattern, kinds: [rule.kind] }] : [])),
  ];
};
