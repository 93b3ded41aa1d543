import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Repository root: NodejsFunction bundles from here with the lock file that pins what CI tested. */
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Name Powertools (and our own logger) report as `service` in every log line and metric. */
export const BRIDGE_SERVICE_NAME = 'backtrace-jira-bridge';

/**
 * ESM bundles have no `require`; CommonJS dependencies bundled into them (axios' form-data, mime-types) call it,
 * so every bundle starts by recreating it.
 */
export const ESM_REQUIRE_BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface BridgeFunctionProps extends Omit<NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'role' | 'logGroup' | 'logRetention'> {
  /** Handler module, relative to the repository root (e.g. `functions/sync-to-jira.ts`); it must export `handler`. */
  readonly entry: string;
  /**
   * The config document exactly as `parseConfig` accepted it at synth time. Embedded in the bundle as the literal
   * `process.env.BRIDGE_CONFIG` (no 4 KB Lambda environment limit), so every cold start validates the same JSON
   * the stack was built from. It holds secret names only, never secret values.
   */
  readonly configDocument: unknown;
  /** How long the function's log group keeps its logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** X-Ray active tracing (`settings.tracing`, `-c tracing=false`). @default true */
  readonly activeTracing?: boolean;
}

/**
 * A Lambda function of the bridge with every default in one place: Node.js 22 on arm64, one minified ESM bundle
 * with the AWS SDK inside (it initialises faster than the runtime's copy), source maps, JSON logs in a log group
 * with a retention, X-Ray active tracing (unless turned off), and an execution role that may write to that log
 * group (and X-Ray) only. Callers add their own grants.
 *
 * @example
 * const worker = new BridgeFunction(this, 'SyncToJira', {
 *   entry: 'functions/sync-to-jira.ts',
 *   configDocument,
 *   timeout: Duration.seconds(60),
 *   environment: { LINKS_TABLE_NAME: table.tableName },
 * });
 */
export class BridgeFunction extends NodejsFunction {
  /** The log group the function writes to (created with the function, retained when the stack is deleted). */
  readonly logs: LogGroup;

  constructor(scope: Construct, id: string, props: BridgeFunctionProps) {
    const { configDocument, logRetention, bundling, environment, entry, activeTracing = true, ...rest } = props;

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
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: BRIDGE_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: 'BacktraceJiraBridge',
        ...environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        // Prefer packages' ESM builds: smaller bundles, and no CommonJS interop where a package offers both.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Empty list = bundle @aws-sdk/* too (NodejsFunction leaves it out by default on Node 18+).
        externalModules: [],
        ...bundling,
        define: {
          ...bundling?.define,
          'process.env.BRIDGE_CONFIG': JSON.stringify(JSON.stringify(configDocument)),
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
