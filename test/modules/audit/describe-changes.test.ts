import { describeChanges } from '../../../src/modules/audit/audit.service';

describe('describeChanges', () => {
  test('when fields change, then the summary lists them with before and after values', () => {
    const summary = describeChanges(
      { roles: ['viewer'], active: true },
      { roles: ['viewer', 'warehouse'], active: true },
    );
    expect(summary).toEqual({ changed: { roles: { from: ['viewer'], to: ['viewer', 'warehouse'] } } });
  });

  test('when a hidden field changes, then the summary says so without its values', () => {
    const summary = describeChanges(
      { name: 'Aigerim', contact: { phone: '+7 701' } },
      { name: 'Aigerim S.' },
      { hidden: ['name'] },
    );
    expect(summary).toEqual({ changed: { name: 'changed' } });
    expect(JSON.stringify(summary)).not.toContain('Aigerim');
  });
});
