// Protects the *_REQUIRED switches: a spec that needs kcat, python3, a native cluster or Spark skips with
// a reason where that is missing, but fails where the run said it must be there (CI, once installed).
import { describe, expect, it } from 'vitest';
import { prerequisite } from '../support/prerequisite.ts';

const KCAT = { required: 'KCAT_REQUIRED', specs: 'kcat cross-checks' } as const;

describe('a spec prerequisite', () => {
  it('lets the specs run when it is present, switch or not', () => {
    expect(prerequisite({ ...KCAT, missing: undefined }, { KCAT_REQUIRED: 'true' })).toBeUndefined();
    expect(prerequisite({ ...KCAT, missing: undefined }, {})).toBeUndefined();
  });

  it('gives the reason to skip when it is missing and not required', () => {
    expect(prerequisite({ ...KCAT, missing: 'kcat is not installed' }, {})).toBe('kcat is not installed');
    expect(prerequisite({ ...KCAT, missing: 'kcat is not installed' }, { KCAT_REQUIRED: 'false' })).toBe(
      'kcat is not installed',
    );
  });

  it('fails, naming the switch and the reason, when it is missing and required', () => {
    expect(() =>
      prerequisite({ ...KCAT, missing: 'kcat is not installed' }, { KCAT_REQUIRED: 'true' }),
    ).toThrow('KCAT_REQUIRED=true, but kcat cross-checks cannot run: kcat is not installed');
    // Each switch answers for its own prerequisite only.
    expect(prerequisite({ ...KCAT, missing: 'kcat is not installed' }, { PYTHON_REQUIRED: 'true' })).toBe(
      'kcat is not installed',
    );
  });
});
