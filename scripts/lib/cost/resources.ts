/** The estimator's input, read from a stack's synthesized JSON or from a plan. */
import { isRecord } from '../json';
import type { Resource } from './estimate';

/** A stack's `cdk.tf.json`: its managed resources (a numeric `count` repeats one) and the AWS provider's region. */
export function synthesizedResources(json: unknown): { region: string; resources: Resource[] } {
  if (!isRecord(json)) throw new Error('not a synthesized stack: not a JSON object');
  const provider = [json.provider && isRecord(json.provider) ? json.provider.aws : undefined].flat()[0];
  const region = isRecord(provider) ? provider.region : undefined;
  if (typeof region !== 'string' || region.includes('${'))
    throw new Error('the stack names no literal AWS provider region');
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
