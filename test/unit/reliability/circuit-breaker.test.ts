import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker } from '../../../src/reliability/circuit-breaker.js';
import { backoffMs } from '../../../src/reliability/backoff.js';

function breaker(over: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  const clock = { t: 0 };
  const b = new CircuitBreaker({ consecutiveFailures: 3, errorRate: 0.5, window: 10, minRequests: 6, openMs: 1000, halfOpenProbes: 1, now: () => clock.t, ...over });
  return { b, clock };
}

test('opens after N consecutive failures and refuses traffic while open', () => {
  const { b } = breaker();
  b.failure(); b.failure();
  assert.equal(b.current(), 'closed');
  b.failure();
  assert.equal(b.current(), 'open');
  assert.equal(b.acquire(), false);
});

test('a success resets the consecutive count', () => {
  const { b } = breaker({ minRequests: 100 });
  for (let i = 0; i < 5; i++) { b.failure(); b.failure(); b.success(); }
  assert.equal(b.current(), 'closed');
});

test('opens on error rate over the window even with successes in between', () => {
  const { b } = breaker({ consecutiveFailures: 100 });
  b.failure(); b.success(); b.failure(); b.success(); b.failure();
  assert.equal(b.current(), 'closed', 'below min_requests');
  b.failure(); // 4 of 6
  assert.equal(b.current(), 'open');
});

test('half-open after open_ms lets one probe through; success closes, failure reopens', () => {
  const { b, clock } = breaker();
  b.failure(); b.failure(); b.failure();
  assert.equal(b.msUntilProbe(), 1000);
  clock.t = 1000;
  assert.equal(b.current(), 'half_open');
  assert.equal(b.acquire(), true);
  assert.equal(b.acquire(), false, 'only one probe at a time');
  b.failure();
  assert.equal(b.current(), 'open');
  clock.t = 2000;
  assert.equal(b.acquire(), true);
  b.success();
  assert.equal(b.current(), 'closed');
  assert.equal(b.opens, 2);
});

test('a released probe frees its slot', () => {
  const { b, clock } = breaker();
  b.trip();
  clock.t = 1000;
  assert.equal(b.acquire(), true);
  b.release();
  assert.equal(b.acquire(), true);
});

test('backoff grows exponentially, is jittered, capped, and never below Retry-After', () => {
  const o = { baseMs: 100, maxMs: 1000 };
  assert.equal(backoffMs(0, { ...o, random: () => 0.5 }), 50);
  assert.equal(backoffMs(2, { ...o, random: () => 0.5 }), 200);
  assert.equal(backoffMs(10, { ...o, random: () => 0.999 }), 999);
  assert.equal(backoffMs(0, { ...o, random: () => 0 }, 1500), 1500);
});
