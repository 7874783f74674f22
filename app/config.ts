import {
  PRE_STOP_DELAY_SECONDS,
  SERVICE_ENVIRONMENT,
  SERVICE_PORT,
  STOP_MARGIN_SECONDS,
  STOP_TIMEOUT_SECONDS,
} from './contract';
/** The service's configuration, read once from the environment at start. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly tableName: string;
  /** The table of Idempotency-Keys (app/idempotency.ts). */
  readonly idempotencyTableName: string;
  readonly region: string;
  /** A local DynamoDB-compatible server (dynalite, DynamoDB Local); unset means the AWS endpoint. */
  readonly dynamodbEndpoint: string | undefined;
  /** Static credentials for a local endpoint when none are in the environment; unset means the SDK's chain. */
  readonly localCredentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  readonly logLevel: LogLevel;
  /** Seconds a client has to send a whole request (headers and body). */
  readonly requestTimeoutSeconds: number;
  /**
   * Seconds the service keeps serving after SIGTERM, answering with `Connection: close`, before it
   * stops listening: API Gateway's view of Cloud Map lags behind ECS's deregistration of the task.
   */
  readonly preStopDelaySeconds: number;
}

// The pre-stop delay, then at most one request timeout of draining, must fit in the task's stop timeout
// with a margin (contract.ts).
export { STOP_TIMEOUT_SECONDS };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Thrown when the environment does not describe a runnable service; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

// DynamoDB's own rule for table names.
const TABLE_NAME_PATTERN = /^[A-Za-z0-9_.-]{3,255}$/;
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * Reads and validates the configuration. Empty variables count as unset, as container
 * definitions often pass them empty.
 */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  /** A whole number of seconds in [min, max]; `undefined` (and a problem) when it is not. */
  function readSeconds(name: string, fallback: number, min: number, max: number): number | undefined {
    const text = read(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d{1,2}$/.test(text) || value < min || value > max) {
      problems.push(`${name} must be a whole number of seconds from ${min} to ${max}, got '${text}'`);
      return undefined;
    }
    return value;
  }

  const portText = read(SERVICE_ENVIRONMENT.port) ?? String(SERVICE_PORT);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) {
    problems.push(`PORT must be an integer from 0 to 65535, got '${portText}'`);
  }

  const host = read('HOST') ?? '0.0.0.0';
  if (/\s/.test(host)) {
    problems.push(`HOST must be a host name or IP address, got '${host}'`);
  }

  // The original design's Terraform passed the table as `DynamoDBTable`; keep it working.
  const tableName = read(SERVICE_ENVIRONMENT.tableName);
  const legacyTableName = read('DynamoDBTable');
  if (tableName === undefined && legacyTableName === undefined) {
    problems.push(
      'TABLE_NAME is required: the DynamoDB table holding the pets (DynamoDBTable is accepted as an alias)',
    );
  } else if (tableName !== undefined && legacyTableName !== undefined && tableName !== legacyTableName) {
    problems.push(
      `TABLE_NAME ('${tableName}') and its alias DynamoDBTable ('${legacyTableName}') disagree; set one`,
    );
  }
  const resolvedTableName = tableName ?? legacyTableName ?? '';
  if (resolvedTableName !== '' && !TABLE_NAME_PATTERN.test(resolvedTableName)) {
    const variable = tableName === undefined ? 'DynamoDBTable' : 'TABLE_NAME';
    problems.push(
      `${variable} must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got '${resolvedTableName}'`,
    );
  }

  // Named after the pets table unless set: `npm run dev` and local runs need not say it.
  const idempotencyTableName =
    read(SERVICE_ENVIRONMENT.idempotencyTableName) ??
    (TABLE_NAME_PATTERN.test(resolvedTableName) ? `${resolvedTableName}-idempotency` : '');
  if (idempotencyTableName !== '' && !TABLE_NAME_PATTERN.test(idempotencyTableName)) {
    problems.push(
      `IDEMPOTENCY_TABLE_NAME must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got '${idempotencyTableName}'`,
    );
  }

  const requestTimeoutSeconds = readSeconds('REQUEST_TIMEOUT_SECONDS', 10, 1, 20);
  const preStopDelaySeconds = readSeconds('PRE_STOP_DELAY_SECONDS', PRE_STOP_DELAY_SECONDS, 0, 20);
  if (
    requestTimeoutSeconds !== undefined &&
    preStopDelaySeconds !== undefined &&
    preStopDelaySeconds + requestTimeoutSeconds > STOP_TIMEOUT_SECONDS - STOP_MARGIN_SECONDS
  ) {
    problems.push(
      `PRE_STOP_DELAY_SECONDS (${preStopDelaySeconds}) plus REQUEST_TIMEOUT_SECONDS (${requestTimeoutSeconds}) must be at most ${STOP_TIMEOUT_SECONDS - STOP_MARGIN_SECONDS}, to stop within the task's ${STOP_TIMEOUT_SECONDS} s stop timeout`,
    );
  }

  const region = read(SERVICE_ENVIRONMENT.region);
  if (region === undefined) {
    problems.push('AWS_REGION is required: the region of the DynamoDB table, e.g. eu-west-1');
  } else if (!REGION_PATTERN.test(region)) {
    problems.push(`AWS_REGION must be an AWS region such as eu-west-1, got '${region}'`);
  }

  const dynamodbEndpoint = read('DYNAMODB_ENDPOINT');
  if (dynamodbEndpoint !== undefined && !isHttpUrl(dynamodbEndpoint)) {
    problems.push(
      `DYNAMODB_ENDPOINT must be an http(s) URL such as http://localhost:8000, got '${dynamodbEndpoint}'`,
    );
  }

  const logLevel = read('LOG_LEVEL') ?? 'info';
  if (!isLogLevel(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${logLevel}'`);
  }

  if (
    problems.length > 0 ||
    !isLogLevel(logLevel) ||
    region === undefined ||
    requestTimeoutSeconds === undefined ||
    preStopDelaySeconds === undefined
  ) {
    throw new ConfigError(problems);
  }

  // A local DynamoDB accepts any credentials, so `DYNAMODB_ENDPOINT=... npm start` works without an AWS profile.
  const localCredentials =
    dynamodbEndpoint !== undefined && read('AWS_ACCESS_KEY_ID') === undefined
      ? { accessKeyId: 'local', secretAccessKey: 'local' }
      : undefined;

  return {
    port,
    host,
    tableName: resolvedTableName,
    idempotencyTableName,
    region,
    dynamodbEndpoint,
    localCredentials,
    logLevel,
    requestTimeoutSeconds,
    preStopDelaySeconds,
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function isLogLevel(text: string): text is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(text);
}
