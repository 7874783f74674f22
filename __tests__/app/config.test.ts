import { ConfigError, loadConfig } from '../../app/config';

const MINIMAL = { TABLE_NAME: 'pets', AWS_REGION: 'eu-west-1' };

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('needs only the table and the region, with the container’s defaults for the rest', () => {
    expect(loadConfig(MINIMAL)).toEqual({
      port: 8080,
      host: '0.0.0.0',
      tableName: 'pets',
      idempotencyTableName: 'pets-idempotency',
      region: 'eu-west-1',
      dynamodbEndpoint: undefined,
      localCredentials: undefined,
      logLevel: 'info',
      requestTimeoutSeconds: 10,
      preStopDelaySeconds: 15,
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      ...MINIMAL,
      PORT: '3000',
      HOST: '127.0.0.1',
      DYNAMODB_ENDPOINT: 'http://localhost:8000',
      LOG_LEVEL: 'debug',
      IDEMPOTENCY_TABLE_NAME: 'keys',
      REQUEST_TIMEOUT_SECONDS: '5',
      PRE_STOP_DELAY_SECONDS: '0',
    });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      dynamodbEndpoint: 'http://localhost:8000',
      logLevel: 'debug',
      idempotencyTableName: 'keys',
      requestTimeoutSeconds: 5,
      preStopDelaySeconds: 0,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ ...MINIMAL, PORT: '', LOG_LEVEL: ' ' })).toMatchObject({
      port: 8080,
      logLevel: 'info',
    });
  });

  it('accepts the original design’s DynamoDBTable as the table name', () => {
    expect(loadConfig({ DynamoDBTable: 'legacy-pets', AWS_REGION: 'eu-west-1' }).tableName).toBe(
      'legacy-pets',
    );
    expect(loadConfig({ ...MINIMAL, DynamoDBTable: 'pets' }).tableName).toBe('pets');
  });

  it('refuses TABLE_NAME and DynamoDBTable that disagree', () => {
    expect(problemsOf({ ...MINIMAL, DynamoDBTable: 'other' })).toEqual([
      "TABLE_NAME ('pets') and its alias DynamoDBTable ('other') disagree; set one",
    ]);
  });

  it('uses stand-in credentials for a local endpoint only when the environment has none', () => {
    const local = { ...MINIMAL, DYNAMODB_ENDPOINT: 'http://localhost:8000' };
    expect(loadConfig(local).localCredentials).toEqual({ accessKeyId: 'local', secretAccessKey: 'local' });
    expect(loadConfig({ ...local, AWS_ACCESS_KEY_ID: 'AKIA' }).localCredentials).toBeUndefined();
  });

  it.each([
    [{ AWS_REGION: 'eu-west-1' }, /^TABLE_NAME is required/],
    [{ TABLE_NAME: 'pets' }, /^AWS_REGION is required/],
    [{ ...MINIMAL, TABLE_NAME: 'a' }, /^TABLE_NAME must be a DynamoDB table name .*got 'a'$/],
    [{ AWS_REGION: 'eu-west-1', DynamoDBTable: 'bad name!' }, /^DynamoDBTable must be a DynamoDB table name/],
    [{ ...MINIMAL, AWS_REGION: 'Ireland' }, /^AWS_REGION must be an AWS region .*got 'Ireland'$/],
    [{ ...MINIMAL, PORT: '65536' }, /^PORT must be an integer from 0 to 65535, got '65536'$/],
    [{ ...MINIMAL, PORT: '80.5' }, /^PORT must be an integer/],
    [{ ...MINIMAL, HOST: 'my host' }, /^HOST must be a host name or IP address/],
    [{ ...MINIMAL, DYNAMODB_ENDPOINT: 'localhost:8000' }, /^DYNAMODB_ENDPOINT must be an http\(s\) URL/],
    [
      { ...MINIMAL, LOG_LEVEL: 'verbose' },
      /^LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/,
    ],
    [{ ...MINIMAL, IDEMPOTENCY_TABLE_NAME: 'k' }, /^IDEMPOTENCY_TABLE_NAME must be a DynamoDB table name/],
    [
      { ...MINIMAL, REQUEST_TIMEOUT_SECONDS: '0' },
      /^REQUEST_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 20, got '0'$/,
    ],
    [{ ...MINIMAL, PRE_STOP_DELAY_SECONDS: '2.5' }, /^PRE_STOP_DELAY_SECONDS must be a whole number/],
    [
      { ...MINIMAL, PRE_STOP_DELAY_SECONDS: '20', REQUEST_TIMEOUT_SECONDS: '10' },
      /^PRE_STOP_DELAY_SECONDS \(20\) plus REQUEST_TIMEOUT_SECONDS \(10\) must be at most 28, to stop within the task's 30 s stop timeout$/,
    ],
  ])('refuses %o, naming the variable', (env, problem) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('reports every problem at once, in its message', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'x' });
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(
      /^Invalid configuration:\n {2}- PORT .*\n {2}- TABLE_NAME .*\n {2}- AWS_REGION /,
    );
  });
});
