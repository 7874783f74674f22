/** What a plan does to a stack's estimated cost, in one line for a reviewer. */
import { type CostLine, type Estimate, estimateCost, total, usd } from './estimate';
import { type PlanForCost, planResources } from './resources';

/**
 * E.g. `+$32.85/month (1 NAT gateway): $45.10 → $77.95`, or `no change in cost`; a plan it cannot price
 * gets `cost not estimated: <why>`, never a wrong number, and never an error that would fail the review.
 */
export function planCostChange(plan: PlanForCost): string {
  const { region, before, after } = planResources(plan);
  if (region === undefined) return 'cost not estimated: the plan names no literal AWS provider region';
  try {
    return describeChange(estimateCost(before, region), estimateCost(after, region));
  } catch (error) {
    return `cost not estimated: ${(error as Error).message}`;
  }
}

function describeChange(before: Estimate, after: Estimate): string {
  const items = new Set([...before.monthly, ...after.monthly].map((line) => line.item));
  const find = (lines: CostLine[], item: string) => lines.find((line) => line.item === item);
  const changes = [...items]
    .map((item) => {
      const [was, now] = [find(before.monthly, item), find(after.monthly, item)];
      const delta = (now?.usd ?? 0) - (was?.usd ?? 0);
      const quantity = (now?.quantity ?? 0) - (was?.quantity ?? 0);
      return { item, delta, quantity, unit: now?.unit ?? was?.unit };
    })
    .filter((change) => Math.abs(change.delta) >= 0.005)
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  const perMillion = total(after.perMillionRequests) - total(before.perMillionRequests);
  const requests = Math.abs(perMillion) >= 0.0005 ? `; ${signed(perMillion)} per million requests` : '';
  if (changes.length === 0) return requests ? `no change in monthly cost${requests}` : 'no change in cost';
  const largest = changes.slice(0, 3).map(({ item, quantity, unit }) => {
    if (quantity === 0 || unit === undefined) return item;
    const count = Math.abs(quantity);
    const noun = count === 1 ? unit : `${unit}${unit.endsWith('s') ? 'es' : 's'}`;
    return `${quantity < 0 ? '-' : ''}${count} ${noun}`;
  });
  const more = changes.length > 3 ? ', …' : '';
  const delta = total(after.monthly) - total(before.monthly);
  return `${signed(delta)}/month (${largest.join(', ')}${more}): ${usd(total(before.monthly))} → ${usd(total(after.monthly))}${requests}`;
}

const signed = (amount: number) => (amount < 0 ? `-${usd(-amount)}` : `+${usd(amount)}`);
