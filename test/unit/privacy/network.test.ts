import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, typesOf } from './helpers.js';

test('IPv4 and IPv6 addresses are found', () => {
  assert.deepEqual(findings('keep getting address 192.168.10.20 blocked'), ['IP_ADDRESS:192.168.10.20']);
  assert.deepEqual(findings('client 2001:db8::8a2e:370:7334 connected'), ['IP_ADDRESS:2001:db8::8a2e:370:7334']);
  assert.deepEqual(findings('from fe80::1ff:fe23:4567:890a'), ['IP_ADDRESS:fe80::1ff:fe23:4567:890a']);
});

test('invalid octets, version numbers, times and C++ paths are not addresses', () => {
  for (const text of ['at 256.1.1.1 or 1.2.3', 'version 1.2.3.4 is out', 'at 12:30:45 sharp', 'use std::vector and a::b', 'OID 1.3.6.1.4.1', 'kernel-2.6.43.8-1.fc16 installed']) {
    assert.deepEqual(typesOf(text), [], text);
  }
});

test('loopback, "any", broadcast and netmask addresses in config snippets are not personal', () => {
  assert.deepEqual(typesOf('listen on 0.0.0.0:8080 and 127.0.0.1, mask 255.255.255.0'), []);
  assert.deepEqual(typesOf('the client at 10.0.0.7 timed out'), ['IP_ADDRESS']);
});
