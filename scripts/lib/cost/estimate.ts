/**
 * A stack's estimated monthly cost at idle and its cost per million requests, from its resources (the same
 * `{ type, name, values }` whether read from the synthesized JSON or a plan) and the price table. Pure: it
 * prices by resource type and attributes, so a resource the configuration adds later is priced as it lands.
 */
import { isRecord } from '../json';
import { OperatorError } from '../operator-error';
import prices from './prices.json' with { type: 'json' };

export interface Resource {
  type: string;
  name: string;
  values: Record<string, unknown>;
}

/** A region's prices: every region must price what us-east-1 does (tsc checks), so a named price exists. */
type Region = (typeof prices.regions)['us-east-1'];
const REGIONS: Record<string, Region> = prices.regions;
type PriceKey = keyof Region['prices'];
type AssumptionKey = keyof typeof prices.assumptions;

export interface CostLine {
  /** What is billed, e.g. `NAT gateways`: the key two estimates are compared by. */
  item: string;
  usd: number;
  /** The arithmetic, e.g. `2 × 730 h × $0.045`. */
  how: string;
  /** How many of `unit`, when the line counts things: a change then reads `1 NAT gateway`. */
  quantity?: number;
  unit?: string;
}

export interface Estimate {
  region: string;
  /** When the region's prices were read from their sources: YYYY-MM-DD. */
  pricesRead: string;
  monthly: CostLine[];
  perMillionRequests: CostLine[];
  /** What the estimate leaves out for this stack. */
  notes: string[];
}

export function estimateCost(resources: readonly Resource[], region: string): Estimate {
  const regionPrices = REGIONS[region];
  if (!regionPrices) {
    const known = Object.keys(REGIONS).join(', ');
    throw new OperatorError(
      `no prices for region ${region}: scripts/lib/cost/prices.json holds ${known} only; add ${region}'s prices to estimate it`,
    );
  }
  const p = (key: PriceKey) => regionPrices.prices[key].usd;
  const a = (key: AssumptionKey) => prices.assumptions[key].value;
  const hours = a('hoursPerMonth');
  const seen = new Set(Object.values(prices.freeTypes.types).flat());
  const of = (...types: string[]) => {
    for (const type of types) seen.add(type);
    return resources.filter((resource) => types.includes(resource.type));
  };
  const monthly: CostLine[] = [];
  const idleLogs: CostLine[] = [];
  const perMillion: CostLine[] = [];
  const notes: string[] = [];
  const count = (item: string, unit: string, quantity: number, each: number, how: string) => {
    if (quantity > 0)
      add(monthly, { item, unit, quantity, usd: quantity * each, how: `${quantity} × ${how}` });
  };
  const perHour = (item: string, unit: string, quantity: number, key: PriceKey) =>
    count(item, unit, quantity, hours * p(key), `${hours} h × $${p(key)}`);
  const perMonth = (item: string, unit: string, quantity: number, key: PriceKey) =>
    count(item, unit, quantity, p(key), `$${p(key)}`);
  // A month's GB of logs at steady state: ingested once, stored for the retention of its log group.
  const logs = (item: string, gb: number, group: unknown, what: string): CostLine => {
    const days = retentionOf(resources, group) ?? a('neverExpireRetentionDays');
    const usd = gb * (p('logsIngestionGB') + (p('logsStorageGBMonth') * days * 24) / hours);
    return { item, usd, how: `${round(gb)} GB ${what}, kept ${days} days` };
  };

  const nats = of('aws_nat_gateway');
  perHour('NAT gateways', 'NAT gateway', nats.length, 'natGatewayHour');
  let publicTaskIps = 0;
  const serviceLogGroups: unknown[] = [];
  const services = of('aws_ecs_service');
  for (const service of services) {
    const strategy = blocks(service.values.capacity_provider_strategy);
    const providers = strategy.map((s) => String(s.capacity_provider));
    if (service.values.launch_type !== 'FARGATE' && !providers.some((name) => name.startsWith('FARGATE'))) {
      notes.push(`ECS service ${service.name} does not run on Fargate: not priced`);
      continue;
    }
    const target = of('aws_appautoscaling_target').find(
      (t) =>
        t.values.service_namespace === 'ecs' &&
        refersTo(t.values.resource_id, service, (id) => id.endsWith(`/${String(service.values.name)}`)),
    );
    const tasks = Number(target ? target.values.min_capacity : (service.values.desired_count ?? 1));
    const definition = taskDefinitionOf(service, of('aws_ecs_task_definition'));
    const [vcpu, gb] = [Number(definition.values.cpu) / 1024, Number(definition.values.memory) / 1024];
    const arm = blocks(definition.values.runtime_platform)[0]?.cpu_architecture === 'ARM64';
    const cpu = arm ? 'Arm' : 'X86';
    const hourly = vcpu * p(`fargate${cpu}VcpuHour`) + gb * p(`fargate${cpu}GBHour`);
    const spot = spotTasks(strategy, tasks);
    const discount = p('fargateSpotDiscount');
    add(monthly, {
      item: 'Fargate tasks',
      unit: 'Fargate task',
      quantity: tasks,
      usd: hours * hourly * (tasks - spot * discount),
      how: `${tasks} × ${vcpu} vCPU / ${gb} GB ${arm ? 'ARM' : 'x86'} × ${hours} h, ${spot > 0 ? `${round(spot)} on Spot at ${discount * 100}% off` : 'on-demand'}`,
    });
    if (blocks(service.values.network_configuration)[0]?.assign_public_ip === true) publicTaskIps += tasks;
    const group = /"awslogs-group":"([^"]+)"/.exec(String(definition.values.container_definitions))?.[1];
    const idleGb = (tasks * a('idleServiceLogMBPerTask')) / 1000;
    add(idleLogs, logs('Service logs at idle', idleGb, group, 'of health-check lines'));
    serviceLogGroups.push(group);
  }
  const publicIps = of('aws_eip').length + publicTaskIps;
  perHour('Public IPv4 addresses', 'public IPv4 address', publicIps, 'publicIpv4Hour');

  const insights = of('aws_ecs_cluster').filter((cluster) =>
    blocks(cluster.values.setting).some((s) => s.name === 'containerInsights' && s.value !== 'disabled'),
  ).length;
  const metrics =
    insights * a('containerInsightsMetricsPerCluster') +
    (insights > 0 ? services.length * a('containerInsightsMetricsPerService') : 0);
  perMonth('Container Insights', 'Container Insights metric', metrics, 'customMetricMonth');
  // A metric math alarm is billed for each metric it reads.
  const alarmMetrics = of('aws_cloudwatch_metric_alarm').reduce((sum, alarm) => {
    const queries = blocks(alarm.values.metric_query);
    return sum + (queries.length > 0 ? queries.filter((q) => blocks(q.metric).length > 0).length : 1);
  }, 0);
  perMonth('CloudWatch alarms', 'alarm metric', alarmMetrics, 'alarmMetricMonth');
  perMonth('Dashboards', 'dashboard', of('aws_cloudwatch_dashboard').length, 'dashboardMonth');
  perMonth('KMS keys', 'KMS key', of('aws_kms_key').length, 'kmsKeyMonth');
  const zones = of(
    'aws_route53_zone',
    ...['private', 'public'].map((k) => `aws_service_discovery_${k}_dns_namespace`),
  );
  perMonth('Hosted zones', 'hosted zone', zones.length, 'hostedZoneMonth');

  // An interface endpoint has an ENI in each of its subnets; subnets a plan does not know yet: one per AZ.
  const subnets = of('aws_subnet').map((s) => s.values.availability_zone_id ?? s.values.availability_zone);
  const endpointEnis = of('aws_vpc_endpoint')
    .filter((endpoint) => endpoint.values.vpc_endpoint_type === 'Interface')
    .map(({ values }) =>
      Array.isArray(values.subnet_ids) ? values.subnet_ids.length : new Set(subnets).size,
    )
    .reduce((sum, enis) => sum + Math.max(enis, 1), 0);
  perHour('Interface endpoints', 'interface endpoint ENI', endpointEnis, 'interfaceEndpointHour');

  for (const pool of of('aws_cognito_user_pool')) {
    const security = blocks(pool.values.user_pool_add_ons)[0]?.advanced_security_mode;
    const plan = String(
      pool.values.user_pool_tier ?? (security && security !== 'OFF' ? 'PLUS' : 'ESSENTIALS'),
    );
    const perMau = p(
      plan === 'LITE' ? 'cognitoLiteMau' : plan === 'PLUS' ? 'cognitoPlusMau' : 'cognitoEssentialsMau',
    );
    const free = plan === 'PLUS' ? 'no free tier' : 'the first 10,000 free';
    const how = `${plan}: $0 without users; ${usd(perMau * 1000)} per 1,000 monthly active users, ${free}`;
    add(monthly, { item: 'Cognito user pools', unit: 'Cognito user pool', quantity: 1, usd: 0, how });
  }
  for (const flowLog of of('aws_flow_log')) {
    const type = flowLog.values.log_destination_type ?? 'cloud-watch-logs';
    if (type !== 'cloud-watch-logs') notes.push(`flow log ${flowLog.name} to ${String(type)}: not priced`);
    else {
      const group = flowLog.values.log_destination ?? flowLog.values.log_group_name;
      add(idleLogs, logs('Flow logs', a('idleFlowLogMBPerFlowLog') / 1000, group, 'of flow records'));
    }
  }
  for (const line of idleLogs) add(monthly, line);
  const [items, checks] = [a('configItemsPerMonth'), a('configEvaluationsPerRulePerMonth')];
  const [item, check] = [p('configItem'), p('configRuleEvaluation')];
  const recorders = of('aws_config_configuration_recorder').length;
  count('AWS Config recorder', 'Config recorder', recorders, items * item, `${items} items × $${item}`);
  const rules = of('aws_config_config_rule').length;
  count('AWS Config rules', 'Config rule', rules, checks * check, `${checks} evaluations × $${check}`);

  // Per million requests, for a stack that serves them.
  const million = (item: string, quantity: number, key: PriceKey, what: string) =>
    add(perMillion, { item, usd: quantity * p(key), how: `${round(quantity)}${what} × $${p(key)}` });
  const tables = of('aws_dynamodb_table').filter((table) => table.values.billing_mode === 'PAY_PER_REQUEST');
  const trails = of('aws_cloudtrail').filter(recordsDataEvents);
  if (of('aws_apigatewayv2_api').some((api) => api.values.protocol_type === 'HTTP')) {
    million('API Gateway HTTP API', 1, 'httpApiMillion', 'M requests');
    for (const group of serviceLogGroups)
      add(perMillion, logs('Service logs', a('serviceLogBytesPerRequest') / 1000, group, 'ingested'));
    million('Data transfer out', a('responseBytesPerRequest') / 1000, 'dataTransferOutGB', ' GB');
    for (const stage of of('aws_apigatewayv2_stage')) {
      const group = blocks(stage.values.access_log_settings)[0]?.destination_arn;
      const gb = a('accessLogBytesPerRequest') / 1000;
      if (group) add(perMillion, logs('API access logs', gb, group, 'ingested'));
    }
    const [reads, writes] = [a('dynamodbReadUnitsPerRequest'), a('dynamodbWriteUnitsPerRequest')];
    // Each replica of a global table writes every write again.
    const replicas = Math.max(0, ...tables.map((table) => blocks(table.values.replica).length));
    if (tables.length > 0) {
      million('DynamoDB reads', reads, 'dynamodbReadMillion', 'M read units');
      million('DynamoDB writes', writes, 'dynamodbWriteMillion', 'M write units');
    }
    const copies = `M write units to ${replicas} replica${replicas === 1 ? '' : 's'}`;
    if (replicas > 0)
      million('DynamoDB replicated writes', writes * replicas, 'dynamodbReplicatedWriteMillion', copies);
    const egress = a('egressBytesPerRequest') / 1000;
    if (nats.length > 0) million('NAT data processed', egress, 'natGatewayGB', ' GB');
    else if (endpointEnis > 0) million('Endpoint data processed', egress, 'interfaceEndpointGB', ' GB');
    const events = a('dynamodbCallsPerRequest') * 10;
    if (trails.length > 0)
      million('CloudTrail data events', events, 'cloudTrailDataEvents100k', ' × 100,000 events');
  }

  const unpriced = [...new Set(resources.map((r) => r.type))].filter((type) => !seen.has(type));
  if (unpriced.length > 0) notes.push(`not priced: ${unpriced.join(', ')}`);
  return { region, pricesRead: regionPrices.read, monthly, perMillionRequests: perMillion, notes };
}

export const total = (lines: readonly CostLine[]) => lines.reduce((sum, line) => sum + line.usd, 0);

/** Dollars, to the cent; to a hundredth of a cent below ten cents. */
export function usd(amount: number): string {
  return `$${amount.toFixed(amount !== 0 && Math.abs(amount) < 0.1 ? 4 : 2)}`;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** A nested block: Terraform's plan JSON gives a list, cdktf's synthesized JSON often a single object. */
function blocks(value: unknown): Record<string, unknown>[] {
  return (Array.isArray(value) ? value : [value]).filter(isRecord);
}

/** `${aws_x.name.attr}` in synthesized JSON, or in a plan an id, name or ARN that `inPlan` accepts. */
function refersTo(value: unknown, { type, name }: Resource, inPlan: (value: string) => boolean): boolean {
  return typeof value === 'string' && (value.includes(`${type}.${name}.`) || inPlan(value));
}

function taskDefinitionOf(service: Resource, definitions: Resource[]): Resource {
  const found = definitions.find((d) =>
    refersTo(service.values.task_definition, d, (arn) => arn.includes(`task-definition/${d.values.family}:`)),
  );
  // A plan before apply does not know a new revision's ARN: a stack's one definition is the one.
  const definition = found ?? (definitions.length === 1 ? definitions[0] : undefined);
  if (definition) return definition;
  throw new Error(
    `cannot tell which of ${definitions.length} task definitions ECS service ${service.name} runs`,
  );
}

/** Tasks on FARGATE_SPOT: each provider's `base` first, in order, then the rest split by `weight`. */
function spotTasks(strategy: Record<string, unknown>[], tasks: number): number {
  const isSpot = (s: Record<string, unknown>) => s.capacity_provider === 'FARGATE_SPOT';
  const weight = (list: Record<string, unknown>[]) => list.reduce((sum, s) => sum + Number(s.weight ?? 0), 0);
  let [rest, spot] = [tasks, 0];
  for (const s of strategy) {
    const base = Math.min(Number(s.base ?? 0), rest);
    rest -= base;
    if (isSpot(s)) spot += base;
  }
  return weight(strategy) > 0 ? spot + (rest * weight(strategy.filter(isSpot))) / weight(strategy) : spot;
}

/** The retention in days of the log group a reference, name or ARN points at; undefined if none or never. */
function retentionOf(resources: readonly Resource[], reference: unknown): number | undefined {
  const name = (group: Resource) => String(group.values.name);
  const group = resources.find(
    (g) =>
      g.type === 'aws_cloudwatch_log_group' &&
      refersTo(reference, g, (r) => r === name(g) || r.replace(/:\*$/, '').endsWith(`:log-group:${name(g)}`)),
  );
  const days = Number(group?.values.retention_in_days ?? 0);
  return days > 0 ? days : undefined;
}

function recordsDataEvents(trail: Resource): boolean {
  const selectors = blocks(trail.values.event_selector);
  const advanced = blocks(trail.values.advanced_event_selector).flatMap((s) => blocks(s.field_selector));
  return (
    selectors.some((s) => blocks(s.data_resource).length > 0) ||
    advanced.some((f) => f.field === 'eventCategory' && JSON.stringify(f.equals).includes('Data'))
  );
}

/** Adds a line, or adds it to the line of the same item: two services' tasks, two stages' access logs. */
function add(lines: CostLine[], line: CostLine): void {
  const seen = lines.find((existing) => existing.item === line.item);
  if (!seen) return void lines.push(line);
  seen.usd += line.usd;
  seen.how += ` + ${line.how}`;
  if (seen.quantity !== undefined) seen.quantity += line.quantity ?? 0;
}
