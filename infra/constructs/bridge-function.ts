import { resolve } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { BUNDLE_ALIASES, BUNDLE_SETTINGS, ESM_REQUIRE_BANNER, REPO_ROOT, configDefine } from './bundle-options.ts';
import type { BridgeConfig } from '../../shared/domain/config/index.ts';

export { ESM_REQUIRE_BANNER };

/** Repository root: NodejsFunction bundles from here with the lock file that pins what CI tested. */
const repoRoot = REPO_ROOT;

/**
 * CDK context key (`cdk deploy -c enableSourceMaps=true`) that makes every function start Node with
 * `--enable-source-maps`. Off by default: the maps are uploaded either way, but Node reading them costs cold start
 * (README "Measured figures").
 */
export const ENABLE_SOURCE_MAPS_CONTEXT = 'enableSourceMaps';

/** Name Powertools (and our own logger) report as `service` in every log line and metric. */
export const BRIDGE_SERVICE_NAME = 'backtrace-jira-bridge';

export interface BridgeFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'role' | 'logGroup' | 'logRetention'> {
  /** Handler module, relative to the repository root (e.g. `functions/sync-to-jira.ts`); it must export `handler`. */
  readonly entry: string;
  /**
   * The config `parseConfig` returned at synth time. Embedded in the bundle as a string literal (no 4 KB Lambda
   * environment limit, see `configDefine`), so every cold start reads exactly the config the stack was built from
   * without validating it again. It holds secret names only, never secret values.
   */
  readonly config: BridgeConfig;
  /** How long the function's log group keeps its logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** X-Ray active tracing (`settings.tracing`, `-c tracing=false`). @default true */
  readonly activeTracing?: boolean;
  /**
   * Start Node with `--enable-source-maps` (stack traces in the TypeScript sources). The source map is uploaded
   * with the bundle either way. @default the `enableSourceMaps` CDK context (`-c enableSourceMaps=true`), else false
   */
  readonly enableSourceMaps?: boolean;
}

/** The `enableSourceMaps` context as the CLI (`-c key=true`, a string) or cdk.json (a boolean) gives it. */
function sourceMapsFromContext(scope: Construct): boolean {
  const value: unknown = scope.node.tryGetContext(ENABLE_SOURCE_MAPS_CONTEXT);
  if (value === undefined || value === null || value === '' || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new Error(`context "${ENABLE_SOURCE_MAPS_CONTEXT}" must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * A Lambda function of the bridge with every default in one place: Node.js 22 on arm64, one minified ESM bundle
 * with the AWS SDK inside (it initialises faster than the runtime's copy), its source map uploaded beside it (read by
 * Node only with `enableSourceMaps`), JSON logs in a log group with a retention, X-Ray active tracing (unless turned
 * off), and an execution role that may write to that log group (and X-Ray) only. Callers add their own grants.
 *
 * @example
 * const worker = new BridgeFunction(this, 'SyncToJira', {
 *   entry: 'functions/sync-to-jira.ts',
 *   config,
 *   timeout: Duration.seconds(60),
 *   environment: { LINKS_TABLE_NAME: table.tableName },
 * });
 */
export class BridgeFunction extends NodejsFunction {
  /** The log group the function writes to (created with the function, retained when the stack is deleted). */
  readonly logs: LogGroup;

  constructor(scope: Construct, id: string, props: BridgeFunctionProps) {
    const { config, logRetention, bundling, environment, entry, activeTracing = true, enableSourceMaps, ...rest } = props;

    const logs = new LogGroup(scope, `${id}Logs`, {
      retention: logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: that managed policy may create and write any log group.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id}`,
    });
    logs.grantWrite(role);

    super(scope, id, {
      memorySize: 512,
      timeout: Duration.seconds(30),
      ...rest,
      entry: resolve(repoRoot, entry),
      projectRoot: repoRoot,
      depsLockFilePath: resolve(repoRoot, 'package-lock.json'),
      handler: 'handler',
      // Without an explicit runtime NodejsFunction silently falls back to Node.js 16 (no feature flag here).
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      role,
      logGroup: logs,
      // Active: Lambda samples and sends each invocation's trace itself (no SDK in the bundle); the role gets X-Ray's write actions.
      tracing: activeTracing ? Tracing.ACTIVE : Tracing.DISABLED,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.INFO,
      environment: {
        ...((enableSourceMaps ?? sourceMapsFromContext(scope)) ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
        POWERTOOLS_SERVICE_NAME: BRIDGE_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: 'BacktraceJiraBridge',
        ...environment,
      },
      // The same choices `npm run bench:cold-start` measures (./bundle-options.ts).
      bundling: {
        format: OutputFormat.ESM,
        target: BUNDLE_SETTINGS.target,
        mainFields: [...BUNDLE_SETTINGS.mainFields],
        banner: BUNDLE_SETTINGS.banner,
        minify: BUNDLE_SETTINGS.minify,
        sourceMap: BUNDLE_SETTINGS.sourceMap,
        sourcesContent: BUNDLE_SETTINGS.sourcesContent,
        externalModules: [...BUNDLE_SETTINGS.externalModules],
        ...bundling,
        esbuildArgs: {
          '--alias': Object.entries(BUNDLE_ALIASES).map(([name, path]) => `${name}=${path}`),
          ...bundling?.esbuildArgs,
        },
        define: {
          ...bundling?.define,
          ...configDefine(config),
        },
      },
    });
    this.logs = logs;

    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'Node.js 22 is pinned on purpose: the code is built and tested for Node 20 and 22 (local tooling runs Node 20); a newer runtime is adopted deliberately, with the test suite, not by a synth-time default.',
    });
    if (activeTracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so AWS requires Resource "*" for them.',
      });
    }
  }
}
