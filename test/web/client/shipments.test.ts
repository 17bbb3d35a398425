import { describe, expect, test } from 'vitest';
import { type HandlingUnit, moveTargets, nextSteps, unitTree } from '../../../src/web/client/lib/shipments';

function unit(id: string, kind: HandlingUnit['kind'], number: number, parentId: string | null = null): HandlingUnit {
  return {
    id,
    kind,
    code: id.toUpperCase(),
    number,
    of: 3,
    parentId,
    transportUnitId: null,
    status: 'open',
    lines: [],
    netKg: '0',
    grossKg: '0',
  };
}

const units = [
  unit('b2', 'box', 2, 'p1'),
  unit('p2', 'pallet', 2),
  unit('b1', 'box', 1, 'p1'),
  unit('p1', 'pallet', 1),
  unit('b3', 'box', 3),
];

describe('the packing tree', () => {
  test('when boxes stand on pallets, then each pallet holds its boxes in order, pallets before loose boxes', () => {
    const tree = unitTree(units);
    expect(tree.map((node) => node.unit.id)).toEqual(['p1', 'p2', 'b3']);
    expect(tree[0].children.map((node) => node.unit.id)).toEqual(['b1', 'b2']);
  });

  test('when a box is moved, then it may go onto any pallet; a pallet never onto itself or what stands on it', () => {
    expect(moveTargets(units, 'b1').map((u) => u.id)).toEqual(['p2', 'p1']);
    const nested = [...units, unit('p3', 'pallet', 3, 'p1')];
    expect(moveTargets(nested, 'p1').map((u) => u.id)).toEqual(['p2']);
  });

  test('when a unit names a parent that is not in the list, then it stands at the top rather than vanishing', () => {
    expect(unitTree([unit('b9', 'box', 1, 'gone')]).map((node) => node.unit.id)).toEqual(['b9']);
  });
});

describe('the steps a shipment allows', () => {
  test('when the shipper looks, then a draft packs, a packed one dispatches; the consignee only records arrival', () => {
    expect(nextSteps({ status: 'draft' }, 'shipper')).toEqual(['pack', 'cancel']);
    expect(nextSteps({ status: 'packed' }, 'shipper')).toContain('dispatch');
    expect(nextSteps({ status: 'packed' }, 'consignee')).toEqual([]);
    expect(nextSteps({ status: 'dispatched' }, 'consignee')).toEqual(['arrive']);
    expect(nextSteps({ status: 'closed' }, 'shipper')).toEqual([]);
  });
});
