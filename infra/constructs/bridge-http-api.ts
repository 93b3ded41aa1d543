import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type CfnStage, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** Steady-state requests/s and burst API Gateway allows; beyond them it answers 429 without invoking anything. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface BridgeHttpApiProps {
  /** Name of the API in the API Gateway console. */
  readonly apiName: string;
  /** What the API is for, shown in the console. */
  readonly description: string;
  /** Steady-state requests/s and burst allowed on the `$default` stage. @default { rateLimit: 600, burstLimit: 1500 } */
  readonly throttle?: RouteThrottle;
  /** How long the access log group keeps the access logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The bridge's HTTP API: a `$default` stage that deploys itself, throttles and writes JSON access logs, and POST
 * routes to Lambda functions that authenticate their callers themselves ({@link addPostRoute}).
 *
 * Like BridgeFunction's role and log group, the stage (`DefaultStage`) and the access log group (`<id>AccessLogs`)
 * are created next to the API in the parent scope, not under it: the API, its routes, its stage and its access
 * logs keep the logical ids they were first deployed with. A new API would be a new URL for every webhook
 * configured in Backtrace and Jira, and a renamed stage or route fails the deploy (CloudFormation creates it
 * before deleting the old one, and an API cannot hold two `$default` stages). One BridgeHttpApi per scope.
 */
export class BridgeHttpApi extends HttpApi {
  /** The `$default` stage; its `url` ends in `/`. */
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** Per-route throttles (route key -> limits), written to the stage's RouteSettings. */
  readonly #routeThrottles: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};

  constructor(scope: Construct, id: string, props: BridgeHttpApiProps) {
    super(scope, id, {
      apiName: props.apiName,
      description: props.description,
      // Our own stage below carries throttling and access logs, which the implicit default stage cannot.
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(scope, `${id}AccessLogs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(scope, 'DefaultStage', {
      httpApi: this,
      stageName: '$default',
      autoDeploy: true,
      // At least the routes' own default limits together (500 + 100 per second, bursts 1,000 + 500).
      throttle: props.throttle ?? { rateLimit: 600, burstLimit: 1_500 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // HTTP API context variables only, no headers and no query string: neither the Basic credentials nor a Jira
        // webhook's URL token (verification "query-token") ever reaches the access log.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            integrationStatus: '$context.integrationStatus',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
  }

  /**
   * Route `POST <path>` to `handler` through a Lambda proxy integration named after the path (`/jira/webhook` ->
   * `JiraWebhookIntegration`), with no API Gateway authorizer: `handler` must authenticate every request itself.
   * `whyNoAuthorizer` says how it does, and acknowledges cdk-nag's AwsSolutions-APIG4 finding on the route.
   * `throttle` gives the route its own limits instead of the stage's default ones.
   */
  addPostRoute(path: string, handler: IFunction, whyNoAuthorizer: string, throttle?: RouteThrottle): HttpRoute {
    const name = path
      .split('/')
      .filter(Boolean)
      .map((segment) => segment.charAt(0).toUpperCase() + segment.slice(1))
      .join('');
    const [route] = this.addRoutes({ path, methods: [HttpMethod.POST], integration: new HttpLambdaIntegration(`${name}Integration`, handler) });
    Validations.of(route).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason: whyNoAuthorizer });
    if (throttle) {
      // Each route its own bucket, so a flood on one route cannot throttle the other's deliveries.
      this.#routeThrottles[`POST ${path}`] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
      (this.stage.node.defaultChild as CfnStage).routeSettings = { ...this.#routeThrottles };
    }
    return route;
  }
}
