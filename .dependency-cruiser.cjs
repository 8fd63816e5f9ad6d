/**
 * The import rules of ARCHITECTURE.md, made mechanical: `npm run lint` fails when a folder imports
 * what it must not. Type-only imports are allowed where the rules say "types only".
 */
const nodeBuiltins = { dependencyTypes: ['core'] };

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'workflows-are-deterministic',
      comment: 'workflows/ runs in the Temporal sandbox: only @temporalio/workflow, common/ and activity *types*.',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        pathNot: ['^workflows/', '^common/', '^node_modules/@temporalio/(workflow|common)/', '^node_modules/zod/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'workflows-no-node-builtins',
      severity: 'error',
      from: { path: '^workflows/' },
      to: nodeBuiltins,
    },
    {
      name: 'common-is-pure',
      comment: 'common/ is isomorphic: no Node built-ins and no other project folder, so web/ and workflows/ can import it.',
      severity: 'error',
      from: { path: '^common/' },
      to: { pathNot: ['^common/', '^node_modules/zod/'] },
    },
    {
      name: 'common-no-node-builtins',
      severity: 'error',
      from: { path: '^common/' },
      to: nodeBuiltins,
    },
    {
      name: 'wecom-knows-nothing-of-the-app',
      comment: 'wecom/ is a client library: no database, Temporal, Hono or app config.',
      severity: 'error',
      from: { path: '^wecom/' },
      to: { path: ['^db/', '^api/', '^activities/', '^workflows/', '^sim/', '^config\\.ts$', '^node_modules/(@temporalio|hono|@hono|@mikro-orm)/'] },
    },
    {
      name: 'db-stays-below-the-app',
      severity: 'error',
      from: { path: '^db/' },
      to: { path: ['^wecom/', '^api/', '^activities/', '^workflows/', '^sim/', '^node_modules/(@temporalio|hono|@hono)/'] },
    },
    {
      name: 'activities-not-the-edge',
      severity: 'error',
      from: { path: '^activities/' },
      to: { path: ['^api/', '^web/', '^sim/'] },
    },
    {
      name: 'api-starts-workflows-not-activities',
      comment: 'The edge acknowledges and starts workflows; side effects belong to activities run by the worker. api/server.ts is the composition root (ARCHITECTURE.md: it wires everything), so it may build shared clients such as activities/wecom-access.ts and hand them to routes as deps.',
      severity: 'error',
      from: { path: '^api/', pathNot: '^api/server\\.ts$' },
      to: { path: ['^activities/', '^sim/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'api-imports-workflow-types-only',
      severity: 'error',
      from: { path: '^api/' },
      to: { path: '^workflows/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'web-talks-http-only',
      comment: 'The dashboard reaches the backend through src/api/client.ts; it may share common/ and import types.',
      severity: 'error',
      from: { path: '^web/' },
      to: { path: ['^api/', '^db/', '^activities/', '^workflows/', '^wecom/', '^sim/', '^config\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sim-is-independent',
      comment: 'The simulator stands in for WeCom: it must not share the product code it is meant to test.',
      severity: 'error',
      from: { path: '^sim/' },
      to: { path: ['^wecom/', '^db/', '^api/', '^activities/', '^workflows/', '^config\\.ts$'] },
    },
    {
      name: 'logging-and-encryption-are-leaves',
      comment: 'logging/ and encryption/ are used by every process (the simulator included): they import none of the product.',
      severity: 'error',
      from: { path: '^(logging|encryption)/' },
      to: { path: ['^api/', '^db/', '^activities/', '^wecom/', '^sim/', '^scripts/', '^config\\.ts$', '^node_modules/(hono|@hono|@mikro-orm)/'] },
    },
    {
      name: 'only-config-reads-the-environment-files',
      severity: 'error',
      from: { pathNot: ['^config\\.ts$', '^scripts/', '^tests/', '^web/vite\\.config\\.ts$'] },
      to: { path: '^node_modules/dotenv/' },
    },
    {
      name: 'no-circular',
      comment: 'Entities may refer to each other both ways (MikroORM resolves them lazily); nothing else may.',
      severity: 'error',
      from: { pathNot: '^db/entities/' },
      to: { circular: true, dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^web/dist/', '^\\.data/', '^\\.cache/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.mjs', '.cjs', '.vue', '.json', '.d.ts'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
