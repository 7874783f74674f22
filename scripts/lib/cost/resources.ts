/** The estimator's input, read from a stack's synthesized JSON or from a plan; and the price table. */
import { readFileSync } from 'node:fs';
import { isRecord } from '../json';
import type { PriceTable, Resource } from './estimate';

export const PRICES_PATH = new URL('./prices.json', import.meta.url);

/** The price table, checked: every price has an amount, a source URL and the date it was read. */
export function readPriceTable(file: URL | string = PRICES_PATH): PriceTable {
  const json: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isRecord(json) || !isRecord(json.regions) || !isRecord(json.assumptions)) {
    throw new Error(`${String(file)}: no "regions" and "assumptions" objects`);
  }
  const regions = Object.entries(json.regions);
  const keys = Object.keys(regions[0]?.[1] ?? {})
    .sort()
    .join();
  for (const [region, prices] of regions) {
    if (!isRecord(prices) || Object.keys(prices).sort().join() !== keys) {
      throw new Error(`${String(file)}: region ${region} must price exactly ${keys}`);
    }
    for (const [key, price] of Object.entries(prices)) {
      const valid =
        isRecord(price) &&
        typeof price.usd === 'number' &&
        typeof price.unit === 'string' &&
        /^https:\/\//.test(String(price.source)) &&
        /^\d{4}-\d{2}-\d{2}$/.test(String(price.read));
      if (!valid)
        throw new Error(`${String(file)}: ${region}.${key} needs usd, unit, an https source and a read date`);
    }
  }
  for (const [key, assumption] of Object.entries(json.assumptions)) {
    if (!isRecord(assumption) || typeof assumption.value !== 'number' || typeof assumption.why !== 'string') {
      throw new Error(`${String(file)}: assumption ${key} needs a numeric value and a why`);
    }
  }
  const free = isRecord(json.freeTypes) ? json.freeTypes.types : undefined;
  if (!Array.isArray(free) || !free.every((type) => typeof type === 'string')) {
    throw new Error(`${String(file)}: freeTypes.types must be a list of resource types`);
  }
  return { regions: json.regions, assumptions: json.assumptions, freeTypes: free } as unknown as PriceTable;
}

export interface StackResources {
  region: string;
  resources: Resource[];
}

/** A stack's `cdk.tf.json`: its managed resources (a numeric `count` repeats one) and the AWS provider's region. */
export function synthesizedResources(json: unknown): StackResources {
  if (!isRecord(json)) throw new Error('not a synthesized stack: not a JSON object');
  const provider = [json.provider && isRecord(json.provider) ? json.provider.aws : undefined].flat()[0];
  const region = isRecord(provider) ? provider.region : undefined;
  if (typeof region !== 'string' || region.includes('${')) {
    throw new Error('the stack names no literal AWS provider region');
  }
  const resources: Resource[] = [];
  for (const [type, byName] of Object.entries(isRecord(json.resource) ? json.resource : {})) {
    for (const [name, values] of Object.entries(isRecord(byName) ? byName : {})) {
      if (!isRecord(values)) continue;
      const count = typeof values.count === 'number' ? values.count : 1;
      for (let index = 0; index < count; index += 1) resources.push({ type, name, values });
    }
  }
  return { region, resources };
}

interface PlanModule {
  resources?: { mode?: string; type: string; name: string; values?: Record<string, unknown> }[];
  child_modules?: PlanModule[];
}

/** The part of `terraform show -json` the cost reads. */
export interface PlanForCost {
  prior_state?: { values?: { root_module?: PlanModule } };
  planned_values?: { root_module?: PlanModule };
  configuration?: {
    provider_config?: Record<string, { expressions?: { region?: { constant_value?: unknown } } }>;
  };
}

/** The managed resources before and after a plan, and its AWS provider's region (undefined if not a literal). */
export function planResources(plan: PlanForCost): { region?: string; before: Resource[]; after: Resource[] } {
  const region = plan.configuration?.provider_config?.aws?.expressions?.region?.constant_value;
  return {
    ...(typeof region === 'string' && { region }),
    before: moduleResources(plan.prior_state?.values?.root_module),
    after: moduleResources(plan.planned_values?.root_module),
  };
}

function moduleResources(module: PlanModule | undefined): Resource[] {
  if (!module) return [];
  return [
    ...(module.resources ?? [])
      .filter((r) => r.mode !== 'data')
      .map((r) => ({ type: r.type, name: r.name, values: r.values ?? {} })),
    ...(module.child_modules ?? []).flatMap(moduleResources),
  ];
}
