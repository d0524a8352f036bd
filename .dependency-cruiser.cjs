// Imports run one way: domain ← contract ← activities and workflows ← http and roles ← entry points.
// test/unit/architecture.test.ts fails on any import against that direction.
const DOMAIN = '^src/domain/';
const CONTRACT = '^src/contract/';
// Cross-cutting support any side-effecting layer may use: the JSON logger, metrics, the project root.
const SUPPORT = '^src/(observability/|projectRoot\\.ts$)';
const ENTRY_POINTS = '^src/(main|api|worker)\\.ts$|^src/cli/';
const PRODUCT = '^(src|activities|workflows)/';

const onlyTo = (name, from, allowed, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { dependencyTypesNot: ['npm', 'npm-dev', 'core', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: allowed },
});

module.exports = {
  forbidden: [
    onlyTo('domain-is-pure', DOMAIN, [DOMAIN], 'pure rules import nothing of ours but other rules'),
    onlyTo('contract-over-domain', CONTRACT, [DOMAIN, CONTRACT], 'message definitions and naming sit on the domain only'),
    onlyTo('support-over-domain', SUPPORT, [DOMAIN, SUPPORT], 'logging and metrics know the domain types, nothing else'),
    onlyTo('workflows-deterministic', '^workflows/', [DOMAIN, CONTRACT, '^workflows/'], 'workflows see rules and contracts, never I/O'),
    onlyTo('activities-over-contract', '^activities/', [DOMAIN, CONTRACT, SUPPORT, '^activities/'], 'activities never reach up into the HTTP side, roles or workflows'),
    onlyTo('emulators-stand-alone', '^emulators/', [DOMAIN, SUPPORT, '^emulators/'], 'the vendor stand-ins share the field map and logger, nothing of the product core'),
    {
      name: 'only-entry-points-assemble',
      comment: 'http, client, roles, temporal and config never import an entry point or a stand-in',
      severity: 'error',
      from: { path: '^src/', pathNot: ENTRY_POINTS },
      to: { path: [ENTRY_POINTS, '^emulators/'] },
    },
    {
      name: 'product-never-imports-tests',
      severity: 'error',
      from: { path: [PRODUCT, '^emulators/'] },
      to: { path: '^(test|bench|scripts)/' },
    },
    { name: 'no-circular', severity: 'error', from: { path: PRODUCT }, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
