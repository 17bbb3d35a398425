import { LoginThrottle } from '../../../src/modules/auth/login-throttle';

describe('LoginThrottle', () => {
  const limit = { max: 3, windowMs: 60_000 };

  test('when an account fails max times, then it must wait until the window ends', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(limit, () => now);
    for (let i = 0; i < 3; i += 1) {
      expect(throttle.retryAfterSeconds('a@b.kz')).toBe(0);
      throttle.recordFailure('a@b.kz');
    }
    expect(throttle.retryAfterSeconds('a@b.kz')).toBe(60);
    expect(throttle.retryAfterSeconds('other@b.kz')).toBe(0);
    now += 59_000;
    expect(throttle.retryAfterSeconds('a@b.kz')).toBe(1);
    now += 1_000;
    expect(throttle.retryAfterSeconds('a@b.kz')).toBe(0);
  });

  test('when a login succeeds, then the failures before it are forgotten', () => {
    const throttle = new LoginThrottle(limit);
    throttle.recordFailure('a@b.kz');
    throttle.recordFailure('a@b.kz');
    throttle.recordSuccess('a@b.kz');
    throttle.recordFailure('a@b.kz');
    throttle.recordFailure('a@b.kz');
    expect(throttle.retryAfterSeconds('a@b.kz')).toBe(0);
  });

  test('when attempts are admitted, then each counts until a success clears them, and none past max is let through', () => {
    const throttle = new LoginThrottle(limit, () => 1_000_000);
    expect([1, 2, 3, 4].map(() => throttle.admit('a@b.kz'))).toEqual([0, 0, 0, 60]);
    expect(throttle.admit('other@b.kz')).toBe(0);

    const fresh = new LoginThrottle(limit, () => 1_000_000);
    fresh.admit('a@b.kz');
    fresh.admit('a@b.kz');
    fresh.recordSuccess('a@b.kz');
    expect([1, 2, 3].map(() => fresh.admit('a@b.kz'))).toEqual([0, 0, 0]);
  });
});
