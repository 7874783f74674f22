import { invalid, requireIntegerInRange, requireOneOf } from './validation';

/** One entry of an ECS capacity provider strategy, in ECS's own shape. */
export interface CapacityProviderStrategyItem {
  /** `FARGATE_SPOT` runs on spare capacity at a discount, and may be stopped with two minutes' notice. */
  readonly capacityProvider: 'FARGATE' | 'FARGATE_SPOT';
  /** Tasks placed on this provider first, before the weights apply (0 to 100,000; one entry only). @default 0 */
  readonly base?: number;
  /** This provider's share of the tasks beyond the bases, relative to the other's (0 to 1,000). */
  readonly weight: number;
}

/** ECS's rules for a strategy: each provider once, bases and weights in range, some weight above 0. */
export function validateCapacityProviderStrategy(strategy: readonly CapacityProviderStrategyItem[]): void {
  requireIntegerInRange('capacityProviderStrategy.length', strategy.length, 1, 2);
  strategy.forEach((item, index) => {
    const at = `capacityProviderStrategy[${index}]`;
    requireOneOf(`${at}.capacityProvider`, item.capacityProvider, ['FARGATE', 'FARGATE_SPOT'] as const);
    if (strategy.findIndex((other) => other.capacityProvider === item.capacityProvider) !== index)
      throw invalid(`${at}.capacityProvider`, item.capacityProvider, 'each provider may appear once');
    if (item.base !== undefined) requireIntegerInRange(`${at}.base`, item.base, 0, 100_000);
    requireIntegerInRange(`${at}.weight`, item.weight, 0, 1000);
  });
  const withBase = strategy.filter((item) => (item.base ?? 0) > 0);
  if (withBase.length > 1)
    throw invalid(
      'capacityProviderStrategy[1].base',
      withBase[1]?.base,
      'ECS allows a base above 0 on one provider only',
    );
  if (strategy.every((item) => item.weight === 0))
    throw invalid(
      'capacityProviderStrategy',
      strategy.map((item) => item.weight),
      'expected a weight above 0 on at least one provider (these are the weights)',
    );
}
